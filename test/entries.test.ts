/**
 * The package's entries (src/index.ts → `rnnlab`, src/node.ts → `rnnlab/node`; package.json `exports`):
 * `rnnlab` must run in a browser, so its whole import graph, node_modules included and dynamic imports
 * followed, is bundled here by esbuild for the browser platform, which fails on a Node built-in and on a
 * native binary; and the inputs it read are checked again by name.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

async function browserGraph(entry: string): Promise<{ inputs: string[]; errors: string[] }> {
  try {
    const r = await esbuild.build({
      absWorkingDir: ROOT, entryPoints: [entry], bundle: true, platform: 'browser', format: 'esm',
      write: false, metafile: true, logLevel: 'silent',
    });
    return { inputs: Object.keys(r.metafile.inputs), errors: [] };
  } catch (e) {
    const failure = e as esbuild.BuildFailure;
    return { inputs: [], errors: failure.errors.map((m) => `${m.text} (imported from ${m.location?.file ?? '?'})`) };
  }
}

test('the rnnlab entry bundles for the browser: no node: module and no native binary anywhere in its import graph', async () => {
  const { inputs, errors } = await browserGraph('src/index.ts');
  assert.deepEqual(errors, []);
  assert.deepEqual(inputs.filter((i) => i.startsWith('node:') || i.endsWith('.node')), []);
  assert.ok(inputs.includes('src/layers/models.ts') && inputs.includes('src/io/onnx.ts'), 'the graph was walked');
});

test('the rnnlab/tutorial entry bundles for the browser too', async () => {
  const { inputs, errors } = await browserGraph('src/tutorial.ts');
  assert.deepEqual(errors, []);
  assert.deepEqual(inputs.filter((i) => i.startsWith('node:') || i.endsWith('.node')), []);
});

test('the same check fails on a module that needs Node (the check can fail)', async () => {
  const { errors } = await browserGraph('src/node.ts');
  assert.ok(errors.some((e) => /node:fs/.test(e)), errors.join('\n'));
});

test('nothing from src/cli is reachable from either entry', async () => {
  for (const entry of ['src/index.ts', 'src/node.ts', 'src/tutorial.ts']) {
    const r = await esbuild.build({
      absWorkingDir: ROOT, entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', write: false, metafile: true,
      logLevel: 'silent', packages: 'external',
    });
    assert.deepEqual(Object.keys(r.metafile.inputs).filter((i) => i.startsWith('src/cli/')), [], entry);
  }
});

test('package.json exports rnnlab, rnnlab/node and rnnlab/tutorial with types, and nothing else but package.json', () => {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };
  assert.deepEqual(pkg.exports, {
    '.': { types: './dist/index.d.ts', default: './dist/index.js' },
    './node': { types: './dist/node.d.ts', default: './dist/node.js' },
    './tutorial': { types: './dist/tutorial.d.ts', default: './dist/tutorial.js' },
    './package.json': './package.json',
  });
});

test('every import from rnnlab or rnnlab/node shown in the README and docs/ names something that entry exports', async () => {
  const entries: Record<string, Record<string, unknown>> = {
    rnnlab: await import('../src/index.js'),
    'rnnlab/node': await import('../src/node.js'),
    'rnnlab/tutorial': await import('../src/tutorial.js'),
  };
  const docs = ['README.md', ...readdirSync(new URL('../docs/', import.meta.url)).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const missing: string[] = [];
  let seen = 0;
  for (const doc of docs) {
    const text = readFileSync(new URL(`../${doc}`, import.meta.url), 'utf8');
    for (const m of text.matchAll(/import\s+\{([^}]*)\}\s+from\s+'(rnnlab(?:\/node|\/tutorial)?)'/g)) {
      for (const name of m[1]!.split(',').map((n) => n.trim()).filter((n) => n && !n.startsWith('type '))) {
        seen++;
        if (!(name in entries[m[2]!]!)) missing.push(`${doc}: ${name} from '${m[2]}'`);
      }
    }
  }
  assert.ok(seen > 20, `only ${seen} imported names found`);
  assert.deepEqual(missing, []);
});

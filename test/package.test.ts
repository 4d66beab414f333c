/**
 * rnnlab as a user gets it: the package is packed with `npm pack` (its prepare script builds dist/),
 * installed into empty projects from the tarball, and used from there: its install size, its types
 * without @types/node, a Vite app bundling it for the browser and running one training step in headless
 * Chromium against the same step in Node, the command line from the library alone and from rnnlab-cli.
 * Installing needs the npm registry (or npm's cache); nothing else.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { build, createLogger } from 'vite';
import { REPO_ROOT, installInto, measureInstall, pack } from '../scripts/pack.js';
import { serveStatic } from '../web/serve.js';
import { CHROMIUM_ARGS, chromiumExecutable } from './browser.js';

const BUNDLE_BUDGET_GZIP = 60_000;
const MAX_PACKAGES = 30;
const MAX_BYTES = 25e6;

interface StepResult { output: number[]; gradNorm: number; dWhh: number[]; weights: Record<string, number[]> }

function maxRelDiff(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  const scale = Math.max(1e-30, ...b.map(Math.abs));
  return Math.max(0, ...a.map((v, i) => Math.abs(v - b[i]!) / scale));
}

describe('the packed package, installed from its tarball', { timeout: 400_000 }, () => {
  let dir = '';
  let libTarball = '', cliTarball = '';
  const app = () => join(dir, 'app');

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'rnnlab-package-'));
    libTarball = pack(REPO_ROOT, join(dir, 'packs'));
    cliTarball = pack(join(REPO_ROOT, 'cli'), join(dir, 'packs'));
    installInto(app(), [libTarball]);
  });
  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`npm install rnnlab brings at most ${MAX_PACKAGES} packages and ${MAX_BYTES / 1e6} MB`, () => {
    const m = measureInstall(app());
    console.log(`npm install rnnlab: ${m.packages.length} packages, ${(m.bytes / 1e6).toFixed(1)} MB`);
    assert.ok(m.packages.includes('rnnlab'));
    assert.ok(m.packages.length <= MAX_PACKAGES, m.packages.join(', '));
    assert.ok(m.bytes <= MAX_BYTES, `${m.bytes} bytes`);
  });

  it('the tarball holds dist/, the docs the README links to, the data, LICENSE and no sources or tests', () => {
    const files = execFileSync('tar', ['-tzf', libTarball], { encoding: 'utf8' }).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
    for (const f of ['dist/index.js', 'dist/index.d.ts', 'dist/node.js', 'dist/node.d.ts', 'dist/cli/main.js', 'bin/rnnlab.js', 'LICENSE', 'README.md', 'data/moby-dick.txt.gz', 'data/sunspots.csv']) {
      assert.ok(files.includes(f), f);
    }
    assert.deepEqual(files.filter((f) => (/^(src|test|web|bench|scripts)\//.test(f) && !f.endsWith('.md')) || f.endsWith('.map')), []);
    const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
    const links = [...readme.matchAll(/\]\((?!https?:|#)([^)#\s]+)/g)].map((m) => m[1]!);
    assert.ok(links.length > 5, 'the README links to its docs');
    // On the npm page relative links resolve against the repository field; in node_modules, to the package.
    assert.deepEqual(links.filter((l) => !files.includes(l) && !files.some((f) => f.startsWith(`${l.replace(/\/$/, '')}/`))), []);
  });

  it('is ES modules only, and require() loads it where Node can require an ES module (20.19 and later)', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    const r = spawnSync(process.execPath, ['-e', "const r = require('rnnlab'); if (typeof r.LSTM !== 'function') process.exit(3)"], { cwd: app(), encoding: 'utf8' });
    if (major > 20 || (major === 20 && minor >= 19)) assert.equal(r.status, 0, r.stderr);
    else assert.notEqual(r.status, 0);
  });

  it('the public types compile with "types": [] (no @types/node) and skipLibCheck off', () => {
    cpSync(join(REPO_ROOT, 'test/package-app/consumer.ts'), join(app(), 'consumer.ts'));
    writeFileSync(join(app(), 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, types: [], target: 'ES2022', lib: ['ES2022', 'DOM'], module: 'NodeNext', moduleResolution: 'NodeNext' },
      files: ['consumer.ts'],
    }));
    const tsc = spawnSync(process.execPath, [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: app(), encoding: 'utf8' });
    assert.equal(tsc.status, 0, tsc.stdout + tsc.stderr);
  });

  it('a Vite app bundles { LSTM, tensor, Adam, clipGradNorm } from rnnlab without Node built-ins, small, and gets Node\'s numbers in Chromium', async () => {
    for (const f of ['index.html', 'main.js', 'compute.js']) cpSync(join(REPO_ROOT, 'test/package-app', f), join(app(), f));
    const warnings: string[] = [];
    const logger = createLogger('warn');
    logger.warn = (msg) => warnings.push(msg);
    logger.warnOnce = (msg) => warnings.push(msg);
    await build({ configFile: false, root: app(), base: './', customLogger: logger, logLevel: 'warn', build: { outDir: join(app(), 'dist'), target: 'es2022' } });
    // Vite's word for a Node built-in it replaced with an empty stub (seen on an app importing node:fs).
    assert.deepEqual(warnings.filter((w) => /externalized for browser compatibility/i.test(w)), []);
    const assets = join(app(), 'dist', 'assets');
    const js = readdirSync(assets).filter((f) => f.endsWith('.js'));
    const code = js.map((f) => readFileSync(join(assets, f)));
    const gzip = code.reduce((n, c) => n + gzipSync(c, { level: 9 }).length, 0);
    console.log(`bundle: ${js.length} chunk(s), ${(code.reduce((n, c) => n + c.length, 0) / 1e3).toFixed(1)} kB, ${(gzip / 1e3).toFixed(1)} kB gzip`);
    assert.ok(gzip <= BUNDLE_BUDGET_GZIP, `${gzip} bytes gzip`);

    const { compute } = await import(pathToFileURL(join(app(), 'compute.js')).href) as { compute(): StepResult };
    const inNode = compute();
    const server = await serveStatic(join(app(), 'dist'), 0);
    const browser = await chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(server.url);
      await page.waitForFunction(() => document.body.dataset.result !== undefined || document.body.dataset.error !== undefined, undefined, { timeout: 30_000 });
      assert.equal(await page.evaluate(() => document.body.dataset.error ?? null), null);
      assert.deepEqual(errors, []);
      const inBrowser = JSON.parse((await page.evaluate(() => document.body.dataset.result))!) as StepResult;
      assert.ok(inNode.gradNorm > 0.5, 'the clipping was active');
      const diffs = {
        output: maxRelDiff(inBrowser.output, inNode.output),
        gradNorm: Math.abs(inBrowser.gradNorm - inNode.gradNorm) / inNode.gradNorm,
        dWhh: maxRelDiff(inBrowser.dWhh, inNode.dWhh),
        weights: Math.max(...Object.keys(inNode.weights).map((k) => maxRelDiff(inBrowser.weights[k]!, inNode.weights[k]!))),
      };
      console.log(`Chromium vs Node, max relative difference: ${JSON.stringify(diffs)}`);
      for (const [k, d] of Object.entries(diffs)) assert.ok(d <= 1e-6, `${k}: ${d}`);
    } finally {
      await browser.close();
      await server.close();
    }
  });

  it('rnnlab from the library alone: --version, and a training run that skips its plots naming what to install', () => {
    const bin = join(app(), 'node_modules/.bin/rnnlab');
    const version = spawnSync(bin, ['--version'], { encoding: 'utf8' });
    assert.equal(version.stdout.trim(), JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).version);
    const run = spawnSync(bin, ['train', '--task', 'adding', '--seq-len', '10', '--steps', '3', '--hidden', '4', '--out', 'run'], { cwd: app(), encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(existsSync(join(app(), 'run/train.jsonl')) && existsSync(join(app(), 'run/checkpoints/latest')));
    assert.ok(!existsSync(join(app(), 'run/loss.png')));
    assert.match(run.stderr, /loss\.png not written: drawing plots needs the optional packages vega@6, vega-lite@6, @resvg\/resvg-js@2.*npm install vega@6 vega-lite@6 @resvg\/resvg-js@2/);
  });

  it('rnnlab-cli installs the command with its plots: rnnlab train writes loss.svg and loss.png', () => {
    const cliApp = join(dir, 'cli-app');
    installInto(cliApp, [libTarball, cliTarball]);
    const run = spawnSync(join(cliApp, 'node_modules/.bin/rnnlab'), ['train', '--task', 'adding', '--seq-len', '10', '--steps', '3', '--hidden', '4', '--out', 'run'], { cwd: cliApp, encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    assert.ok(readFileSync(join(cliApp, 'run/loss.png')).subarray(1, 4).toString() === 'PNG');
    assert.match(readFileSync(join(cliApp, 'run/loss.svg'), 'utf8'), /<svg/);
  });
});

describe('rnnlab-cli (cli/package.json) matches rnnlab', () => {
  const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8'));
  const cli = JSON.parse(readFileSync(join(REPO_ROOT, 'cli/package.json'), 'utf8'));
  it('has rnnlab\'s version and depends on exactly that version', () => {
    assert.equal(cli.version, root.version);
    assert.equal(cli.dependencies.rnnlab, root.version);
  });
  it('depends on every optional peer of rnnlab, at the version the repository tests with', () => {
    for (const name of Object.keys(root.peerDependencies)) {
      assert.ok(root.peerDependenciesMeta[name]?.optional, `${name} is optional`);
      assert.equal(cli.dependencies[name], root.devDependencies[name], name);
    }
  });
});

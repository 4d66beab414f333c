/**
 * Comments and docs that name a file stay true: every repository path written in a source file, a
 * test, a script or a document (`src/...`, `test/...`, `docs/...`, `web/...`, `bench/...`,
 * `scripts/...`, `data/...`) names a file or folder that exists (a `*` matches within a folder). Paths
 * that the build or a run writes (dist/, web/dist/, bench/results-quick*, test-artifacts/) are not checked.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PATH = /(?<![\w./@-])((?:src|test|docs|web|bench|scripts|data)\/[\w.*\-/{}<>$]*[\w*/}>])/g;
/** Written by the build or by a run: web/dist/, bench/results(-quick).*, the figures of scripts/draw-unrolled.ts. */
const GENERATED = /^(web\/dist|bench\/results|test-artifacts|docs\/img\/unrolled-)/;

/** The tracked text files that can name paths. */
function files(): string[] {
  const tracked = execFileSync('git', ['ls-files'], { cwd: ROOT, encoding: 'utf8' }).split('\n');
  return tracked.filter((f) => /\.(ts|js|md|py|html|css|json)$/.test(f) && !f.startsWith('test/fixtures/') && !f.endsWith('package-lock.json') && !f.endsWith('results.json'));
}

function exists(p: string): boolean {
  const clean = p.replace(/\/$/, '').replace(/\.+$/, '');
  if (!clean.includes('*')) return existsSync(join(ROOT, clean)) || existsSync(join(ROOT, clean.replace(/\.js$/, '.ts')));
  const dir = dirname(clean), base = clean.slice(dir.length + 1);
  if (dir.includes('*') || !existsSync(join(ROOT, dir))) return false;
  const re = new RegExp(`^${base.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return readdirSync(join(ROOT, dir)).some((f) => re.test(f));
}

test('every repository path named in a comment, a test, a script or a doc exists', () => {
  const missing: string[] = [];
  let seen = 0;
  for (const f of files()) {
    const text = readFileSync(join(ROOT, f), 'utf8');
    for (const m of text.matchAll(PATH)) {
      const p = m[1]!;
      // A pattern of names (torch-{name}.safetensors, unrolled-<cell>-T<T>.svg) is not one path.
      if (GENERATED.test(p) || /[{}<>$]/.test(p)) continue;
      seen++;
      // A folder's own README may name its files from there (in web/README.md, src/ is web/src/).
      if (!exists(p) && !exists(join(dirname(f), p))) missing.push(`${f}: ${p}`);
    }
  }
  assert.ok(seen > 200, `only ${seen} paths found: is the pattern right?`);
  assert.deepEqual([...new Set(missing)], []);
});

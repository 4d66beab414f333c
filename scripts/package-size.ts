/**
 * `npm run package-size`: what `npm install rnnlab` brings into an empty project, measured on the
 * package packed from this checkout (the README quotes it; test/package.test.ts holds it to at most 30
 * packages and 25 MB). `--cli` measures rnnlab-cli (with the plotting packages) too.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, installInto, measureInstall, pack, type InstallSize } from './pack.js';

function report(what: string, m: InstallSize): void {
  console.log(`${what}: ${m.packages.length} packages, ${(m.bytes / 1e6).toFixed(1)} MB in node_modules`);
  console.log(`  ${m.packages.join(', ')}`);
}

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-size-'));
try {
  const lib = pack(REPO_ROOT, join(dir, 'packs'));
  installInto(join(dir, 'lib'), [lib]);
  report('npm install rnnlab', measureInstall(join(dir, 'lib')));
  if (process.argv.includes('--cli')) {
    const cli = pack(join(REPO_ROOT, 'cli'), join(dir, 'packs'));
    installInto(join(dir, 'cli'), [lib, cli]);
    report('npm install rnnlab-cli', measureInstall(join(dir, 'cli')));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

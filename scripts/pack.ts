/**
 * The package as a user gets it: `npm pack` of this repository (and of cli/, rnnlab-cli), installed
 * into an empty project, and what that install weighs. Used by scripts/package-size.ts and by
 * test/package.test.ts, so the figures in the README and the test's bars come from one measurement.
 */
import { execFileSync } from 'node:child_process';
import { lstatSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/** Packs the package in `dir` into `dest` (npm pack runs the prepare script: a fresh dist/); the tarball's path. */
export function pack(dir: string, dest: string): string {
  mkdirSync(dest, { recursive: true });
  const out = execFileSync(NPM, ['pack', '--json', '--pack-destination', dest], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const [{ filename }] = JSON.parse(out) as { filename: string }[];
  return join(dest, filename);
}

/** An empty ES-module project in `dir` with `specs` (tarballs, names) installed as a user would. */
export function installInto(dir: string, specs: string[]): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'rnnlab-user', version: '1.0.0', private: true, type: 'module' }, null, 2));
  execFileSync(NPM, ['install', '--no-audit', '--no-fund', '--prefer-offline', ...specs], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface InstallSize {
  /** Installed packages, each name@location once (nested copies count). */
  packages: string[];
  /** Bytes of all files under node_modules (their lengths, not blocks). */
  bytes: number;
}

/** What `dir/node_modules` holds. */
export function measureInstall(dir: string): InstallSize {
  const packages: string[] = [];
  let bytes = 0;
  // A package's own files: its nested node_modules holds other packages, counted as such.
  const size = (p: string, packageRoot = false): number => {
    const s = lstatSync(p);
    if (!s.isDirectory()) return s.isFile() ? s.size : 0;
    let n = 0;
    for (const f of readdirSync(p)) if (!(packageRoot && f === 'node_modules')) n += size(join(p, f));
    return n;
  };
  const walk = (modules: string, prefix: string): void => {
    let names: string[];
    try {
      names = readdirSync(modules);
    } catch {
      return;
    }
    for (const name of names) {
      if (name.startsWith('.')) continue; // .bin, .package-lock.json
      const p = join(modules, name);
      if (name.startsWith('@')) {
        for (const sub of readdirSync(p)) addPackage(join(p, sub), `${prefix}${name}/${sub}`);
      } else {
        addPackage(p, `${prefix}${name}`);
      }
    }
  };
  const addPackage = (p: string, name: string): void => {
    if (lstatSync(p).isSymbolicLink()) return;
    packages.push(name);
    bytes += size(p, true);
    walk(join(p, 'node_modules'), `${name} > `);
  };
  walk(join(dir, 'node_modules'), '');
  return { packages, bytes };
}

/**
 * The folder of the rnnlab package itself, found from a module's own location: the files that ship
 * beside dist/ (exercises/, data/) are there whether the code runs from src/ through tsx, from dist/
 * after a build, or from node_modules/rnnlab in someone's project.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Whether `dir` holds rnnlab's package.json (not some other package's, as in a project that uses rnnlab). */
function isRnnlabRoot(dir: string): boolean {
  const file = join(dir, 'package.json');
  if (!existsSync(file)) return false;
  try {
    return (JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown }).name === 'rnnlab';
  } catch {
    return false; // an unreadable package.json is not ours
  }
}

/** The nearest folder that holds the file `from` (a file: URL or a path), or holds it further down, whose package.json is rnnlab's. */
export function packageRoot(from: string | URL = import.meta.url): string {
  const start = typeof from === 'string' && !from.startsWith('file:') ? from : fileURLToPath(from);
  for (let dir = dirname(start); ; dir = dirname(dir)) {
    if (isRnnlabRoot(dir)) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the rnnlab package: no package.json named rnnlab at or above ${dirname(start)}`);
  }
}

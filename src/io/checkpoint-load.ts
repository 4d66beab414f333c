/**
 * Loading checkpoints from the file system (the format is described in checkpoint-format.ts): finds the
 * checkpoint (a directory, its checkpoint.json, a root with a `latest` pointer, or a .tar of one
 * directory), reads its files, and hands the bytes to the shared checks in checkpoint-codec.ts. Any
 * problem is a CheckpointError naming the file, never another exception.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ARCHIVE_EXTENSION, decodeCheckpointArchive } from './checkpoint-archive.js';
import { decodeCheckpoint } from './checkpoint-codec.js';
import { LATEST, MANIFEST, STEP_DIR, WEIGHTS, bad, type LoadedCheckpoint } from './checkpoint-format.js';
import { CheckpointError } from './checkpoint-error.js';
import { looksLikeTar } from './tar.js';

function readChecked(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    bad(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
  }
}

/** The checkpoint directory name `root/latest` holds, or null if none (or not a step directory name). */
export function readLatest(root: string): string | null {
  try {
    const name = readFileSync(join(root, LATEST), 'utf8').trim();
    return STEP_DIR.test(name) ? name : null;
  } catch {
    return null;
  }
}

/**
 * Loads a checkpoint directory, or the one `latest` points at when given the root, or a .tar archive of
 * one directory (what the browser lab downloads). Every problem (missing, truncated, corrupt, foreign,
 * from a newer version, config and weights disagreeing) is a CheckpointError naming the file and, where
 * there is one, the key.
 */
export function loadCheckpoint(path: string): LoadedCheckpoint {
  if (typeof path !== 'string' || path === '') throw new CheckpointError(`path: expected a checkpoint directory, got ${JSON.stringify(path)}`);
  let dir = path;
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    bad(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
  }
  if (st.isFile()) {
    if (basename(path) !== MANIFEST) {
      const bytes = readChecked(path);
      if (path.endsWith(ARCHIVE_EXTENSION) || looksLikeTar(bytes)) return decodeCheckpointArchive(bytes, path);
      bad(path, `not a checkpoint: expected a checkpoint directory (holding ${MANIFEST} and ${WEIGHTS}), its ${MANIFEST}, or a ${ARCHIVE_EXTENSION} of a checkpoint directory`);
    }
    dir = dirname(path);
  } else if (!existsSync(join(path, MANIFEST))) {
    const latest = readLatest(path);
    if (latest === null) bad(path, `not a checkpoint: no ${MANIFEST} here and no '${LATEST}' pointer to one`);
    dir = join(path, latest);
  }
  const file = join(dir, MANIFEST);
  const wfile = join(dir, WEIGHTS);
  return decodeCheckpoint(readChecked(file), () => readChecked(wfile), { manifest: file, weights: wfile, path: dir });
}

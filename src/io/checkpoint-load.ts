/**
 * Loading checkpoints from the file system (the format is described in checkpoint-format.ts): finds the
 * checkpoint (a directory, its checkpoint.json, a root with a `latest` pointer, or a .tar of one
 * directory), reads its files, and hands the bytes to the shared checks in checkpoint-codec.ts. Any
 * problem is a CheckpointError naming the file, never another exception.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ARCHIVE_EXTENSION, decodeCheckpointArchive } from './checkpoint-archive.js';
import { decodeCheckpoint } from './checkpoint-codec.js';
import { LATEST, MANIFEST, STEP_DIR, WEIGHTS, bad, type LoadedCheckpoint } from './checkpoint-format.js';
import { CheckpointError } from './checkpoint-error.js';
import { FileError, readRegularFile } from './files.js';
import { looksLikeTar } from './tar.js';
import { MAX_ARRAY_BYTES } from '../tensor/limits.js';
import { describeValue } from '../tensor/check.js';

/**
 * Caps on what a checkpoint's files may be, before they are read: the weights are one array of at most
 * the resource policy's size (src/tensor/limits.ts); the manifest holds JSON numbers for the optimizer's
 * buffers (a few times the weights) and, for a character model of pasted text, the text.
 */
const MAX_FILE_BYTES: Record<'manifest' | 'weights' | 'archive' | 'pointer', number> = {
  manifest: 2 ** 30, weights: MAX_ARRAY_BYTES, archive: 2 ** 31, pointer: 4096,
};

function readChecked(path: string, kind: keyof typeof MAX_FILE_BYTES): Uint8Array {
  try {
    return readRegularFile(path, { what: 'checkpoint file', maxBytes: MAX_FILE_BYTES[kind] });
  } catch (e) {
    if (e instanceof FileError) throw new CheckpointError(e.message.replace(/^checkpoint file /, ''), { cause: e });
    throw e;
  }
}

/** The step directories under `root`, oldest first. */
export function listSteps(root: string): { name: string; step: number }[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  return names
    .map((name) => ({ name, m: STEP_DIR.exec(name) }))
    .filter((x): x is { name: string; m: RegExpExecArray } => x.m !== null)
    .map(({ name, m }) => ({ name, step: Number(m[1]) }))
    .sort((a, b) => a.step - b.step);
}

/**
 * The newest complete checkpoint under `root`: the step directory with the highest step that holds both
 * files. A save renames a finished directory into place and only then rewrites `latest`, so after a kill
 * between the two the newest directory is newer than `latest` says; the directories are the truth and
 * `latest` a hint for people and other tools.
 */
export function newestCheckpointName(root: string): string | null {
  const steps = listSteps(root);
  for (let i = steps.length - 1; i >= 0; i--) {
    const d = join(root, steps[i]!.name);
    if (existsSync(join(d, MANIFEST)) && existsSync(join(d, WEIGHTS))) return steps[i]!.name;
  }
  return readLatest(root);
}

/** The checkpoint directory name `root/latest` holds, or null if none (or not a step directory name). */
export function readLatest(root: string): string | null {
  try {
    const name = new TextDecoder().decode(readRegularFile(join(root, LATEST), { what: 'pointer', maxBytes: MAX_FILE_BYTES.pointer })).trim();
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
  if (typeof path !== 'string' || path === '') throw new CheckpointError(`path: expected a checkpoint directory, got ${describeValue(path)}`);
  let dir = path;
  let st;
  try {
    st = statSync(path);
  } catch (e) {
    bad(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
  }
  if (st.isFile()) {
    if (basename(path) !== MANIFEST) {
      const bytes = readChecked(path, 'archive');
      if (path.endsWith(ARCHIVE_EXTENSION) || looksLikeTar(bytes)) return decodeCheckpointArchive(bytes, path);
      bad(path, `not a checkpoint: expected a checkpoint directory (holding ${MANIFEST} and ${WEIGHTS}), its ${MANIFEST}, or a ${ARCHIVE_EXTENSION} of a checkpoint directory`);
    }
    dir = dirname(path);
  } else if (!existsSync(join(path, MANIFEST))) {
    const latest = newestCheckpointName(path);
    if (latest === null) bad(path, `not a checkpoint: no ${MANIFEST} here and no '${LATEST}' pointer to one`);
    dir = join(path, latest);
  }
  const file = join(dir, MANIFEST);
  const wfile = join(dir, WEIGHTS);
  return decodeCheckpoint(readChecked(file, 'manifest'), () => readChecked(wfile, 'weights'), { manifest: file, weights: wfile, path: dir });
}

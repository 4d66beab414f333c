/**
 * Saving checkpoints (the format is described in checkpoint-format.ts): everything is written and
 * fsynced in a hidden temporary directory beside the others, which is then renamed into place; only
 * after that is the `latest` pointer file replaced (atomically). A save that fails at any point leaves
 * the earlier checkpoints and the pointers as they were. `best.json` names the best checkpoint by a
 * chosen metric; pruning keeps the last K, the best, and the latest.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDir, writeFileAtomic } from './atomic.js';
import { ensureDir } from './files.js';
import { encodeCheckpoint } from './checkpoint-codec.js';
import { listSteps, newestCheckpointName, readLatest } from './checkpoint-load.js';
import { CheckpointError } from './checkpoint-error.js';
import { BEST, LATEST, MANIFEST, STEP_DIR, WEIGHTS, checkpointDirName, type CheckpointContents, type SaveOptions } from './checkpoint-format.js';
import { describeValue } from '../tensor/check.js';

export { loadCheckpoint } from './checkpoint-load.js';
export { modelConfig, encodeCheckpoint, decodeCheckpoint, type EncodedCheckpoint, type CheckpointNames } from './checkpoint-codec.js';
export { encodeCheckpointArchive, decodeCheckpointArchive, ARCHIVE_EXTENSION, type CheckpointArchive } from './checkpoint-archive.js';
export {
  CheckpointError, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkpointDirName, manifestChecksum,
  type CheckpointContents, type CheckpointManifest, type LoadedCheckpoint, type ModelConfig, type ModelKind, type SaveOptions,
} from './checkpoint-format.js';

function readBest(root: string): { checkpoint: string; metric: string; mode: string; value: number } | null {
  try {
    const b = JSON.parse(readFileSync(join(root, BEST), 'utf8')) as Record<string, unknown>;
    if (typeof b.checkpoint === 'string' && STEP_DIR.test(b.checkpoint) && typeof b.metric === 'string' && typeof b.value === 'number' && typeof b.mode === 'string') {
      return b as { checkpoint: string; metric: string; mode: string; value: number };
    }
  } catch {
    /* no best yet, or unreadable: treated as none */
  }
  return null;
}


/**
 * Saves a checkpoint as `root/step-<step>/` and points `root/latest` at it. Refuses (CheckpointError,
 * nothing written) a model or optimizer state with non-finite values. Returns the checkpoint directory.
 */
export function saveCheckpoint(root: string, contents: CheckpointContents, options: SaveOptions = {}): string {
  if (typeof root !== 'string' || root === '') throw new TypeError(`root: expected a directory path, got ${describeValue(root)}`);
  // Every check of the contents, and the encoding, are shared with the browser lab (checkpoint-codec.ts).
  const { manifest, manifestText, weights } = encodeCheckpoint(contents);
  const { step, metrics } = manifest;
  const { keepLast, best, overwrite = false } = options;
  if (keepLast !== undefined && (!Number.isSafeInteger(keepLast) || keepLast < 1)) throw new RangeError(`options.keepLast: expected an integer >= 1, got ${describeValue(keepLast)}`);
  if (best !== undefined) {
    if (best === null || typeof best !== 'object' || typeof best.metric !== 'string' || (best.mode !== 'min' && best.mode !== 'max')) {
      throw new TypeError(`options.best: expected {metric: string, mode: 'min' | 'max'}, got ${describeValue(best)}`);
    }
    if (!(best.metric in metrics)) throw new RangeError(`options.best.metric: '${best.metric}' is not among contents.metrics (${Object.keys(metrics).join(', ') || 'none'})`);
  }

  const name = checkpointDirName(step);
  const target = join(root, name);
  ensureDir(root, 'checkpoint root');
  if (existsSync(target) && !overwrite) {
    throw new CheckpointError(`${target} already exists; pass { overwrite: true } to replace it`);
  }
  const tmp = join(root, `.tmp-${name}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  let aside: string | null = null;
  try {
    mkdirSync(tmp);
    writeFileAtomic(join(tmp, WEIGHTS), weights);
    writeFileAtomic(join(tmp, MANIFEST), manifestText);
    fsyncDir(tmp);
    if (existsSync(target)) {
      aside = `${tmp}-old`;
      renameSync(target, aside);
    }
    renameSync(tmp, target);
    fsyncDir(root);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (aside !== null && !existsSync(target)) {
      try {
        renameSync(aside, target);
      } catch {
        /* leave it; it is still on disk */
      }
    }
    throw new CheckpointError(`saving checkpoint ${target} failed (earlier checkpoints are untouched): ${(err as Error).message}`, { cause: err });
  }
  if (aside !== null) rmSync(aside, { recursive: true, force: true });
  writeFileAtomic(join(root, LATEST), `${name}\n`);

  if (best) {
    const value = metrics[best.metric];
    const cur = readBest(root);
    const valid = cur !== null && cur.metric === best.metric && cur.mode === best.mode && existsSync(join(root, cur.checkpoint, MANIFEST));
    const better = !valid || cur.checkpoint === name || (best.mode === 'min' ? value < cur.value : value > cur.value);
    if (better) writeFileAtomic(join(root, BEST), `${JSON.stringify({ checkpoint: name, metric: best.metric, mode: best.mode, value })}\n`);
  }

  if (keepLast !== undefined) {
    const keep = new Set<string>([name]);
    const latest = readLatest(root);
    if (latest) keep.add(latest);
    const b = readBest(root);
    if (b) keep.add(b.checkpoint);
    const steps = listSteps(root);
    for (const s of steps.slice(-keepLast)) keep.add(s.name);
    for (const s of steps) if (!keep.has(s.name)) rmSync(join(root, s.name), { recursive: true, force: true });
  }
  return target;
}

/**
 * The newest checkpoint directory under `root` (see newestCheckpointName: `latest` is only a hint), or
 * null if there is none.
 */
export function latestCheckpoint(root: string): string | null {
  const n = newestCheckpointName(root);
  return n === null ? null : join(root, n);
}

/**
 * Removes what an interrupted save leaves behind in `root`: `.tmp-step-*` directories and the
 * temporary files of atomic writes. Only for the run that holds the folder's lock (src/io/lock.ts):
 * another run's save in progress looks the same.
 */
export function removeLeftovers(root: string): string[] {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return [];
  }
  const gone = names.filter((n) => /^\.tmp-step-/.test(n) || /^\..+\.\d+\.\d+\.\d+\.tmp$/.test(n));
  for (const n of gone) rmSync(join(root, n), { recursive: true, force: true });
  return gone;
}

/** The checkpoint directory `root/best.json` points at, or null if none. */
export function bestCheckpoint(root: string): string | null {
  const b = readBest(root);
  return b === null ? null : join(root, b.checkpoint);
}

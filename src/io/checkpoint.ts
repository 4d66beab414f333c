/**
 * Saving checkpoints (the format is described in checkpoint-format.ts): everything is written and
 * fsynced in a hidden temporary directory beside the others, which is then renamed into place; only
 * after that is the `latest` pointer file replaced (atomically). A save that fails at any point leaves
 * the earlier checkpoints and the pointers as they were. `best.json` names the best checkpoint by a
 * chosen metric; pruning keeps the last K, the best, and the latest.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { GRU, LSTM, RNN } from '../layers/models.js';
import { fsyncDir, writeFileAtomic } from './atomic.js';
import { CheckpointError, encodeSafetensors } from './safetensors.js';
import {
  BEST, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, LATEST, MANIFEST, STEP_DIR, WEIGHTS, checkpointDirName, manifestChecksum, readLatest, sha256,
  type CheckpointContents, type CheckpointManifest, type ModelConfig, type ModelKind, type SaveOptions,
} from './checkpoint-format.js';

export { loadCheckpoint } from './checkpoint-load.js';
export {
  CheckpointError, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, checkpointDirName, manifestChecksum,
  type CheckpointContents, type CheckpointManifest, type LoadedCheckpoint, type ModelConfig, type ModelKind, type SaveOptions,
} from './checkpoint-format.js';

export function modelConfig(model: RNN | LSTM | GRU): ModelConfig {
  const kind: ModelKind | null = model instanceof LSTM ? 'LSTM' : model instanceof GRU ? 'GRU' : model instanceof RNN ? 'RNN' : null;
  if (kind === null) throw new TypeError(`model: expected an RNN, LSTM or GRU, got ${model === null ? 'null' : typeof model === 'object' ? (model as object).constructor?.name : typeof model}`);
  const options: ModelConfig['options'] = {
    inputSize: model.inputSize,
    hiddenSize: model.hiddenSize,
    numLayers: model.numLayers,
    bias: model.hasBias,
    batchFirst: model.batchFirst,
    dtype: model.dtype,
  };
  if (model.outputSize !== null) options.outputSize = model.outputSize;
  if (model instanceof RNN) options.nonlinearity = model.nonlinearity;
  return { kind, options };
}

function checkFiniteMap(what: string, values: Iterable<number>): void {
  let i = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new CheckpointError(`${what}: expected finite numbers, got ${v} at flat index ${i}; refusing to save`);
    i++;
  }
}

function listSteps(root: string): { name: string; step: number }[] {
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
  if (typeof root !== 'string' || root === '') throw new TypeError(`root: expected a directory path, got ${JSON.stringify(root)}`);
  if (contents === null || typeof contents !== 'object') throw new TypeError(`contents: expected {model, step, ...}, got ${String(contents)}`);
  const { model, optimizer, rng, step } = contents;
  const metrics = contents.metrics ?? {};
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`contents.step: expected an integer >= 0, got ${String(step)}`);
  const config = modelConfig(model);
  const { keepLast, best, overwrite = false } = options;
  if (keepLast !== undefined && (!Number.isSafeInteger(keepLast) || keepLast < 1)) throw new RangeError(`options.keepLast: expected an integer >= 1, got ${String(keepLast)}`);
  if (metrics === null || typeof metrics !== 'object') throw new TypeError(`contents.metrics: expected an object of numbers, got ${String(metrics)}`);
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new CheckpointError(`contents.metrics['${k}']: expected a finite number, got ${String(v)}; refusing to save`);
  }
  if (best !== undefined) {
    if (best === null || typeof best !== 'object' || typeof best.metric !== 'string' || (best.mode !== 'min' && best.mode !== 'max')) {
      throw new TypeError(`options.best: expected {metric: string, mode: 'min' | 'max'}, got ${JSON.stringify(best)}`);
    }
    if (!(best.metric in metrics)) throw new RangeError(`options.best.metric: '${best.metric}' is not among contents.metrics (${Object.keys(metrics).join(', ') || 'none'})`);
  }

  const sd = model.stateDict();
  for (const [name, t] of Object.entries(sd)) checkFiniteMap(`model parameter '${name}'`, t.data);
  const optState = optimizer ? optimizer.stateDict() : null;
  if (optState) {
    optState.state.forEach((entry, i) => {
      for (const [k, b] of Object.entries(entry.buffers)) checkFiniteMap(`optimizer state[${i}].buffers.${k}`, b);
    });
    for (const [k, v] of Object.entries(optState.options)) checkFiniteMap(`optimizer option ${k}`, Array.isArray(v) ? v : typeof v === 'number' ? [v] : []);
  }
  const task = contents.task;
  if (task !== undefined) {
    if (task === null || typeof task !== 'object' || Array.isArray(task) || typeof task.kind !== 'string' || task.kind === '') {
      throw new TypeError(`contents.task: expected a task spec {kind: string, ...}, got ${JSON.stringify(task)}`);
    }
  }
  const rngState = rng ? rng.getState().map((x) => (Number.isNaN(x) ? null : x)) : null;

  const weights = encodeSafetensors(sd, { format: 'pt' });
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    model: config,
    optimizer: optState,
    rng: rngState,
    step,
    metrics: { ...metrics },
    ...(task !== undefined ? { task: JSON.parse(JSON.stringify(task)) as typeof task } : {}),
    files: { [WEIGHTS]: sha256(weights) },
  };
  manifest.checksum = manifestChecksum(manifest);

  const name = checkpointDirName(step);
  const target = join(root, name);
  mkdirSync(root, { recursive: true });
  if (existsSync(target) && !overwrite) {
    throw new CheckpointError(`${target} already exists; pass { overwrite: true } to replace it`);
  }
  const tmp = join(root, `.tmp-${name}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`);
  let aside: string | null = null;
  try {
    mkdirSync(tmp);
    writeFileAtomic(join(tmp, WEIGHTS), weights);
    writeFileAtomic(join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 1)}\n`);
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

/** The checkpoint directory `root/latest` points at, or null if none. */
export function latestCheckpoint(root: string): string | null {
  const n = readLatest(root);
  return n === null ? null : join(root, n);
}

/** The checkpoint directory `root/best.json` points at, or null if none. */
export function bestCheckpoint(root: string): string | null {
  const b = readBest(root);
  return b === null ? null : join(root, b.checkpoint);
}

/**
 * Checkpoints. One checkpoint is a directory, `step-000000123/`, holding
 *
 *   model.safetensors   the weights under PyTorch's state_dict names (`weight_ih_l0`, ..., `head.weight`),
 *                       so `torch.nn.LSTM(...).load_state_dict(safetensors.torch.load_file(path))` works
 *                       (a model with a head needs a module whose linear is called `head`)
 *   checkpoint.json     {format: 'rnnlab-checkpoint', version: 1, model: {kind, options}, optimizer, rng,
 *                        step, metrics, files: {'model.safetensors': sha256}, checksum}
 *
 * A directory rather than one file because a PyTorch user can open model.safetensors directly with no
 * rnnlab code, and the JSON is readable in any editor. `checksum` is the sha256 of checkpoint.json's own
 * content (keys sorted, `checksum` left out), so a flipped byte anywhere is caught.
 *
 * Saving is atomic: everything is written and fsynced in a hidden temporary directory beside the others,
 * which is then renamed into place; only after that is the `latest` pointer file replaced (atomically).
 * A save that fails at any point leaves the earlier checkpoints and the pointers as they were. `best.json`
 * names the best checkpoint by a chosen metric; pruning keeps the last K, the best, and the latest.
 *
 * Loading checks everything (format, version, checksums, config against tensors, finiteness) and reports
 * any problem as a CheckpointError, never another exception.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { GRU, LSTM, RNN } from '../layers/models.js';
import type { Recurrent, RecurrentOptions } from '../layers/recurrent.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import { fmtShape } from '../tensor/check.js';
import type { Rng } from '../tensor/random.js';
import { writeFileAtomic } from './atomic.js';
import { CheckpointError, decodeSafetensors, encodeSafetensors } from './safetensors.js';

export { CheckpointError } from './safetensors.js';

export const CHECKPOINT_FORMAT = 'rnnlab-checkpoint';
export const CHECKPOINT_VERSION = 1;
const WEIGHTS = 'model.safetensors';
const MANIFEST = 'checkpoint.json';
const LATEST = 'latest';
const BEST = 'best.json';
const STEP_DIR = /^step-(\d{9,})$/;

export type ModelKind = 'RNN' | 'LSTM' | 'GRU';

/** What is needed to rebuild the model before loading the weights (init options and seed are not). */
export interface ModelConfig {
  kind: ModelKind;
  options: {
    inputSize: number;
    hiddenSize: number;
    numLayers: number;
    bias: boolean;
    batchFirst: boolean;
    dtype: 'float32' | 'float64';
    outputSize?: number;
    nonlinearity?: 'tanh' | 'relu';
  };
}

/** checkpoint.json. */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  model: ModelConfig;
  optimizer: OptimizerStateDict | null;
  /** Rng.getState() with NaN (no spare normal) written as null. */
  rng: (number | null)[] | null;
  step: number;
  metrics: Record<string, number>;
  files: Record<string, string>;
  checksum?: string;
}

export interface CheckpointContents {
  model: RNN | LSTM | GRU;
  optimizer?: Optimizer<{ lr: number }>;
  rng?: Rng;
  step: number;
  metrics?: Record<string, number>;
}

export interface SaveOptions {
  /** Keep only the K most recent checkpoints (by step), plus the best and the latest. Default: keep all. */
  keepLast?: number;
  /** Track the best checkpoint by `metrics[metric]`, lower ('min') or higher ('max') being better. */
  best?: { metric: string; mode: 'min' | 'max' };
  /** Replace an existing checkpoint of the same step (default false: refuse). */
  overwrite?: boolean;
}

export interface LoadedCheckpoint {
  /** Rebuilt from the saved config, with the saved weights. */
  model: RNN | LSTM | GRU;
  config: ModelConfig;
  /** For `optimizer.loadStateDict` on an optimizer built over `model`; null if none was saved. */
  optimizerState: OptimizerStateDict | null;
  /** For `rng.setState`; null if none was saved. */
  rngState: number[] | null;
  step: number;
  metrics: Record<string, number>;
  /** The checkpoint directory that was read. */
  path: string;
}

export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(9, '0')}`;
}

function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The checksum field of a manifest: sha256 of its canonical JSON (sorted keys) without `checksum`. */
export function manifestChecksum(manifest: object): string {
  const { checksum: _ignored, ...rest } = manifest as Record<string, unknown>;
  void _ignored;
  return sha256(canonical(rest));
}

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

function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported on this platform */
  }
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

function readLatest(root: string): string | null {
  try {
    const name = readFileSync(join(root, LATEST), 'utf8').trim();
    return STEP_DIR.test(name) ? name : null;
  } catch {
    return null;
  }
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

function bad(path: string, msg: string, cause?: unknown): never {
  throw new CheckpointError(`${path}: ${msg}`, cause === undefined ? undefined : { cause });
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function readChecked(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    bad(path, `cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, e);
  }
}

function checkConfig(file: string, m: unknown): ModelConfig {
  if (!isObj(m) || !isObj(m.options)) bad(file, 'model: expected {kind, options}');
  const kind = m.kind;
  if (kind !== 'RNN' && kind !== 'LSTM' && kind !== 'GRU') bad(file, `model.kind: expected 'RNN', 'LSTM' or 'GRU', got ${JSON.stringify(kind)}`);
  const o = m.options;
  const allowed = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dtype', 'outputSize', 'nonlinearity'];
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length) bad(file, `model.options: unexpected key(s) ${extra.join(', ')}`);
  for (const k of ['inputSize', 'hiddenSize', 'numLayers'] as const) {
    if (!Number.isSafeInteger(o[k]) || (o[k] as number) < 1) bad(file, `model.options.${k}: expected a positive integer, got ${JSON.stringify(o[k])}`);
  }
  if (o.outputSize !== undefined && (!Number.isSafeInteger(o.outputSize) || (o.outputSize as number) < 1)) bad(file, `model.options.outputSize: expected a positive integer, got ${JSON.stringify(o.outputSize)}`);
  if (typeof o.bias !== 'boolean') bad(file, `model.options.bias: expected true or false, got ${JSON.stringify(o.bias)}`);
  if (typeof o.batchFirst !== 'boolean') bad(file, `model.options.batchFirst: expected true or false, got ${JSON.stringify(o.batchFirst)}`);
  if (o.dtype !== 'float32' && o.dtype !== 'float64') bad(file, `model.options.dtype: expected 'float32' or 'float64', got ${JSON.stringify(o.dtype)}`);
  if (kind === 'RNN' ? o.nonlinearity !== 'tanh' && o.nonlinearity !== 'relu' : o.nonlinearity !== undefined) {
    bad(file, `model.options.nonlinearity: expected ${kind === 'RNN' ? "'tanh' or 'relu'" : `none for ${kind}`}, got ${JSON.stringify(o.nonlinearity)}`);
  }
  // Guard the allocation: a damaged config must not ask for gigabytes.
  const H = o.hiddenSize as number, D = o.inputSize as number, L = o.numLayers as number;
  if ((D + H * (L + 2)) * H * 4 > 2 ** 31) bad(file, `model.options: sizes (inputSize ${D}, hiddenSize ${H}, numLayers ${L}) are implausibly large`);
  return { kind, options: o as ModelConfig['options'] };
}

function buildModel(config: ModelConfig): RNN | LSTM | GRU {
  const opts: RecurrentOptions = { ...config.options };
  if (config.kind === 'LSTM') return new LSTM(opts);
  if (config.kind === 'GRU') return new GRU(opts);
  return new RNN({ ...opts, nonlinearity: config.options.nonlinearity });
}

function checkOptimizerState(file: string, s: unknown, model: Recurrent): OptimizerStateDict | null {
  if (s === null) return null;
  if (!isObj(s)) bad(file, 'optimizer: expected an object or null');
  if (typeof s.type !== 'string') bad(file, `optimizer.type: expected a string, got ${JSON.stringify(s.type)}`);
  if (!isObj(s.options)) bad(file, 'optimizer.options: expected an object');
  for (const [k, v] of Object.entries(s.options)) {
    const ok = typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)));
    if (!ok) bad(file, `optimizer.options.${k}: expected a number, boolean or array of numbers, got ${JSON.stringify(v)}`);
  }
  if (!Number.isSafeInteger(s.step) || (s.step as number) < 0) bad(file, `optimizer.step: expected an integer >= 0, got ${JSON.stringify(s.step)}`);
  const params = model.parameters();
  if (!Array.isArray(s.state) || s.state.length !== params.length) bad(file, `optimizer.state: expected ${params.length} entries (one per model parameter), got ${Array.isArray(s.state) ? s.state.length : typeof s.state}`);
  s.state.forEach((e: unknown, i: number) => {
    const p = params[i];
    if (!isObj(e) || e.name !== p.name) bad(file, `optimizer.state[${i}].name: expected '${p.name}', got ${JSON.stringify(isObj(e) ? e.name : e)}`);
    if (!isObj(e.buffers)) bad(file, `optimizer.state[${i}].buffers: expected an object`);
    for (const [k, b] of Object.entries(e.buffers)) {
      if (!Array.isArray(b) || b.length !== p.param.size || !b.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        bad(file, `optimizer.state[${i}].buffers.${k}: expected ${p.param.size} finite numbers (parameter '${p.name}' ${fmtShape(p.param.shape)})`);
      }
    }
  });
  return s as unknown as OptimizerStateDict;
}

/**
 * Loads a checkpoint directory, or the one `latest` points at when given the root. Every problem
 * (missing, truncated, corrupt, foreign, from a newer version, config and weights disagreeing) is a
 * CheckpointError naming the file and, where there is one, the key.
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
    if (basename(path) !== MANIFEST) bad(path, `not a checkpoint: expected a checkpoint directory (holding ${MANIFEST} and ${WEIGHTS}) or its ${MANIFEST}`);
    dir = dirname(path);
  } else if (!existsSync(join(path, MANIFEST))) {
    const latest = readLatest(path);
    if (latest === null) bad(path, `not a checkpoint: no ${MANIFEST} here and no '${LATEST}' pointer to one`);
    dir = join(path, latest);
  }
  const file = join(dir, MANIFEST);
  const raw = readChecked(file);
  let m: unknown;
  try {
    m = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(raw));
  } catch (e) {
    bad(file, `not a checkpoint: not valid UTF-8 JSON (${(e as Error).message}); truncated or corrupt?`, e);
  }
  if (!isObj(m) || m.format !== CHECKPOINT_FORMAT) bad(file, `not an rnnlab checkpoint (expected format '${CHECKPOINT_FORMAT}', got ${JSON.stringify(isObj(m) ? m.format : typeof m)})`);
  if (m.version !== CHECKPOINT_VERSION) bad(file, `version ${JSON.stringify(m.version)} is not supported (this rnnlab reads version ${CHECKPOINT_VERSION})`);
  if (typeof m.checksum !== 'string') bad(file, 'checksum: missing');
  let digest: string;
  try {
    digest = manifestChecksum(m);
  } catch (e) {
    bad(file, `not a checkpoint: cannot digest its content (${(e as Error).message})`, e);
  }
  if (digest !== m.checksum) bad(file, 'checksum mismatch: the file was changed or corrupted after saving');
  const config = checkConfig(file, m.model);
  if (!Number.isSafeInteger(m.step) || (m.step as number) < 0) bad(file, `step: expected an integer >= 0, got ${JSON.stringify(m.step)}`);
  if (!isObj(m.metrics) || !Object.values(m.metrics).every((v) => typeof v === 'number' && Number.isFinite(v))) bad(file, 'metrics: expected an object of finite numbers');
  let rngState: number[] | null = null;
  if (m.rng !== null) {
    if (!Array.isArray(m.rng) || m.rng.length !== 5 || !m.rng.slice(0, 4).every((x) => Number.isSafeInteger(x) && x >= 0 && x < 2 ** 32) || !(m.rng[4] === null || (typeof m.rng[4] === 'number' && Number.isFinite(m.rng[4])))) {
      bad(file, `rng: expected 4 uint32 words and a number or null, got ${JSON.stringify(m.rng).slice(0, 80)}`);
    }
    rngState = m.rng.map((x: number | null) => (x === null ? Number.NaN : x));
  }
  if (!isObj(m.files) || typeof m.files[WEIGHTS] !== 'string') bad(file, `files['${WEIGHTS}']: expected its sha256`);

  const wfile = join(dir, WEIGHTS);
  const bytes = readChecked(wfile);
  if (sha256(bytes) !== m.files[WEIGHTS]) bad(wfile, `sha256 mismatch with ${MANIFEST}: the weights file is truncated or corrupt`);
  let tensors;
  try {
    tensors = decodeSafetensors(bytes).tensors;
  } catch (e) {
    bad(wfile, (e as Error).message, e);
  }
  let model: RNN | LSTM | GRU;
  try {
    model = buildModel(config);
  } catch (e) {
    bad(file, `model.options: ${(e as Error).message}`, e);
  }
  const expected = model.stateDict();
  for (const [k, t] of Object.entries(expected)) {
    const got = tensors[k];
    const desc = `${config.kind}(${JSON.stringify(config.options)})`;
    if (got === undefined) bad(wfile, `missing tensor '${k}' that ${desc} needs`);
    if (got.shape.length !== t.shape.length || got.shape.some((d, i) => d !== t.shape[i])) {
      bad(wfile, `tensor '${k}' has shape ${fmtShape(got.shape)}, but ${desc} expects ${fmtShape(t.shape)}`);
    }
    if (got.dtype !== t.dtype) bad(wfile, `tensor '${k}' is ${got.dtype}, but the config says dtype ${t.dtype}`);
    for (let i = 0; i < got.data.length; i++) {
      if (!Number.isFinite(got.data[i])) bad(wfile, `tensor '${k}' holds a non-finite value (${got.data[i]}) at flat index ${i}`);
    }
  }
  const extra = Object.keys(tensors).filter((k) => !(k in expected));
  if (extra.length) bad(wfile, `unexpected tensor(s) ${extra.map((k) => `'${k}'`).join(', ')} for ${config.kind}(${JSON.stringify(config.options)})`);
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    bad(wfile, (e as Error).message, e);
  }
  const optimizerState = checkOptimizerState(file, m.optimizer, model);
  return { model, config, optimizerState, rngState, step: m.step as number, metrics: { ...(m.metrics as Record<string, number>) }, path: dir };
}

/**
 * A checkpoint to bytes and back, with every check, and nothing else: no file system, so the same code
 * saves and loads checkpoints in Node (checkpoint.ts, checkpoint-load.ts) and in the browser lab.
 *
 * `encodeCheckpoint` refuses non-finite weights, optimizer state or metrics (nothing is produced), and
 * returns checkpoint.json's text and model.safetensors' bytes. `decodeCheckpoint` checks format, version,
 * checksums, config against tensors and finiteness, and reports any problem as a CheckpointError that
 * starts with the name of the file at fault (as the caller names it: a path, or an entry of an archive).
 * The format itself is described in checkpoint-format.ts.
 */
import { MODEL_CLASS, cellKindOf, cellOfClass, createModel, type Model } from '../layers/factory.js';
import { checkModelSize } from '../tensor/limits.js';
import { GATES } from '../cells/ops.js';
import type { Recurrent } from '../layers/recurrent.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { fmtShape, describeValue } from '../tensor/check.js';
import type { TaskSpec } from './task-spec.js';
import { CheckpointError } from './checkpoint-error.js';
import { decodeSafetensors, encodeSafetensors } from './safetensors.js';
import {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, MANIFEST, WEIGHTS, bad, manifestChecksum, sha256,
  type CheckpointContents, type CheckpointManifest, type LoadedCheckpoint, type ModelConfig,
} from './checkpoint-format.js';

export function modelConfig(model: Model): ModelConfig {
  const kind = MODEL_CLASS[cellKindOf(model)];
  const options: ModelConfig['options'] = {
    inputSize: model.inputSize,
    hiddenSize: model.hiddenSize,
    numLayers: model.numLayers,
    bias: model.hasBias,
    batchFirst: model.batchFirst,
    dtype: model.dtype,
  };
  if (model.outputSize !== null) options.outputSize = model.outputSize;
  if ('nonlinearity' in model) options.nonlinearity = model.nonlinearity;
  // Written only when set, so the checkpoints of one-directional models stay as they were.
  if (model.bidirectional) options.bidirectional = true;
  if (model.dropout > 0) options.dropout = model.dropout;
  if (model.projSize !== null) options.projSize = model.projSize;
  if ('recurrentActivation' in model && model.recurrentActivation !== 'sigmoid') options.recurrentActivation = model.recurrentActivation;
  if ('resetAfter' in model && !model.resetAfter) options.resetAfter = false;
  return { kind, options };
}

function checkFiniteMap(what: string, values: Iterable<number>): void {
  let i = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new CheckpointError(`${what}: expected finite numbers, got ${v} at flat index ${i}; refusing to save`);
    i++;
  }
}

export interface EncodedCheckpoint {
  manifest: CheckpointManifest;
  /** checkpoint.json's content, as written to disk. */
  manifestText: string;
  /** model.safetensors' content. */
  weights: Uint8Array;
}

/** Checks `contents` and encodes it (see the module doc); throws before producing anything on bad input. */
export function encodeCheckpoint(contents: CheckpointContents): EncodedCheckpoint {
  if (contents === null || typeof contents !== 'object') throw new TypeError(`contents: expected {model, step, ...}, got ${describeValue(contents)}`);
  const { model, optimizer, rng, step } = contents;
  const metrics = contents.metrics ?? {};
  if (!Number.isSafeInteger(step) || step < 0) throw new RangeError(`contents.step: expected an integer >= 0, got ${describeValue(step)}`);
  const config = modelConfig(model);
  if (metrics === null || typeof metrics !== 'object') throw new TypeError(`contents.metrics: expected an object of numbers, got ${describeValue(metrics)}`);
  for (const [k, v] of Object.entries(metrics)) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new CheckpointError(`contents.metrics['${k}']: expected a finite number, got ${describeValue(v)}; refusing to save`);
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
      throw new TypeError(`contents.task: expected a task spec {kind: string, ...}, got ${describeValue(task)}`);
    }
  }
  const run = contents.run;
  if (run !== undefined && (run === null || typeof run !== 'object' || Array.isArray(run))) {
    throw new TypeError(`contents.run: expected an object of the run's settings, got ${describeValue(run)}`);
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
    ...(run !== undefined ? { run: JSON.parse(JSON.stringify(run)) as typeof run } : {}),
    files: { [WEIGHTS]: sha256(weights) },
  };
  manifest.checksum = manifestChecksum(manifest);
  return { manifest, manifestText: `${JSON.stringify(manifest, null, 1)}\n`, weights };
}

function isObj(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function checkConfig(file: string, m: unknown): ModelConfig {
  if (!isObj(m) || !isObj(m.options)) bad(file, 'model: expected {kind, options}');
  const kind = m.kind;
  if (cellOfClass(kind) === null) bad(file, `model.kind: expected 'RNN', 'LSTM' or 'GRU', got ${describeValue(kind)}`);
  const o = m.options;
  const allowed = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dtype', 'outputSize', 'nonlinearity', 'bidirectional', 'dropout', 'recurrentActivation', 'resetAfter', 'projSize'];
  const extra = Object.keys(o).filter((k) => !allowed.includes(k));
  if (extra.length) bad(file, `model.options: unexpected key(s) ${extra.join(', ')}`);
  for (const k of ['inputSize', 'hiddenSize', 'numLayers'] as const) {
    if (!Number.isSafeInteger(o[k]) || (o[k] as number) < 1) bad(file, `model.options.${k}: expected a positive integer, got ${describeValue(o[k])}`);
  }
  if (o.outputSize !== undefined && (!Number.isSafeInteger(o.outputSize) || (o.outputSize as number) < 1)) bad(file, `model.options.outputSize: expected a positive integer, got ${describeValue(o.outputSize)}`);
  if (o.bidirectional !== undefined && typeof o.bidirectional !== 'boolean') bad(file, `model.options.bidirectional: expected true or false, got ${describeValue(o.bidirectional)}`);
  if (o.dropout !== undefined && (typeof o.dropout !== 'number' || !(o.dropout >= 0 && o.dropout < 1))) bad(file, `model.options.dropout: expected a probability in [0, 1), got ${describeValue(o.dropout)}`);
  if (o.projSize !== undefined && (kind !== 'LSTM' || !Number.isSafeInteger(o.projSize) || (o.projSize as number) < 1 || (o.projSize as number) >= (o.hiddenSize as number))) {
    bad(file, `model.options.projSize: expected, for an LSTM only, a positive integer below hiddenSize, got ${describeValue(o.projSize)}`);
  }
  if (typeof o.bias !== 'boolean') bad(file, `model.options.bias: expected true or false, got ${describeValue(o.bias)}`);
  if (typeof o.batchFirst !== 'boolean') bad(file, `model.options.batchFirst: expected true or false, got ${describeValue(o.batchFirst)}`);
  if (o.dtype !== 'float32' && o.dtype !== 'float64') bad(file, `model.options.dtype: expected 'float32' or 'float64', got ${describeValue(o.dtype)}`);
  if (kind === 'RNN' ? o.nonlinearity !== 'tanh' && o.nonlinearity !== 'relu' : o.nonlinearity !== undefined) {
    bad(file, `model.options.nonlinearity: expected ${kind === 'RNN' ? "'tanh' or 'relu'" : `none for ${kind}`}, got ${describeValue(o.nonlinearity)}`);
  }
  if (o.recurrentActivation !== undefined && (kind === 'RNN' || (o.recurrentActivation !== 'sigmoid' && o.recurrentActivation !== 'hardSigmoid'))) {
    bad(file, `model.options.recurrentActivation: expected ${kind === 'RNN' ? 'none for RNN' : "'sigmoid' or 'hardSigmoid'"}, got ${describeValue(o.recurrentActivation)}`);
  }
  if (o.resetAfter !== undefined && (kind !== 'GRU' || typeof o.resetAfter !== 'boolean')) {
    bad(file, `model.options.resetAfter: expected ${kind === 'GRU' ? 'true or false' : `none for ${kind}`}, got ${describeValue(o.resetAfter)}`);
  }
  // Guard the allocation: a damaged or hostile config must not ask for gigabytes (the resource policy).
  const cell = cellOfClass(kind)!;
  try {
    checkModelSize({ ...(o as ModelConfig['options']), gates: GATES[cell] });
  } catch (e) {
    bad(file, `model.options: ${(e as Error).message}`, e);
  }
  return { kind: kind as ModelConfig['kind'], options: o as ModelConfig['options'] };
}

/** The state dict's names and shapes of the config's model, in PyTorch's layout (recurrent.ts builds the same). */
function expectedShapes(config: ModelConfig): Record<string, number[]> {
  const { inputSize: D, hiddenSize: H, numLayers: L, bias, outputSize: O } = config.options;
  const dirs = config.options.bidirectional ? 2 : 1, P = config.options.projSize, Hout = P ?? H;
  const G = GATES[cellOfClass(config.kind)!] * H;
  const out: Record<string, number[]> = {};
  for (let l = 0; l < L; l++) {
    for (const suffix of dirs === 2 ? ['', '_reverse'] : ['']) {
      out[`weight_ih_l${l}${suffix}`] = [G, l === 0 ? D : dirs * Hout];
      out[`weight_hh_l${l}${suffix}`] = [G, Hout];
      if (bias) {
        out[`bias_ih_l${l}${suffix}`] = [G];
        out[`bias_hh_l${l}${suffix}`] = [G];
      }
      if (P !== undefined) out[`weight_hr_l${l}${suffix}`] = [P, H];
    }
  }
  if (O !== undefined) {
    out['head.weight'] = [O, dirs * Hout];
    out['head.bias'] = [O];
  }
  return out;
}

function buildModel(config: ModelConfig): Model {
  return createModel({ cell: cellOfClass(config.kind)!, ...config.options });
}

function checkOptimizerState(file: string, s: unknown, model: Recurrent): OptimizerStateDict | null {
  if (s === null) return null;
  if (!isObj(s)) bad(file, 'optimizer: expected an object or null');
  if (typeof s.type !== 'string') bad(file, `optimizer.type: expected a string, got ${describeValue(s.type)}`);
  if (!isObj(s.options)) bad(file, 'optimizer.options: expected an object');
  for (const [k, v] of Object.entries(s.options)) {
    const ok = typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v)) || (Array.isArray(v) && v.every((x) => typeof x === 'number' && Number.isFinite(x)));
    if (!ok) bad(file, `optimizer.options.${k}: expected a number, boolean or array of numbers, got ${describeValue(v)}`);
  }
  if (!Number.isSafeInteger(s.step) || (s.step as number) < 0) bad(file, `optimizer.step: expected an integer >= 0, got ${describeValue(s.step)}`);
  const params = model.parameters();
  if (!Array.isArray(s.state) || s.state.length !== params.length) bad(file, `optimizer.state: expected ${params.length} entries (one per model parameter), got ${Array.isArray(s.state) ? s.state.length : typeof s.state}`);
  s.state.forEach((e: unknown, i: number) => {
    const p = params[i];
    if (!isObj(e) || e.name !== p.name) bad(file, `optimizer.state[${i}].name: expected '${p.name}', got ${describeValue(isObj(e) ? e.name : e)}`);
    if (!isObj(e.buffers)) bad(file, `optimizer.state[${i}].buffers: expected an object`);
    for (const [k, b] of Object.entries(e.buffers)) {
      if (!Array.isArray(b) || b.length !== p.param.size || !b.every((x) => typeof x === 'number' && Number.isFinite(x))) {
        bad(file, `optimizer.state[${i}].buffers.${k}: expected ${p.param.size} finite numbers (parameter '${p.name}' ${fmtShape(p.param.shape)})`);
      }
    }
  });
  return s as unknown as OptimizerStateDict;
}

/** How the caller names what it read, for the messages; `path` becomes LoadedCheckpoint.path. */
export interface CheckpointNames {
  /** checkpoint.json as the user would find it, e.g. 'out/ckpt/step-000000010/checkpoint.json'. */
  manifest: string;
  /** model.safetensors likewise. */
  weights: string;
  path: string;
}

/**
 * Checks and decodes a checkpoint. `readWeights` is called only once checkpoint.json has passed its own
 * checks, so that a damaged manifest is reported as such even when the weights are missing too; it must
 * throw a CheckpointError naming the file when it cannot deliver.
 */
export function decodeCheckpoint(manifestBytes: Uint8Array, readWeights: () => Uint8Array, names: CheckpointNames): LoadedCheckpoint {
  const file = names.manifest;
  let m: unknown;
  try {
    m = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(manifestBytes));
  } catch (e) {
    bad(file, `not a checkpoint: not valid UTF-8 JSON (${(e as Error).message}); truncated or corrupt?`, e);
  }
  if (!isObj(m) || m.format !== CHECKPOINT_FORMAT) bad(file, `not an rnnlab checkpoint (expected format '${CHECKPOINT_FORMAT}', got ${describeValue(isObj(m) ? m.format : typeof m)})`);
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
  if (!Number.isSafeInteger(m.step) || (m.step as number) < 0) bad(file, `step: expected an integer >= 0, got ${describeValue(m.step)}`);
  if (!isObj(m.metrics) || !Object.values(m.metrics).every((v) => typeof v === 'number' && Number.isFinite(v))) bad(file, 'metrics: expected an object of finite numbers');
  let rngState: number[] | null = null;
  if (m.rng !== null) {
    if (!Array.isArray(m.rng) || m.rng.length !== 5 || !m.rng.slice(0, 4).every((x) => Number.isSafeInteger(x) && x >= 0 && x < 2 ** 32) || !(m.rng[4] === null || (typeof m.rng[4] === 'number' && Number.isFinite(m.rng[4])))) {
      bad(file, `rng: expected 4 uint32 words and a number or null, got ${JSON.stringify(m.rng).slice(0, 80)}`);
    }
    rngState = m.rng.map((x: number | null) => (x === null ? Number.NaN : x));
  }
  if (m.task !== undefined && (!isObj(m.task) || typeof m.task.kind !== 'string' || m.task.kind === '')) {
    bad(file, `task: expected a task spec {kind: string, ...}, got ${JSON.stringify(m.task).slice(0, 80)}`);
  }
  const task = m.task === undefined ? null : (m.task as TaskSpec);
  if (m.run !== undefined && !isObj(m.run)) bad(file, `run: expected an object of the run's settings, got ${JSON.stringify(m.run).slice(0, 80)}`);
  const run = m.run === undefined ? null : (m.run as Record<string, unknown>);
  if (!isObj(m.files) || typeof m.files[WEIGHTS] !== 'string') bad(file, `files['${WEIGHTS}']: expected its sha256`);

  const wfile = names.weights;
  const bytes = readWeights();
  if (sha256(bytes) !== m.files[WEIGHTS]) bad(wfile, `sha256 mismatch with ${MANIFEST}: the weights file is truncated or corrupt`);
  let tensors;
  try {
    tensors = decodeSafetensors(bytes).tensors;
  } catch (e) {
    bad(wfile, (e as Error).message, e);
  }
  // The tensors are checked against the shapes the config implies before a model of that size is built:
  // a re-signed manifest can claim any size, the weights' own bytes cannot.
  const expected = expectedShapes(config);
  const desc = `${config.kind}(${JSON.stringify(config.options)})`;
  for (const [k, shape] of Object.entries(expected)) {
    const got = tensors[k];
    if (got === undefined) bad(wfile, `missing tensor '${k}' that ${desc} needs`);
    if (got.shape.length !== shape.length || got.shape.some((d, i) => d !== shape[i])) {
      bad(wfile, `tensor '${k}' has shape ${fmtShape(got.shape)}, but ${desc} expects ${fmtShape(shape)}`);
    }
    if (got.dtype !== config.options.dtype) bad(wfile, `tensor '${k}' is ${got.dtype}, but the config says dtype ${config.options.dtype}`);
    for (let i = 0; i < got.data.length; i++) {
      if (!Number.isFinite(got.data[i])) bad(wfile, `tensor '${k}' holds a non-finite value (${got.data[i]}) at flat index ${i}`);
    }
  }
  const extra = Object.keys(tensors).filter((k) => !(k in expected));
  if (extra.length) bad(wfile, `unexpected tensor(s) ${extra.map((k) => `'${k}'`).join(', ')} for ${desc}`);
  let model: Model;
  try {
    model = buildModel(config);
  } catch (e) {
    bad(file, `model.options: ${(e as Error).message}`, e);
  }
  try {
    model.loadStateDict(tensors);
  } catch (e) {
    bad(wfile, (e as Error).message, e);
  }
  const optimizerState = checkOptimizerState(file, m.optimizer, model);
  return { model, config, optimizerState, rngState, step: m.step as number, metrics: { ...(m.metrics as Record<string, number>) }, task, run, path: names.path };
}

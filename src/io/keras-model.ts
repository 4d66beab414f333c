/**
 * importKerasModel(modelJson, weights): a TF.js Layers model, model.json's topology and its weight
 * bytes, rebuilt from rnnlab modules, whose predict(x) computes what the TF.js model's model.predict(x)
 * does (float32 by default, like TF.js).
 *
 *   Embedding          → Embedding (weight = embeddings [input_dim, output_dim]); mask_zero makes the
 *                        mask ids ≠ 0, carried to the layers after it as Keras carries it
 *   SimpleRNN/LSTM/GRU → RNN / LSTM / GRU (batchFirst, one layer, the layer's activation, gates and
 *                        reset_after; weights by importKerasWeights), run as keras-run.ts says
 *   Bidirectional      → the same with bidirectional: true (forward_… weights, backward_… as _reverse)
 *   Dense              → Linear (weight = kernelᵀ, bias) and the activation
 *
 * The topology is read and checked by keras-topology.ts, the weights' specs and bytes by
 * keras-weight-data.ts, and every weight's name and shape against the plan, all before a module is built.
 * For inference: the modules are in eval mode, and predict has no backward.
 */
import { createModel, type Model } from '../layers/factory.js';
import { Embedding } from '../layers/embedding.js';
import { Linear } from '../layers/linear.js';
import type { BackendChoice } from '../layers/backend/choose.js';
import { checkDTypeOption, checkOneOf, checkOptions, describeValue, fmtShape } from '../tensor/check.js';
import { Tensor, allocate, tensor, type DType, type FloatArray, type NestedArray } from '../tensor/tensor.js';
import { importKerasWeights, type KerasArray, type KerasTensorLike } from './keras.js';
import { applyActivation, runKerasRecurrent } from './keras-run.js';
import { planKerasModel, type DenseActivation, type KerasPlan, type LayerPlan, type RecurrentPlan } from './keras-topology.js';
import { readWeightSpecs, readWeights, type KerasWeightData, type KerasWeightValue } from './keras-weight-data.js';

export interface KerasModelOptions {
  /** The modules' dtype (default 'float32', as TF.js computes). */
  dtype?: DType;
  /** The recurrent layers' backend (RecurrentOptions.backend; default 'auto'). */
  backend?: BackendChoice;
}

export type KerasModelLayer =
  | { kind: 'embedding'; name: string; module: Embedding; maskZero: boolean }
  | { kind: 'recurrent'; name: string; className: RecurrentPlan['className']; module: Model; returnSequences: boolean; goBackwards: boolean }
  | { kind: 'dense'; name: string; module: Linear; activation: DenseActivation };

/** predict's input: a Tensor, {shape, data}, a TF.js tensor (read with dataSync), or nested arrays. */
export type KerasModelInput = Tensor | KerasArray | KerasTensorLike | NestedArray;

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

export class KerasModel {
  readonly name: string;
  readonly dtype: DType;
  /** [batch, timeSteps] of ids, or [batch, timeSteps, features]; null where any size is accepted. */
  readonly inputShape: readonly (number | null)[];
  readonly layers: readonly KerasModelLayer[];
  private readonly plan: KerasPlan;

  /** Built by importKerasModel. */
  constructor(plan: KerasPlan, layers: KerasModelLayer[], dtype: DType) {
    this.plan = plan;
    this.name = plan.name;
    this.dtype = dtype;
    this.layers = layers;
    const { ids, timeSteps, features } = plan.input;
    this.inputShape = ids ? [null, timeSteps] : [null, timeSteps, features];
  }

  /** model.predict(x): [B, T, ·] when the last layer returns sequences, else [B, ·]. */
  predict(x: KerasModelInput): Tensor {
    const { shape, data } = readInput(x);
    const want = this.inputShape;
    const fixed = `[${want.map((d) => d ?? '·').join(', ')}]`;
    if (shape.length !== want.length || want.some((d, i) => d !== null && d !== shape[i])) {
      throw new RangeError(`x: expected shape ${fixed} (${this.plan.input.ids ? 'batch, timeSteps of ids' : 'batch, timeSteps, features'}), got ${fmtShape(shape)}`);
    }
    const [B, T] = shape;
    if (B === 0 || T === 0) throw new RangeError(`x: expected at least one sequence of at least one step, got shape ${fmtShape(shape)}`);
    let cur: FloatArray = allocate(this.dtype, 0), width = 0, rank = shape.length, mask: Uint8Array | null = null;
    if (!this.plan.input.ids) {
      cur = allocate(this.dtype, data.length);
      cur.set(data);
      width = shape[2];
    }
    for (const layer of this.layers) {
      if (layer.kind === 'embedding') {
        const ids = new Int32Array(B * T), V = layer.module.numEmbeddings;
        for (let i = 0; i < ids.length; i++) {
          const v = data[i];
          if (!Number.isInteger(v) || v < 0 || v >= V) {
            throw new RangeError(`x[${Math.floor(i / T)}][${i % T}]: expected an integer id in [0, ${V}) (the Embedding's input_dim), got ${describeValue(v)}`);
          }
          ids[i] = v;
        }
        cur = layer.module.forward(ids, [B, T]).data;
        width = layer.module.embeddingDim;
        rank = 3;
        mask = layer.maskZero ? Uint8Array.from(ids, (id) => (id !== 0 ? 1 : 0)) : null;
      } else if (layer.kind === 'recurrent') {
        cur = runKerasRecurrent(layer.module, cur, B, T, mask, layer);
        width = layer.module.numDirections * layer.module.hiddenSize;
        // Keras passes the layer's input mask on (unreversed, even after go_backwards) with a sequence.
        if (!layer.returnSequences) [rank, mask] = [2, null];
      } else {
        const lead = rank === 3 ? [B, T] : [B];
        cur = layer.module.forward(new Tensor(cur, [...lead, width])).data;
        width = layer.module.outFeatures;
        applyActivation(cur, width, layer.activation);
      }
    }
    return new Tensor(cur, rank === 3 ? [B, T, width] : [B, width]);
  }
}

function readInput(x: unknown): { shape: number[]; data: ArrayLike<number> } {
  if (Array.isArray(x)) {
    const t = tensor(x as NestedArray, undefined, 'float64');
    return { shape: [...t.shape], data: t.data };
  }
  if (!isObj(x) || !Array.isArray(x.shape)) throw new TypeError(`x: expected a Tensor, {shape, data}, a TF.js tensor or nested arrays, got ${describeValue(x)}`);
  const shape = x.shape as number[];
  const data = typeof x.dataSync === 'function' ? (x as unknown as KerasTensorLike).dataSync() : (x.data as ArrayLike<number>);
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') throw new TypeError(`x: expected its data as an array of numbers, got ${describeValue(data)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0) || data.length !== size) throw new RangeError(`x: shape ${describeValue(shape)} does not match its ${data.length} values`);
  for (let i = 0; i < size; i++) if (typeof data[i] !== 'number' || !Number.isFinite(data[i])) throw new TypeError(`x: expected finite numbers, got ${describeValue(data[i])} at flat index ${i}`);
  return { shape, data };
}

/** A weight's role in its layer from its name: 'embeddings', 'kernel', 'recurrent_kernel' or 'bias', with 'forward/' or 'backward/' inside a Bidirectional. */
function roleOf(plan: LayerPlan, name: string): string | null {
  const parts = name.slice(plan.name.length + 1).replace(/:\d+$/, '').split('/');
  const role = parts[parts.length - 1].replace(/_\d+$/, '');
  if (!['embeddings', 'kernel', 'recurrent_kernel', 'bias'].includes(role)) return null;
  if (plan.type !== 'recurrent' || !plan.bidirectional) return role;
  const dir = parts.find((p) => p.startsWith('forward_') || p.startsWith('backward_'));
  return dir ? `${dir.startsWith('forward_') ? 'forward' : 'backward'}/${role}` : null;
}

/** Each weight the layer needs, with its expected shape. */
function expected(plan: LayerPlan): Record<string, number[]> {
  if (plan.type === 'embedding') return { embeddings: [plan.inputDim, plan.outputDim] };
  if (plan.type === 'dense') return { kernel: [plan.inputSize, plan.units], ...(plan.useBias ? { bias: [plan.units] } : {}) };
  const G = { rnn: 1, lstm: 4, gru: 3 }[plan.cell] * plan.units;
  const one: Record<string, number[]> = { kernel: [plan.inputSize, G], recurrent_kernel: [plan.units, G] };
  if (plan.useBias) one.bias = plan.cell === 'gru' && plan.resetAfter ? [2, G] : [G];
  if (!plan.bidirectional) return one;
  const out: Record<string, number[]> = {};
  for (const dir of ['forward', 'backward']) for (const [k, s] of Object.entries(one)) out[`${dir}/${k}`] = s;
  return out;
}

/** The layers' weights by role, every name and shape checked against the plan; every weight must belong to a layer. */
function assign(plan: KerasPlan, all: Map<string, KerasWeightValue>): Map<string, KerasWeightValue>[] {
  const used = new Set<string>();
  const out = plan.layers.map((layer) => {
    const got = new Map<string, KerasWeightValue>();
    const where = `layer '${layer.name}'`;
    for (const [name, w] of all) {
      if (!name.startsWith(`${layer.name}/`)) continue;
      const role = roleOf(layer, name);
      if (role === null) throw new RangeError(`weights: '${name}' of ${where} is not a weight rnnlab knows (embeddings, kernel, recurrent_kernel, bias${layer.type === 'recurrent' && layer.bidirectional ? ' under forward_… or backward_…' : ''})`);
      if (got.has(role)) throw new RangeError(`weights: ${where} has two '${role}' weights`);
      got.set(role, w);
      used.add(name);
    }
    for (const [role, shape] of Object.entries(expected(layer))) {
      const w = got.get(role);
      if (!w) throw new RangeError(`weights: ${where} has no '${role}' weight [${shape.join(', ')}] (its weights: ${[...got.keys()].join(', ') || 'none'})`);
      if (w.shape.length !== shape.length || w.shape.some((d, i) => d !== shape[i])) {
        throw new RangeError(`weights: ${where} '${role}': expected shape ${fmtShape(shape)} from the topology, got ${fmtShape(w.shape)}`);
      }
    }
    const extra = [...got.keys()].filter((k) => !(k in expected(layer)));
    if (extra.length) throw new RangeError(`weights: ${where} has unexpected weight(s) ${extra.join(', ')}`);
    return got;
  });
  const stray = [...all.keys()].filter((k) => !used.has(k));
  if (stray.length) throw new RangeError(`weights: ${stray.map((k) => `'${k}'`).join(', ')} belong to no layer of the topology`);
  return out;
}

function build(plan: LayerPlan, w: Map<string, KerasWeightValue>, dtype: DType, backend: BackendChoice): KerasModelLayer {
  const t = (v: KerasWeightValue): Tensor => tensor(v.data, v.shape, dtype);
  if (plan.type === 'embedding') {
    const module = new Embedding(plan.inputDim, plan.outputDim, { dtype });
    module.loadStateDict({ weight: t(w.get('embeddings')!) });
    return { kind: 'embedding', name: plan.name, module: module.eval(), maskZero: plan.maskZero };
  }
  if (plan.type === 'dense') {
    const module = new Linear(plan.inputSize, plan.units, { dtype, bias: plan.useBias });
    const k = w.get('kernel')!, I = plan.inputSize, O = plan.units;
    const weight = allocate(dtype, O * I);
    for (let i = 0; i < I; i++) for (let o = 0; o < O; o++) weight[o * I + i] = k.data[i * O + o];
    module.loadStateDict({ weight: new Tensor(weight, [O, I]), ...(plan.useBias ? { bias: t(w.get('bias')!) } : {}) });
    return { kind: 'dense', name: plan.name, module: module.eval(), activation: plan.activation };
  }
  const module = createModel({
    cell: plan.cell, inputSize: plan.inputSize, hiddenSize: plan.units, bidirectional: plan.bidirectional, batchFirst: true, bias: plan.useBias, dtype, backend,
    ...(plan.cell === 'rnn' ? { nonlinearity: plan.nonlinearity } : { recurrentActivation: plan.recurrentActivation }),
    ...(plan.cell === 'gru' ? { resetAfter: plan.resetAfter } : {}),
  });
  const sd: Record<string, Tensor> = {};
  for (const [dir, suffix] of plan.bidirectional ? [['forward/', ''], ['backward/', '_reverse']] : [['', '']]) {
    const get = (role: string): KerasWeightValue | undefined => w.get(dir + role);
    const bias = get('bias');
    const one = importKerasWeights(plan.cell, { kernel: get('kernel')!, recurrentKernel: get('recurrent_kernel')!, ...(bias ? { bias } : {}) }, { dtype });
    for (const [k, v] of Object.entries(one)) sd[k + suffix] = v;
  }
  module.loadStateDict(sd);
  return { kind: 'recurrent', name: plan.name, className: plan.className, module: module.eval(), returnSequences: plan.returnSequences, goBackwards: plan.goBackwards };
}

/**
 * A TF.js Layers model as rnnlab modules. `modelJson`: model.json's text or object ({ modelTopology,
 * weightsManifest }), or the artifacts tf.io.withSaveHandler receives ({ modelTopology, weightSpecs,
 * weightData }); `weights`: the weight bytes (model.json's shards concatenated in order; optional with
 * artifacts that carry weightData). Everything is checked before a module is built (see the header).
 */
export function importKerasModel(modelJson: unknown, weights?: KerasWeightData, options: KerasModelOptions = {}): KerasModel {
  checkOptions('options', options, ['dtype', 'backend']);
  const dtype = checkDTypeOption('options.dtype', options.dtype);
  const backend = checkOneOf('options.backend', options.backend ?? 'auto', ['auto', 'reference', 'wasm'] as const);
  let json: unknown = modelJson;
  if (typeof json === 'string') {
    try {
      json = JSON.parse(json);
    } catch (e) {
      throw new RangeError(`modelJson: not JSON (${(e as Error).message})`);
    }
  }
  if (!isObj(json) || !isObj(json.modelTopology)) throw new TypeError(`modelJson: expected model.json ({ modelTopology, weightsManifest }) or model artifacts, got ${describeValue(isObj(json) ? json.modelTopology : json)} for modelTopology`);
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new RangeError(`modelJson.format: expected 'layers-model', got ${describeValue(json.format)} (a graph model, converted from a SavedModel, has no Keras layers to import)`);
  }
  const plan = planKerasModel(json.modelTopology);
  const specs = readWeightSpecs(json);
  const values = readWeights(specs, weights ?? json.weightData);
  const byLayer = assign(plan, values);
  const layers = plan.layers.map((l, i) => build(l, byLayer[i], dtype, backend));
  return new KerasModel(plan, layers, dtype);
}

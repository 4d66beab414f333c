/**
 * Import of Keras / TensorFlow.js SimpleRNN, LSTM and GRU weights into rnnlab's (PyTorch's) layout.
 * (A whole TF.js Layers model, topology and weights, is keras-model.ts.)
 *
 * Keras keeps one layer's weights as
 *
 *   kernel            [D, G·H]   x_t · kernel          (columns are gate blocks)
 *   recurrent_kernel  [H, G·H]   h_{t-1} · recurrent_kernel
 *   bias              SimpleRNN [H]; LSTM [4H]; GRU reset_after=False [3H], reset_after=True [2, 3H]
 *                     (row 0 input bias, row 1 recurrent bias)
 *
 * and PyTorch (so rnnlab) keeps W x_t with weight_ih [G·H, D], so the matrices are transposed. Gate blocks:
 *
 *   LSTM  Keras i f c o   =  PyTorch i f g o   (same order; c is PyTorch's g, the cell candidate)
 *   GRU   Keras z r h     →  PyTorch r z n     (blocks 0 and 1 swap)
 *
 * SimpleRNN's and LSTM's one bias becomes bias_ih and bias_hh is zero (only the sum b_ih + b_hh ever
 * enters those cells). A GRU with reset_after=True is exactly PyTorch's GRU:
 *   hh = tanh(x W_h + b_h + r ⊙ (h U_h + rb_h)),  h_t = z ⊙ h_{t-1} + (1 − z) ⊙ hh
 * so its two bias rows become bias_ih and bias_hh. A GRU with reset_after=False (Keras 2's default and
 * the only GRU TensorFlow.js 4.x implements) computes hh = tanh(x W_h + b_h + (r ⊙ h) U_h), the reset gate
 * before the product: rnnlab's GRU({ resetAfter: false }) (src/cells/gru-reset-before.ts), with the same
 * parameter names; its one bias becomes bias_ih, and bias_hh is zero (b_hh's n block would add outside
 * the reset, as b_h does). The gates' activation, sigmoid or TF.js's default hardSigmoid, does not change
 * the weights: build the model with the layer's recurrentActivation.
 */
import { Tensor, type DType } from '../tensor/tensor.js';
import { describeValue } from '../tensor/check.js';

/** A weight as plain data: row-major values and their shape. */
export interface KerasArray {
  shape: readonly number[];
  data: ArrayLike<number>;
}

/** A weight as a TF.js tensor (what `layer.getWeights()` returns), read with dataSync(). */
export interface KerasTensorLike {
  shape: readonly number[];
  dataSync(): ArrayLike<number>;
}

export type KerasWeight = KerasArray | KerasTensorLike;

/**
 * One layer's weights: in Keras' `get_weights()` order [kernel, recurrent_kernel, bias] (bias absent for
 * use_bias=False), or named (`recurrentKernel` or `recurrent_kernel`).
 */
export type KerasWeights =
  | readonly KerasWeight[]
  | { kernel: KerasWeight; recurrentKernel?: KerasWeight; recurrent_kernel?: KerasWeight; bias?: KerasWeight };

export type KerasKind = 'rnn' | 'lstm' | 'gru';

export interface KerasImportOptions {
  /** The layer index k of the parameter names (weight_ih_l{k}, ...); default 0. */
  layer?: number;
  /** The dtype of the returned tensors; default 'float32'. */
  dtype?: DType;
  /**
   * GRU: the layer's reset_after, if you want it checked against the bias ([2, 3H] is true, [3H] false).
   * Build the GRU with the same resetAfter.
   */
  resetAfter?: boolean;
  /** The layer's activation, if you want it checked: 'tanh' (and 'relu' for a SimpleRNN, its nonlinearity). */
  activation?: string;
  /** The layer's recurrent_activation, if you want it checked: 'sigmoid', or 'hardSigmoid' / 'hard_sigmoid' (TF.js's default). */
  recurrentActivation?: string;
}

const GATES = { rnn: 1, lstm: 4, gru: 3 } as const;
/** For each PyTorch gate block, the Keras block it comes from. */
const FROM_KERAS = { rnn: [0], lstm: [0, 1, 2, 3], gru: [1, 0, 2] } as const;
/** The gate names of each kind's Keras blocks, for the messages. */
const KERAS_GATES = { rnn: 'one block', lstm: 'gates i, f, c, o', gru: 'gates z, r, h' } as const;
/** recurrent_activation as TF.js writes it (camelCase in code, snake_case in model.json) and as rnnlab names it. */
export const KERAS_RECURRENT_ACTIVATIONS: Readonly<Record<string, 'sigmoid' | 'hardSigmoid'>> = { sigmoid: 'sigmoid', hardSigmoid: 'hardSigmoid', hard_sigmoid: 'hardSigmoid' };
const OPTION_KEYS = ['layer', 'dtype', 'resetAfter', 'activation', 'recurrentActivation'];

const fmt = (s: readonly number[]): string => `[${s.join(', ')}]`;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return `${typeof v} ${JSON.stringify(v)}`;
}

/** Validates one weight and returns its values with its shape. */
function read(name: string, w: unknown): { shape: number[]; data: ArrayLike<number> } {
  if (w === null || typeof w !== 'object' || !Array.isArray((w as KerasArray).shape)) {
    throw new TypeError(`weights.${name}: expected {shape, data} or a TF.js tensor, got ${describe(w)}`);
  }
  const shape = [...(w as KerasArray).shape];
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new RangeError(`weights.${name}: shape must hold non-negative integers, got ${describeValue(shape)}`);
  const data = typeof (w as KerasTensorLike).dataSync === 'function' ? (w as KerasTensorLike).dataSync() : (w as KerasArray).data;
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') throw new TypeError(`weights.${name}: expected data as an array of numbers, got ${describe(data)}`);
  const size = shape.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new RangeError(`weights.${name}: shape ${fmt(shape)} needs ${size} values, got ${data.length}`);
  for (let i = 0; i < size; i++) {
    const v = (data as ArrayLike<unknown>)[i];
    // A string (or null) would turn into NaN, or into a number it only looks like, in a Float32Array.
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new TypeError(`weights.${name}: expected finite numbers, got ${describeValue(v)} at index ${i}`);
  }
  return { shape, data };
}

function checkOptions(kind: KerasKind, options: unknown): KerasImportOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) throw new TypeError(`options: expected an object, got ${describe(options)}`);
  const o = options as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!OPTION_KEYS.includes(k)) throw new RangeError(`options.${k}: unknown option (expected one of ${OPTION_KEYS.join(', ')})`);
  if (o.layer !== undefined && (!Number.isSafeInteger(o.layer) || (o.layer as number) < 0)) throw new RangeError(`options.layer: expected an integer >= 0, got ${describe(o.layer)}`);
  if (o.dtype !== undefined && o.dtype !== 'float32' && o.dtype !== 'float64') throw new RangeError(`options.dtype: expected 'float32' or 'float64', got ${describe(o.dtype)}`);
  if (o.resetAfter !== undefined && typeof o.resetAfter !== 'boolean') throw new TypeError(`options.resetAfter: expected true or false, got ${describe(o.resetAfter)}`);
  if (o.activation !== undefined && o.activation !== 'tanh' && !(kind === 'rnn' && o.activation === 'relu')) {
    throw new RangeError(`options.activation: rnnlab's ${kind === 'rnn' ? "RNN has 'tanh' or 'relu'" : `${kind.toUpperCase()} has 'tanh'`}, got ${describe(o.activation)}`);
  }
  if (o.recurrentActivation !== undefined) {
    if (kind === 'rnn') throw new RangeError(`options.recurrentActivation: a SimpleRNN has no gates, got ${describe(o.recurrentActivation)}`);
    if (typeof o.recurrentActivation !== 'string' || !Object.hasOwn(KERAS_RECURRENT_ACTIVATIONS, o.recurrentActivation)) {
      throw new RangeError(`options.recurrentActivation: rnnlab's gates are 'sigmoid' or 'hardSigmoid' (also spelled 'hard_sigmoid'), got ${describe(o.recurrentActivation)}`);
    }
  }
  if (o.resetAfter !== undefined && kind !== 'gru') throw new RangeError(`options.resetAfter: only a GRU has reset_after, got ${describe(o.resetAfter)} for kind '${kind}'`);
  return o as KerasImportOptions;
}

/**
 * Converts one Keras / TF.js SimpleRNN ('rnn'), LSTM or GRU layer's weights into rnnlab (PyTorch)
 * state-dict entries weight_ih_l{k}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k} (no biases for
 * use_bias=False: build the model with bias: false). Merge the entries of every layer (and a head, if
 * any) and pass them to `model.loadStateDict`. The Keras layer is batch-major [B, T, D]: build the rnnlab
 * model with batchFirst: true to feed it the same input, and with the layer's variant: a GRU whose bias
 * is [3H] is GRU({ resetAfter: false }), a TF.js default layer has recurrentActivation: 'hardSigmoid'.
 */
export function importKerasWeights(kind: KerasKind, weights: KerasWeights, options: KerasImportOptions = {}): Record<string, Tensor> {
  if (kind !== 'rnn' && kind !== 'lstm' && kind !== 'gru') throw new RangeError(`kind: expected 'rnn' (SimpleRNN), 'lstm' or 'gru', got ${describe(kind)}`);
  const o = checkOptions(kind, options);
  let kernelW: unknown, recurrentW: unknown, biasW: unknown;
  if (Array.isArray(weights)) {
    if (weights.length !== 2 && weights.length !== 3) {
      throw new RangeError(`weights: expected [kernel, recurrent_kernel, bias] (or [kernel, recurrent_kernel] for use_bias=False), got ${weights.length} arrays`);
    }
    [kernelW, recurrentW, biasW] = weights as unknown[];
  } else if (weights !== null && typeof weights === 'object') {
    const w = weights as Record<string, unknown>;
    const extra = Object.keys(w).filter((k) => !['kernel', 'recurrentKernel', 'recurrent_kernel', 'bias'].includes(k));
    if (extra.length) throw new RangeError(`weights: unexpected key(s) ${extra.join(', ')} (expected kernel, recurrentKernel, bias)`);
    kernelW = w.kernel;
    recurrentW = w.recurrentKernel ?? w.recurrent_kernel;
    biasW = w.bias;
  } else {
    throw new TypeError(`weights: expected [kernel, recurrent_kernel, bias] or {kernel, recurrentKernel, bias}, got ${describe(weights)}`);
  }
  const G = GATES[kind];
  const kernel = read('kernel', kernelW);
  const recurrent = read('recurrentKernel', recurrentW);
  if (recurrent.shape.length !== 2 || recurrent.shape[0] < 1 || recurrent.shape[1] !== G * recurrent.shape[0]) {
    throw new RangeError(`weights.recurrentKernel: expected shape [H, ${G === 1 ? 'H' : `${G}·H`}] for a ${kind === 'rnn' ? 'SimpleRNN' : kind.toUpperCase()} (${KERAS_GATES[kind]}), got ${fmt(recurrent.shape)}`);
  }
  const H = recurrent.shape[0];
  if (kernel.shape.length !== 2 || kernel.shape[0] < 1 || kernel.shape[1] !== G * H) {
    throw new RangeError(`weights.kernel: expected shape [D, ${G * H}] (${G}·H with H = ${H} from recurrentKernel), got ${fmt(kernel.shape)}`);
  }
  const D = kernel.shape[0];
  const bias = biasW === undefined ? null : read('bias', biasW);
  if (bias !== null) {
    const one = bias.shape.length === 1 && bias.shape[0] === G * H;
    const two = bias.shape.length === 2 && bias.shape[0] === 2 && bias.shape[1] === G * H;
    if (kind !== 'gru' && !one) throw new RangeError(`weights.bias: expected shape [${G * H}] (${G === 1 ? 'H' : `${G}·H`}), got ${fmt(bias.shape)}`);
    if (kind === 'gru') {
      if (!one && !two) {
        throw new RangeError(`weights.bias: expected shape [${G * H}] (reset_after=False) or [2, ${G * H}] (reset_after=True: input bias, recurrent bias), got ${fmt(bias.shape)}`);
      }
      if (o.resetAfter !== undefined && o.resetAfter !== two) {
        throw new RangeError(`options.resetAfter: ${o.resetAfter} does not match weights.bias of shape ${fmt(bias.shape)}, which is a reset_after=${two ? 'True' : 'False'} GRU's`);
      }
    }
  }

  const dtype = o.dtype ?? 'float32';
  const k = o.layer ?? 0;
  const order = FROM_KERAS[kind];
  /** [rows, G·H] Keras matrix → [G·H, rows] PyTorch matrix with blocks reordered. */
  const transpose = (m: { data: ArrayLike<number> }, rows: number): Tensor => {
    const t = new Tensor(dtype === 'float64' ? new Float64Array(G * H * rows) : new Float32Array(G * H * rows), [G * H, rows]);
    for (let gate = 0; gate < G; gate++) {
      const src = order[gate] * H;
      for (let j = 0; j < H; j++) for (let r = 0; r < rows; r++) t.data[(gate * H + j) * rows + r] = m.data[r * G * H + src + j];
    }
    return t;
  };
  /** A [G·H] Keras bias row → PyTorch order. */
  const vector = (data: ArrayLike<number>, offset: number): Tensor => {
    const t = new Tensor(dtype === 'float64' ? new Float64Array(G * H) : new Float32Array(G * H), [G * H]);
    for (let gate = 0; gate < G; gate++) for (let j = 0; j < H; j++) t.data[gate * H + j] = data[offset + order[gate] * H + j];
    return t;
  };
  const out: Record<string, Tensor> = {
    [`weight_ih_l${k}`]: transpose(kernel, D),
    [`weight_hh_l${k}`]: transpose(recurrent, H),
  };
  if (bias !== null) {
    out[`bias_ih_l${k}`] = vector(bias.data, 0);
    const two = bias.shape.length === 2;
    out[`bias_hh_l${k}`] = two ? vector(bias.data, G * H) : new Tensor(dtype === 'float64' ? new Float64Array(G * H) : new Float32Array(G * H), [G * H]);
  }
  return out;
}

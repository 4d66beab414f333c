/**
 * Multi-layer sequence layers with backpropagation through time: the machinery shared by RNN, LSTM and
 * GRU (models.ts in this folder only chooses the cell; the cells' step math is src/cells/rnn.ts, lstm.ts
 * and gru.ts). Parameters are named and shaped
 * exactly as PyTorch's: weight_ih_l{k} [G·H, D_k], weight_hh_l{k} [G·H, H], bias_ih_l{k}, bias_hh_l{k}
 * [G·H]; with `outputSize`, a linear head head.weight [O, H], head.bias [O] applied at every step.
 *
 * Layout: time-major [T, B, D] inside. `batchFirst` input [B, T, D] and unbatched input [T, D] are
 * converted at the edges, as PyTorch accepts them.
 *
 * Forward runs layer by layer, each over all T steps, keeping every state (h, c and the gates) for
 * backward. Backward (BPTT) runs the layers top to bottom and, inside each, time from T−1 down to 0:
 *   dL/dh_t = (gradient from the output or the layer above at t) + (what step t+1 sent back to h_t)
 * Parameter gradients add up over steps, and over calls until zeroGrad() (truncated BPTT).
 *
 * The per-layer loops themselves live in a backend (./backend/): the reference one, step by step in
 * plain TypeScript, or the fast float32 one in WebAssembly (docs/performance.md); this class validates,
 * converts layouts and chains the layers and the head.
 */
import type { CellOps, CellWeights } from '../cells/ops.js';
import { checkDType, checkFinite, checkOneOf, checkPositiveInt, checkShape, checkTensor, fmtShape, checkDTypeOption, checkFiniteNumber, checkOptionalBoolean, checkOptions } from '../tensor/check.js';
import { checkArraySize, checkModelSize } from '../tensor/limits.js';
import { Rng, fillUniform } from '../tensor/random.js';
import { Tensor, allocate, type DType, type FloatArray } from '../tensor/tensor.js';
import { checkInitOptions, initLayer, type InitOptions } from './init.js';
import { Module } from './module.js';
import type { LayerCache, SequenceBackend } from './backend/backend.js';
import { resolveBackend, type BackendChoice } from './backend/choose.js';

/** The keys of RecurrentOptions (an RNN adds 'nonlinearity'). */
export const RECURRENT_OPTIONS: readonly string[] = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dtype', 'seed', 'outputSize', 'init', 'backend'];

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  /** false: no bias_ih / bias_hh (as PyTorch's bias=False). The head always has a bias. */
  bias?: boolean;
  /** Input and output as [B, T, ·] instead of [T, B, ·]. States stay [numLayers, B, H], as in PyTorch. */
  batchFirst?: boolean;
  dtype?: DType;
  /** Seed for the weight initialization (default 0). */
  seed?: number;
  /** Adds a linear head [O, H] applied to the top layer's h_t at every step. */
  outputSize?: number;
  init?: InitOptions;
  /**
   * Which code runs forward and backward: 'reference' (plain TypeScript, any dtype), 'wasm' (WebAssembly
   * SIMD, float32 only) or 'auto' (default: wasm for float32 where WebAssembly SIMD is available).
   * Both give the same numbers to float32 rounding.
   */
  backend?: BackendChoice;
}

export interface RecurrentState {
  /** [numLayers, B, H] (or [numLayers, H] for unbatched input). */
  h?: Tensor;
  /** LSTM only, same shape as h. */
  c?: Tensor;
}

export interface RecurrentOutput {
  /** [T, B, H] (or [T, B, O] with a head); [B, T, ·] with batchFirst; [T, ·] unbatched. */
  output: Tensor;
  h: Tensor;
  c?: Tensor;
}

export interface RecurrentGradients {
  /** dL/dx, shaped as the input. */
  dx: Tensor;
  /** dL/dh_0 for every layer, shaped as the initial state. */
  dh: Tensor;
  /** LSTM only: dL/dc_0. */
  dc?: Tensor;
  /** The accumulated parameter gradients (live buffers), as gradients(). */
  grads: Record<string, Tensor>;
  /** With `{ keepStepGradients: true }`: the gradient at every step, for looking at gradient flow. */
  steps?: StepGradients;
}

export interface BackwardOptions {
  /** Also return dL/dh_t (and dL/dc_t) at every step of every layer. */
  keepStepGradients?: boolean;
}

export interface StepGradients {
  /**
   * Per layer, [T, B, H] (B = 1 for unbatched input): dL/dh_t, the whole gradient reaching the state
   * h_t produced at step t (from the output or layer above at t, and from step t+1).
   */
  dh: Tensor[];
  /** LSTM only, per layer [T, B, H]: dL/dc_t, including the path through h_t = o ⊙ tanh(c_t). */
  dc?: Tensor[];
}

interface ForwardCache {
  T: number;
  B: number;
  batched: boolean;
  layers: LayerCache[];
  /** The weights' version at the forward pass (Module.weightsVersion). */
  version: number;
}

export abstract class Recurrent extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly numLayers: number;
  readonly outputSize: number | null;
  readonly batchFirst: boolean;
  readonly hasBias: boolean;
  /** The backend resolved from options.backend: 'reference' or 'wasm'. */
  readonly backend: SequenceBackend['name'];
  protected readonly ops: CellOps;
  private readonly impl: SequenceBackend;
  private readonly layerWeights: { w: CellWeights; g: CellWeights; D: number }[] = [];
  private cache: ForwardCache | null = null;

  protected constructor(ops: CellOps, opts: RecurrentOptions) {
    checkOptions('options', opts, ops.kind === 'rnn' ? [...RECURRENT_OPTIONS, 'nonlinearity'] : RECURRENT_OPTIONS);
    super(checkDTypeOption('options.dtype', opts.dtype));
    this.ops = ops;
    this.inputSize = checkPositiveInt('inputSize', opts.inputSize);
    this.hiddenSize = checkPositiveInt('hiddenSize', opts.hiddenSize);
    this.numLayers = checkPositiveInt('numLayers', opts.numLayers ?? 1);
    this.outputSize = opts.outputSize === undefined ? null : checkPositiveInt('outputSize', opts.outputSize);
    this.batchFirst = checkOptionalBoolean('options.batchFirst', opts.batchFirst) ?? false;
    this.hasBias = checkOptionalBoolean('options.bias', opts.bias) ?? true;
    if (opts.seed !== undefined) checkFiniteNumber('options.seed', opts.seed);
    this.impl = resolveBackend(checkOneOf('backend', opts.backend ?? 'auto', ['auto', 'reference', 'wasm'] as const), this.dtype);
    this.backend = this.impl.name;
    const init = opts.init ?? {};
    checkInitOptions(init, ops.kind);
    checkModelSize({ inputSize: this.inputSize, hiddenSize: this.hiddenSize, numLayers: this.numLayers, outputSize: this.outputSize, gates: ops.gates, dtype: this.dtype });
    const H = this.hiddenSize, G = ops.gates * H;
    const rng = new Rng(opts.seed ?? 0);
    for (let l = 0; l < this.numLayers; l++) {
      const D = l === 0 ? this.inputSize : H;
      const p = (name: string, shape: number[]): NamedBuffers => {
        const param = this.addParameter(`${name}_l${l}`, shape);
        return { p: param.data, g: this.parameter(`${name}_l${l}`).grad.data };
      };
      const wIh = p('weight_ih', [G, D]);
      const wHh = p('weight_hh', [G, H]);
      const bIh = this.hasBias ? p('bias_ih', [G]) : null;
      const bHh = this.hasBias ? p('bias_hh', [G]) : null;
      const w = { weightIh: wIh.p, weightHh: wHh.p, biasIh: bIh?.p ?? null, biasHh: bHh?.p ?? null };
      const g = { weightIh: wIh.g, weightHh: wHh.g, biasIh: bIh?.g ?? null, biasHh: bHh?.g ?? null };
      initLayer(w, D, H, ops.gates, ops.kind, init, rng);
      this.layerWeights.push({ w, g, D });
    }
    if (this.outputSize !== null) {
      // PyTorch's nn.Linear default: weight and bias uniform in ±1/√fan_in.
      const k = 1 / Math.sqrt(H);
      fillUniform(this.addParameter('head.weight', [this.outputSize, H]).data, rng, -k, k);
      fillUniform(this.addParameter('head.bias', [this.outputSize]).data, rng, -k, k);
    }
  }

  /** Runs the whole sequence and keeps every state for backward(). */
  forward(x: Tensor, state: RecurrentState = {}): RecurrentOutput {
    checkStateObject('state', state, this.ops.hasCell);
    const { T, B, batched, xs } = this.readInput(x);
    const L = this.numLayers, H = this.hiddenSize, BH = B * H;
    const h0 = this.readState('state.h', state.h, B, batched);
    const c0 = this.ops.hasCell ? this.readState('state.c', state.c, B, batched) : null;
    if (!this.ops.hasCell && state.c !== undefined) throw new RangeError(`state.c: only an LSTM has a cell state`);
    // The previous forward's cache is about to be replaced: give back what it holds outside the JS heap.
    for (const layer of this.cache?.layers ?? []) this.impl.release?.(layer);
    this.cache = null;
    const layers: LayerCache[] = [];
    const hN = allocate(this.dtype, L * BH), cN = allocate(this.dtype, L * BH);
    let input = xs;
    for (let l = 0; l < L; l++) {
      const { w, D } = this.layerWeights[l];
      const layer = this.impl.layerForward(
        { ops: this.ops, D, H, T, B }, w, input, h0.subarray(l * BH, (l + 1) * BH), c0 ? c0.subarray(l * BH, (l + 1) * BH) : null,
      );
      layers.push(layer);
      hN.set(layer.hs.subarray(T * BH), l * BH);
      if (layer.cs) cN.set(layer.cs.subarray(T * BH), l * BH);
      input = layer.hs.subarray(BH);
    }
    this.cache = { T, B, batched, layers, version: this.weightsVersion };
    let out = input; // [T, B, H]
    let width = H;
    if (this.outputSize !== null) {
      width = this.outputSize;
      out = allocate(this.dtype, T * B * width);
      this.impl.linearForward(out, input, this.parameter('head.weight').param.data, this.parameter('head.bias').param.data, T * B, H, width);
    } else {
      out = out.slice();
    }
    const stateShape = batched ? [L, B, H] : [L, H];
    const result: RecurrentOutput = { output: this.toUserLayout(out, T, B, width, batched), h: new Tensor(hN, stateShape) };
    if (this.ops.hasCell) result.c = new Tensor(cN, stateShape);
    return result;
  }

  /**
   * BPTT from dL/d(output) (shaped as forward's output; null for none) and, optionally, dL/d(final state).
   * Adds into the parameter gradients and returns dL/dx and dL/d(initial state).
   */
  backward(dOutput: Tensor | null, dState: RecurrentState = {}, options: BackwardOptions = {}): RecurrentGradients {
    if (!this.cache) throw new Error('backward: call forward() first; backward differentiates the last forward pass');
    if (this.cache.version !== this.weightsVersion) {
      throw new Error('backward: loadStateDict() replaced the weights after forward(); run forward() again, since backward would mix the old pass with the new weights');
    }
    checkStateObject('dState', dState, this.ops.hasCell);
    const { T, B, batched, layers } = this.cache;
    const L = this.numLayers, H = this.hiddenSize, BH = B * H;
    const width = this.outputSize ?? H;
    const outShape = this.userShape(T, B, width, batched);
    let dTop = allocate(this.dtype, T * BH); // dL/d(top layer h_t), [T, B, H]
    if (dOutput !== null && dOutput !== undefined) {
      checkTensor('dOutput', dOutput);
      checkShape('dOutput', dOutput, outShape, 'the shape of forward().output');
      checkDType('dOutput', dOutput, this.dtype);
      checkFinite('dOutput', dOutput);
      const dOut = this.fromUserLayout(dOutput.data, T, B, width, batched);
      if (this.outputSize !== null) {
        const hw = this.parameter('head.weight'), hb = this.parameter('head.bias');
        this.impl.linearBackward(dOut, layers[L - 1].hs.subarray(BH), hw.param.data, hw.grad.data, hb.grad.data, dTop, T * B, H, width);
      } else {
        dTop = dOut;
      }
    }
    const dhN = this.readState('dState.h', dState.h, B, batched);
    const dcN = this.ops.hasCell ? this.readState('dState.c', dState.c, B, batched) : null;
    const dh0 = allocate(this.dtype, L * BH), dc0 = allocate(this.dtype, L * BH);
    let dAbove = dTop;
    const keep = options.keepStepGradients === true;
    const stepDh: Tensor[] = [], stepDc: Tensor[] = [];
    for (let l = L - 1; l >= 0; l--) {
      const { w, g, D } = this.layerWeights[l];
      const keptDh = keep ? allocate(this.dtype, T * BH) : null;
      const keptDc = keep && dcN ? allocate(this.dtype, T * BH) : null;
      const { dxs, dh0: dhl, dc0: dcl } = this.impl.layerBackward({ ops: this.ops, D, H, T, B }, w, g, layers[l], {
        dAbove,
        dhN: dhN.subarray(l * BH, (l + 1) * BH),
        dcN: dcN ? dcN.subarray(l * BH, (l + 1) * BH) : null,
        keptDh,
        keptDc,
      });
      dh0.set(dhl, l * BH);
      if (dcl) dc0.set(dcl, l * BH);
      if (keptDh) stepDh[l] = new Tensor(keptDh, [T, B, H]);
      if (keptDc) stepDc[l] = new Tensor(keptDc, [T, B, H]);
      dAbove = dxs;
    }
    const stateShape = batched ? [L, B, H] : [L, H];
    const result: RecurrentGradients = {
      dx: this.toUserLayout(dAbove, T, B, this.inputSize, batched),
      dh: new Tensor(dh0, stateShape),
      grads: this.gradients(),
    };
    if (this.ops.hasCell) result.dc = new Tensor(dc0, stateShape);
    if (keep) result.steps = this.ops.hasCell ? { dh: stepDh, dc: stepDc } : { dh: stepDh };
    return result;
  }

  /** Validates x and returns it time-major [T, B, D]. */
  private readInput(x: Tensor): { T: number; B: number; batched: boolean; xs: FloatArray } {
    checkTensor('x', x);
    checkDType('x', x, this.dtype);
    const D = this.inputSize;
    let T: number, B: number;
    const batched = x.shape.length === 3;
    if (batched) {
      [T, B] = this.batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
      checkShape('x', x, this.batchFirst ? [-1, -1, D] : [-1, -1, D], this.batchFirst ? '[B, T, inputSize]' : '[T, B, inputSize]');
    } else if (x.shape.length === 2) {
      [T, B] = [x.shape[0], 1];
      checkShape('x', x, [-1, D], 'unbatched [T, inputSize]');
    } else {
      throw new RangeError(
        `x: expected shape ${this.batchFirst ? '[B, T, inputSize]' : '[T, B, inputSize]'} or unbatched [T, inputSize] with inputSize = ${D}, got ${fmtShape(x.shape)}`,
      );
    }
    if (T === 0 || B === 0) throw new RangeError(`x: expected at least one time step and one sequence, got shape ${fmtShape(x.shape)}`);
    // The largest array forward keeps per layer is the gates of every step: [T, B, auxWidth].
    checkArraySize('x', T * B * Math.max(this.ops.auxWidth(this.hiddenSize), this.hiddenSize + 1, this.outputSize ?? 0), this.dtype,
      `a forward pass over ${T} steps × ${B} sequences (its cache of every step's gates)`);
    checkFinite('x', x);
    return { T, B, batched, xs: this.fromUserLayout(x.data, T, B, D, batched) };
  }

  /** A state tensor ([L, B, H] or [L, H]) as a flat array, zeros when absent. */
  private readState(name: string, s: Tensor | undefined, B: number, batched: boolean): FloatArray {
    const L = this.numLayers, H = this.hiddenSize;
    if (s === undefined || s === null) return allocate(this.dtype, L * B * H);
    checkTensor(name, s);
    checkShape(name, s, batched ? [L, B, H] : [L, H], batched ? '[numLayers, B, hiddenSize]' : '[numLayers, hiddenSize]');
    checkDType(name, s, this.dtype);
    checkFinite(name, s);
    return s.data.slice();
  }

  private userShape(T: number, B: number, W: number, batched: boolean): number[] {
    if (!batched) return [T, W];
    return this.batchFirst ? [B, T, W] : [T, B, W];
  }

  /** [T, B, W] time-major → the user's layout, as a Tensor (copy). */
  private toUserLayout(a: FloatArray, T: number, B: number, W: number, batched: boolean): Tensor {
    const shape = this.userShape(T, B, W, batched);
    return new Tensor(batched && this.batchFirst ? swap01(a, T, B, W) : a.slice(), shape);
  }

  /** The user's layout → [T, B, W] time-major (copy). */
  private fromUserLayout(a: FloatArray, T: number, B: number, W: number, batched: boolean): FloatArray {
    return batched && this.batchFirst ? swap01(a, B, T, W) : a.slice();
  }
}

interface NamedBuffers {
  p: FloatArray;
  g: FloatArray;
}

/** [P, Q, W] → [Q, P, W]. */
function swap01(a: FloatArray, P: number, Q: number, W: number): FloatArray {
  const out = new (a.constructor as Float64ArrayConstructor)(a.length);
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < Q; q++) out.set(a.subarray((p * Q + q) * W, (p * Q + q + 1) * W), (q * P + p) * W);
  }
  return out;
}

/** A state argument is an object ({ h } or { h, c }); null or a Tensor in its place is a mistake worth naming. */
function checkStateObject(name: string, s: unknown, hasCell: boolean): void {
  const shape = hasCell ? '{ h, c }' : '{ h }';
  if (s === null || typeof s !== 'object' || s instanceof Tensor) {
    throw new TypeError(`${name}: expected an object ${shape} (or nothing), got ${s === null ? 'null' : s instanceof Tensor ? 'a Tensor' : typeof s}`);
  }
}

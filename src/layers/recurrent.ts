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
import { checkDType, checkFinite, checkOneOf, checkPositiveInt, checkShape, checkTensor, checkDTypeOption, checkFiniteNumber, checkOptionalBoolean, checkOptions } from '../tensor/check.js';
import { checkModelSize } from '../tensor/limits.js';
import { Rng, fillUniform } from '../tensor/random.js';
import { Tensor, allocate, type FloatArray } from '../tensor/tensor.js';
import { checkInitOptions, initLayer } from './init.js';
import { Module } from './module.js';
import type { LayerCache, SequenceBackend } from './backend/backend.js';
import { resolveBackend } from './backend/choose.js';
import { dropoutMask } from './dropout.js';
import { Stream, type StreamModel } from './stream.js';
import { WasmStepEngine } from './backend/wasm-stream.js';
import { projectedLayerBackward, projectedLayerForward, type ProjectedCache } from './backend/lstmp.js';
import { checkStateObject, fromUserLayout, readSequence, toUserLayout, userShape } from './layout.js';
import { addAtLastSteps, checkLengths, finalStates, putColumns, reverseWithin, takeColumns, zeroPadded } from './sequence.js';
import { CELL_OPTIONS, RECURRENT_OPTIONS, type RecurrentOptions, type ForwardOptions, type RecurrentState, type RecurrentOutput, type RecurrentGradients, type BackwardOptions } from './recurrent-options.js';

export { CELL_OPTIONS, RECURRENT_OPTIONS } from './recurrent-options.js';
export type { RecurrentOptions, ForwardOptions, RecurrentState, RecurrentOutput, RecurrentGradients, BackwardOptions, StepGradients } from './recurrent-options.js';

/** The dropout Rng's seed is options.seed plus this, so masks do not repeat the weights' draws. */
const DROPOUT_SEED_OFFSET = 7_919;

interface ForwardCache {
  T: number;
  B: number;
  batched: boolean;
  /** One per layer and direction, index l·directions + direction. */
  layers: LayerCache[];
  /** [T, B, directions·H]: the top layer's output, the head's input. */
  top: FloatArray;
  /** The dropout mask applied to layer l's output (l < numLayers − 1), or null where none was. */
  masks: (FloatArray | null)[];
  lengths: Int32Array | null;
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
  readonly bidirectional: boolean;
  /** 2 when bidirectional, else 1. */
  readonly numDirections: 1 | 2;
  readonly dropout: number;
  /** LSTM only: the projection size P, or null. */
  readonly projSize: number | null;
  /** What each layer outputs and feeds back: P with a projection, else hiddenSize. */
  readonly stateSize: number;
  /** The backend resolved from options.backend: 'reference' or 'wasm'. */
  readonly backend: SequenceBackend['name'];
  protected readonly ops: CellOps;
  private readonly impl: SequenceBackend;
  /** One per layer and direction, index l·directions + direction. */
  private readonly layerWeights: { w: CellWeights; g: CellWeights; D: number; hr?: { w: FloatArray; g: FloatArray } }[] = [];
  private cache: ForwardCache | null = null;
  /** Draws the dropout masks, one forward pass after another (seeded, so a run repeats exactly). */
  private readonly dropoutRng: Rng;
  /** Whether the last forward pass ran without a cache (so backward has nothing to differentiate). */
  private noCacheForward = false;
  /** step()'s buffers, made on its first call. */
  private stream: Stream | null = null;

  protected constructor(ops: CellOps, opts: RecurrentOptions) {
    checkOptions('options', opts, [...RECURRENT_OPTIONS, ...CELL_OPTIONS[ops.kind]]);
    super(checkDTypeOption('options.dtype', opts.dtype));
    this.ops = ops;
    this.inputSize = checkPositiveInt('inputSize', opts.inputSize);
    this.hiddenSize = checkPositiveInt('hiddenSize', opts.hiddenSize);
    this.numLayers = checkPositiveInt('numLayers', opts.numLayers ?? 1);
    this.outputSize = opts.outputSize === undefined ? null : checkPositiveInt('outputSize', opts.outputSize);
    this.batchFirst = checkOptionalBoolean('options.batchFirst', opts.batchFirst) ?? false;
    this.hasBias = checkOptionalBoolean('options.bias', opts.bias) ?? true;
    this.bidirectional = checkOptionalBoolean('options.bidirectional', opts.bidirectional) ?? false;
    this.numDirections = this.bidirectional ? 2 : 1;
    this.dropout = opts.dropout === undefined ? 0 : checkFiniteNumber('options.dropout', opts.dropout, { min: 0 });
    if (this.dropout >= 1) throw new RangeError(`options.dropout: expected a probability in [0, 1), got ${this.dropout}`);
    if (opts.seed !== undefined) checkFiniteNumber('options.seed', opts.seed);
    this.dropoutRng = new Rng((opts.seed ?? 0) + DROPOUT_SEED_OFFSET);
    // A variant cell (ops.variant) has no fused wasm kernels: 'auto' gives it the reference backend.
    this.projSize = opts.projSize === undefined ? null : checkPositiveInt('options.projSize', opts.projSize);
    if (this.projSize !== null && ops.kind !== 'lstm') throw new RangeError(`options.projSize: only an LSTM has a projection (this is a ${ops.kind.toUpperCase()})`);
    if (this.projSize !== null && this.projSize >= this.hiddenSize) {
      throw new RangeError(`options.projSize: expected a size below hiddenSize = ${this.hiddenSize} (a projection makes the state smaller, as PyTorch requires), got ${this.projSize}`);
    }
    this.stateSize = this.projSize ?? this.hiddenSize;
    const choice = checkOneOf('backend', opts.backend ?? 'auto', ['auto', 'reference', 'wasm'] as const);
    if (this.projSize !== null && choice === 'wasm') throw new RangeError("backend: 'wasm' has no LSTM projection (projSize); use 'auto' or 'reference'");
    this.impl = resolveBackend(this.projSize !== null ? 'reference' : choice, this.dtype, ops);
    this.backend = this.impl.name;
    const init = opts.init ?? {};
    checkInitOptions(init, ops.kind);
    const dirs = this.numDirections;
    // A bidirectional layer is two layers' weights, and the ones above read 2H inputs.
    checkModelSize({ inputSize: Math.max(this.inputSize, dirs * this.hiddenSize), hiddenSize: this.hiddenSize, numLayers: this.numLayers * dirs, outputSize: this.outputSize, gates: ops.gates, dtype: this.dtype });
    const H = this.hiddenSize, G = ops.gates * H, Hout = this.stateSize;
    const rng = new Rng(opts.seed ?? 0);
    for (let i = 0; i < this.numLayers * dirs; i++) {
      const l = Math.floor(i / dirs), suffix = `_l${l}${i % dirs === 1 ? '_reverse' : ''}`;
      const D = l === 0 ? this.inputSize : dirs * Hout;
      const p = (name: string, shape: number[]): NamedBuffers => {
        const param = this.addParameter(`${name}${suffix}`, shape);
        return { p: param.data, g: this.parameter(`${name}${suffix}`).grad.data };
      };
      const wIh = p('weight_ih', [G, D]);
      const wHh = p('weight_hh', [G, Hout]);
      const bIh = this.hasBias ? p('bias_ih', [G]) : null;
      const bHh = this.hasBias ? p('bias_hh', [G]) : null;
      // PyTorch's order: weight_ih, weight_hh, bias_ih, bias_hh, then weight_hr (its init draws last too).
      const wHr = this.projSize !== null ? p('weight_hr', [this.projSize, H]) : null;
      const w = { weightIh: wIh.p, weightHh: wHh.p, biasIh: bIh?.p ?? null, biasHh: bHh?.p ?? null };
      const g = { weightIh: wIh.g, weightHh: wHh.g, biasIh: bIh?.g ?? null, biasHh: bHh?.g ?? null };
      initLayer(w, D, H, ops.gates, ops.kind, init, rng, Hout);
      if (wHr) fillUniform(wHr.p, rng, -1 / Math.sqrt(H), 1 / Math.sqrt(H));
      this.layerWeights.push({ w, g, D, ...(wHr ? { hr: { w: wHr.p, g: wHr.g } } : {}) });
    }
    if (this.outputSize !== null) {
      // PyTorch's nn.Linear default: weight and bias uniform in ±1/√fan_in.
      const k = 1 / Math.sqrt(dirs * Hout);
      fillUniform(this.addParameter('head.weight', [this.outputSize, dirs * Hout]).data, rng, -k, k);
      fillUniform(this.addParameter('head.bias', [this.outputSize]).data, rng, -k, k);
    }
  }

  /**
   * One time step of every layer and the head, for streaming (src/layers/stream.ts): x [B, inputSize]
   * and the state before it → `{ output [B, ·], h, c? }`, the state after it, to pass to the next step.
   * As evaluation mode, with nothing kept for backward; allocation-free once warm. The tensors returned
   * are the stream's (the next step rewrites the output, the one after the state): clone what must last.
   * On the fast backend the weights stay packed between steps, packed again after an optimizer's step
   * or loadStateDict (src/tensor/version.ts): set weights by hand through loadStateDict.
   */
  step(x: Tensor, state: RecurrentState = {}): RecurrentOutput {
    if (this.bidirectional) throw new RangeError('step: a bidirectional layer has no streaming step (its reverse direction needs the whole sequence); use forward()');
    checkStateObject('state', state, this.ops.hasCell);
    checkTensor('x', x);
    checkDType('x', x, this.dtype);
    checkShape('x', x, [-1, this.inputSize], '[B, inputSize]: one time step of every sequence');
    checkFinite('x', x);
    const B = x.shape[0], L = this.numLayers;
    if (state.h !== undefined) { checkTensor('state.h', state.h); checkShape('state.h', state.h, [L, B, this.stateSize], `[numLayers, B, ${this.projSize !== null ? 'projSize' : 'hiddenSize'}]`); }
    if (state.c !== undefined) { checkTensor('state.c', state.c); checkShape('state.c', state.c, [L, B, this.hiddenSize], '[numLayers, B, hiddenSize]'); }
    if (!this.stream) {
      const model: StreamModel = {
        ops: this.ops, dtype: this.dtype, inputSize: this.inputSize, hiddenSize: this.hiddenSize, stateSize: this.stateSize,
        layers: this.layerWeights.map(({ w, D, hr }) => ({ w, D, weightHr: hr?.w ?? null })),
        head: this.outputSize === null ? null : { weight: this.parameter('head.weight').param.data, bias: this.parameter('head.bias').param.data, outputSize: this.outputSize },
      };
      // The backend resolved already excludes what the wasm step cannot run (float64, variants, projections).
      this.stream = new Stream(model, this.impl.name === 'wasm' ? new WasmStepEngine(model) : undefined);
    }
    return this.stream.step(x, state);
  }

  /** Restarts the dropout masks' Rng from `seed`: the next forward passes draw the same masks again. */
  seedDropout(seed: number): void {
    this.dropoutRng.setState(new Rng(checkFiniteNumber('seed', seed)).getState());
  }

  /** Runs the whole sequence (every layer, both directions when bidirectional) and keeps every state for backward(). */
  forward(x: Tensor, state: RecurrentState = {}, options: ForwardOptions = {}): RecurrentOutput {
    checkStateObject('state', state, this.ops.hasCell);
    checkOptions('options', options, ['lengths', 'cache']);
    const keepCache = checkOptionalBoolean('options.cache', options.cache) ?? true;
    const { T, B, batched, xs } = this.readInput(x);
    const lengths = options.lengths === undefined ? null : checkLengths(options.lengths, T, B);
    const L = this.numLayers, H = this.hiddenSize, Hout = this.stateSize, BH = B * H, BO = B * Hout, dirs = this.numDirections, S = L * dirs, W = dirs * Hout;
    const h0 = this.readState('state.h', state.h, B, batched, Hout);
    const c0 = this.ops.hasCell ? this.readState('state.c', state.c, B, batched, H) : null;
    if (!this.ops.hasCell && state.c !== undefined) throw new RangeError(`state.c: only an LSTM has a cell state`);
    // The previous forward's cache is about to be replaced: give back what it holds outside the JS heap.
    for (const layer of this.cache?.layers ?? []) this.impl.release?.(layer);
    this.cache = null;
    this.noCacheForward = false;
    const layers: LayerCache[] = [], masks: (FloatArray | null)[] = [];
    const hN = allocate(this.dtype, S * BO), cN = allocate(this.dtype, S * BH);
    let input = xs;
    for (let l = 0; l < L; l++) {
      // One direction and no padding: the layer's own hs is its output, as before bidirectional existed.
      const plain = dirs === 1 && lengths === null;
      const out = plain ? null : allocate(this.dtype, T * B * W);
      let only: FloatArray | null = null;
      for (let dir = 0; dir < dirs; dir++) {
        const i = l * dirs + dir;
        const { w, D, hr } = this.layerWeights[i];
        const xin = dir === 0 ? input : reverseWithin(input, T, B, D, lengths);
        const h0i = h0.subarray(i * BO, (i + 1) * BO), c0i = c0 ? c0.subarray(i * BH, (i + 1) * BH) : null;
        const layer = hr
          ? projectedLayerForward({ ops: this.ops, D, H, P: Hout, T, B }, { ...w, weightHr: hr.w }, xin, h0i, c0i!)
          : this.impl.layerForward({ ops: this.ops, D, H, T, B }, w, xin, h0i, c0i, keepCache);
        layers.push(layer);
        hN.set(lengths ? finalStates(layer.hs, B, Hout, lengths) : layer.hs.subarray(T * BO), i * BO);
        if (layer.cs) cN.set(lengths ? finalStates(layer.cs, B, H, lengths) : layer.cs.subarray(T * BH), i * BH);
        const hs = layer.hs.subarray(BO);
        if (out === null) only = hs;
        else putColumns(out, dir === 0 ? hs : reverseWithin(hs, T, B, Hout, lengths), T * B, Hout, W, dir * Hout);
      }
      let y = out ?? only!;
      if (lengths) zeroPadded(y, T, B, W, lengths);
      if (l < L - 1 && this.training && this.dropout > 0) {
        const mask = dropoutMask(this.dtype, T * B * W, this.dropout, this.dropoutRng);
        const dropped = allocate(this.dtype, y.length);
        for (let j = 0; j < y.length; j++) dropped[j] = y[j] * mask[j];
        masks[l] = mask;
        y = dropped;
      } else masks[l] = null;
      input = y;
      // Inference: the layer below has been read (its output copied in): its memory goes now.
      if (!keepCache && l > 0) for (const below of layers.slice((l - 1) * dirs, l * dirs)) this.impl.release?.(below);
    }
    if (keepCache) this.cache = { T, B, batched, layers, top: input, masks, lengths, version: this.weightsVersion };
    else {
      // Inference: the per-step states and gates go now. The top layer's output may be a view into the
      // fast backend's memory, which release() gives back: the head reads a copy.
      input = input.slice();
      for (const layer of layers.slice((L - 1) * dirs)) this.impl.release?.(layer);
      this.noCacheForward = true;
    }
    let out = input; // [T, B, W]
    let width = W;
    if (this.outputSize !== null) {
      width = this.outputSize;
      out = allocate(this.dtype, T * B * width);
      this.impl.linearForward(out, input, this.parameter('head.weight').param.data, this.parameter('head.bias').param.data, T * B, W, width);
    } else if (keepCache) {
      out = out.slice(); // the output is the caller's, the top layer's states the cache's
    }
    const result: RecurrentOutput = { output: toUserLayout(this.batchFirst, out, T, B, width, batched), h: new Tensor(hN, batched ? [S, B, Hout] : [S, Hout]) };
    if (this.ops.hasCell) result.c = new Tensor(cN, batched ? [S, B, H] : [S, H]);
    return result;
  }

  /**
   * BPTT from dL/d(output) (shaped as forward's output; null for none) and, optionally, dL/d(final state).
   * Adds into the parameter gradients and returns dL/dx and dL/d(initial state).
   */
  backward(dOutput: Tensor | null, dState: RecurrentState = {}, options: BackwardOptions = {}): RecurrentGradients {
    if (!this.cache) {
      throw new Error(this.noCacheForward
        ? 'backward: the last forward ran with { cache: false } (inference), which keeps nothing to differentiate; run forward() with the cache'
        : 'backward: call forward() first; backward differentiates the last forward pass');
    }
    if (this.cache.version !== this.weightsVersion) {
      throw new Error('backward: loadStateDict() replaced the weights after forward(); run forward() again, since backward would mix the old pass with the new weights');
    }
    checkStateObject('dState', dState, this.ops.hasCell);
    const { T, B, batched, layers, top, masks, lengths } = this.cache;
    const L = this.numLayers, H = this.hiddenSize, Hout = this.stateSize, BH = B * H, BO = B * Hout, dirs = this.numDirections, S = L * dirs, W = dirs * Hout;
    const keep = options.keepStepGradients === true;
    if (keep && dirs === 2) throw new RangeError('options.keepStepGradients: only for one-directional layers (a bidirectional layer has two gradients at each step)');
    const width = this.outputSize ?? W;
    const outShape = userShape(this.batchFirst, T, B, width, batched);
    let dTop = allocate(this.dtype, T * B * W); // dL/d(top layer's output), [T, B, W]
    if (dOutput !== null && dOutput !== undefined) {
      checkTensor('dOutput', dOutput);
      checkShape('dOutput', dOutput, outShape, 'the shape of forward().output');
      checkDType('dOutput', dOutput, this.dtype);
      checkFinite('dOutput', dOutput);
      if (this.outputSize !== null) {
        // The head only reads dOutput: in place unless it is batch-first.
        const dOut = batched && this.batchFirst ? fromUserLayout(true, dOutput.data, T, B, width, true) : dOutput.data;
        const hw = this.parameter('head.weight'), hb = this.parameter('head.bias');
        this.impl.linearBackward(dOut, top, hw.param.data, hw.grad.data, hb.grad.data, dTop, T * B, W, width);
      } else {
        dTop = fromUserLayout(this.batchFirst, dOutput.data, T, B, width, batched); // a copy: the layers below scale it in place
      }
    }
    const dhN = this.readState('dState.h', dState.h, B, batched, Hout);
    const dcN = this.ops.hasCell ? this.readState('dState.c', dState.c, B, batched, H) : null;
    const dh0 = allocate(this.dtype, S * BO), dc0 = allocate(this.dtype, S * BH);
    let dAbove = dTop; // dL/d(layer l's output), [T, B, W]
    const stepDh: Tensor[] = [], stepDc: Tensor[] = [];
    for (let l = L - 1; l >= 0; l--) {
      const mask = l < L - 1 ? masks[l] : null;
      if (mask) for (let j = 0; j < dAbove.length; j++) dAbove[j] *= mask[j];
      // What arrives at padded steps is dropped: the output there was set to 0, not computed.
      if (lengths) zeroPadded(dAbove, T, B, W, lengths);
      const D = this.layerWeights[l * dirs].D;
      const dInput = dirs === 1 ? null : allocate(this.dtype, T * B * D);
      let dOnly: FloatArray | null = null;
      for (let dir = 0; dir < dirs; dir++) {
        const i = l * dirs + dir;
        const { w, g, hr } = this.layerWeights[i];
        let part = dirs === 1 ? dAbove : takeColumns(dAbove, T * B, Hout, W, dir * Hout);
        if (dir === 1) part = reverseWithin(part, T, B, Hout, lengths);
        let dhArg = dhN.subarray(i * BO, (i + 1) * BO), dcArg = dcN ? dcN.subarray(i * BH, (i + 1) * BH) : null;
        let dcAbove: FloatArray | null = null;
        if (lengths) {
          // The final states were read at each sequence's last step: their gradients enter there.
          if (part === dAbove) part = part.slice();
          addAtLastSteps(part, dhArg, B, Hout, lengths);
          dhArg = allocate(this.dtype, BO);
          if (dcArg) {
            dcAbove = allocate(this.dtype, T * BH);
            addAtLastSteps(dcAbove, dcArg, B, H, lengths);
            dcArg = allocate(this.dtype, BH);
          }
        }
        const keptDh = keep ? allocate(this.dtype, T * BO) : null;
        const keptDc = keep && dcN ? allocate(this.dtype, T * BH) : null;
        const d = { dAbove: part, dhN: dhArg, dcN: dcArg, dcAbove, keptDh, keptDc };
        const r = hr
          ? projectedLayerBackward({ ops: this.ops, D, H, P: Hout, T, B }, { ...w, weightHr: hr.w }, { ...g, weightHr: hr.g }, layers[i] as ProjectedCache, d)
          : this.impl.layerBackward({ ops: this.ops, D, H, T, B }, w, g, layers[i], d);
        dh0.set(r.dh0, i * BO);
        if (r.dc0) dc0.set(r.dc0, i * BH);
        if (keptDh) stepDh[l] = new Tensor(keptDh, [T, B, Hout]);
        if (keptDc) stepDc[l] = new Tensor(keptDc, [T, B, H]);
        const dxs = dir === 1 ? reverseWithin(r.dxs, T, B, D, lengths) : r.dxs;
        if (dInput === null) dOnly = dxs;
        else for (let j = 0; j < dxs.length; j++) dInput[j] += dxs[j];
      }
      dAbove = dInput ?? dOnly!;
    }
    const result: RecurrentGradients = {
      dx: toUserLayout(this.batchFirst, dAbove, T, B, this.inputSize, batched),
      dh: new Tensor(dh0, batched ? [S, B, Hout] : [S, Hout]),
      grads: this.gradients(),
    };
    if (this.ops.hasCell) result.dc = new Tensor(dc0, batched ? [S, B, H] : [S, H]);
    if (keep) result.steps = this.ops.hasCell ? { dh: stepDh, dc: stepDc } : { dh: stepDh };
    return result;
  }

  /** Validates x and returns it time-major [T, B, D]. */
  private readInput(x: Tensor): { T: number; B: number; batched: boolean; xs: FloatArray } {
    // The largest array forward keeps per layer is the gates of every step: [T, B, auxWidth].
    const widest = Math.max(this.ops.auxWidth(this.hiddenSize), this.hiddenSize + 1, this.outputSize ?? 0);
    return readSequence(x, { dtype: this.dtype, inputSize: this.inputSize, batchFirst: this.batchFirst, widest });
  }

  /** A state tensor ([L, B, H] or [L, H], H = `width`: the state's size) as a flat array, zeros when absent. */
  private readState(name: string, s: Tensor | undefined, B: number, batched: boolean, width: number): FloatArray {
    const L = this.numLayers * this.numDirections, H = width;
    if (s === undefined || s === null) return allocate(this.dtype, L * B * H);
    checkTensor(name, s);
    const rows = this.numDirections === 2 ? 'numLayers·2' : 'numLayers';
    const size = width === this.hiddenSize ? 'hiddenSize' : 'projSize';
    checkShape(name, s, batched ? [L, B, H] : [L, H], batched ? `[${rows}, B, ${size}]` : `[${rows}, ${size}]`);
    checkDType(name, s, this.dtype);
    checkFinite(name, s);
    return s.data.slice();
  }
}

interface NamedBuffers {
  p: FloatArray;
  g: FloatArray;
}

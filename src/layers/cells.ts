/**
 * Single-step cells, as torch.nn.RNNCell / LSTMCell / GRUCell: parameters weight_ih [G·H, D],
 * weight_hh [G·H, H], bias_ih, bias_hh [G·H]. One step forward on x [D] or a batch [B, D], and that
 * step's backward from a cache, with one call shape for all three, as the sequence layers' forward and
 * backward take their states:
 *
 *   const { h, c, cache } = lstmCell.forward(x, { h: hPrev, c: cPrev });   // c only for the LSTM
 *   const { dx, dhPrev, dcPrev, grads } = lstmCell.backward({ h: dh, c: dc }, cache);
 *
 * backward() returns that step's parameter gradients and also adds them to gradients(), as PyTorch's
 * .grad accumulates. Each cell is the shared `Cell` below with its step math (src/cells/rnn.ts,
 * lstm.ts, gru.ts). The exercise set's call shapes (B1's `forward(x, hPrev) → h`, B4's
 * `forward(x, hPrev, cPrev)`) are the `rnnlab/tutorial` entry's cells (src/layers/tutorial.ts), on the
 * same base.
 */
import { checkDType, checkFinite, checkPositiveInt, checkShape, checkTensor, checkDTypeOption, checkFiniteNumber, checkOptionalBoolean, checkOptions, describeValue } from '../tensor/check.js';
import { checkModelSize } from '../tensor/limits.js';
import { Rng } from '../tensor/random.js';
import { Tensor, allocate, type DType, type FloatArray } from '../tensor/tensor.js';
import { gruOps } from '../cells/gru.js';
import { lstmOps } from '../cells/lstm.js';
import { stepBackward, stepForward, type CellKind, type CellOps, type CellWeights } from '../cells/ops.js';
import { rnnOpsFor, type Nonlinearity } from '../cells/rnn.js';
import { checkInitOptions, initLayer, type InitOptions } from './init.js';
import { Module } from './module.js';

export interface CellOptions {
  dtype?: DType;
  seed?: number;
  bias?: boolean;
  init?: InitOptions;
}

/** Everything one step's backward needs. Opaque to users: pass it back to backward(). */
export interface CellCache {
  readonly B: number;
  readonly batched: boolean;
  readonly x: FloatArray;
  readonly hPrev: FloatArray;
  readonly cPrev: FloatArray | null;
  readonly h: FloatArray;
  readonly c: FloatArray | null;
  readonly aux: FloatArray;
}

export interface CellStep {
  h: Tensor;
  c?: Tensor;
  cache: CellCache;
}

export interface CellBackward {
  dx: Tensor;
  dhPrev: Tensor;
  dcPrev?: Tensor;
  /** This step's parameter gradients (also added into gradients()). */
  grads: Record<string, Tensor>;
}

/** Which cell made each cache, at which weights' version: backward takes only its own, current cache. */
const CACHE_OWNERS = new WeakMap<CellCache, { cell: Cell; version: number }>();

export abstract class Cell extends Module {
  readonly inputSize: number;
  readonly hiddenSize: number;
  readonly hasBias: boolean;
  protected readonly ops: CellOps;
  private readonly w: CellWeights;

  protected constructor(ops: CellOps, inputSize: number, hiddenSize: number, opts: CellOptions = {}) {
    checkOptions('options', opts, ops.kind === 'rnn' ? ['dtype', 'seed', 'bias', 'init', 'nonlinearity'] : ['dtype', 'seed', 'bias', 'init']);
    super(checkDTypeOption('options.dtype', opts.dtype));
    this.ops = ops;
    this.inputSize = checkPositiveInt('inputSize', inputSize);
    this.hiddenSize = checkPositiveInt('hiddenSize', hiddenSize);
    this.hasBias = checkOptionalBoolean('options.bias', opts.bias) ?? true;
    if (opts.seed !== undefined) checkFiniteNumber('options.seed', opts.seed);
    const G = ops.gates * hiddenSize;
    const init = opts.init ?? {};
    checkInitOptions(init, ops.kind);
    checkModelSize({ inputSize, hiddenSize, numLayers: 1, gates: ops.gates, dtype: this.dtype });
    this.w = {
      weightIh: this.addParameter('weight_ih', [G, inputSize]).data,
      weightHh: this.addParameter('weight_hh', [G, hiddenSize]).data,
      biasIh: this.hasBias ? this.addParameter('bias_ih', [G]).data : null,
      biasHh: this.hasBias ? this.addParameter('bias_hh', [G]).data : null,
    };
    initLayer(this.w, inputSize, hiddenSize, ops.gates, ops.kind, init, new Rng(opts.seed ?? 0));
  }

  /** One step forward; h (and c) optional, zeros when absent. */
  step(x: Tensor, hPrev?: Tensor, cPrev?: Tensor): CellStep {
    checkTensor('x', x);
    checkDType('x', x, this.dtype);
    const D = this.inputSize, H = this.hiddenSize;
    const batched = x.shape.length === 2;
    checkShape('x', x, batched ? [-1, D] : [D], batched ? '[B, inputSize]' : '[inputSize] or [B, inputSize]');
    checkFinite('x', x);
    const B = batched ? x.shape[0] : 1;
    const state = (name: string, s: Tensor | undefined): FloatArray => {
      if (s === undefined || s === null) return allocate(this.dtype, B * H);
      checkTensor(name, s);
      checkShape(name, s, batched ? [B, H] : [H], batched ? '[B, hiddenSize]' : '[hiddenSize]');
      checkDType(name, s, this.dtype);
      checkFinite(name, s);
      return s.data.slice();
    };
    const cache: CellCache = {
      B,
      batched,
      x: x.data.slice(),
      hPrev: state('hPrev', hPrev),
      cPrev: this.ops.hasCell ? state('cPrev', cPrev) : null,
      h: allocate(this.dtype, B * H),
      c: this.ops.hasCell ? allocate(this.dtype, B * H) : null,
      aux: allocate(this.dtype, B * this.ops.auxWidth(H)),
    };
    stepForward(this.ops, this.w, D, H, cache);
    CACHE_OWNERS.set(cache, { cell: this, version: this.weightsVersion });
    const shape = batched ? [B, H] : [H];
    const out: CellStep = { h: new Tensor(cache.h.slice(), shape), cache };
    if (cache.c) out.c = new Tensor(cache.c.slice(), shape);
    return out;
  }

  /** Which cell this is. */
  get kind(): CellKind {
    return this.ops.kind;
  }

  /** Backward of one step from dL/dh_t (and dL/dc_t); dc may be omitted (zeros). */
  stepBackward(dh: Tensor, dc: Tensor | undefined, cache: CellCache): CellBackward {
    const made = CACHE_OWNERS.get(cache);
    if (made === undefined) throw new TypeError(`cache: expected the cache returned by forward() (or step()) of this cell, got ${describeValue(cache)}`);
    if (made.cell !== this) throw new TypeError('cache: this cache is from another cell; backward needs the cache of its own forward()');
    if (made.version !== this.weightsVersion) {
      throw new Error('cache: loadStateDict() replaced the weights after this step; run the step again, since backward would mix the old step with the new weights');
    }
    const { B, batched } = cache;
    const D = this.inputSize, H = this.hiddenSize;
    const shape = batched ? [B, H] : [H];
    const grad = (name: string, t: Tensor | undefined): FloatArray => {
      if (t === undefined || t === null) return allocate(this.dtype, B * H);
      checkTensor(name, t);
      checkShape(name, t, shape, 'the shape of h');
      checkDType(name, t, this.dtype);
      checkFinite(name, t);
      return t.data.slice();
    };
    const g: CellWeights = {
      weightIh: allocate(this.dtype, this.w.weightIh.length),
      weightHh: allocate(this.dtype, this.w.weightHh.length),
      biasIh: this.w.biasIh ? allocate(this.dtype, this.w.biasIh.length) : null,
      biasHh: this.w.biasHh ? allocate(this.dtype, this.w.biasHh.length) : null,
    };
    const dx = allocate(this.dtype, B * D), dhPrev = allocate(this.dtype, B * H);
    const dcPrev = this.ops.hasCell ? allocate(this.dtype, B * H) : null;
    stepBackward(this.ops, this.w, g, D, H, {
      ...cache,
      dh: grad('dh', dh),
      dc: this.ops.hasCell ? grad('dc', dc) : null,
      dx,
      dhPrev,
      dcPrev,
    });
    const grads: Record<string, Tensor> = {};
    const live = this.gradients();
    const pairs: [string, FloatArray | null][] = [
      ['weight_ih', g.weightIh], ['weight_hh', g.weightHh], ['bias_ih', g.biasIh], ['bias_hh', g.biasHh],
    ];
    for (const [name, a] of pairs) {
      if (!a) continue;
      grads[name] = new Tensor(a, live[name].shape);
      const acc = live[name].data;
      for (let i = 0; i < a.length; i++) acc[i] += a[i];
    }
    const out: CellBackward = {
      dx: new Tensor(dx, batched ? [B, D] : [D]),
      dhPrev: new Tensor(dhPrev, shape),
      grads,
    };
    if (dcPrev) out.dcPrev = new Tensor(dcPrev, shape);
    return out;
  }
}

/** The state a step starts from: h_{t-1}, and c_{t-1} for the LSTM; zeros where absent. */
export interface CellState {
  h?: Tensor;
  c?: Tensor;
}

/** What a step's backward starts from: dL/dh_t, and for the LSTM dL/dc_t from the next step (zeros if absent). */
export interface CellGrad {
  h: Tensor;
  c?: Tensor;
}

/** `state` and `grad` are objects; only the LSTM has a c. */
function checkState(cell: Cell, name: string, s: unknown): CellState {
  if (s === null || typeof s !== 'object') throw new TypeError(`${name}: expected an object { h${cell.kind === 'lstm' ? ', c' : ''} }, got ${s === null ? 'null' : typeof s}`);
  const st = s as CellState;
  if (cell.kind !== 'lstm' && st.c !== undefined) throw new RangeError(`${name}.c: expected none (only an LSTM cell has a cell state), got a ${cell.kind.toUpperCase()} cell's ${name} with c`);
  return st;
}

export interface RNNCellOptions extends CellOptions {
  nonlinearity?: Nonlinearity;
}

export interface LSTMCellStep extends CellStep {
  c: Tensor;
}
export interface LSTMCellBackward extends CellBackward {
  dcPrev: Tensor;
}

export class RNNCell extends Cell {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super(rnnOpsFor(options.nonlinearity), inputSize, hiddenSize, options);
  }
  get nonlinearity(): Nonlinearity {
    return this.ops.nonlinearity!;
  }
  /** h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) (relu with that nonlinearity). */
  forward(x: Tensor, state: CellState = {}): CellStep {
    return this.step(x, checkState(this, 'state', state).h);
  }
  backward(grad: CellGrad, cache: CellCache): CellBackward {
    return this.stepBackward((checkState(this, 'grad', grad) as CellGrad).h, undefined, cache);
  }
}

export class LSTMCell extends Cell {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super(lstmOps, inputSize, hiddenSize, options);
  }
  forward(x: Tensor, state: CellState = {}): LSTMCellStep {
    const s = checkState(this, 'state', state);
    return this.step(x, s.h, s.c) as LSTMCellStep;
  }
  backward(grad: CellGrad, cache: CellCache): LSTMCellBackward {
    const g = checkState(this, 'grad', grad) as CellGrad;
    return this.stepBackward(g.h, g.c, cache) as LSTMCellBackward;
  }
}

export class GRUCell extends Cell {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super(gruOps, inputSize, hiddenSize, options);
  }
  forward(x: Tensor, state: CellState = {}): CellStep {
    return this.step(x, checkState(this, 'state', state).h);
  }
  backward(grad: CellGrad, cache: CellCache): CellBackward {
    return this.stepBackward((checkState(this, 'grad', grad) as CellGrad).h, undefined, cache);
  }
}

/**
 * torch.nn.Embedding: a lookup table, `weight` [numEmbeddings, embeddingDim], row k the vector of id k.
 *
 *   e[n] = weight[ids[n]]                      ids: prod(shape) integers in [0, numEmbeddings)
 *
 * Backward, given dE [..., E]: dweight[ids[n]] += dE[n] for every n (an id seen twice gets both), except
 * the padding row, which gets no gradient, as in PyTorch (so a padding vector stays what it was).
 * Initialization is PyTorch's: N(0, 1), the padding row zero; drawn from `seed`.
 */
import { checkDTypeOption, checkFiniteNumber, checkOptions, checkPositiveInt, checkTensor, checkDType, describeValue, fmtShape } from '../tensor/check.js';
import { Rng, fillNormal } from '../tensor/random.js';
import { Tensor, allocate, type DType } from '../tensor/tensor.js';
import { Module } from './module.js';

export interface EmbeddingOptions {
  /** An id whose row is zero at initialization and gets no gradient (negative counts from the end, as in PyTorch). */
  paddingIdx?: number;
  dtype?: DType;
  seed?: number;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  /** The padding row, in [0, numEmbeddings), or null. */
  readonly paddingIdx: number | null;
  private cache: { ids: Int32Array; shape: number[]; version: number } | null = null;

  constructor(numEmbeddings: number, embeddingDim: number, options: EmbeddingOptions = {}) {
    const o = checkOptions('options', options, ['paddingIdx', 'dtype', 'seed']);
    super(checkDTypeOption('options.dtype', o.dtype));
    this.numEmbeddings = checkPositiveInt('numEmbeddings', numEmbeddings);
    this.embeddingDim = checkPositiveInt('embeddingDim', embeddingDim);
    if (o.paddingIdx === undefined) this.paddingIdx = null;
    else {
      const p = o.paddingIdx;
      if (typeof p !== 'number' || !Number.isInteger(p) || p < -numEmbeddings || p >= numEmbeddings) {
        throw new RangeError(`options.paddingIdx: expected an integer in [${-numEmbeddings}, ${numEmbeddings}) (numEmbeddings = ${numEmbeddings}), got ${describeValue(p)}`);
      }
      this.paddingIdx = p < 0 ? p + numEmbeddings : p;
    }
    const rng = new Rng(o.seed === undefined ? 0 : checkFiniteNumber('options.seed', o.seed));
    const w = this.addParameter('weight', [numEmbeddings, embeddingDim]).data;
    fillNormal(w, rng, 0, 1);
    if (this.paddingIdx !== null) w.fill(0, this.paddingIdx * embeddingDim, (this.paddingIdx + 1) * embeddingDim);
  }

  /** The vectors of `indices` (prod(shape) ids), as a Tensor [...shape, E]. */
  forward(indices: Int32Array | readonly number[], shape: readonly number[] = [indices.length]): Tensor {
    if (!(indices instanceof Int32Array) && !Array.isArray(indices)) {
      throw new TypeError(`indices: expected an Int32Array or an array of integer ids, got ${describeValue(indices)}`);
    }
    if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
      throw new RangeError(`shape: expected an array of non-negative integers, got ${describeValue(shape)}`);
    }
    const n = shape.reduce((a, b) => a * b, 1);
    if (n !== indices.length) throw new RangeError(`indices: expected ${n} ids (the product of shape ${fmtShape(shape)}), got ${indices.length}`);
    const V = this.numEmbeddings, E = this.embeddingDim;
    const ids = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = indices[i];
      if (!Number.isInteger(k) || k < 0 || k >= V) {
        throw new RangeError(`indices[${i}]: expected an integer id in [0, ${V}) (numEmbeddings = ${V}), got ${describeValue(k)}`);
      }
      ids[i] = k;
    }
    const w = this.parameter('weight').param.data;
    const out = allocate(this.dtype, n * E);
    for (let i = 0; i < n; i++) out.set(w.subarray(ids[i] * E, (ids[i] + 1) * E), i * E);
    this.cache = { ids, shape: [...shape], version: this.weightsVersion };
    return new Tensor(out, [...shape, E]);
  }

  /** Adds dE into the rows of gradients().weight that the last forward read (none into the padding row). */
  backward(dE: Tensor): void {
    const c = this.cache;
    if (c === null) throw new Error('backward: call forward first (Embedding keeps the last forward\'s ids)');
    if (c.version !== this.weightsVersion) throw new Error('backward: the weights were replaced (loadStateDict) after the forward pass; run forward again');
    checkTensor('dE', dE);
    checkDType('dE', dE, this.dtype);
    const E = this.embeddingDim, want = [...c.shape, E];
    if (dE.shape.length !== want.length || dE.shape.some((d, i) => d !== want[i])) {
      throw new RangeError(`dE: expected shape ${fmtShape(want)} (the forward output's), got ${fmtShape(dE.shape)}`);
    }
    const g = this.parameter('weight').grad.data;
    for (let i = 0; i < c.ids.length; i++) {
      const k = c.ids[i];
      if (k === this.paddingIdx) continue;
      for (let j = 0; j < E; j++) g[k * E + j] += dE.data[i * E + j];
    }
  }
}

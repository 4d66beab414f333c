/**
 * Next-value prediction on sine waves: each sequence is x_t = sin(ω t + φ) with its own frequency ω
 * and phase φ; the target at step t is x_{t+1}.
 *
 * One sample x_t does not determine x_{t+1} (a value is passed on the way up and on the way down, and
 * ω is unknown), so the model has to carry the recent past in its hidden state: the smallest task on
 * which BPTT visibly matters. The trivial baseline predicts x_{t+1} = x_t.
 */
import { checkFiniteNumber, checkPositiveInt } from '../tensor/check.js';
import { Rng } from '../tensor/random.js';
import { Tensor, allocate, type DType } from '../tensor/tensor.js';

export interface SineOptions {
  /** Time steps per sequence. */
  seqLen: number;
  batchSize: number;
  /** Angular frequencies are drawn uniformly from [minOmega, maxOmega] (radians per step). */
  minOmega?: number;
  maxOmega?: number;
  dtype?: DType;
}

export interface SequenceBatch {
  /** [T, B, 1] */
  x: Tensor;
  /** [T, B, 1] */
  y: Tensor;
}

export function sineBatch(rng: Rng, opts: SineOptions): SequenceBatch {
  const T = checkPositiveInt('seqLen', opts.seqLen);
  const B = checkPositiveInt('batchSize', opts.batchSize);
  const lo = checkFiniteNumber('minOmega', opts.minOmega ?? 0.1, { positive: true });
  const hi = checkFiniteNumber('maxOmega', opts.maxOmega ?? 0.6, { min: lo });
  const dtype = opts.dtype ?? 'float32';
  const x = allocate(dtype, T * B), y = allocate(dtype, T * B);
  for (let b = 0; b < B; b++) {
    const omega = rng.uniform(lo, hi), phi = rng.uniform(0, 2 * Math.PI);
    for (let t = 0; t < T; t++) {
      x[t * B + b] = Math.sin(omega * t + phi);
      y[t * B + b] = Math.sin(omega * (t + 1) + phi);
    }
  }
  return { x: new Tensor(x, [T, B, 1]), y: new Tensor(y, [T, B, 1]) };
}

/** MSE of predicting x_{t+1} = x_t: what a model with no memory and no dynamics would score. */
export function repeatLastBaseline(batch: SequenceBatch): number {
  let s = 0;
  const { x, y } = batch;
  for (let i = 0; i < x.size; i++) s += (y.data[i] - x.data[i]) ** 2;
  return s / x.size;
}

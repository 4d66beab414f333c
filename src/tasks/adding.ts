/**
 * The adding problem (Hochreiter & Schmidhuber 1997, experiment 4), in the two-channel encoding of
 * Le, Jaitly & Hinton 2015 ("A simple way to initialize recurrent networks of rectified linear units"):
 *
 * - channel 0 (values): T numbers drawn independently from U(0, 1);
 * - channel 1 (markers): 0 everywhere except exactly two 1s, the first at a uniformly random step of
 *   the first half [0, ⌊T/2⌋), the second at a uniformly random step of the second half [⌊T/2⌋, T)
 *   (the convention of Le et al. 2015 and of Arjovsky et al. 2016);
 * - target (read at the last step): the sum of the two marked values, in [0, 2).
 *
 * With `minLen` the batches are padded, as Hochreiter & Schmidhuber's own version has them (lengths
 * drawn uniformly from T to T + T/10): sequence b has a length L_b uniform in [minLen, seqLen], its
 * markers in the halves of its own length ([0, ⌊L_b/2⌋) and [⌊L_b/2⌋, L_b)), zeros after it, and the
 * target is read at its own last step; `batch.lengths` carries the L_b, and the trainer runs the model on
 * them as packed sequences.
 *
 * Baseline: always predicting 1 (the target's mean) scores E[(s − 1)²] = Var(s) = 2 · Var(U(0,1)) =
 * 2/12 = 1/6 ≈ 0.167. Solved: MSE below 0.01. The metric is the fraction of sequences whose absolute
 * error is below 0.04. Hochreiter & Schmidhuber 1997 also count |error| < 0.04, but on a target
 * 0.5 + (X1 + X2)/4 with values in [−1, 1], which is 0.08 on this scale (docs/tasks.md; `rnnlab
 * reproduce` reports both).
 */
import { Rng } from '../tensor/random.js';
import { Tensor, allocate, type DType } from '../tensor/tensor.js';
import {
  checkBatchArgs, checkBatchX, checkDTypeOption, checkIntOption, checkSeqLenOption, lastStep, mseOf,
  type Task, type TaskBatch, type TaskEvaluation, type TaskOptionsBase, type TaskSpec,
} from './task.js';

export interface AddingOptions extends TaskOptionsBase {
  /** Steps per sequence T (default 100; at least 2, one step per half); with minLen, the longest. */
  seqLen?: number;
  /** Padded batches: each sequence's length uniform in [minLen, seqLen] (default seqLen: all of length T). */
  minLen?: number;
}

export interface AddingBatch extends TaskBatch {
  /** [T, B, 2]: channel 0 the values, channel 1 the markers. */
  x: Tensor;
  /** [B, 1]: the sum of the two marked values. */
  target: Tensor;
  /** [B, 2]: the marked steps of each sequence (first half, second half). */
  positions: Int32Array;
  /** [B], with minLen only: each sequence's length. */
  lengths?: Int32Array;
}

/** Absolute error under which one sequence counts as correct (H&S 1997's number, though on their scale it is 0.08 here). */
export const ADDING_TOLERANCE = 0.04;

export class AddingTask implements Task<AddingBatch> {
  readonly name = 'adding';
  readonly seqLen: number;
  /** The shortest sequence (seqLen unless the batches are padded). */
  readonly minLen: number;
  readonly inputSize = 2;
  readonly outputSize = 1;
  readonly loss = 'mse' as const;
  readonly lossAt = 'last' as const;
  readonly dtype: DType;
  readonly solvedBelow = 0.01;
  readonly metricName = `accuracy (|error| < ${ADDING_TOLERANCE})`;

  constructor(opts: AddingOptions = {}) {
    this.seqLen = checkSeqLenOption('seqLen', opts.seqLen, 100, 2, 'one marker in each half needs two steps');
    this.minLen = opts.minLen === undefined ? this.seqLen : checkIntOption('minLen', opts.minLen, this.seqLen, 2, 'one marker in each half needs two steps');
    if (this.minLen > this.seqLen) throw new RangeError(`minLen: expected at most seqLen = ${this.seqLen} (the longest sequence), got ${this.minLen}`);
    this.dtype = checkDTypeOption(opts.dtype);
  }

  batch(rng: Rng, batchSize: number): AddingBatch {
    const B = checkBatchArgs(rng, batchSize);
    const T = this.seqLen, padded = this.minLen < T;
    const x = allocate(this.dtype, T * B * 2), y = allocate(this.dtype, B);
    const positions = new Int32Array(B * 2);
    const lengths = padded ? new Int32Array(B) : undefined;
    for (let b = 0; b < B; b++) {
      // Fixed-length batches draw no length, so their sequences stay what they were before minLen existed.
      const len = padded ? this.minLen + rng.int(T - this.minLen + 1) : T;
      if (lengths) lengths[b] = len;
      const half = Math.floor(len / 2);
      for (let t = 0; t < len; t++) x[(t * B + b) * 2] = rng.random();
      const p1 = rng.int(half), p2 = half + rng.int(len - half);
      x[(p1 * B + b) * 2 + 1] = 1;
      x[(p2 * B + b) * 2 + 1] = 1;
      positions[2 * b] = p1;
      positions[2 * b + 1] = p2;
      // From the stored (dtype-rounded) values, so an oracle reading x is exact up to one rounding.
      y[b] = x[(p1 * B + b) * 2] + x[(p2 * B + b) * 2];
    }
    return { x: new Tensor(x, [T, B, 2]), target: new Tensor(y, [B, 1]), positions, ...(lengths ? { lengths } : {}) };
  }

  spec(): TaskSpec {
    return { kind: 'adding', seqLen: this.seqLen, ...(this.minLen < this.seqLen ? { minLen: this.minLen } : {}), dtype: this.dtype };
  }

  baseline(): number {
    return 1 / 6;
  }

  evaluate(output: Tensor, batch: AddingBatch): TaskEvaluation {
    const B = checkBatchX(this, batch);
    const { last, expand } = lastStep(output, this.seqLen, B, 1, batch.lengths);
    const { loss, grad } = mseOf(last, batch.target);
    let ok = 0;
    for (let b = 0; b < B; b++) if (Math.abs(last.data[b] - batch.target.data[b]) < ADDING_TOLERANCE) ok++;
    return { loss, metric: ok / B, metricName: this.metricName, grad: expand(grad) };
  }
}

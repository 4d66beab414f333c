/**
 * The copy memory problem in the form of Arjovsky, Shah & Bengio 2016 ("Unitary evolution recurrent
 * neural networks", §4.1), after Hochreiter & Schmidhuber 1997:
 *
 * - alphabet: 0 blank, 1..8 data symbols, 9 delimiter; inputs are one-hot over these 10 classes;
 * - input sequence (length T + 20): 10 symbols drawn uniformly from 1..8, then T − 1 blanks, the
 *   delimiter (0-based step T + 9, i.e. the (T + 10)-th step), then 10 blanks;
 * - target sequence: blank for the first T + 10 steps, then the 10 input symbols in order;
 * - outputs: logits over the 9 classes a target can take (0 blank, 1..8), scored with cross-entropy at
 *   every step and averaged over all T + 20 steps and the batch.
 *
 * Baseline (the memoryless strategy): predict blank with certainty for T + 10 steps, then uniform over
 * the 8 symbols for the last 10: 10 · ln 8 / (T + 20). Solved: loss below 1% of the baseline (the
 * copied symbols right almost always). The metric is the accuracy on the 10 copied symbols.
 */
import { crossEntropyLoss } from '../layers/loss.js';
import { Rng } from '../tensor/random.js';
import { Tensor, allocate, type DType } from '../tensor/tensor.js';
import { checkShape, checkTensor } from '../tensor/check.js';
import {
  argmaxRow, checkBatchArgs, checkBatchX, checkDTypeOption, checkSeqLenOption, setOneHot,
  type Task, type TaskBatch, type TaskEvaluation, type TaskOptionsBase, type TaskSpec,
} from './task.js';

export const COPY_BLANK = 0;
export const COPY_DELIMITER = 9;
/** Data symbols are 1..COPY_SYMBOLS. */
export const COPY_SYMBOLS = 8;
/** Symbols to copy. */
export const COPY_LENGTH = 10;

export interface CopyMemoryOptions extends TaskOptionsBase {
  /** The delay T (default 100; at least 1): sequences are T + 20 steps long. */
  delay?: number;
}

export interface CopyMemoryBatch extends TaskBatch {
  /** [T + 20, B, 10] one-hot. */
  x: Tensor;
  /** (T + 20) · B class indices, step t of sequence b at t · B + b. */
  target: Int32Array;
}

export class CopyMemoryTask implements Task<CopyMemoryBatch> {
  readonly name = 'copy-memory';
  readonly delay: number;
  readonly seqLen: number;
  readonly inputSize = COPY_SYMBOLS + 2;
  readonly outputSize = COPY_SYMBOLS + 1;
  readonly loss = 'cross-entropy' as const;
  readonly lossAt = 'all' as const;
  readonly dtype: DType;
  readonly solvedBelow: number;
  readonly metricName = 'accuracy on the copied symbols';

  constructor(opts: CopyMemoryOptions = {}) {
    this.delay = checkSeqLenOption('delay', opts.delay, 100, 1, 'T − 1 blanks sit between the symbols and the delimiter');
    this.seqLen = this.delay + 2 * COPY_LENGTH;
    this.dtype = checkDTypeOption(opts.dtype);
    this.solvedBelow = 0.01 * this.baseline();
  }

  /** 0-based step of the delimiter: T + 9. */
  get delimiterStep(): number {
    return this.delay + COPY_LENGTH - 1;
  }

  batch(rng: Rng, batchSize: number): CopyMemoryBatch {
    const B = checkBatchArgs(rng, batchSize);
    const L = this.seqLen, D = this.inputSize, delim = this.delimiterStep;
    const x = allocate(this.dtype, L * B * D);
    const target = new Int32Array(L * B); // blank = 0 everywhere to start
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < COPY_LENGTH; t++) {
        const s = 1 + rng.int(COPY_SYMBOLS);
        setOneHot(x, t, b, B, D, s);
        target[(L - COPY_LENGTH + t) * B + b] = s;
      }
      for (let t = COPY_LENGTH; t < L; t++) setOneHot(x, t, b, B, D, t === delim ? COPY_DELIMITER : COPY_BLANK);
    }
    return { x: new Tensor(x, [L, B, D]), target };
  }

  /** 10 · ln 8 / (T + 20). */
  spec(): TaskSpec {
    return { kind: 'copy', delay: this.delay, dtype: this.dtype };
  }

  baseline(): number {
    return (COPY_LENGTH * Math.log(COPY_SYMBOLS)) / this.seqLen;
  }

  evaluate(output: Tensor, batch: CopyMemoryBatch): TaskEvaluation {
    const B = checkBatchX(this, batch);
    checkTensor('output', output);
    checkShape('output', output, [this.seqLen, B, this.outputSize], '[T + 20, B, 9] logits');
    const { loss, grad } = crossEntropyLoss(output, batch.target);
    const C = this.outputSize, L = this.seqLen;
    let ok = 0;
    for (let t = L - COPY_LENGTH; t < L; t++) {
      for (let b = 0; b < B; b++) if (argmaxRow(output.data, t * B + b, C) === batch.target[t * B + b]) ok++;
    }
    return { loss, metric: ok / (COPY_LENGTH * B), metricName: this.metricName, grad };
  }
}

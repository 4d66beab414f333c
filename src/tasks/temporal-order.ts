/**
 * The temporal order problem (Hochreiter & Schmidhuber 1997, experiment 6a), with the length-relative
 * ranges used by Martens & Sutskever 2011 and Pascanu, Mikolov & Bengio 2013:
 *
 * - alphabet (one-hot, 8 classes): a b c d (distractors, 0..3), X Y (relevant, 4..5), B E (start and
 *   end markers, 6..7);
 * - a sequence of length T: B at step 0, E at step T − 1, distractors drawn uniformly from a..d
 *   elsewhere except two relevant symbols, each X or Y with probability 1/2: the first at a uniform
 *   step in [max(1, ⌊0.1T⌋), ⌊0.2T⌋], the second at a uniform step in [⌊0.5T⌋, ⌊0.6T⌋] (0-based,
 *   inclusive);
 * - target (read at the last step): the order, 4 classes XX = 0, XY = 1, YX = 2, YY = 3.
 *
 * Baseline: uniform logits, cross-entropy ln 4 ≈ 1.386 (the 4 classes are equally likely and the
 * distractors carry no information). Solved: cross-entropy below 0.01 (H&S count a sequence right
 * when the right output is the largest; the metric here is that accuracy).
 */
import { crossEntropyLoss } from '../layers/loss.js';
import { Rng } from '../tensor/random.js';
import { Tensor, allocate, type DType } from '../tensor/tensor.js';
import {
  argmaxRow, checkBatchArgs, checkBatchX, checkDTypeOption, checkSeqLenOption, lastStep, setOneHot,
  type Task, type TaskBatch, type TaskEvaluation, type TaskOptionsBase, type TaskSpec,
} from './task.js';

/** Input classes, in one-hot order. */
export const TEMPORAL_ORDER_ALPHABET = ['a', 'b', 'c', 'd', 'X', 'Y', 'B', 'E'] as const;
export const TEMPORAL_ORDER_CLASSES = ['XX', 'XY', 'YX', 'YY'] as const;
const X = 4, Y = 5, START = 6, END = 7, DISTRACTORS = 4;

export interface TemporalOrderOptions extends TaskOptionsBase {
  /** Steps per sequence T (default 100; at least 10, so that the two ranges are apart and inside). */
  seqLen?: number;
}

export interface TemporalOrderBatch extends TaskBatch {
  /** [T, B, 8] one-hot. */
  x: Tensor;
  /** B class indices (XX 0, XY 1, YX 2, YY 3). */
  target: Int32Array;
  /** [B, 2]: the steps of the two relevant symbols. */
  positions: Int32Array;
}

export class TemporalOrderTask implements Task<TemporalOrderBatch> {
  readonly name = 'temporal-order';
  readonly seqLen: number;
  readonly inputSize = TEMPORAL_ORDER_ALPHABET.length;
  readonly outputSize = TEMPORAL_ORDER_CLASSES.length;
  readonly loss = 'cross-entropy' as const;
  readonly lossAt = 'last' as const;
  readonly dtype: DType;
  readonly solvedBelow = 0.01;
  readonly metricName = 'accuracy';
  /** Inclusive 0-based ranges of the first and second relevant symbol. */
  readonly firstRange: readonly [number, number];
  readonly secondRange: readonly [number, number];

  constructor(opts: TemporalOrderOptions = {}) {
    const T = checkSeqLenOption('seqLen', opts.seqLen, 100, 10, 'the ranges [0.1T, 0.2T] and [0.5T, 0.6T] must hold whole steps between the markers');
    this.seqLen = T;
    this.dtype = checkDTypeOption(opts.dtype);
    this.firstRange = [Math.max(1, Math.floor(0.1 * T)), Math.floor(0.2 * T)];
    this.secondRange = [Math.floor(0.5 * T), Math.floor(0.6 * T)];
  }

  batch(rng: Rng, batchSize: number): TemporalOrderBatch {
    const B = checkBatchArgs(rng, batchSize);
    const T = this.seqLen, D = this.inputSize;
    const x = allocate(this.dtype, T * B * D);
    const target = new Int32Array(B), positions = new Int32Array(2 * B);
    const [a1, b1] = this.firstRange, [a2, b2] = this.secondRange;
    for (let b = 0; b < B; b++) {
      const p1 = a1 + rng.int(b1 - a1 + 1), p2 = a2 + rng.int(b2 - a2 + 1);
      const s1 = rng.int(2), s2 = rng.int(2);
      for (let t = 0; t < T; t++) {
        const k = t === 0 ? START : t === T - 1 ? END : t === p1 ? (s1 ? Y : X) : t === p2 ? (s2 ? Y : X) : rng.int(DISTRACTORS);
        setOneHot(x, t, b, B, D, k);
      }
      target[b] = 2 * s1 + s2;
      positions[2 * b] = p1;
      positions[2 * b + 1] = p2;
    }
    return { x: new Tensor(x, [T, B, D]), target, positions };
  }

  /** ln 4. */
  spec(): TaskSpec {
    return { kind: 'temporal-order', seqLen: this.seqLen, dtype: this.dtype };
  }

  baseline(): number {
    return Math.log(this.outputSize);
  }

  evaluate(output: Tensor, batch: TemporalOrderBatch): TaskEvaluation {
    const B = checkBatchX(this, batch);
    const { last, expand } = lastStep(output, this.seqLen, B, this.outputSize);
    const { loss, grad } = crossEntropyLoss(last, batch.target);
    let ok = 0;
    for (let b = 0; b < B; b++) if (argmaxRow(last.data, b, this.outputSize) === batch.target[b]) ok++;
    return { loss, metric: ok / B, metricName: this.metricName, grad: expand(grad) };
  }
}

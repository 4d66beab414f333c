/**
 * The shape every synthetic long-range-memory task shares (adding problem, copy memory, temporal
 * order): a seeded batch generator, the loss a model's output is scored with, the loss of the trivial
 * (memoryless) predictor worked out analytically, and the loss below which the task counts as solved.
 *
 * Conventions, the same for every task:
 * - inputs are time-major `x: [T, B, inputSize]`, as every recurrent layer in rnnlab takes them;
 * - a model's output handed to `evaluate` is `[T, B, outputSize]` (all steps) or, for tasks scored at
 *   the last step only, also `[B, outputSize]` (the last step already taken);
 * - cross-entropy targets are integer class indices in an Int32Array whose element r is row r of the
 *   logits seen as [rows, C]: for `lossAt: 'all'` that is step t, sequence b at r = t·B + b, for
 *   `lossAt: 'last'` it is sequence b at r = b;
 * - regression targets are Tensors in the task's dtype, `[B, outputSize]` for `lossAt: 'last'`.
 *
 * See docs/tasks.md for each task's spec, encoding, baseline derivation and citation.
 */
import type { TaskSpec } from '../io/task-spec.js';
import { checkOneOf, checkPositiveInt, checkShape, checkTensor, fmtShape, describeValue } from '../tensor/check.js';
import { MAX_SEQUENCE_LENGTH, checkAtMost } from '../tensor/limits.js';
import { Rng } from '../tensor/random.js';
import { Tensor, allocate, type DType } from '../tensor/tensor.js';
import { mseLoss } from '../layers/loss.js';

export type TaskLoss = 'mse' | 'cross-entropy';
/** Where the loss is taken: the last step only, every step, or the steps a batch's mask marks. */
export type TaskLossAt = 'last' | 'all' | 'mask';

export interface TaskBatch {
  /** [T, B, inputSize] in the task's dtype. */
  x: Tensor;
  /** A Tensor for regression tasks, integer class indices for classification tasks (see the module doc). */
  target: Tensor | Int32Array;
  /** Only for `lossAt: 'mask'`: 1 at row t·B + b where the loss counts, 0 elsewhere (length T·B). */
  mask?: Uint8Array;
  /**
   * A padded batch: sequence b has lengths[b] steps (in [1, T]), the rest is padding. The trainer runs
   * the model with `{ lengths }` (PyTorch's packed sequences) and a task scored at the last step reads
   * each sequence's own last step.
   */
  lengths?: Int32Array;
}

export interface TaskEvaluation {
  /** The task's loss (mean, as `mseLoss` / `crossEntropyLoss`). */
  loss: number;
  /** The task's headline metric, e.g. accuracy; higher is better. */
  metric: number;
  metricName: string;
  /** dL/d(output), same shape and dtype as the output passed in (zero where the loss does not look). */
  grad: Tensor;
}

export interface Task<TBatch extends TaskBatch = TaskBatch> {
  readonly name: string;
  /** Steps per sequence (the T of `x`). */
  readonly seqLen: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly loss: TaskLoss;
  readonly lossAt: TaskLossAt;
  readonly dtype: DType;
  /** A batch of B sequences; the same Rng state always gives the same batch. */
  batch(rng: Rng, batchSize: number): TBatch;
  /** Expected loss of the trivial (memoryless) predictor, worked out analytically. */
  baseline(): number;
  /** The task counts as solved when the loss is below this. */
  readonly solvedBelow: number;
  /** Score a model's output on a batch. */
  evaluate(output: Tensor, batch: TBatch): TaskEvaluation;
  /** What `evaluate(...).metric` measures, in words (the same for every batch). */
  readonly metricName: string;
  /**
   * Batches for held-out evaluation. Tasks drawn from a fixed data set (a text, a time series) take them
   * from their held-out split; synthetic tasks leave this out, and fresh `batch()` draws are held out by
   * construction.
   */
  heldOutBatch?(rng: Rng, batchSize: number): TBatch;
  /** JSON from which `taskFromSpec` rebuilds the task (kept in checkpoints so `eval` and `sample` need no flags). */
  spec?(): TaskSpec;
}

export type { TaskSpec };

export interface TaskOptionsBase {
  /** Default 'float32'. */
  dtype?: DType;
}

export function checkDTypeOption(v: unknown): DType {
  return checkOneOf('dtype', v ?? 'float32', ['float32', 'float64'] as const);
}

export function checkBatchArgs(rng: unknown, batchSize: unknown): number {
  if (!(rng instanceof Rng)) {
    throw new TypeError(`rng: expected an Rng (new Rng(seed)), got ${rng === null ? 'null' : typeof rng}`);
  }
  return checkPositiveInt('batchSize', batchSize);
}

/** An integer option with a lower bound and a default. */
export function checkIntOption(name: string, v: unknown, dflt: number, min: number, why: string): number {
  const n = v ?? dflt;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
    throw new RangeError(`${name}: expected an integer >= ${min} (${why}), got ${describeValue(v)}`);
  }
  return n;
}

/**
 * A sequence length (or delay) option: an integer >= min, and at most MAX_SEQUENCE_LENGTH, so that a
 * typo cannot ask every batch for gigabytes.
 */
export function checkSeqLenOption(name: string, v: unknown, dflt: number, min: number, why: string): number {
  return checkAtMost(name, checkIntOption(name, v, dflt, min, why), MAX_SEQUENCE_LENGTH, 'the longest sequence rnnlab builds; each batch holds T steps of every sequence');
}

/** The batch size of a batch, checking x against the task. */
export function checkBatchX(task: Task<TaskBatch>, batch: TaskBatch): number {
  if (batch === null || typeof batch !== 'object') throw new TypeError(`batch: expected a batch from ${task.name}.batch(), got ${describeValue(batch)}`);
  checkTensor('batch.x', batch.x);
  checkShape('batch.x', batch.x, [task.seqLen, -1, task.inputSize], `[T, B, inputSize] of ${task.name}`);
  return batch.x.shape[1];
}

/**
 * The last step of an output for a task scored at the last step: `[T, B, C]` → `[B, C]` (a copy), or
 * `[B, C]` as given. With `lengths` (a padded batch) row b is taken at its own last step lengths[b] − 1.
 * `expand` puts a gradient for the last steps back into the output's shape.
 */
export function lastStep(output: Tensor, T: number, B: number, C: number, lengths?: Int32Array): { last: Tensor; expand: (g: Tensor) => Tensor } {
  checkTensor('output', output);
  if (output.shape.length === 2) {
    if (lengths) throw new RangeError('output: a padded batch (lengths) needs the output at every step, [T, B, outputSize]');
    checkShape('output', output, [B, C], '[B, outputSize] or [T, B, outputSize]');
    return { last: output, expand: (g) => g };
  }
  if (output.shape.length !== 3 || output.shape[0] !== T || output.shape[1] !== B || output.shape[2] !== C) {
    throw new RangeError(`output: expected shape [${B}, ${C}] or [${T}, ${B}, ${C}] ([B, outputSize] or [T, B, outputSize]), got ${fmtShape(output.shape)}`);
  }
  if (lengths && lengths.length !== B) throw new RangeError(`batch.lengths: expected ${B} lengths, got ${lengths.length}`);
  // Row b's offset in the output: (t_b · B + b) · C with t_b its last step.
  const at = (b: number): number => (((lengths ? lengths[b] : T) - 1) * B + b) * C;
  const last = allocate(output.dtype, B * C);
  for (let b = 0; b < B; b++) last.set(output.data.subarray(at(b), at(b) + C), b * C);
  return {
    last: new Tensor(last, [B, C]),
    expand: (g) => {
      const full = allocate(output.dtype, output.size);
      for (let b = 0; b < B; b++) full.set(g.data.subarray(b * C, (b + 1) * C), at(b));
      return new Tensor(full, output.shape);
    },
  };
}

/** MSE between a prediction and a target, converting the target to the prediction's dtype. */
export function mseOf(pred: Tensor, target: Tensor): { loss: number; grad: Tensor } {
  return mseLoss(pred, target.dtype === pred.dtype ? target : target.to(pred.dtype));
}

/** argmax over the last dimension of row r of a [rows, C] view. */
export function argmaxRow(data: ArrayLike<number>, r: number, C: number): number {
  let best = 0, bv = -Infinity;
  for (let c = 0; c < C; c++) {
    if (data[r * C + c] > bv) { bv = data[r * C + c]; best = c; }
  }
  return best;
}

/** Write one-hot rows into a [T, B, D] buffer: class k at step t of sequence b. */
export function setOneHot(buf: { [i: number]: number }, t: number, b: number, B: number, D: number, k: number): void {
  buf[(t * B + b) * D + k] = 1;
}

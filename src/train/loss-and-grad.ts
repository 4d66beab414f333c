/**
 * One batch's loss and gradient, and a held-out evaluation: the arithmetic of a training step that the
 * trainer core (core.ts) wraps with its optimizer, clipping and bookkeeping.
 *
 * Truncated BPTT with {window, stride}: the sequence is split at ends e = stride, 2·stride, …, T; the
 *   chunk ending at e runs over steps [max(0, e − window), e) from the (detached) state reached there and
 *   back-propagates the loss gradient of its own steps [e − stride, e) — each step's gradient (the slice
 *   of the task's evaluate() gradient) enters exactly once (Williams & Peng's BPTT(window, stride); with
 *   stride = window, the default, the chunks are disjoint). The loss is the task's loss on the whole
 *   sequence's output, which a chunked forward pass computes exactly.
 */
import type { ForwardOptions, RecurrentState } from '../layers/recurrent.js';
import { allFinite } from '../tensor/check.js';
import { Tensor, allocate } from '../tensor/tensor.js';
import type { Task, TaskBatch } from '../tasks/task.js';
import type { Model } from './options.js';

/** Mean held-out loss and metric. */
export interface Evaluation {
  loss: number;
  metric: number;
  metricName: string;
}

/** Time steps [s, e) of a time-major [T, B, D] tensor. */
function sliceTime(x: Tensor, s: number, e: number): Tensor {
  const [, B, D] = x.shape;
  return new Tensor(x.data.slice(s * B * D, e * B * D), [e - s, B, D]);
}

function allZero(d: ArrayLike<number>): boolean {
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) return false;
  return true;
}

export function gradNormOf(model: Model): number {
  let s = 0;
  for (const { grad } of model.parameters()) {
    const d = grad.data;
    for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  }
  return Math.sqrt(s);
}

/** A padded batch runs as PyTorch's packed sequences. */
function forwardOptions(b: TaskBatch): ForwardOptions {
  return b.lengths ? { lengths: b.lengths } : {};
}

/** A step whose forward pass already produced a non-finite output (the task's loss would refuse it). */
const NOT_FINITE = { loss: Number.NaN, metric: Number.NaN, metricName: '', ok: false } as const;

/**
 * Forward, loss and backward of one batch: the parameter gradients are added into the model only when
 * the output, the loss and the output gradient are all finite (`ok`).
 */
export function lossAndGrad(
  model: Model, task: Task, batch: TaskBatch, window: number | null, stride: number,
): { loss: number; metric: number; metricName: string; ok: boolean } {
  const T = batch.x.shape[0];
  if (batch.lengths && window !== null && T > window) {
    throw new RangeError('options.tbptt: truncated BPTT is not for padded batches (the task gives lengths); train padded batches with full BPTT');
  }
  if (window === null || T <= window) {
    const { output } = model.forward(batch.x, {}, forwardOptions(batch));
    if (!allFinite(output.data)) return NOT_FINITE;
    const ev = task.evaluate(output, batch);
    const ok = Number.isFinite(ev.loss) && allFinite(ev.grad.data);
    if (ok) model.backward(ev.grad);
    return { loss: ev.loss, metric: ev.metric, metricName: ev.metricName, ok };
  }
  // Chunk ends stride, 2·stride, ..., T; chunk j runs [max(0, e − window), e) and owns [e_prev, e).
  const ends: number[] = [];
  for (let e = stride; e < T; e += stride) ends.push(e);
  ends.push(T);
  const starts = ends.map((e) => Math.max(0, e - window));
  const cuts = [...new Set([0, ...starts, ...ends])].sort((a, b) => a - b);
  // Pass 1: forward over the whole sequence (segment by segment), keeping the state at every cut.
  const states = new Map<number, RecurrentState>([[0, {}]]);
  const pieces: Tensor[] = [];
  let state: RecurrentState = {};
  for (let i = 0; i + 1 < cuts.length; i++) {
    const out = model.forward(sliceTime(batch.x, cuts[i], cuts[i + 1]), state);
    pieces.push(out.output);
    state = out.c ? { h: out.h, c: out.c } : { h: out.h };
    states.set(cuts[i + 1], state);
  }
  const B = batch.x.shape[1], O = model.outputSize!;
  const full = allocate(model.dtype, T * B * O);
  let off = 0;
  for (const p of pieces) { full.set(p.data, off); off += p.data.length; }
  if (!allFinite(full)) return NOT_FINITE;
  const ev = task.evaluate(new Tensor(full, [T, B, O]), batch);
  const ok = Number.isFinite(ev.loss) && allFinite(ev.grad.data);
  if (ok) {
    // Pass 2: each chunk again from its detached start state, back-propagating its own steps' gradient.
    let prevEnd = 0;
    ends.forEach((e, j) => {
      const s = starts[j];
      const g = allocate(model.dtype, (e - s) * B * O);
      g.set(ev.grad.data.subarray(prevEnd * B * O, e * B * O), (prevEnd - s) * B * O);
      prevEnd = e;
      if (allZero(g)) return; // nothing to back-propagate (e.g. lossAt 'last' before the last chunk)
      model.forward(sliceTime(batch.x, s, e), states.get(s)!);
      model.backward(new Tensor(g, [e - s, B, O]));
    });
  }
  return { loss: ev.loss, metric: ev.metric, metricName: ev.metricName, ok };
}

/**
 * Mean loss and metric over held-out batches (forward only, in evaluation mode). A non-finite output (diverged weights)
 * scores NaN rather than throwing, as the task's loss would.
 */
export function evaluateOn(model: Model, task: Task, batches: TaskBatch[]): Evaluation {
  // Evaluation mode (no dropout) for the held-out pass, then back to whatever mode the model was in.
  const training = model.training;
  model.eval();
  try {
    let loss = 0, metric = 0, metricName = '';
    for (const b of batches) {
      const { output } = model.forward(b.x, {}, forwardOptions(b));
      if (!allFinite(output.data)) return { loss: Number.NaN, metric: Number.NaN, metricName: task.metricName };
      const ev = task.evaluate(output, b);
      loss += ev.loss;
      metric += ev.metric;
      metricName = ev.metricName;
    }
    return { loss: loss / batches.length, metric: metric / batches.length, metricName };
  } finally {
    model.train(training);
  }
}

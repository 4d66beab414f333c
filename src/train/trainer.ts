/**
 * A training loop for any Recurrent model (RNN, LSTM, GRU built with a head of the task's output size)
 * on any `Task`: seeded batches, an rnnlab optimizer with optional lr schedule and gradient clipping,
 * optional truncated BPTT, held-out evaluation, early stopping, a JSONL log, checkpoints and exact
 * resume, and a guard that keeps divergence away from the weights.
 *
 * Conventions:
 * - `steps` is the total number of training steps, counted from the start of the run (a resumed run
 *   starting from a step-N checkpoint with `steps: 2N` runs N more). Every step draws one batch from the
 *   data Rng (seeded by `seed`), whether or not the update is then applied.
 * - The lr of each update is `scale · schedule(t)` (or `scale · lr` without a schedule), where t is the
 *   number of updates the optimizer has applied and `scale` starts at 1 and halves on each divergence
 *   recovery.
 * - Held-out batches (`evalBatches` of them, `batchSize` each) are drawn once, at the start, from a
 *   separate Rng seeded by `evalSeed` (default seed + 1000003), so evaluating never moves the data Rng.
 * - Truncated BPTT with {window, stride}: the sequence is split at ends e = stride, 2·stride, …, T; the
 *   chunk ending at e runs over steps [max(0, e − window), e) from the (detached) state reached there and
 *   back-propagates the loss gradient of its own steps [e − stride, e) — each step's gradient (the slice
 *   of the task's evaluate() gradient) enters exactly once (Williams & Peng's BPTT(window, stride); with
 *   stride = window, the default, the chunks are disjoint). The loss is the task's loss on the whole
 *   sequence's output, which a chunked forward pass computes exactly.
 * - Divergence: if the loss, the output gradient or the parameter-gradient norm is not finite, the update
 *   is skipped (gradients zeroed) and counted. After `maxBadSteps` skipped steps in a row the weights and
 *   optimizer state go back to the last in-memory snapshot (taken every `snapshotEvery` good steps and at
 *   every checkpoint written outside a streak of skipped steps), the
 *   lr scale halves, and a warning is added to the summary.
 * - Held-out batches come from `task.heldOutBatch` when the task has one (a fixed data set's held-out
 *   split), else from `task.batch`. With `stopWhenSolved`, training stops at the first evaluation whose
 *   loss is below `task.solvedBelow`, and the summary's `solvedAt` is that step.
 * - Checkpoints carry the model, optimizer state, the data Rng state and the step, plus the trainer's own
 *   bookkeeping in `metrics` under `trainer.*` keys (lr scale, skipped count, bad-step streak, early
 *   stopping state), so a resumed run continues exactly as the uninterrupted one would have.
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadCheckpoint, modelConfig, saveCheckpoint } from '../io/checkpoint.js';
import type { RecurrentState } from '../layers/recurrent.js';
import { clipGradNorm, clipGradValue } from '../optim/clip.js';
import type { OptimizerStateDict } from '../optim/optimizer.js';
import { LRSchedule } from '../optim/schedule.js';
import { Rng } from '../tensor/random.js';
import { Tensor, allocate } from '../tensor/tensor.js';
import type { Task, TaskBatch } from '../tasks/task.js';
import { makeOptimizer, resolveOptions, type Model, type TrainOptions, type TrainStepInfo, type TrainSummary } from './options.js';

export { makeOptimizer, type OptimizerKind, type OptimizerSpec, type TrainOptions, type TrainStepInfo, type TrainSummary } from './options.js';
/** Time steps [s, e) of a time-major [T, B, D] tensor. */
function sliceTime(x: Tensor, s: number, e: number): Tensor {
  const [, B, D] = x.shape;
  return new Tensor(x.data.slice(s * B * D, e * B * D), [e - s, B, D]);
}

function allFinite(d: ArrayLike<number>): boolean {
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return false;
  return true;
}

function allZero(d: ArrayLike<number>): boolean {
  for (let i = 0; i < d.length; i++) if (d[i] !== 0) return false;
  return true;
}

function gradNormOf(model: Model): number {
  let s = 0;
  for (const { grad } of model.parameters()) {
    const d = grad.data;
    for (let i = 0; i < d.length; i++) s += d[i] * d[i];
  }
  return Math.sqrt(s);
}

/** A step whose forward pass already produced a non-finite output (the task's loss would refuse it). */
const NOT_FINITE = { loss: Number.NaN, metric: Number.NaN, metricName: '', ok: false } as const;

/**
 * Forward, loss and backward of one batch: the parameter gradients are added into the model only when
 * the output, the loss and the output gradient are all finite (`ok`).
 */
function lossAndGrad(
  model: Model, task: Task, batch: TaskBatch, window: number | null, stride: number,
): { loss: number; metric: number; metricName: string; ok: boolean } {
  const T = batch.x.shape[0];
  if (window === null || T <= window) {
    const { output } = model.forward(batch.x);
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
 * Mean loss and metric over held-out batches (forward only). A non-finite output (diverged weights)
 * scores NaN rather than throwing, as the task's loss would.
 */
function evaluateOn(model: Model, task: Task, batches: TaskBatch[]): { loss: number; metric: number; metricName: string } {
  let loss = 0, metric = 0, metricName = '';
  for (const b of batches) {
    const { output } = model.forward(b.x);
    if (!allFinite(output.data)) {
      // The metric's name, from scoring a zero output of the same shape.
      const name = task.evaluate(new Tensor(allocate(output.dtype, output.size), output.shape), b).metricName;
      return { loss: Number.NaN, metric: Number.NaN, metricName: name };
    }
    const ev = task.evaluate(output, b);
    loss += ev.loss;
    metric += ev.metric;
    metricName = ev.metricName;
  }
  return { loss: loss / batches.length, metric: metric / batches.length, metricName };
}

interface Snapshot {
  weights: Record<string, Tensor>;
  optimizer: OptimizerStateDict;
}

/** Trains `model` in place on `task`; see the module doc for every convention. */
export function train(model: Model, task: Task, options: TrainOptions): TrainSummary {
  const t0 = performance.now();
  const r = resolveOptions(model, task, options);
  if (options.logJsonl !== undefined) mkdirSync(dirname(options.logJsonl), { recursive: true });
  const opt = makeOptimizer(model, options.optimizer);
  const baseLr = opt.lr;
  const schedule = options.schedule === undefined ? null : new LRSchedule({ lr: baseLr }, options.schedule);
  const rng = new Rng(r.seed);
  const evalRng = new Rng(r.evalSeed);
  const evalSet: TaskBatch[] = [];
  const heldOut = task.heldOutBatch?.bind(task) ?? task.batch.bind(task);
  for (let i = 0; i < r.evalBatches; i++) evalSet.push(heldOut(evalRng, r.batchSize));

  let step = 0, lrScale = 1, skipped = 0, badStreak = 0, bestEval = Infinity, sinceBest = 0;
  if (options.resume !== undefined) {
    const ck = loadCheckpoint(options.resume);
    const want = JSON.stringify(modelConfig(model)), got = JSON.stringify(ck.config);
    if (want !== got) throw new RangeError(`options.resume: the checkpoint's model ${got} does not match the model given ${want}`);
    if (ck.optimizerState === null) throw new RangeError(`options.resume: ${ck.path} holds no optimizer state`);
    if (ck.rngState === null) throw new RangeError(`options.resume: ${ck.path} holds no data Rng state`);
    model.loadStateDict(ck.model.stateDict());
    try {
      opt.loadStateDict(ck.optimizerState);
    } catch (e) {
      throw new RangeError(`options.resume: the checkpoint's optimizer state does not fit options.optimizer (${(e as Error).message})`);
    }
    rng.setState(ck.rngState);
    step = ck.step;
    const m = ck.metrics;
    lrScale = m['trainer.lrScale'] ?? 1;
    skipped = m['trainer.skipped'] ?? 0;
    badStreak = m['trainer.badStreak'] ?? 0;
    bestEval = m['trainer.bestEval'] ?? Infinity;
    sinceBest = m['trainer.sinceBest'] ?? 0;
  }
  const resumedAt = options.resume !== undefined ? step : -1;

  const snapshot = (): Snapshot => ({ weights: model.stateDict(), optimizer: opt.stateDict() });
  let good = snapshot(), goodSince = 0;
  const lrNow = (): number => lrScale * (schedule ? schedule.lrAt(opt.stepCount) : baseLr);

  const history: TrainStepInfo[] = [];
  const warnings: string[] = [];
  let solvedAt: number | undefined;
  let stoppedEarly = false, lastCheckpoint: string | undefined;
  let lastSaved = resumedAt; // a resume that runs no step has nothing new to save
  const save = (): void => {
    const c = options.checkpoint!;
    const ev = evaluateOn(model, task, evalSet);
    const metrics: Record<string, number> = {
      evalLoss: ev.loss, evalMetric: ev.metric,
      'trainer.lrScale': lrScale, 'trainer.skipped': skipped, 'trainer.badStreak': badStreak, 'trainer.sinceBest': sinceBest,
    };
    if (Number.isFinite(bestEval)) metrics['trainer.bestEval'] = bestEval;
    if (!Number.isFinite(ev.loss)) { delete metrics.evalLoss; delete metrics.evalMetric; }
    lastCheckpoint = saveCheckpoint(c.dir, { model, optimizer: opt, rng, step, metrics, task: task.spec?.() }, {
      keepLast: c.keepLast, best: 'evalLoss' in metrics ? { metric: 'evalLoss', mode: 'min' } : undefined,
    });
    lastSaved = step;
    // A resumed run starts its in-memory snapshot from the checkpoint, so the uninterrupted run takes one
    // here too: both then restore the same state if a divergence follows. Not in a streak of skipped
    // steps, whose weights may be the cause.
    if (badStreak === 0) { good = snapshot(); goodSince = 0; }
  };

  while (step < r.steps) {
    step++;
    const batch = task.batch(rng, r.batchSize);
    opt.zeroGrad();
    const lr = lrNow();
    const res = lossAndGrad(model, task, batch, r.window, r.stride);
    const gradNorm = res.ok ? gradNormOf(model) : Number.NaN;
    const info: TrainStepInfo = { step, loss: res.loss, metric: res.metric, gradNorm, lr, skipped: false };
    if (res.ok && Number.isFinite(gradNorm)) {
      if (r.clipValue !== null) clipGradValue(model, r.clipValue);
      if (r.clipNorm !== null) clipGradNorm(model, r.clipNorm);
      opt.lr = lr;
      opt.step();
      badStreak = 0;
      if (++goodSince >= r.snapshotEvery) { good = snapshot(); goodSince = 0; }
    } else {
      opt.zeroGrad();
      info.skipped = true;
      skipped++;
      badStreak++;
      if (badStreak >= r.maxBadSteps) {
        model.loadStateDict(good.weights);
        opt.loadStateDict(good.optimizer);
        lrScale *= 0.5;
        badStreak = 0;
        goodSince = 0;
        info.warning = `step ${step}: ${r.maxBadSteps} non-finite steps in a row; restored the last good weights and optimizer state and halved the lr (scale now ${lrScale})`;
        warnings.push(info.warning);
      }
    }
    if (r.evalEvery !== null && step % r.evalEvery === 0) {
      const ev = evaluateOn(model, task, evalSet);
      info.evalLoss = ev.loss;
      info.evalMetric = ev.metric;

      if (r.stopWhenSolved && ev.loss < task.solvedBelow) {
        solvedAt ??= step;
        stoppedEarly = true;
      }
      if (r.patience !== null) {
        if (ev.loss < bestEval - r.minDelta) { bestEval = ev.loss; sinceBest = 0; } else sinceBest++;
        if (sinceBest >= r.patience) stoppedEarly = true;
      }
    }
    history.push(info);
    if (options.logJsonl !== undefined) appendFileSync(options.logJsonl, `${JSON.stringify(info)}\n`);
    options.onStep?.(info);
    if (options.checkpoint !== undefined && step % options.checkpoint.every === 0) save();
    if (stoppedEarly) break;
  }
  if (options.checkpoint !== undefined && lastSaved !== step) save();

  const final = evaluateOn(model, task, evalSet);
  return {
    steps: step,
    seconds: (performance.now() - t0) / 1000,
    final,
    baseline: task.baseline(),
    solved: final.loss < task.solvedBelow,
    skippedSteps: skipped,
    stoppedEarly,
    solvedAt,
    warnings,
    lrScale,
    history,
    lastCheckpoint,
  };
}

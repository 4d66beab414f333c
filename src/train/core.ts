/**
 * The trainer core: one training run, a step at a time, with no files, threads or timers, so the
 * command line (through `train()`, src/train/trainer.ts) and the browser lab (web/src/train-session.ts)
 * run the same steps. Build a `Trainer`, call `step()` until `done`, take a `checkpoint()` whenever one
 * is wanted, and `resume()` one to continue exactly.
 *
 * Conventions:
 * - `steps` is the total number of training steps, counted from the start of the run (a resumed run
 *   starting from a step-N checkpoint with `steps: 2N` runs N more). Every step draws one batch from the
 *   data Rng (seeded by `seed`), whether or not the update is then applied.
 * - The lr of each update is `scale · schedule(t)` (or `scale · lr` without a schedule), where t is the
 *   number of updates the optimizer has applied and `scale` starts at 1 and halves on each divergence
 *   recovery.
 * - Held-out batches (`evalBatches` of them, `batchSize` each) are drawn once, at the start, from a
 *   separate Rng seeded by `evalSeed` (default seed + EVAL_SEED_OFFSET), so evaluating never moves the
 *   data Rng. They come from `task.heldOutBatch` when the task has one (a fixed data set's held-out
 *   split), else from `task.batch`.
 * - Truncated BPTT with {window, stride}: see loss-and-grad.ts.
 * - Divergence: if the loss, the output gradient or the parameter-gradient norm is not finite, the update
 *   is skipped (gradients zeroed) and counted. After `maxBadSteps` skipped steps in a row the weights and
 *   optimizer state go back to the last in-memory snapshot (taken every `snapshotEvery` good steps and at
 *   every checkpoint taken outside a streak of skipped steps), the lr scale halves, and a warning is
 *   added to the summary. An update that leaves a weight non-finite (an lr far too large) is undone the
 *   same way at once: its step counts as skipped and the lr scale halves. So a run never dies of numbers,
 *   and a checkpoint never holds a non-finite weight; a non-finite held-out metric is left out of it.
 * - With `stopWhenSolved`, training stops once `solvedChecks` evaluations in a row (default 1) have a
 *   loss below `task.solvedBelow`, and the summary's `solvedAt` is the step of the last of them. More
 *   than one check keeps a lucky dip of a noisy held-out loss from ending a run; with `earlyStopping`, when the eval
 *   loss has not improved for `patience` evaluations.
 * - A checkpoint carries the model, optimizer state, the data Rng state and the step, plus the trainer's
 *   own bookkeeping in `metrics` under TRAINER_METRICS keys (lr scale, skipped count, bad-step streak,
 *   early-stopping state), so a resumed run continues exactly as the uninterrupted one would have.
 */
import { modelConfig } from '../io/checkpoint-codec.js';
import type { CheckpointContents, LoadedCheckpoint } from '../io/checkpoint-format.js';
import { clipGradNorm, clipGradValue } from '../optim/clip.js';
import { makeOptimizer } from '../optim/factory.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import { LRSchedule } from '../optim/schedule.js';
import { Rng } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Task, TaskBatch } from '../tasks/task.js';
import { allFinite } from '../tensor/check.js';
import { evaluateOn, gradNormOf, lossAndGrad, type Evaluation } from './loss-and-grad.js';
import {
  TRAINER_METRICS, TRAINER_OPTION_KEYS, resolveOptions, type Model, type Resolved, type TrainerOptions, type TrainStepInfo, type TrainSummary,
} from './options.js';

/** Where a run stands, as JSON-able data: with the model's weights, all it takes to continue exactly. */
export interface TrainerState {
  step: number;
  optimizer: OptimizerStateDict;
  /** The data Rng's state (Rng.getState()). */
  rng: number[];
  lrScale: number;
  skipped: number;
  badStreak: number;
  /** Early stopping: the best held-out loss so far (null before the first evaluation). */
  bestEval: number | null;
  sinceBest: number;
  /** stopWhenSolved: evaluations in a row below task.solvedBelow so far (absent in older states: 0). */
  solvedStreak?: number;
}

/** The weights and optimizer state to go back to after a divergence. */
export interface TrainerSnapshot {
  weights: Record<string, Tensor>;
  optimizer: OptimizerStateDict;
}

/** The summary keeps this many warnings (each step's own is in its TrainStepInfo). */
const MAX_WARNINGS = 100;

function weightsFinite(model: Model): boolean {
  return model.parameters().every(({ param }) => allFinite(param.data));
}

export class Trainer {
  readonly model: Model;
  readonly task: Task;
  readonly optimizer: Optimizer<{ lr: number }>;
  /** The data Rng: one batch per step. */
  readonly rng: Rng;
  /** Every step this trainer ran, in order. */
  readonly history: TrainStepInfo[] = [];
  /** Divergence recoveries, in words. */
  readonly warnings: string[] = [];
  private readonly o: Resolved;
  private readonly onStep: ((info: TrainStepInfo) => void) | undefined;
  private readonly baseLr: number;
  private readonly schedule: LRSchedule | null;
  private readonly evalSet: TaskBatch[];
  private count = 0;
  private lrScale = 1;
  private skipped = 0;
  private badStreak = 0;
  private bestEval = Infinity;
  private sinceBest = 0;
  private good: TrainerSnapshot;
  private goodSince = 0;
  private solvedAt: number | undefined;
  private solvedStreak = 0;
  private stoppedEarly = false;
  private stopped = false;

  constructor(model: Model, task: Task, options: TrainerOptions) {
    this.o = resolveOptions(model, task, options, TRAINER_OPTION_KEYS);
    this.model = model;
    this.task = task;
    this.onStep = options.onStep;
    this.optimizer = makeOptimizer(model, options.optimizer);
    this.baseLr = this.optimizer.lr;
    this.schedule = options.schedule === undefined ? null : new LRSchedule({ lr: this.baseLr }, options.schedule);
    this.rng = new Rng(this.o.seed);
    const evalRng = new Rng(this.o.evalSeed);
    const heldOut = task.heldOutBatch?.bind(task) ?? task.batch.bind(task);
    this.evalSet = Array.from({ length: this.o.evalBatches }, () => heldOut(evalRng, this.o.batchSize));
    this.good = this.snapshot();
  }

  /** Steps run so far, counted from the start of the run (a resumed run starts at its checkpoint's). */
  get currentStep(): number {
    return this.count;
  }

  /** True once the run has its steps, stopped early, or was stopped. */
  get done(): boolean {
    return this.count >= this.o.steps || this.stoppedEarly || this.stopped;
  }

  /** True when stop() ended the run. */
  get interrupted(): boolean {
    return this.stopped && this.count < this.o.steps && !this.stoppedEarly;
  }

  /** Ends the run after the current step: `done` becomes true. */
  stop(): void {
    this.stopped = true;
  }

  /** The lr the next update uses. */
  lr(): number {
    return this.lrScale * (this.schedule ? this.schedule.lrAt(this.optimizer.stepCount) : this.baseLr);
  }

  /** One training step, with the held-out evaluation when one is due (the module doc says how). */
  step(): TrainStepInfo {
    if (this.done) throw new RangeError(`step: the run is done (step ${this.count} of ${this.o.steps}${this.stoppedEarly ? ', stopped early' : this.stopped ? ', stopped' : ''})`);
    const { model, task, optimizer: opt, o } = this;
    const step = ++this.count;
    const batch = task.batch(this.rng, o.batchSize);
    opt.zeroGrad();
    const lr = this.lr();
    const res = lossAndGrad(model, task, batch, o.window, o.stride);
    const gradNorm = res.ok ? gradNormOf(model) : Number.NaN;
    const info: TrainStepInfo = { step, loss: res.loss, metric: res.metric, gradNorm, lr, skipped: false };
    if (res.ok && Number.isFinite(gradNorm)) {
      if (o.clipValue !== null) clipGradValue(model, o.clipValue);
      if (o.clipNorm !== null) clipGradNorm(model, o.clipNorm);
      opt.lr = lr;
      opt.step();
      if (weightsFinite(model)) {
        this.badStreak = 0;
        if (++this.goodSince >= o.snapshotEvery) this.takeSnapshot();
      } else {
        this.restore(this.good);
        this.lrScale *= 0.5;
        this.goodSince = 0;
        info.skipped = true;
        this.skipped++;
        info.warning = `step ${step}: the update made a weight non-finite; restored the last good weights and optimizer state and halved the lr (scale now ${this.lrScale})`;
        if (this.warnings.length < MAX_WARNINGS) this.warnings.push(info.warning);
      }
    } else {
      opt.zeroGrad();
      info.skipped = true;
      this.skipped++;
      this.badStreak++;
      if (this.badStreak >= o.maxBadSteps) {
        this.restore(this.good);
        this.lrScale *= 0.5;
        this.badStreak = 0;
        this.goodSince = 0;
        info.warning = `step ${step}: ${o.maxBadSteps} non-finite steps in a row; restored the last good weights and optimizer state and halved the lr (scale now ${this.lrScale})`;
        if (this.warnings.length < MAX_WARNINGS) this.warnings.push(info.warning);
      }
    }
    if (o.evalEvery !== null && step % o.evalEvery === 0) {
      const ev = this.evaluate();
      info.evalLoss = ev.loss;
      info.evalMetric = ev.metric;
      if (o.stopWhenSolved) {
        this.solvedStreak = ev.loss < task.solvedBelow ? this.solvedStreak + 1 : 0;
        if (this.solvedStreak >= o.solvedChecks) {
          this.solvedAt ??= step;
          this.stoppedEarly = true;
        }
      }
      if (o.patience !== null) {
        if (ev.loss < this.bestEval - o.minDelta) { this.bestEval = ev.loss; this.sinceBest = 0; } else this.sinceBest++;
        if (this.sinceBest >= o.patience) this.stoppedEarly = true;
      }
    }
    this.history.push(info);
    this.onStep?.(info);
    return info;
  }

  /** Mean loss and metric over the held-out batches (forward only; NaN when the output is not finite). */
  evaluate(): Evaluation {
    return evaluateOn(this.model, this.task, this.evalSet);
  }

  /** A copy of the weights and the optimizer state. */
  snapshot(): TrainerSnapshot {
    return { weights: this.model.stateDict(), optimizer: this.optimizer.stateDict() };
  }

  restore(s: TrainerSnapshot): void {
    this.model.loadStateDict(s.weights);
    this.optimizer.loadStateDict(s.optimizer);
  }

  private takeSnapshot(): void {
    this.good = this.snapshot();
    this.goodSince = 0;
  }

  /** Where the run stands (the weights are the model's own). */
  state(): TrainerState {
    return {
      step: this.count, optimizer: this.optimizer.stateDict(), rng: this.rng.getState(),
      lrScale: this.lrScale, skipped: this.skipped, badStreak: this.badStreak,
      bestEval: Number.isFinite(this.bestEval) ? this.bestEval : null, sinceBest: this.sinceBest, solvedStreak: this.solvedStreak,
    };
  }

  /** Continues from `state()` of a run of this model (its weights already in the model). */
  loadState(s: TrainerState): void {
    this.optimizer.loadStateDict(s.optimizer);
    this.loadCounters(s);
  }

  private loadCounters(s: Omit<TrainerState, 'optimizer'>): void {
    this.rng.setState(s.rng);
    this.count = s.step;
    this.lrScale = s.lrScale;
    this.skipped = s.skipped;
    this.badStreak = s.badStreak;
    this.bestEval = s.bestEval ?? Infinity;
    this.sinceBest = s.sinceBest;
    this.solvedStreak = s.solvedStreak ?? 0;
    this.takeSnapshot();
  }

  /** A trainer with `options` that continues from `state` (the model holding that run's weights). */
  static fromState(model: Model, task: Task, options: TrainerOptions, state: TrainerState): Trainer {
    const t = new Trainer(model, task, options);
    t.loadState(state);
    return t;
  }

  /** Steps whose update was skipped because something was not finite (resumes included). */
  get skippedSteps(): number {
    return this.skipped;
  }

  /**
   * What a checkpoint of this moment holds: model, optimizer, data Rng, step, the held-out loss and
   * metric (when finite) and the trainer's bookkeeping. Taking one also takes the in-memory snapshot
   * (outside a streak of skipped steps, whose weights may be the cause), as a resumed run starts its
   * snapshot from the checkpoint: both then restore the same state if a divergence follows.
   */
  checkpoint(): CheckpointContents {
    const ev = this.evaluate();
    const metrics: Record<string, number> = {};
    // A checkpoint holds finite numbers only: a diverged loss, or a skill of −∞ on a flat held-out tail, is left out.
    if (Number.isFinite(ev.loss)) metrics.evalLoss = ev.loss;
    if (Number.isFinite(ev.loss) && Number.isFinite(ev.metric)) metrics.evalMetric = ev.metric;
    metrics[TRAINER_METRICS.lrScale] = this.lrScale;
    metrics[TRAINER_METRICS.skipped] = this.skipped;
    metrics[TRAINER_METRICS.badStreak] = this.badStreak;
    metrics[TRAINER_METRICS.sinceBest] = this.sinceBest;
    metrics[TRAINER_METRICS.solvedStreak] = this.solvedStreak;
    if (Number.isFinite(this.bestEval)) metrics[TRAINER_METRICS.bestEval] = this.bestEval;
    if (this.badStreak === 0) this.takeSnapshot();
    return { model: this.model, optimizer: this.optimizer, rng: this.rng, step: this.count, metrics, task: this.task.spec?.() };
  }

  /**
   * Continues from a checkpoint of the same model: its weights, optimizer state, data Rng, step and the
   * trainer's bookkeeping. `what` names the checkpoint in errors.
   */
  resume(ck: LoadedCheckpoint, what = 'options.resume'): void {
    const want = JSON.stringify(modelConfig(this.model)), got = JSON.stringify(ck.config);
    if (want !== got) throw new RangeError(`${what}: the checkpoint's model ${got} does not match the model given ${want}`);
    if (ck.optimizerState === null) throw new RangeError(`${what}: ${ck.path} holds no optimizer state`);
    if (ck.rngState === null) throw new RangeError(`${what}: ${ck.path} holds no data Rng state`);
    this.model.loadStateDict(ck.model.stateDict());
    try {
      this.optimizer.loadStateDict(ck.optimizerState);
    } catch (e) {
      throw new RangeError(`${what}: the checkpoint's optimizer state does not fit options.optimizer (${(e as Error).message})`);
    }
    const m = ck.metrics;
    this.loadCounters({
      step: ck.step, rng: ck.rngState,
      lrScale: m[TRAINER_METRICS.lrScale] ?? 1, skipped: m[TRAINER_METRICS.skipped] ?? 0, badStreak: m[TRAINER_METRICS.badStreak] ?? 0,
      bestEval: m[TRAINER_METRICS.bestEval] ?? null, sinceBest: m[TRAINER_METRICS.sinceBest] ?? 0,
      solvedStreak: m[TRAINER_METRICS.solvedStreak] ?? 0,
    });
  }

  /** The run so far, with a held-out evaluation of the weights as they are now. */
  summary(seconds: number, lastCheckpoint?: string): TrainSummary {
    const final = this.evaluate();
    return {
      steps: this.count,
      seconds,
      final,
      baseline: this.task.baseline(),
      solved: final.loss < this.task.solvedBelow,
      skippedSteps: this.skipped,
      stoppedEarly: this.stoppedEarly,
      solvedAt: this.solvedAt,
      warnings: [...this.warnings],
      lrScale: this.lrScale,
      history: [...this.history],
      lastCheckpoint,
      interrupted: this.interrupted,
    };
  }
}

/**
 * The trainer's options: their types, their checks (every error names the option, what was expected
 * and what was given; unknown option names are refused), and the constants a run's checkpoints share.
 * The optimizer they name is built by src/optim/factory.ts.
 */
import type { Model } from '../layers/factory.js';
import type { OptimizerSpec } from '../optim/factory.js';
import type { ScheduleSpec } from '../optim/schedule.js';
import type { Task } from '../tasks/task.js';
import { describeValue } from '../tensor/check.js';

export type { Model } from '../layers/factory.js';
export { makeOptimizer, type OptimizerKind, type OptimizerSpec } from '../optim/factory.js';

export interface TrainStepInfo {
  /** 1-based step number, counted from the start of the run (resumes included). */
  step: number;
  /** Training loss of this step's batch (NaN / Infinity on a skipped step). */
  loss: number;
  metric: number;
  /** Global L2 norm of the parameter gradients before clipping (NaN if not computed). */
  gradNorm: number;
  /** The lr the update used (or would have used, on a skipped step). */
  lr: number;
  /** True when the update was skipped because something was not finite. */
  skipped: boolean;
  evalLoss?: number;
  evalMetric?: number;
  /** Set on the step where a divergence recovery happened. */
  warning?: string;
}

/** The trainer core's options (src/train/core.ts): everything about the run, nothing about files. */
export interface TrainerOptions {
  steps: number;
  batchSize: number;
  seed: number;
  optimizer: OptimizerSpec;
  schedule?: ScheduleSpec;
  clip?: { norm?: number; value?: number };
  tbptt?: { window: number; stride?: number };
  /** Evaluate on the held-out batches every this many steps (and always once at the end). */
  evalEvery?: number;
  /** Held-out batches (default 4). */
  evalBatches?: number;
  /** Seed of the held-out Rng (default seed + EVAL_SEED_OFFSET). */
  evalSeed?: number;
  /** Stop when the eval loss has not improved by more than minDelta for `patience` evaluations. Needs evalEvery. */
  earlyStopping?: { patience: number; minDelta?: number };
  /** Stop once `solvedChecks` evaluations in a row have a loss below task.solvedBelow (needs evalEvery). */
  stopWhenSolved?: boolean;
  /** stopWhenSolved: how many evaluations in a row must be below task.solvedBelow (default 1). */
  solvedChecks?: number;
  onStep?: (info: TrainStepInfo) => void;
  /** Skipped steps in a row before restoring the last good state and halving the lr (default 5). */
  maxBadSteps?: number;
  /** Keep an in-memory copy of the weights and optimizer state every this many good steps (default 10). */
  snapshotEvery?: number;
}

/** `train()`'s options (src/train/trainer.ts): the core's, and the files and signals of a Node run. */
export interface TrainOptions extends TrainerOptions {
  /** Append one JSON line per step to this file. */
  logJsonl?: string;
  /**
   * Save a checkpoint every `every` steps (and at the end) under `dir`; best by eval loss. `run` is kept
   * in each one (the caller's settings, any JSON object). The run locks `dir` while it trains.
   */
  checkpoint?: { dir: string; every: number; keepLast?: number; run?: Record<string, unknown> };
  /** A checkpoint directory (or a root with a `latest` pointer) to continue from. */
  resume?: string;
  /**
   * Asked after every step: true ends the run there, with a checkpoint of that step when `checkpoint`
   * is set, and a summary whose `interrupted` is true. (A worker thread's Ctrl-C arrives this way.)
   */
  shouldStop?: () => boolean;
}

export interface TrainSummary {
  /** The step count reached (total, resumes included). */
  steps: number;
  /** Wall-clock seconds of this call. */
  seconds: number;
  /** Held-out evaluation after the last step. */
  final: { loss: number; metric: number; metricName: string };
  baseline: number;
  /** final.loss < task.solvedBelow. */
  solved: boolean;
  /** Steps whose update was skipped (resumes included). */
  skippedSteps: number;
  stoppedEarly: boolean;
  /** The step of the evaluation that completed solvedChecks in a row below task.solvedBelow (only with stopWhenSolved). */
  solvedAt?: number;
  /** Divergence recoveries, in words. */
  warnings: string[];
  /** The lr scale at the end (1, halved on every recovery). */
  lrScale: number;
  /** One entry per step run by this call. */
  history: TrainStepInfo[];
  /** The directory of the last checkpoint written, if any. */
  lastCheckpoint?: string;
  /** True when `shouldStop` (or `Trainer.stop()`) ended the run before its steps. */
  interrupted: boolean;
}

/** The held-out Rng's default seed is the run's seed plus this. */
export const EVAL_SEED_OFFSET = 1000003;

/** The trainer's bookkeeping in a checkpoint's metrics, so that a resumed run continues exactly. */
export const TRAINER_METRICS = {
  lrScale: 'trainer.lrScale', skipped: 'trainer.skipped', badStreak: 'trainer.badStreak', bestEval: 'trainer.bestEval', sinceBest: 'trainer.sinceBest',
  solvedStreak: 'trainer.solvedStreak',
} as const;


/** The keys of TrainerOptions, and those TrainOptions adds. */
export const TRAINER_OPTION_KEYS: readonly string[] = [
  'steps', 'batchSize', 'seed', 'optimizer', 'schedule', 'clip', 'tbptt', 'evalEvery', 'evalBatches', 'evalSeed',
  'earlyStopping', 'stopWhenSolved', 'solvedChecks', 'onStep', 'maxBadSteps', 'snapshotEvery',
];
export const TRAIN_OPTION_KEYS: readonly string[] = [...TRAINER_OPTION_KEYS, 'logJsonl', 'checkpoint', 'resume', 'shouldStop'];

function fail(name: string, expected: string, got: unknown): never {
  throw new RangeError(`options.${name}: expected ${expected}, got ${describeValue(got)}`);
}

function posInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) fail(name, 'an integer >= 1', v);
  return v;
}

function optPosInt(name: string, v: unknown, dflt: number): number {
  return v === undefined ? dflt : posInt(name, v);
}

function posNum(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) fail(name, 'a finite number > 0', v);
  return v;
}

function obj(name: string, v: unknown): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(name, 'an object', v);
  return v as Record<string, unknown>;
}

function str(name: string, v: unknown): string {
  if (typeof v !== 'string' || v === '') fail(name, 'a non-empty path string', v);
  return v;
}

export interface Resolved {
  steps: number;
  batchSize: number;
  seed: number;
  clipNorm: number | null;
  clipValue: number | null;
  window: number | null;
  stride: number;
  evalEvery: number | null;
  evalBatches: number;
  evalSeed: number;
  patience: number | null;
  minDelta: number;
  stopWhenSolved: boolean;
  solvedChecks: number;
  maxBadSteps: number;
  snapshotEvery: number;
}

/** Checks `o` (errors name the option) against `known`, the option names the caller takes. */
export function resolveOptions(model: Model, task: Task, o: TrainOptions, known: readonly string[] = TRAIN_OPTION_KEYS): Resolved {
  if (o === null || typeof o !== 'object') throw new TypeError(`options: expected an object, got ${describeValue(o)}`);
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) throw new RangeError(`options: unknown option(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  if (model.batchFirst) throw new RangeError('model: expected a time-major model (batchFirst false), as tasks give [T, B, D] inputs');
  if (model.inputSize !== task.inputSize) throw new RangeError(`model.inputSize: expected ${task.inputSize} (task ${task.name}), got ${model.inputSize}`);
  if (model.outputSize !== task.outputSize) throw new RangeError(`model.outputSize: expected a head of size ${task.outputSize} (task ${task.name}), got ${model.outputSize}`);
  if (model.dtype !== task.dtype) throw new RangeError(`model.dtype: expected ${task.dtype} (task ${task.name}), got ${model.dtype}`);
  const steps = posInt('steps', o.steps);
  const batchSize = posInt('batchSize', o.batchSize);
  if (typeof o.seed !== 'number' || !Number.isFinite(o.seed)) fail('seed', 'a finite number', o.seed);
  let clipNorm: number | null = null, clipValue: number | null = null;
  if (o.clip !== undefined) {
    const c = obj('clip', o.clip);
    const extra = Object.keys(c).filter((k) => k !== 'norm' && k !== 'value');
    if (extra.length) fail('clip', '{norm?, value?}', c);
    if (c.norm !== undefined) clipNorm = posNum('clip.norm', c.norm);
    if (c.value !== undefined) clipValue = posNum('clip.value', c.value);
  }
  let window: number | null = null, stride = 0;
  if (o.tbptt !== undefined) {
    const t = obj('tbptt', o.tbptt);
    window = posInt('tbptt.window', t.window);
    stride = optPosInt('tbptt.stride', t.stride, window);
    if (stride > window) fail('tbptt.stride', `an integer in [1, window = ${window}] (each chunk back-propagates its own stride steps inside its window)`, t.stride);
    if (task.lossAt !== 'all' && task.lossAt !== 'last') {
      throw new RangeError(`options.tbptt: only for tasks whose loss covers all steps or the last step; task ${task.name} has lossAt '${task.lossAt}'`);
    }
  }
  const evalEvery = o.evalEvery === undefined ? null : posInt('evalEvery', o.evalEvery);
  const evalBatches = optPosInt('evalBatches', o.evalBatches, 4);
  if (o.evalSeed !== undefined && (typeof o.evalSeed !== 'number' || !Number.isFinite(o.evalSeed))) fail('evalSeed', 'a finite number', o.evalSeed);
  let patience: number | null = null, minDelta = 0;
  if (o.earlyStopping !== undefined) {
    const e = obj('earlyStopping', o.earlyStopping);
    patience = posInt('earlyStopping.patience', e.patience);
    if (e.minDelta !== undefined && (typeof e.minDelta !== 'number' || !Number.isFinite(e.minDelta) || e.minDelta < 0)) fail('earlyStopping.minDelta', 'a finite number >= 0', e.minDelta);
    minDelta = (e.minDelta as number | undefined) ?? 0;
    if (evalEvery === null) fail('earlyStopping', 'evalEvery to be set too (early stopping watches the eval loss)', e);
  }
  if (o.stopWhenSolved !== undefined && typeof o.stopWhenSolved !== 'boolean') fail('stopWhenSolved', 'true or false', o.stopWhenSolved);
  const stopWhenSolved = o.stopWhenSolved === true;
  if (stopWhenSolved && evalEvery === null) fail('stopWhenSolved', 'evalEvery to be set too (solving is judged on the eval loss)', o.stopWhenSolved);
  const solvedChecks = optPosInt('solvedChecks', o.solvedChecks, 1);
  if (o.solvedChecks !== undefined && !stopWhenSolved) fail('solvedChecks', 'stopWhenSolved: true as well (it counts the checks that stop a solved run)', o.solvedChecks);
  if (o.logJsonl !== undefined) str('logJsonl', o.logJsonl);
  if (o.checkpoint !== undefined) {
    const c = obj('checkpoint', o.checkpoint);
    const extra = Object.keys(c).filter((k) => !['dir', 'every', 'keepLast', 'run'].includes(k));
    if (extra.length) fail('checkpoint', '{dir, every, keepLast?, run?}', c);
    str('checkpoint.dir', c.dir);
    if (c.run !== undefined) obj('checkpoint.run', c.run);
    posInt('checkpoint.every', c.every);
    if (c.keepLast !== undefined) posInt('checkpoint.keepLast', c.keepLast);
  }
  if (o.resume !== undefined) str('resume', o.resume);
  if (o.onStep !== undefined && typeof o.onStep !== 'function') fail('onStep', 'a function', o.onStep);
  if (o.shouldStop !== undefined && typeof o.shouldStop !== 'function') fail('shouldStop', 'a function', o.shouldStop);
  if (o.schedule !== undefined) obj('schedule', o.schedule);
  return {
    steps, batchSize, seed: o.seed, clipNorm, clipValue, window, stride, evalEvery, evalBatches,
    evalSeed: o.evalSeed ?? o.seed + EVAL_SEED_OFFSET, patience, minDelta, stopWhenSolved, solvedChecks,
    maxBadSteps: optPosInt('maxBadSteps', o.maxBadSteps, 5),
    snapshotEvery: optPosInt('snapshotEvery', o.snapshotEvery, 10),
  };
}

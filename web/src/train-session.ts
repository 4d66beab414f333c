/**
 * One model being trained in the page: an adapter over the trainer core that `rnnlab train` runs
 * (Trainer, src/train/core.ts), so a step here is the command line's step: one batch from the data Rng,
 * forward, the task's loss, backward, clipping, one update, the divergence guard; schedules, clipping by
 * value and truncated BPTT when the config asks for them. The worker runs steps in short slices so it
 * can answer messages between them. Pure: tested in Node by test/lab-session.test.ts, against train().
 *
 * A checkpoint holds what the command line's does (model, optimizer state, data Rng, step, metrics,
 * task spec), so the CLI can evaluate it; the page's settings (batch size, clipping, lr) apply from the
 * next run on, as a new trainer that continues from the current one's state.
 */
import {
  cellKindOf, CharLMTask, createModel, encodeCheckpointArchive, EVAL_SEED_OFFSET, optimizerKindOf, sampleText, Trainer,
  type CheckpointArchive, type LoadedCheckpoint, type Model, type Task, type TrainerOptions,
} from 'rnnlab';
import type { SessionInfo, TrainConfig } from './protocol.js';

/** Held-out batches of the page's evaluations (the command line's default is 4; the page keeps it quick). */
const EVAL_BATCHES = 2;
/** The page trains until it is stopped. */
const UNTIL_STOPPED = Number.MAX_SAFE_INTEGER;

export interface StepResult {
  step: number;
  loss: number;
  metric: number;
  skipped: boolean;
}

export function buildModel(config: Pick<TrainConfig, 'cell' | 'hidden' | 'forgetBias' | 'seed'>, task: Task): Model {
  return createModel({
    cell: config.cell, inputSize: task.inputSize, hiddenSize: config.hidden, outputSize: task.outputSize, dtype: task.dtype, seed: config.seed,
    init: config.cell === 'lstm' && config.forgetBias !== null ? { forgetBias: config.forgetBias } : {},
  });
}

/** The trainer options of a page config, with the optimizer `optimizer` (Adam at the config's lr by default). */
export function sessionOptions(config: TrainConfig, optimizer: TrainerOptions['optimizer'] = { kind: 'adam', lr: config.lr }): TrainerOptions {
  const o: TrainerOptions = {
    steps: UNTIL_STOPPED, batchSize: config.batchSize, seed: config.seed, optimizer, evalBatches: EVAL_BATCHES, evalSeed: config.seed + EVAL_SEED_OFFSET,
  };
  if (config.clipNorm !== null || config.clipValue != null) {
    o.clip = {};
    if (config.clipNorm !== null) o.clip.norm = config.clipNorm;
    if (config.clipValue != null) o.clip.value = config.clipValue;
  }
  if (config.schedule != null) o.schedule = config.schedule;
  if (config.tbptt != null) o.tbptt = config.tbptt;
  return o;
}

export class TrainSession {
  private constructor(private trainer: Trainer) {}

  get model(): Model {
    return this.trainer.model;
  }
  get task(): Task {
    return this.trainer.task;
  }
  get step(): number {
    return this.trainer.currentStep;
  }
  /** Steps whose update was skipped because something was not finite. */
  get skipped(): number {
    return this.trainer.skippedSteps;
  }

  /** A new model with Adam at step 0. */
  static fresh(config: TrainConfig, task: Task): TrainSession {
    return new TrainSession(new Trainer(buildModel(config, task), task, sessionOptions(config)));
  }

  /**
   * Continues from a checkpoint: its weights, optimizer (of the kind it saved, with its state), data Rng
   * and the trainer's bookkeeping; batch size, clipping and seed (for the held-out batches) come from
   * the page, as they are not part of a checkpoint.
   */
  static restore(ck: LoadedCheckpoint, task: Task, config: TrainConfig): TrainSession {
    const model = ck.model;
    if (model.inputSize !== task.inputSize || model.outputSize !== task.outputSize) {
      throw new RangeError(`the model takes ${model.inputSize} inputs and gives ${String(model.outputSize)} outputs, but its task ${task.name} needs ${task.inputSize} and ${task.outputSize}`);
    }
    const s = ck.optimizerState;
    const optimizer = s === null ? undefined
      : { kind: optimizerKindOf(s.type), lr: typeof s.options.lr === 'number' ? s.options.lr : config.lr };
    const trainer = new Trainer(model, task, sessionOptions(config, optimizer));
    if (s !== null && ck.rngState !== null) trainer.resume(ck, 'checkpoint');
    else trainer.loadState({ ...trainer.state(), step: ck.step }); // weights only: a fresh optimizer and data Rng
    return new TrainSession(trainer);
  }

  /** The page's settings from now on: a trainer with them that continues from this one's state. */
  configure(config: TrainConfig): void {
    const state = this.trainer.state();
    // The optimizer keeps its kind and hyperparameters; only its lr is the page's.
    state.optimizer = { ...state.optimizer, options: { ...state.optimizer.options, lr: config.lr } };
    const optimizer = { kind: optimizerKindOf(state.optimizer.type), lr: config.lr };
    this.trainer = Trainer.fromState(this.trainer.model, this.trainer.task, sessionOptions(config, optimizer), state);
  }

  /** One training step (module doc). */
  trainStep(): StepResult {
    const info = this.trainer.step();
    return { step: info.step, loss: info.loss, metric: info.metric, skipped: info.skipped };
  }

  /** Mean loss and metric over the held-out batches. */
  evaluate(): { loss: number; metric: number; metricName: string } {
    return this.trainer.evaluate();
  }

  /** Characters drawn from a character model; null for the other tasks. */
  sample(prime: string, temperature: number, length: number, seed: number): string | null {
    if (!(this.task instanceof CharLMTask)) return null;
    return sampleText(this.model, this.task.vocab, { prime, temperature, length, seed });
  }

  /** A prime for the samples drawn during training: 'The ' when the text has those letters; null for other tasks. */
  autoPrime(): string | null {
    if (!(this.task instanceof CharLMTask)) return null;
    const vocab = this.task.vocab;
    return Array.from('The ').every((c) => vocab.has(c)) ? 'The ' : vocab.decode(this.task.trainIds.subarray(0, 1));
  }

  /** The checkpoint as one .tar file (src/io/checkpoint-archive.ts). */
  checkpoint(): CheckpointArchive {
    return encodeCheckpointArchive(this.trainer.checkpoint());
  }

  info(): SessionInfo {
    return describe(this.model, this.task, this.step);
  }
}

/** The page's description of a model and (when it is available) its task. */
export function describe(model: Model, task: Task | null, step: number, note: string | null = null): SessionInfo {
  const m = `${cellKindOf(model).toUpperCase()}, H = ${model.hiddenSize}, ${model.numParameters().toLocaleString('en')} parameters`;
  if (task === null) {
    return { model: m, task: 'task not available', taskKind: '', step, baseline: Number.NaN, solvedBelow: Number.NaN, metricName: '', canSample: false, canTrain: false, note };
  }
  const what = task instanceof CharLMTask ? `character model of ${task.corpus.name}, window ${task.seqLen}, ${task.vocab.size} characters`
    : task.name === 'adding' ? `adding problem, T = ${task.seqLen}`
      : task.name === 'copy-memory' ? `copy task, ${task.seqLen} steps` : `${task.name}, T = ${task.seqLen}`;
  return {
    model: m, task: what, taskKind: task.name, step, baseline: task.baseline(), solvedBelow: task.solvedBelow, metricName: task.metricName,
    canSample: task instanceof CharLMTask, canTrain: true, note,
  };
}

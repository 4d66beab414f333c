/**
 * One model being trained in the page: the model, its task, an Adam optimizer, the data Rng and the
 * step count, and one training step at a time (the worker runs them in short slices so it can answer
 * messages between them). Pure: tested in Node by test/lab-session.test.ts.
 *
 * A step is the trainer's step (src/train/trainer.ts, which is Node-only for its logs and checkpoints):
 * one batch from the data Rng, forward, the task's loss, backward, gradient-norm clipping, one update;
 * a step whose loss or gradient is not finite is skipped and leaves the weights alone. Held-out batches
 * are drawn once from Rng(seed + 1000003), the trainer's default evalSeed. A checkpoint holds what the
 * trainer's does (model, optimizer state, data Rng, step, metrics, task spec), so the CLI can evaluate it.
 */
import {
  CharLMTask, clipGradNorm, encodeCheckpointArchive, GRU, LSTM, makeOptimizer, Rng, RNN, sampleText, type
  CellKind, type CheckpointArchive, type LoadedCheckpoint, type Model, type Optimizer, type OptimizerKind,
  type Task, type TaskBatch,
} from 'rnnlab';
import type { SessionInfo, TrainConfig } from './protocol.js';

const EVAL_SEED_OFFSET = 1000003;
const EVAL_BATCHES = 2;

export interface StepResult {
  step: number;
  loss: number;
  metric: number;
  skipped: boolean;
}

function allFinite(d: ArrayLike<number>): boolean {
  for (let i = 0; i < d.length; i++) if (!Number.isFinite(d[i])) return false;
  return true;
}

export function buildModel(config: Pick<TrainConfig, 'cell' | 'hidden' | 'forgetBias' | 'seed'>, task: Task): Model {
  const o = { inputSize: task.inputSize, hiddenSize: config.hidden, outputSize: task.outputSize, dtype: task.dtype, seed: config.seed };
  if (config.cell === 'lstm') return new LSTM({ ...o, init: config.forgetBias === null ? {} : { forgetBias: config.forgetBias } });
  if (config.cell === 'gru') return new GRU(o);
  return new RNN({ ...o, nonlinearity: 'tanh' });
}

/** The optimizer kind whose stateDict().type is `type` ('Adam' → 'adam'). */
function optimizerKind(type: string): OptimizerKind {
  const kinds: Record<string, OptimizerKind> = { SGD: 'sgd', Adam: 'adam', AdamW: 'adamw', RMSprop: 'rmsprop', Adagrad: 'adagrad' };
  const k = kinds[type];
  if (k === undefined) throw new RangeError(`optimizer.type: expected one of ${Object.keys(kinds).join(', ')}, got ${JSON.stringify(type)}`);
  return k;
}

function cellOf(model: Model): CellKind {
  return model instanceof LSTM ? 'lstm' : model instanceof GRU ? 'gru' : 'rnn';
}

export class TrainSession {
  private readonly evalSet: TaskBatch[];
  /** Steps whose update was skipped because something was not finite. */
  skipped = 0;

  private constructor(
    readonly model: Model,
    readonly task: Task,
    readonly optimizer: Optimizer<{ lr: number }>,
    readonly rng: Rng,
    public step: number,
    public clipNorm: number | null,
    public batchSize: number,
    evalSeed: number,
  ) {
    const evalRng = new Rng(evalSeed);
    const draw = task.heldOutBatch?.bind(task) ?? task.batch.bind(task);
    this.evalSet = Array.from({ length: EVAL_BATCHES }, () => draw(evalRng, batchSize));
  }

  /** A new model with Adam at step 0. */
  static fresh(config: TrainConfig, task: Task): TrainSession {
    const model = buildModel(config, task);
    const opt = makeOptimizer(model, { kind: 'adam', lr: config.lr });
    return new TrainSession(model, task, opt, new Rng(config.seed), 0, config.clipNorm, config.batchSize, config.seed + EVAL_SEED_OFFSET);
  }

  /**
   * Continues from a checkpoint: its weights, optimizer (of the kind it saved, with its state) and data
   * Rng; batch size, clipping and seed (for the held-out batches) come from the page, as they are not
   * part of a checkpoint.
   */
  static restore(ck: LoadedCheckpoint, task: Task, config: TrainConfig): TrainSession {
    const model = ck.model;
    if (model.inputSize !== task.inputSize || model.outputSize !== task.outputSize) {
      throw new RangeError(`the model takes ${model.inputSize} inputs and gives ${String(model.outputSize)} outputs, but its task ${task.name} needs ${task.inputSize} and ${task.outputSize}`);
    }
    const s = ck.optimizerState;
    const opt = s === null
      ? makeOptimizer(model, { kind: 'adam', lr: config.lr })
      : makeOptimizer(model, { kind: optimizerKind(s.type), lr: typeof s.options.lr === 'number' ? s.options.lr : config.lr });
    if (s !== null) opt.loadStateDict(s);
    const rng = new Rng(config.seed);
    if (ck.rngState !== null) rng.setState(ck.rngState);
    return new TrainSession(model, task, opt, rng, ck.step, config.clipNorm, config.batchSize, config.seed + EVAL_SEED_OFFSET);
  }

  /** One training step (module doc). */
  trainStep(): StepResult {
    this.step++;
    const batch = this.task.batch(this.rng, this.batchSize);
    this.optimizer.zeroGrad();
    const { output } = this.model.forward(batch.x);
    const ev = allFinite(output.data) ? this.task.evaluate(output, batch) : null;
    let ok = ev !== null && Number.isFinite(ev.loss) && allFinite(ev.grad.data);
    if (ok) {
      this.model.backward(ev!.grad);
      ok = this.model.parameters().every((p) => allFinite(p.grad.data));
    }
    if (ok) {
      if (this.clipNorm !== null) clipGradNorm(this.model, this.clipNorm);
      this.optimizer.step();
    }
    else {
      this.optimizer.zeroGrad();
      this.skipped++;
    }
    return { step: this.step, loss: ev?.loss ?? Number.NaN, metric: ev?.metric ?? Number.NaN, skipped: !ok };
  }

  /** Mean loss and metric over the held-out batches. */
  evaluate(): { loss: number; metric: number; metricName: string } {
    let loss = 0, metric = 0, metricName = '';
    for (const b of this.evalSet) {
      const { output } = this.model.forward(b.x);
      if (!allFinite(output.data)) return { loss: Number.NaN, metric: Number.NaN, metricName };
      const ev = this.task.evaluate(output, b);
      loss += ev.loss / this.evalSet.length;
      metric += ev.metric / this.evalSet.length;
      metricName = ev.metricName;
    }
    return { loss, metric, metricName };
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
    const ev = this.evaluate();
    const metrics: Record<string, number> = { 'trainer.lrScale': 1, 'trainer.skipped': this.skipped, 'trainer.badStreak': 0, 'trainer.sinceBest': 0 };
    if (Number.isFinite(ev.loss)) {
      metrics.evalLoss = ev.loss;
      metrics.evalMetric = ev.metric;
    }
    return encodeCheckpointArchive({ model: this.model, optimizer: this.optimizer, rng: this.rng, step: this.step, metrics, task: this.task.spec?.() });
  }

  info(): SessionInfo {
    return describe(this.model, this.task, this.step);
  }
}

/** The page's description of a model and (when it is available) its task. */
export function describe(model: Model, task: Task | null, step: number, note: string | null = null): SessionInfo {
  const m = `${cellOf(model).toUpperCase()}, H = ${model.hiddenSize}, ${model.numParameters().toLocaleString('en')} parameters`;
  if (task === null) {
    return { model: m, task: 'task not available', taskKind: '', step, baseline: Number.NaN, solvedBelow: Number.NaN, metricName: '', canSample: false, canTrain: false, note };
  }
  const what = task instanceof CharLMTask ? `character model of ${task.corpus.name}, window ${task.seqLen}, ${task.vocab.size} characters`
    : task.name === 'adding' ? `adding problem, T = ${task.seqLen}`
      : task.name === 'copy-memory' ? `copy task, ${task.seqLen} steps` : `${task.name}, T = ${task.seqLen}`;
  const probe = task.batch(new Rng(0), 1);
  const metricName = task.evaluate(model.forward(probe.x).output, probe).metricName;
  return {
    model: m, task: what, taskKind: task.name, step, baseline: task.baseline(), solvedBelow: task.solvedBelow, metricName,
    canSample: task instanceof CharLMTask, canTrain: true, note,
  };
}

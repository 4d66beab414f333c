/**
 * The reproductions table: the classic long-range-memory results, rerun with our own cells and trainer.
 * Each row is one (task, T, model) with every setting spelled out and a seed; `runReproduction` trains it
 * until the held-out loss is below the task's `solvedBelow` (checked every `evalEvery` steps) or the step
 * budget runs out, then scores it on a fresh test set. `expect` is what the cited paper reports for that
 * model on that task, so the table can say, row by row, whether we agree.
 *
 * The settings are the same for every model of a task so the comparison is about the cell: Adam, gradient
 * clipping by global norm 1, batch 32, the same budget. Hidden sizes give similar parameter counts
 * (≈ 1.2 k for the adding rows: H = 32 for the RNNs, 16 for the gated cells; Hochreiter & Schmidhuber's
 * 1997 LSTMs had fewer than 100 weights). IRNN is Le et al.'s ReLU RNN with W_hh = I.
 */
import type { Nonlinearity } from '../cells/rnn.js';
import type { InitOptions } from '../layers/init.js';
import { createModel, type Model } from '../layers/factory.js';
import { AddingTask } from '../tasks/adding.js';
import { CopyMemoryTask } from '../tasks/copy-memory.js';
import type { Task } from '../tasks/task.js';
import { TemporalOrderTask } from '../tasks/temporal-order.js';
import { Rng } from '../tensor/random.js';
import { train } from '../train/trainer.js';

export type ReproTask = 'adding' | 'temporal-order' | 'copy';
export type ReproModel = 'tanh RNN' | 'IRNN' | 'LSTM' | 'GRU';

/** What the cited paper reports for this model on this task: it solves it, it fails, or no claim. */
export interface PaperClaim {
  outcome: 'solves' | 'fails' | 'none';
  /** The claim in words, with its citation. */
  says: string;
}

export interface ReproRow {
  task: ReproTask;
  /** Sequence length (adding, temporal order) or delay (copy). */
  T: number;
  model: ReproModel;
  hidden: number;
  /** The step budget. */
  steps: number;
  batch: number;
  lr: number;
  /** LSTM only. */
  forgetBias?: number;
  seed: number;
  /** Evaluate (and check for solved) every this many steps. */
  evalEvery: number;
  expect: PaperClaim;
}

export interface ReproResult {
  row: ReproRow;
  params: number;
  /** Mean loss over the test set (fresh sequences, drawn from their own seed). */
  testLoss: number;
  testMetric: number;
  metricName: string;
  baseline: number;
  solvedBelow: number;
  solved: boolean;
  /** The first evaluation step whose held-out loss was below solvedBelow; absent if none was. */
  solvedAt?: number;
  stepsRun: number;
  seconds: number;
}

export const TEST_SEQUENCES = 512;

export function rowId(r: ReproRow): string {
  return `${r.task}-T${r.T}-${r.model.replace(' ', '-').toLowerCase()}`;
}

export function makeReproTask(r: ReproRow): Task {
  switch (r.task) {
    case 'adding': return new AddingTask({ seqLen: r.T });
    case 'temporal-order': return new TemporalOrderTask({ seqLen: r.T });
    case 'copy': return new CopyMemoryTask({ delay: r.T });
  }
}

export function makeReproModel(r: ReproRow, task: Task): Model {
  const base = { inputSize: task.inputSize, hiddenSize: r.hidden, outputSize: task.outputSize, seed: r.seed };
  if (r.model === 'LSTM') return createModel({ cell: 'lstm', ...base, init: r.forgetBias === undefined ? {} : { forgetBias: r.forgetBias } });
  if (r.model === 'GRU') return createModel({ cell: 'gru', ...base });
  const irnn = r.model === 'IRNN';
  const init: InitOptions = irnn ? { weightHh: 'identity' } : {};
  const nonlinearity: Nonlinearity = irnn ? 'relu' : 'tanh';
  return createModel({ cell: 'rnn', ...base, nonlinearity, init });
}

/** Trains one row and scores it on TEST_SEQUENCES fresh sequences. */
export function runReproduction(r: ReproRow, onStep?: (step: number, loss: number) => void): ReproResult {
  const task = makeReproTask(r);
  const model = makeReproModel(r, task);
  const s = train(model, task, {
    steps: r.steps, batchSize: r.batch, seed: r.seed, optimizer: { kind: 'adam', lr: r.lr }, clip: { norm: 1 },
    evalEvery: r.evalEvery, evalBatches: 4, stopWhenSolved: true,
    onStep: onStep ? (i) => onStep(i.step, i.loss) : undefined,
  });
  const rng = new Rng(r.seed + 7777);
  let loss = 0, metric = 0, metricName = '';
  const chunks = TEST_SEQUENCES / 64;
  for (let i = 0; i < chunks; i++) {
    const b = task.batch(rng, 64);
    const ev = task.evaluate(model.forward(b.x).output, b);
    loss += ev.loss / chunks;
    metric += ev.metric / chunks;
    metricName = ev.metricName;
  }
  return {
    row: r, params: model.numParameters(), testLoss: loss, testMetric: metric, metricName,
    baseline: task.baseline(), solvedBelow: task.solvedBelow, solved: loss < task.solvedBelow,
    solvedAt: s.solvedAt, stepsRun: s.steps, seconds: s.seconds,
  };
}

const HS97 = 'Hochreiter & Schmidhuber 1997';
const LE15 = 'Le et al. 2015';
const ARJ16 = 'Arjovsky et al. 2016';
const PAS13 = 'Pascanu et al. 2013';

function addingClaim(model: ReproModel, T: number): PaperClaim {
  switch (model) {
    case 'tanh RNN':
      return T >= 100
        ? { outcome: 'fails', says: `${LE15} and ${ARJ16}: the tanh RNN stays near the baseline for T ≥ 100 (their longest successes are shorter)` }
        : { outcome: 'none', says: 'no claim at T < 100' };
    case 'IRNN':
      return { outcome: 'solves', says: `${LE15}: the IRNN solves T = 150 to 400${T < 150 ? ' (shorter T is easier)' : ''}` };
    case 'LSTM':
      return { outcome: 'solves', says: `${HS97} (exp. 4, T = 100 to 1000) and ${ARJ16} (up to T = 750): the LSTM solves it` };
    case 'GRU':
      return { outcome: 'none', says: 'the GRU papers (Cho et al. 2014, Chung et al. 2014) do not report the adding problem' };
  }
}

function temporalClaim(model: ReproModel): PaperClaim {
  return model === 'LSTM'
    ? { outcome: 'solves', says: `${HS97} (exp. 6a, T = 100 to 110): the LSTM solves it` }
    : { outcome: 'none', says: `${PAS13}: a tanh RNN solves it only with clipping and their gradient-norm regulariser (we clip, without the regulariser)` };
}

function copyClaim(model: ReproModel): PaperClaim {
  return { outcome: 'fails', says: `${ARJ16}: the ${model} stays at the memoryless baseline for T ≥ 100 in their training budget` };
}

/**
 * The full table (a command for users, not CI: tens of minutes on two cores). `quick` is the smoke
 * version the tests run: short sequences, a few dozen steps.
 */
export function reproductionRows(quick = false): ReproRow[] {
  const rows: ReproRow[] = [];
  const rnnHidden = 32, gatedHidden = 16, batch = 32, seed = 0;
  const lrOf = (m: ReproModel): number => (m === 'IRNN' ? 1e-3 : m === 'tanh RNN' ? 3e-3 : 1e-2);
  const hiddenOf = (m: ReproModel): number => (m === 'LSTM' || m === 'GRU' ? gatedHidden : rnnHidden);
  if (quick) {
    const q = (task: ReproTask, T: number, model: ReproModel, expect: PaperClaim): ReproRow =>
      ({ task, T, model, hidden: 8, steps: 30, batch: 16, lr: 1e-2, forgetBias: model === 'LSTM' ? 1 : undefined, seed, evalEvery: 10, expect });
    return [
      q('adding', 10, 'tanh RNN', addingClaim('tanh RNN', 10)),
      q('adding', 10, 'LSTM', addingClaim('LSTM', 10)),
      q('temporal-order', 10, 'GRU', temporalClaim('GRU')),
      q('copy', 5, 'LSTM', copyClaim('LSTM')),
    ];
  }
  for (const T of [50, 100, 200]) {
    for (const model of ['tanh RNN', 'IRNN', 'LSTM', 'GRU'] as const) {
      rows.push({
        task: 'adding', T, model, hidden: hiddenOf(model), steps: 3000, batch, lr: lrOf(model),
        forgetBias: model === 'LSTM' ? 1 : undefined, seed, evalEvery: 50, expect: addingClaim(model, T),
      });
    }
  }
  for (const T of [50, 100]) {
    for (const model of ['tanh RNN', 'LSTM'] as const) {
      rows.push({
        task: 'temporal-order', T, model, hidden: hiddenOf(model), steps: 3000, batch, lr: lrOf(model),
        forgetBias: model === 'LSTM' ? 1 : undefined, seed, evalEvery: 50, expect: temporalClaim(model),
      });
    }
  }
  for (const model of ['tanh RNN', 'LSTM'] as const) {
    rows.push({
      task: 'copy', T: 100, model, hidden: hiddenOf(model), steps: 2000, batch, lr: lrOf(model),
      forgetBias: model === 'LSTM' ? 1 : undefined, seed, evalEvery: 50, expect: copyClaim(model),
    });
  }
  return rows;
}

/**
 * What changes the gradient-flow picture: the same measurement (loss at the last step, ||dL/dh_t|| at
 * every earlier step) repeated for the remedies the theory names — LSTM forget-gate bias, orthogonal and
 * identity W_hh — and for models after training, since training moves the weights (and so the step
 * Jacobians) away from their initialization.
 *
 * Trained rows: an RNN and an LSTM (PyTorch-default init, forget bias 0) are trained with BPTT on the
 * long-lag task of src/experiments/long-lag.ts (store a sign, recall it after T_train − 1 noisy steps),
 * then measured on that task's inputs, beside the same models before training on the same inputs.
 */
import { analyzeGradientFlow, findHorizon, fitDecay, type AnalyzeOptions, type CellFlowReport } from '../analysis/analyze.js';
import type { CellKind } from '../analysis/counts.js';
import { gradientFlow } from '../analysis/gradflow.js';
import { LONG_LAG_INPUTS, longLagBatch, trainLongLag } from './long-lag.js';
import { LSTM, RNN } from '../layers/models.js';
import type { Recurrent } from '../layers/recurrent.js';
import { checkPositiveInt } from '../tensor/check.js';
import { Rng, fillNormal } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';

export interface VariantOptions {
  sequenceLength: number;
  hiddenSize: number;
  inputSize: number;
  trials: number;
  seed: number;
  /** Adam steps for the trained rows (0: no trained rows). */
  trainSteps: number;
  /** Lag of the training task (default 20). */
  trainSeqLen?: number;
}

export interface VariantRow {
  label: string;
  cell: CellKind;
  /** Geometric mean over trials (or over sequences, for trained rows) of ||dL/dh_0|| / ||dL/dh_T||. */
  initialRatio: number;
  decayPerStep: number;
  /** Steps back until below 1e-3 of the last step's norm; null if never within T. */
  horizon: number | null;
  /** Trained rows: held-out MSE on the training task (baseline 1) after training. */
  trainedLoss?: number;
}

export function compareGradientFlow(o: VariantOptions, log: (line: string) => void = () => {}): VariantRow[] {
  checkPositiveInt('trials', o.trials);
  const base: AnalyzeOptions = {
    sequenceLength: o.sequenceLength, hiddenSize: o.hiddenSize, inputSize: o.inputSize, trials: o.trials, seed: o.seed,
  };
  const rows: VariantRow[] = [];
  const add = (label: string, r: CellFlowReport) =>
    rows.push({ label, cell: r.cell, initialRatio: r.initialRatio, decayPerStep: r.decayPerStep, horizon: r.horizon });
  const run = (label: string, cells: CellKind[], init: AnalyzeOptions['init'] = {}) => {
    const r = analyzeGradientFlow({ ...base, cells, init });
    for (const c of cells) add(`${label}`, r[c]!);
  };
  run('PyTorch default', ['rnn', 'lstm', 'gru']);
  run('forget bias 1', ['lstm'], { forgetBias: 1 });
  run('forget bias 3', ['lstm'], { forgetBias: 3 });
  run('orthogonal W_hh', ['rnn', 'lstm', 'gru'], { weightHh: 'orthogonal' });
  run('identity W_hh', ['rnn', 'lstm', 'gru'], { weightHh: 'identity' });
  if (o.trainSteps > 0) {
    const Ttrain = o.trainSeqLen ?? 20;
    for (const cell of ['rnn', 'lstm'] as const) {
      const opts = { inputSize: LONG_LAG_INPUTS, hiddenSize: o.hiddenSize, outputSize: 1, dtype: 'float64' as const, seed: o.seed };
      const model: Recurrent = cell === 'rnn' ? new RNN(opts) : new LSTM(opts);
      rows.push({ label: 'long-lag inputs, before training', cell, ...measure(model, o) });
      const t = trainLongLag(model, { T: Ttrain, B: 16, steps: o.trainSteps, lr: 1e-2, clip: 1, seed: o.seed, threshold: 0.1, label: `${cell}: ` }, log);
      rows.push({ label: `after ${o.trainSteps} steps on long-lag T=${Ttrain}`, cell, ...measure(model, o), trainedLoss: t.loss });
    }
  }
  return rows;
}

/** Gradient flow of one model on long-lag inputs of length T: per-sequence curves, geometric mean. */
function measure(model: Recurrent, o: VariantOptions): Omit<VariantRow, 'label' | 'cell'> {
  const T = o.sequenceLength, H = o.hiddenSize;
  const rng = new Rng(o.seed + 17);
  const logs = new Array<number>(T).fill(0);
  let logInitial = 0;
  for (let trial = 0; trial < o.trials; trial++) {
    const { x } = longLagBatch(rng, T, 1);
    const up = new Float64Array(H);
    fillNormal(up, rng, 0, 1);
    const n = Math.hypot(...up);
    const f = gradientFlow(model, x, new Tensor(up.map((v) => v / n), [1, H]));
    f.dh.forEach((v, t) => (logs[t] += Math.log(Math.max(v, 1e-300)) / o.trials));
    logInitial += Math.log(Math.max(f.dhInitial, 1e-300)) / o.trials;
  }
  const geo = logs.map(Math.exp);
  return { initialRatio: Math.exp(logInitial), decayPerStep: fitDecay(geo), horizon: findHorizon(geo, 1e-3) };
}

export const VARIANT_HEADERS = ['variant', 'cell', '‖dL/dh_0‖/‖dL/dh_T‖', 'decay/step', 'horizon', 'trained MSE'];

/** Rows of strings for a table (terminal or Markdown). */
export function variantTableRows(rows: VariantRow[], T: number): string[][] {
  return rows.map((r) => [
    r.label,
    r.cell.toUpperCase(),
    r.initialRatio.toExponential(2),
    Number.isFinite(r.decayPerStep) ? r.decayPerStep.toFixed(3) : '—',
    r.horizon === null ? `> ${T - 1}` : String(r.horizon),
    r.trainedLoss === undefined ? '' : r.trainedLoss.toPrecision(3),
  ]);
}

/**
 * C4 — RNN vs LSTM vs GRU at the same width: what the gates cost (parameters) and what they buy
 * (gradient flow at initialization, and learning the long-lag task of `long-lag.ts`).
 *
 * Parameters: an RNN has one H×H recurrent block, a GRU three (r, z, n), an LSTM four (i, f, g, o), and
 * as many input blocks and bias pairs: 1 : 3 : 4 (countParameters, checked against numParameters()).
 * Gradient flow: analyzeGradientFlow with each cell's default (PyTorch) initialization. Training: the
 * same seed, data and Adam steps for each; the LSTM is trained twice, with the default init and with the
 * forget-gate bias set to 2 (C3).
 */
import { analyzeGradientFlow, type CellFlowReport } from '../analysis/analyze.js';
import { countParameters, type CellKind } from '../analysis/counts.js';
import { GRU, LSTM, RNN } from '../layers/models.js';
import type { Recurrent } from '../layers/recurrent.js';
import { fmt, type Experiment, type ExperimentResult } from './experiment.js';
import { LONG_LAG_INPUTS, trainLongLag, type TrainResult } from './long-lag.js';

export interface ArchRow {
  model: string;
  cell: CellKind;
  /** Total with the 1-output head (countParameters), and what the model itself counts. */
  parameters: number;
  modelParameters: number;
  /** weight_hh only. */
  recurrentParameters: number;
  initialRatio: number;
  decayPerStep: number;
  train: TrainResult;
}

export const rnnLstmGru: Experiment = {
  name: 'rnn-lstm-gru',
  title: 'C4: RNN vs LSTM vs GRU — parameters, gradient flow, a long lag',
  question: 'At the same hidden size, how many more parameters do the gated cells have, how much better does their gradient flow, and do they learn a long lag that the RNN does not?',
  run({ seed, quick }, log): ExperimentResult {
    const T = quick ? 12 : 30, H = 16, D = LONG_LAG_INPUTS, B = 32, steps = quick ? 150 : 700, lr = 1e-2, clip = 1, threshold = 0.1;
    const trials = quick ? 3 : 5;
    const flow = analyzeGradientFlow({ cells: ['rnn', 'lstm', 'gru'], sequenceLength: T, hiddenSize: H, inputSize: D, trials, seed });
    const models: { model: string; cell: CellKind; make: () => Recurrent; flow: CellFlowReport }[] = [
      { model: 'RNN (tanh)', cell: 'rnn', make: () => new RNN({ inputSize: D, hiddenSize: H, outputSize: 1, dtype: 'float64', seed }), flow: flow.rnn! },
      { model: 'GRU', cell: 'gru', make: () => new GRU({ inputSize: D, hiddenSize: H, outputSize: 1, dtype: 'float64', seed }), flow: flow.gru! },
      { model: 'LSTM', cell: 'lstm', make: () => new LSTM({ inputSize: D, hiddenSize: H, outputSize: 1, dtype: 'float64', seed }), flow: flow.lstm! },
      {
        model: 'LSTM, forget bias 2', cell: 'lstm',
        make: () => new LSTM({ inputSize: D, hiddenSize: H, outputSize: 1, dtype: 'float64', seed, init: { forgetBias: 2 } }),
        flow: analyzeGradientFlow({ cells: ['lstm'], sequenceLength: T, hiddenSize: H, inputSize: D, trials, seed, init: { forgetBias: 2 } }).lstm!,
      },
    ];
    const rows: ArchRow[] = models.map(({ model, cell, make, flow: f }) => {
      const count = countParameters({ cell, D, H, O: 1 });
      const m = make();
      const train = trainLongLag(m, { T, B, steps, lr, clip, seed, threshold, label: `${model}: ` }, log);
      return {
        model, cell, parameters: count.total, modelParameters: m.numParameters(), recurrentParameters: count.breakdown.weight_hh_l0,
        initialRatio: f.initialRatio, decayPerStep: f.decayPerStep, train,
      };
    });
    const table = {
      columns: ['model', 'parameters', 'W_hh parameters', '‖dL/dh_0‖/‖dL/dh_T‖ at init', 'decay/step', 'held-out MSE', 'sign accuracy', 'solved at step', 'solved'],
      rows: rows.map((r) => [
        r.model, r.parameters, r.recurrentParameters, r.initialRatio, r.decayPerStep, r.train.loss, r.train.accuracy, r.train.solvedAt ?? '—', r.train.solved ? 'yes' : 'no',
      ]),
    };
    const [rnn, gru, lstm, lstm2] = rows;
    const result = (r: ArchRow): string =>
      r.train.solved ? `${r.model} solves it (MSE ${fmt(r.train.loss)}, below ${threshold} from step ${r.train.solvedAt ?? '—'})` : `${r.model} does not (MSE ${fmt(r.train.loss)}, sign accuracy ${fmt(r.train.accuracy)})`;
    const conclusion = [
      `At H = ${H}, D = ${D} (plus a 1-output head) the RNN has ${rnn.parameters} parameters, the GRU ${gru.parameters} and the LSTM ${lstm.parameters}; ` +
        `the recurrent matrices alone are ${rnn.recurrentParameters} : ${gru.recurrentParameters} : ${lstm.recurrentParameters} = ` +
        `1 : ${fmt(gru.recurrentParameters / rnn.recurrentParameters)} : ${fmt(lstm.recurrentParameters / rnn.recurrentParameters)}.`,
      `At initialization (default PyTorch init, T = ${T}) the gradient reaching h_0 is ${fmt(rnn.initialRatio)} of ‖dL/dh_T‖ for the RNN ` +
        `(×${fmt(rnn.decayPerStep)} per step), ${fmt(gru.initialRatio)} for the GRU (×${fmt(gru.decayPerStep)}), ${fmt(lstm.initialRatio)} for the LSTM ` +
        `(×${fmt(lstm.decayPerStep)}) and ${fmt(lstm2.initialRatio)} for the LSTM with forget bias 2 (×${fmt(lstm2.decayPerStep)}).`,
      `Trained ${steps} Adam steps on the long-lag task (recall a ±1 sign after ${T - 1} distractor steps; predicting 0 scores MSE 1), ` +
        `${rows.map(result).join('; ')}.`,
    ].join(' ');
    return {
      name: 'rnn-lstm-gru',
      settings: {
        T, H, D, outputSize: 1, batch: B, trainSteps: steps, optimizer: `Adam lr ${lr}`, clipGradNorm: clip,
        task: 'long-lag: store a ±1 sign at step 0 (marker), U(−0.5, 0.5) distractors, recall marker and MSE at the last step',
        solvedThreshold: `held-out MSE < ${threshold} on 256 sequences (predicting 0: MSE 1)`,
        gradientFlow: `analyzeGradientFlow, inputs N(0, 1), ${trials} trials, default init`,
      },
      table,
      conclusion,
      data: { rows },
    };
  },
};

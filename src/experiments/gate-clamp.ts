/**
 * C2, tested by intervention rather than by averages: take the LSTM of gate-roles.ts (trained to store a
 * marked sign, hold it through distractors and give it back at the last step), and clamp one gate in
 * one phase for every unit, then score the recall on held-out sequences. If a gate has the role the
 * textbook gives it, clamping it against that role in that phase breaks the recall, and clamping it
 * elsewhere does not:
 * - input gate: opens to write at the store step; closing it there (i = 0) should lose the value, opening
 *   it over the distractors (i = 1) should write noise over it;
 * - forget gate: holds the value (f ≈ 1) between store and recall; f = 0 there should erase it;
 * - output gate: lets the value out at the recall step; o = 0 there should hide it.
 * Predictions come from the model's own head applied to h_T recomputed with the clamp (lstmGates).
 */
import { Rng } from '../tensor/random.js';
import { fmt, type Experiment, type ExperimentResult } from './experiment.js';
import { trainGateModel } from './gate-roles.js';
import { longLagBatch, lstmGates, type GateClamp } from './long-lag.js';

export interface ClampRow {
  clamp: string;
  mse: number;
  signAccuracy: number;
}

export const gateClamp: Experiment = {
  name: 'gate-clamp',
  title: 'C2: the gates\' roles tested by clamping — what breaks the recall, and what does not',
  question: 'In an LSTM trained to store, hold and recall a sign, does clamping each gate in each phase break the recall where the textbook roles say it should?',
  run({ seed, quick }, log): ExperimentResult {
    const { lstm, train, T, task } = trainGateModel(seed, quick, log);
    const n = 256;
    const batch = longLagBatch(new Rng(seed + 4), T, n, task);
    const sd = lstm.stateDict();
    const W = sd['head.weight']!.data, bias = sd['head.bias']!.data[0]!, H = lstm.hiddenSize;
    const store = (b: number) => batch.store[b]!;
    const holding = (t: number, b: number) => t > store(b) && t < T - 1;
    const clamps: [string, GateClamp | undefined][] = [
      ['none', undefined],
      ['i = 0 at the store step', (g, t, b) => (g === 'i' && t === store(b) ? 0 : undefined)],
      ['i = 1 over the distractors after the store', (g, t, b) => (g === 'i' && holding(t, b) ? 1 : undefined)],
      ['f = 0 over the distractors after the store', (g, t, b) => (g === 'f' && holding(t, b) ? 0 : undefined)],
      ['f = 1 at every step', (g) => (g === 'f' ? 1 : undefined)],
      ['o = 0 at the recall step', (g, t) => (g === 'o' && t === T - 1 ? 0 : undefined)],
      ['o = 0 over the distractors after the store', (g, t, b) => (g === 'o' && holding(t, b) ? 0 : undefined)],
    ];
    const rows: ClampRow[] = clamps.map(([clamp, fn]) => {
      const hT = lstmGates(lstm, batch.x, fn).h[T - 1]!;
      let se = 0, right = 0;
      for (let b = 0; b < n; b++) {
        let y = bias;
        for (let j = 0; j < H; j++) y += W[j]! * hT[b * H + j]!;
        se += (y - batch.y[b]!) ** 2;
        if (Math.sign(y) === batch.y[b]) right++;
      }
      return { clamp, mse: se / n, signAccuracy: right / n };
    });
    const none = rows[0]!;
    const broken = rows.filter((r) => r.signAccuracy < 0.75).map((r) => r.clamp);
    const kept = rows.slice(1).filter((r) => r.signAccuracy >= 0.9).map((r) => r.clamp);
    const conclusion = `Unclamped, the trained LSTM (held-out MSE ${fmt(train.loss)} in training) recalls the sign on ${(100 * none.signAccuracy).toFixed(1)} % of ${n} held-out sequences (MSE ${fmt(none.mse)}). ` +
      `Recall breaks (sign accuracy below 0.75) with: ${broken.join('; ') || 'none'}. It survives (0.9 or more) with: ${kept.join('; ') || 'none'}.`;
    return {
      name: 'gate-clamp',
      settings: { T, n, model: 'the trained LSTM of gate-roles (H = 8, forget bias 2)', seed, clamp: 'every unit, the phase given' },
      table: { columns: ['clamp', 'held-out MSE', 'sign accuracy'], rows: rows.map((r) => [r.clamp, r.mse, r.signAccuracy]) },
      conclusion,
      data: rows,
    };
  },
};

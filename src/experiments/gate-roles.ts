/**
 * C2 — what do the LSTM's gates do? Train a small LSTM to store a value when a marker says so, keep it
 * through distractors, and give it back at the end (the long-lag task of `long-lag.ts` with the store
 * step drawn uniformly from the first half), then recompute the gates step by step from its weights,
 *
 *   z = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh,   i, f, o = σ(z_i, z_f, z_o)    (gate order i, f, g, o)
 *
 * and average them by phase: before the store step, at the store step, over the distractors after it,
 * and at the recall step. The textbook roles: the input gate opens to write (store step) and closes
 * against distractors, the forget gate stays near 1 while the value is held, the output gate opens to
 * read (recall step). Averages over all H units mix the unit that holds the value with the others, so
 * the table also shows the "memory unit": the one whose c_{T−1} correlates most with the stored sign.
 */
import { LSTM } from '../layers/models.js';
import { Rng } from '../tensor/random.js';
import { fmt, type Experiment, type ExperimentResult } from './experiment.js';
import { LONG_LAG_INPUTS, longLagBatch, lstmGates, trainLongLag, type LongLagOptions, type TrainResult } from './long-lag.js';

export type Phase = 'before store' | 'store' | 'distractors after store' | 'recall';
export const PHASES: Phase[] = ['before store', 'store', 'distractors after store', 'recall'];

export interface GateMeans {
  i: number;
  f: number;
  o: number;
}

export interface GateRolesData {
  train: TrainResult;
  memoryUnit: number;
  /** |corr(c_{T−1, j}, s)| of the memory unit. */
  memoryCorrelation: number;
  /** Per phase: means over all units, and over the memory unit only. */
  all: Record<Phase, GateMeans>;
  unit: Record<Phase, GateMeans>;
}

/** The LSTM of C2: trained on the long-lag task with the store step drawn from the first half (gate-clamp.ts uses it too). */
export function trainGateModel(seed: number, quick: boolean, log: (line: string) => void) {
  const T = quick ? 12 : 30, H = 8, B = 32, steps = quick ? 200 : 800, lr = 1e-2, clip = 1, threshold = 0.1, forgetBias = 2;
  const task: LongLagOptions = { storeAt: 'random' };
  const lstm = new LSTM({ inputSize: LONG_LAG_INPUTS, hiddenSize: H, outputSize: 1, dtype: 'float64', seed, init: { forgetBias } });
  const train = trainLongLag(lstm, { T, B, steps, lr, clip, seed, threshold, task }, log);
  return { lstm, train, T, H, task, settings: { B, steps, lr, clip, threshold, forgetBias } };
}

export const gateRoles: Experiment = {
  name: 'gate-roles',
  title: 'C2: what the input, forget and output gates do — store, hold, recall',
  question: 'In an LSTM trained to store a marked value and recall it after distractors, how do the mean gate activations differ between the store step, the distractor steps and the recall step?',
  run({ seed, quick }, log): ExperimentResult {
    const { lstm, train, T, H, task, settings: { B, steps, lr, clip, forgetBias } } = trainGateModel(seed, quick, log);
    const n = 256;
    const batch = longLagBatch(new Rng(seed + 4), T, n, task);
    const tr = lstmGates(lstm, batch.x);
    // The memory unit: largest |corr(c_{T−1, j}, s)| over the held-out batch.
    let memoryUnit = 0, memoryCorrelation = -1;
    for (let j = 0; j < H; j++) {
      const cj = Array.from({ length: n }, (_, b) => tr.c[T - 1][b * H + j]);
      const r = Math.abs(corr(cj, Array.from(batch.y)));
      if (r > memoryCorrelation) (memoryCorrelation = r), (memoryUnit = j);
    }
    const phaseOf = (t: number, p: number): Phase => (t === T - 1 ? 'recall' : t < p ? 'before store' : t === p ? 'store' : 'distractors after store');
    const acc = (): Record<Phase, { i: number; f: number; o: number; n: number }> =>
      Object.fromEntries(PHASES.map((ph) => [ph, { i: 0, f: 0, o: 0, n: 0 }])) as Record<Phase, { i: number; f: number; o: number; n: number }>;
    const all = acc(), unit = acc();
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < n; b++) {
        const ph = phaseOf(t, batch.store[b]);
        for (let j = 0; j < H; j++) {
          const k = b * H + j;
          for (const s of j === memoryUnit ? [all[ph], unit[ph]] : [all[ph]]) {
            s.i += tr.i[t][k];
            s.f += tr.f[t][k];
            s.o += tr.o[t][k];
            s.n++;
          }
        }
      }
    }
    const means = (a: Record<Phase, { i: number; f: number; o: number; n: number }>): Record<Phase, GateMeans> =>
      Object.fromEntries(PHASES.map((ph) => [ph, { i: a[ph].i / a[ph].n, f: a[ph].f / a[ph].n, o: a[ph].o / a[ph].n }])) as Record<Phase, GateMeans>;
    const data: GateRolesData = { train, memoryUnit, memoryCorrelation, all: means(all), unit: means(unit) };
    const table = {
      columns: ['phase', 'steps', 'mean i (all units)', 'mean f (all units)', 'mean o (all units)', `i (unit ${memoryUnit})`, `f (unit ${memoryUnit})`, `o (unit ${memoryUnit})`],
      rows: PHASES.map((ph) => [ph, all[ph].n / (H * n), data.all[ph].i, data.all[ph].f, data.all[ph].o, data.unit[ph].i, data.unit[ph].f, data.unit[ph].o]),
    };
    const u = data.unit, a = data.all;
    const cmp = (x: number, y: number): string => (x > y ? 'higher than' : x < y ? 'lower than' : 'equal to');
    const conclusion = [
      `After ${steps} Adam steps the LSTM (H = ${H}, forget bias ${forgetBias} at init, as C3 suggests) recalls the stored sign with held-out MSE ${fmt(train.loss)} ` +
        `(sign accuracy ${fmt(train.accuracy)}; predicting 0 scores 1).`,
      `Averaged over all ${H} units, the input gate is ${fmt(a.store.i)} at the store step, ${cmp(a.store.i, a['distractors after store'].i)} ${fmt(a['distractors after store'].i)} over the distractors after it ` +
        `(${fmt(a['before store'].i)} before it); the forget gate is ${fmt(a['distractors after store'].f)} over those distractors and ${fmt(a.store.f)} at the store step ` +
        `(${cmp(a.store.f, a['distractors after store'].f)} while holding); the output gate is ${fmt(a.recall.o)} at the recall step, ${cmp(a.recall.o, a['distractors after store'].o)} ${fmt(a['distractors after store'].o)} over the distractors.`,
      `Unit ${memoryUnit}, whose final cell state correlates with the sign at |r| = ${fmt(memoryCorrelation)}: input gate ${fmt(u.store.i)} (store) vs ${fmt(u['distractors after store'].i)} (distractors), ` +
        `forget gate ${fmt(u.store.f)} (store) vs ${fmt(u['distractors after store'].f)} (distractors), output gate ${fmt(u.recall.o)} (recall) vs ${fmt(u['distractors after store'].o)} (distractors).`,
    ].join(' ');
    return {
      name: 'gate-roles',
      settings: {
        T, H, batch: B, trainSteps: steps, optimizer: `Adam lr ${lr}`, clipGradNorm: clip, forgetBias,
        task: 'long-lag: store a ±1 sign at a marked step uniform in [0, T/2), U(−0.5, 0.5) distractors, recall marker and MSE at the last step',
        gates: `recomputed from the state dict on ${n} held-out sequences; "steps" = step count per sequence in that phase, averaged`,
      },
      table,
      conclusion,
      data,
    };
  },
};

function corr(x: number[], y: number[]): number {
  const n = x.length, mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let k = 0; k < n; k++) (sxy += (x[k] - mx) * (y[k] - my)), (sxx += (x[k] - mx) ** 2), (syy += (y[k] - my) ** 2);
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
}

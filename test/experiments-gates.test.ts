/**
 * The gate experiments (C2 gate-roles, C3 forget-bias, C4 rnn-lstm-gru) in quick mode, seed 0: each runs,
 * is reproducible from its seed, and its numbers support the claim its conclusion makes. Also the shared
 * long-lag task and the by-hand gate recomputation against the LSTM layer's own forward.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findExperiment } from '../src/experiments/registry.js';
import { formatTable, type ExperimentResult } from '../src/experiments/experiment.js';
import { LONG_LAG_INPUTS, longLagBatch, lstmGates } from '../src/experiments/long-lag.js';
import type { ForgetBiasRow } from '../src/experiments/forget-bias.js';
import type { ArchRow } from '../src/experiments/rnn-lstm-gru.js';
import { PHASES, type GateRolesData } from '../src/experiments/gate-roles.js';
import { LSTM, Rng } from '../src/index.js';

const results = new Map<string, ExperimentResult>();
const quickRun = (name: string): ExperimentResult => {
  if (!results.has(name)) results.set(name, findExperiment(name).run({ seed: 0, quick: true }, () => {}));
  return results.get(name)!;
};

describe('long-lag task', () => {
  it('marks one store step per sequence carrying the target sign, and the recall step', () => {
    const T = 10, B = 50;
    for (const storeAt of [0, 'random'] as const) {
      const { x, y, store } = longLagBatch(new Rng(1), T, B, { storeAt });
      assert.deepEqual(x.shape, [T, B, LONG_LAG_INPUTS]);
      for (let b = 0; b < B; b++) {
        assert.ok(Math.abs(y[b]) === 1);
        if (storeAt === 0) assert.equal(store[b], 0);
        else assert.ok(store[b] >= 0 && store[b] < T / 2);
        for (let t = 0; t < T; t++) {
          const o = (t * B + b) * 3;
          assert.equal(x.data[o + 1], t === store[b] ? 1 : 0);
          assert.equal(x.data[o + 2], t === T - 1 ? 1 : 0);
          if (t === store[b]) assert.equal(x.data[o], y[b]);
          else assert.ok(Math.abs(x.data[o]) <= 0.5);
        }
      }
    }
  });

  it('gates recomputed from the state dict reproduce the layer’s own h_t and c_t', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, dtype: 'float64', seed: 3, init: { forgetBias: 1.5 } });
    const { x } = longLagBatch(new Rng(2), 7, 4, { storeAt: 'random' });
    const out = lstm.forward(x);
    const tr = lstmGates(lstm, x);
    for (let k = 0; k < 4 * 5; k++) {
      assert.ok(Math.abs(tr.h[6][k] - out.h.data[k]) < 1e-12);
      assert.ok(Math.abs(tr.c[6][k] - out.c!.data[k]) < 1e-12);
    }
    for (let t = 0; t < 7; t++) for (let k = 0; k < 20; k++) assert.ok(Math.abs(tr.h[t][k] - out.output.data[t * 20 + k]) < 1e-12);
  });
});

describe('C3 forget-bias', () => {
  it('a larger forget bias opens f (≈ σ(b)), lets more gradient reach the start, and learns the lag sooner', () => {
    const rows = (quickRun('forget-bias').data as { rows: ForgetBiasRow[] }).rows;
    assert.deepEqual(rows.map((r) => r.forgetBias), [0, 1, 2, 3]);
    for (const r of rows) assert.ok(Math.abs(r.meanForget - 1 / (1 + Math.exp(-r.forgetBias))) < 0.02, `f̄ ${r.meanForget} for b ${r.forgetBias}`);
    for (let k = 1; k < rows.length; k++) {
      assert.ok(rows[k].initialRatio > rows[k - 1].initialRatio, 'initialRatio rises with the bias');
      assert.ok(rows[k].decayPerStep > rows[k - 1].decayPerStep);
      assert.ok(rows[k].cellRatio > rows[k - 1].cellRatio, 'the cell-path gradient too');
      assert.ok(rows[k].train.solvedAt! <= rows[k - 1].train.solvedAt!, 'solved no later');
    }
    assert.ok(rows[3].initialRatio > 100 * rows[0].initialRatio);
    for (const r of rows) assert.ok(r.train.solved && r.train.loss < 0.1 && r.train.accuracy === 1);
  });
});

describe('C4 rnn-lstm-gru', () => {
  const rows = (): ArchRow[] => (quickRun('rnn-lstm-gru').data as { rows: ArchRow[] }).rows;

  it('gates cost 3× (GRU) and 4× (LSTM) the recurrent parameters; the RNN’s gradient vanishes fastest', () => {
    const [rnn, gru, lstm, lstm2] = rows();
    assert.deepEqual(rows().map((r) => r.model), ['RNN (tanh)', 'GRU', 'LSTM', 'LSTM, forget bias 2']);
    assert.equal(lstm.recurrentParameters, 4 * rnn.recurrentParameters);
    assert.equal(gru.recurrentParameters, 3 * rnn.recurrentParameters);
    for (const r of rows()) assert.equal(r.parameters, r.modelParameters, 'countParameters = numParameters()');
    assert.equal(lstm.parameters - 1 * 16 - 1, 4 * (rnn.parameters - 16 - 1), 'without the head: exactly 4×');
    assert.ok(rnn.initialRatio < lstm.initialRatio && rnn.initialRatio < gru.initialRatio);
    assert.ok(lstm2.initialRatio > lstm.initialRatio && lstm2.decayPerStep > lstm.decayPerStep);
  });

  it('trains every model once per seed, and the seeds give different runs', () => {
    const seeds = quickRun('rnn-lstm-gru').settings.seeds as number[];
    assert.ok(seeds.length >= 3 && new Set(seeds).size === seeds.length, `seeds ${seeds}`);
    for (const r of rows()) {
      assert.deepEqual(r.seeds, seeds);
      assert.equal(r.runs.length, seeds.length);
      assert.equal(new Set(r.runs.map((x) => x.loss)).size, seeds.length, `${r.model}: one held-out MSE per seed`);
    }
  });

  it('the solved count is the number of runs below the threshold, and the medians lie within their runs', () => {
    for (const r of rows()) {
      const n = r.runs.length, solved = r.runs.filter((x) => x.solved);
      assert.ok(Number.isInteger(r.solved) && r.solved >= 0 && r.solved <= n);
      assert.equal(r.solved, solved.length);
      const at = solved.map((x) => x.solvedAt!);
      if (at.length === 0) assert.equal(r.medianSolvedAt, null);
      else assert.ok(r.medianSolvedAt! >= Math.min(...at) && r.medianSolvedAt! <= Math.max(...at), `${r.model}: ${r.medianSolvedAt} in ${at}`);
      const losses = r.runs.map((x) => x.loss);
      assert.ok(r.medianLoss >= Math.min(...losses) && r.medianLoss <= Math.max(...losses));
    }
  });

  it('with forget bias 2 the LSTM learns the quick lag from every seed', () => {
    const lstm2 = rows()[3];
    assert.equal(lstm2.solved, lstm2.runs.length, lstm2.runs.map((x) => x.loss).join(', '));
  });
});

describe('C2 gate-roles', () => {
  it('averaged over units, the input gate opens and the forget gate dips at the store step', () => {
    const d = quickRun('gate-roles').data as GateRolesData;
    assert.ok(d.train.solved && d.train.accuracy === 1, `loss ${d.train.loss}`);
    assert.ok(d.memoryCorrelation > 0.9);
    for (const s of [d.all, d.unit]) {
      for (const ph of PHASES) for (const g of ['i', 'f', 'o'] as const) assert.ok(s[ph][g] > 0 && s[ph][g] < 1, `${ph} ${g} ${s[ph][g]}`);
    }
    // Only what held in every run we looked at (quick and full, seeds 0 and 1, forget bias 1–3); the output
    // gate and the single memory unit's gates showed no consistent direction, so they are not asserted.
    const a = d.all;
    assert.ok(a.store.i > a['distractors after store'].i, 'input gate higher at the store step');
    assert.ok(a.store.f < a['distractors after store'].f, 'forget gate lower at the store step than while holding');
    assert.ok(a['distractors after store'].f > 0.8, 'forget gate high while holding (bias 2)');
    const steps = quickRun('gate-roles').table.rows.reduce((s, r) => s + (r[1] as number), 0);
    assert.ok(Math.abs(steps - 12) < 1e-9, 'the phases cover every step');
  });
});

describe('reproducibility', () => {
  for (const name of ['gate-roles', 'forget-bias', 'rnn-lstm-gru']) {
    it(`${name}: same seed ⇒ same table and conclusion`, () => {
      const a = quickRun(name), b = findExperiment(name).run({ seed: 0, quick: true }, () => {});
      assert.equal(formatTable(b.table), formatTable(a.table));
      assert.equal(b.conclusion, a.conclusion);
      for (const r of a.table.rows) for (const c of r) if (typeof c === 'number') assert.ok(Number.isFinite(c));
    });
  }
});

describe('C2 by clamping (gate-clamp)', () => {
  it('closing the input gate at the store step, the forget gate over the hold, or the output gate at recall breaks the recall; the unclamped model recalls', async () => {
    const { gateClamp } = await import('../src/experiments/gate-clamp.js');
    const r = gateClamp.run({ seed: 0, quick: true }, () => {});
    const acc = Object.fromEntries((r.data as { clamp: string; signAccuracy: number }[]).map((x) => [x.clamp, x.signAccuracy]));
    assert.ok(acc['none']! > 0.9, JSON.stringify(acc));
    for (const k of ['i = 0 at the store step', 'f = 0 over the distractors after the store', 'o = 0 at the recall step']) assert.ok(acc[k]! < 0.75, `${k}: ${acc[k]}`);
  });
});

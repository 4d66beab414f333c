/**
 * The concept experiments (C1, C5, C6) in quick mode: each runs, is reproducible from its seed, and its
 * numbers support the claim its conclusion makes (C6's own checks are in cell-probe.test.ts). Also the
 * deep tanh MLP's backward against gradCheck.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { experiments, findExperiment } from '../src/experiments/registry.js';
import { formatTable, type ExperimentResult } from '../src/experiments/experiment.js';
import type { TiedWeightsData } from '../src/experiments/tied-weights.js';
import type { AttentionVsLstmRow } from '../src/experiments/attention-vs-lstm.js';
import { TanhMLP } from '../src/layers/feedforward.js';
import { Rng, Tensor, gradCheck } from '../src/index.js';

const results = new Map<string, ExperimentResult>();
const quickRun = (name: string): ExperimentResult => {
  if (!results.has(name)) results.set(name, findExperiment(name).run({ seed: 0, quick: true }, () => {}));
  return results.get(name)!;
};

describe('registry', () => {
  it('finds every experiment by name and lists the valid names otherwise', () => {
    assert.deepEqual(experiments.map((e) => e.name), ['tied-weights', 'gate-roles', 'forget-bias', 'rnn-lstm-gru', 'attention-vs-lstm', 'cell-probe', 'lstm-paths', 'gate-clamp']);
    assert.throws(() => findExperiment('nope'), /expected one of 'tied-weights', 'gate-roles', 'forget-bias', 'rnn-lstm-gru', 'attention-vs-lstm', 'cell-probe', 'lstm-paths', 'gate-clamp', got "nope"/);
  });

  it('formats a table as Markdown', () => {
    const md = formatTable({ columns: ['a', 'b'], rows: [[1, 0.000123456], ['x', 2.5]] });
    assert.equal(md, '| a   | b       |\n| --- | ------- |\n| 1   | 1.23e-4 |\n| x   | 2.5     |');
    assert.throws(() => formatTable({ columns: ['a'], rows: [[1, 2]] }), /table.rows\[0\]: expected 1 cells/);
  });
});

describe('C1 tied-weights', () => {
  it('tied weights compound: at depth T with ρ = 1.5 (linear regime) the RNN gradient exceeds the untied net’s', () => {
    const r = quickRun('tied-weights');
    const { rows, summary } = r.data as TiedWeightsData;
    const T = r.settings.T as number;
    const deep = rows.find((x) => x.rho === 1.5 && x.depth === T && x.inputScale < 1)!;
    assert.ok(deep.rnnDh > deep.ffDh, `RNN ${deep.rnnDh} vs FF ${deep.ffDh}`);
    assert.ok(deep.rnnDh > 10, 'ρ > 1 explodes');
    const s = summary.find((x) => x.rho === 1.5 && x.inputScale < 1)!;
    assert.ok(s.rnnCos > 2 * s.ffCos, 'the tied gradient settles on a direction (power iteration)');
    assert.ok(s.rnnSumNorm < s.rnnNormSum, 'dW_hh is a sum of step terms that partly cancel');
    for (const x of summary) assert.ok(x.bpttSumError < 1e-12, 'Σ_t G_t is what BPTT accumulates');
  });
});

describe('C5 attention-vs-lstm', () => {
  it("the LSTM's dL/dx_1 vanishes with T while attention's only follows A_T1 (~1/T)", () => {
    const rows = (quickRun('attention-vs-lstm').data as { rows: AttentionVsLstmRow[] }).rows;
    const a = rows[0], b = rows[rows.length - 1];
    assert.ok(b.lstmDx1 / a.lstmDx1 < 1e-6, `LSTM ×${b.lstmDx1 / a.lstmDx1}`);
    // Attention: no faster than the 1/T of spreading attention over T positions (with slack 4).
    assert.ok((b.attnDx1 * b.T) / (a.attnDx1 * a.T) > 0.25, `attention ×${b.attnDx1 / a.attnDx1}`);
    assert.ok(b.attnDx1 > 1e6 * b.lstmDx1);
    assert.ok(b.attnFloats / a.attnFloats > b.lstmFloats / a.lstmFloats, 'memory: T² beats T');
  });
});

describe('reproducibility', () => {
  it('the same seed gives the same numbers (timings aside)', () => {
    for (const name of ['tied-weights', 'cell-probe']) {
      const again = findExperiment(name).run({ seed: 0, quick: true }, () => {});
      assert.deepEqual(again.table, quickRun(name).table, name);
    }
    const a = quickRun('attention-vs-lstm').data as { rows: AttentionVsLstmRow[] };
    const b = findExperiment('attention-vs-lstm').run({ seed: 0, quick: true }, () => {}).data as { rows: AttentionVsLstmRow[] };
    const strip = (r: AttentionVsLstmRow[]) => r.map(({ attnMs: _a, lstmMs: _l, ...rest }) => rest);
    assert.deepEqual(strip(b.rows), strip(a.rows));
  });
});

describe('TanhMLP', () => {
  it('backward matches finite differences (< 1e-6)', () => {
    const rng = new Rng(1), sizes = [3, 4, 4, 2], B = 2;
    const weights = sizes.slice(1).map((n, l) => Float64Array.from({ length: n * sizes[l] }, () => rng.normal() * 0.7));
    const biases = sizes.slice(1).map((n) => Float64Array.from({ length: n }, () => rng.normal() * 0.1));
    const net = new TanhMLP(sizes, weights, biases);
    const x = Float64Array.from({ length: B * 3 }, () => rng.normal());
    const u = Float64Array.from({ length: B * 2 }, () => rng.normal());
    const loss = (): number => net.forward(x, B).hs[3].reduce((s, v, i) => s + v * u[i], 0);
    const g = net.backward(net.forward(x, B), u);
    const wrt: Record<string, Tensor> = {}, analytic: Record<string, Tensor> = {};
    weights.forEach((w, l) => {
      wrt[`W${l}`] = new Tensor(w, [w.length]);
      analytic[`W${l}`] = new Tensor(g.dW[l], [w.length]);
      wrt[`b${l}`] = new Tensor(biases[l], [biases[l].length]);
      analytic[`b${l}`] = new Tensor(g.db[l]!, [biases[l].length]);
    });
    wrt.x = new Tensor(x, [x.length]);
    analytic.x = new Tensor(g.dx, [x.length]);
    const res = gradCheck(loss, wrt, analytic);
    assert.ok(res.maxRelError < 1e-6, `max relative error ${res.maxRelError} at ${res.worst.name}`);
    assert.throws(() => new TanhMLP([3, 4], []), /weights: expected 1 matrices/);
  });
});

/**
 * The gradient-flow explorer's computation (web/src/gradflow-compute.ts) and charts, in Node: its curve
 * is analyzeGradientFlow's, the A4 bounds hold on every trial, and the specs compile.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as vl from 'vega-lite';
import { analyzeGradientFlow } from '../src/analysis/analyze.js';
import { DEFAULT_PARAMS, INPUT_SIZE, computeGradflow, type GradflowParams } from '../web/src/gradflow-compute.js';
import { gradflowChart, plottedCurve, singularValuesChart } from '../web/src/gradflow-specs.js';

const small: GradflowParams = { ...DEFAULT_PARAMS, seqLen: 30, hidden: 12, trials: 3, jacobianStep: 30 };

describe('the gradient-flow explorer', () => {
  it('plots what analyzeGradientFlow measures, as rnnlab gradflow does', () => {
    const r = computeGradflow(small);
    const direct = analyzeGradientFlow({ sequenceLength: 30, hiddenSize: 12, inputSize: INPUT_SIZE, cells: ['rnn'], trials: 3, seed: 0, init: { weightHh: 'default' } });
    assert.deepEqual(r.report.rnn!.dhTrials, direct.rnn!.dhTrials);
    const curve = plottedCurve(r);
    assert.equal(curve[0].k, 0);
    assert.equal(curve[0].value, direct.rnn!.dhGeoMean[29]);
  });

  for (const [name, p] of [
    ['PyTorch default', {}], ['orthogonal W_hh', { weightHh: 'orthogonal' }], ['identity W_hh, ρ = 1.2', { weightHh: 'identity', spectralRadius: 1.2 }],
    ['ρ = 3', { spectralRadius: 3 }], ['saturating inputs', { inputScale: 8, spectralRadius: 1.5 }],
  ] as [string, Partial<GradflowParams>][]) {
    it(`RNN, ${name}: every trial stays under ∏‖diag(1−h²)W_hh‖, which stays under (γσ_max)ᵏ`, () => {
      const r = computeGradflow({ ...small, ...p });
      assert.ok(r.worstRatio! <= 1 + 1e-9, `curve / bound reaches ${r.worstRatio}`);
      assert.equal(r.bound![0], 1);
      r.bound!.forEach((b, k) => assert.ok(b <= r.looseBound![k] * (1 + 1e-9), `k = ${k}: ${b} > ${r.looseBound![k]}`));
      // σ_i(diag(d) W) ≤ σ_i(W) for 0 ≤ d ≤ 1.
      r.jacobianSingular.forEach((s, i) => assert.ok(s <= r.weightSingular![i] + 1e-12, `σ_${i + 1}`));
    });
  }

  it('a larger spectral radius keeps more of the gradient', () => {
    const far = (p: Partial<GradflowParams>) => computeGradflow({ ...small, ...p }).report.rnn!.dhGeoMean[0];
    assert.ok(far({ spectralRadius: 1.8 }) > 1e3 * far({ spectralRadius: 0.5 }));
  });

  it('gives the LSTM and GRU the singular values of their full step Jacobian, and no RNN bound', () => {
    const lstm = computeGradflow({ ...small, cell: 'lstm', forgetBias: 3 });
    assert.equal(lstm.jacobianSingular.length, 24);
    assert.equal(lstm.bound, null);
    assert.equal(lstm.weightSingular, null);
    assert.equal(computeGradflow({ ...small, cell: 'gru' }).jacobianSingular.length, 12);
  });

  it('builds Vega-Lite specs that compile, with the bounds as a dashed layer', () => {
    const r = computeGradflow(small);
    const spec = gradflowChart(r, { width: 500, height: 300 });
    assert.ok('layer' in spec && spec.layer.length === 3);
    assert.doesNotThrow(() => vl.compile(spec));
    assert.doesNotThrow(() => vl.compile(singularValuesChart(r, { width: 500, height: 200 })));
    assert.doesNotThrow(() => vl.compile(gradflowChart(computeGradflow({ ...small, cell: 'gru' }), { width: 500, height: 300 })));
  });
});

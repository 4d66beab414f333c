/**
 * gradientFlow and stepJacobian against PyTorch's autograd (fixtures from scripts/fixtures_gradflow.py),
 * and analyzeGradientFlow's reported quantities.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRU, LSTM, RNN, analyzeGradientFlow, fitDecay, gradientFlow, stepJacobian, tensor, type Cell, type Recurrent } from '../src/index.js';
import { GRUCell, LSTMCell, RNNCell } from '../src/tutorial.js';
import { loadFixture, maxRelError, toTensor, toTensors, type JsonTensor } from './helpers/fixtures.js';

interface FlowCase {
  name: string;
  kind: 'rnn' | 'lstm' | 'gru';
  nonlinearity: 'tanh' | 'relu' | null;
  numLayers: number;
  stateDict: Record<string, JsonTensor>;
  x: JsonTensor;
  upstream: JsonTensor;
  dh: number[];
  dx: number[];
  dc?: number[];
  dhInitial: number;
  dcInitial?: number;
}

interface JacobianCase {
  name: string;
  kind: 'rnn' | 'lstm' | 'gru';
  nonlinearity: 'tanh' | 'relu' | null;
  stateDict: Record<string, JsonTensor>;
  x: JsonTensor;
  hPrev: JsonTensor;
  cPrev?: JsonTensor;
  jacobian: JsonTensor;
}

/** Largest relative error entry by entry: these are norms, all of one sign and scale-free. */
function relErr(a: number[], b: number[]): number {
  assert.equal(a.length, b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(Math.abs(b[i]), 1e-300)));
}

function model(c: FlowCase): Recurrent {
  const D = c.x.shape[c.x.shape.length - 1], H = c.upstream.shape[c.upstream.shape.length - 1];
  const o = { inputSize: D, hiddenSize: H, numLayers: c.numLayers, dtype: 'float64' as const };
  const m = c.kind === 'rnn' ? new RNN({ ...o, nonlinearity: c.nonlinearity ?? 'tanh' }) : c.kind === 'lstm' ? new LSTM(o) : new GRU(o);
  m.loadStateDict(toTensors(c.stateDict));
  return m;
}

describe('gradientFlow matches PyTorch autograd', () => {
  for (const c of loadFixture<FlowCase[]>('gradflow')) {
    it(`${c.name}: ||dL/dh_t||, ||dL/dx_t||${c.dc ? ', ||dL/dc_t||' : ''} and the initial-state gradient agree to 1e-8`, () => {
      const f = gradientFlow(model(c), toTensor(c.x), toTensor(c.upstream));
      assert.ok(relErr(f.dh, c.dh) < 1e-8, `dh ${relErr(f.dh, c.dh)}`);
      assert.ok(relErr(f.dx, c.dx) < 1e-8, `dx ${relErr(f.dx, c.dx)}`);
      assert.ok(relErr([f.dhInitial], [c.dhInitial]) < 1e-8);
      if (c.dc) {
        assert.ok(relErr(f.dc!, c.dc) < 1e-8, `dc ${relErr(f.dc!, c.dc)}`);
        assert.ok(relErr([f.dcInitial!], [c.dcInitial!]) < 1e-8);
      }
    });
  }

  it('leaves the model’s accumulated gradients untouched', () => {
    const c = loadFixture<FlowCase[]>('gradflow')[0];
    const m = model(c);
    m.forward(toTensor(c.x));
    m.backward(null, { h: tensor(new Float64Array(c.numLayers * c.upstream.data.length).fill(1), [c.numLayers, ...c.upstream.shape], 'float64') });
    const before = Array.from(m.gradients().weight_hh_l0.data);
    gradientFlow(m, toTensor(c.x), toTensor(c.upstream));
    assert.deepEqual(Array.from(m.gradients().weight_hh_l0.data), before);
  });

  it('refuses an upstream gradient of the wrong shape, naming it', () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    assert.throws(() => gradientFlow(m, tensor(new Float64Array(8), [4, 1, 2]), tensor([1, 2], [2], 'float64')), /upstream: expected shape \[1, 3\]/);
  });
});

describe('stepJacobian matches PyTorch autograd', () => {
  for (const c of loadFixture<JacobianCase[]>('jacobian')) {
    it(`${c.name}: the step Jacobian equals autograd's to 1e-12`, () => {
      const [D, H] = [c.x.shape[0], c.hPrev.shape[0]];
      const o = { dtype: 'float64' as const };
      const cell: Cell = c.kind === 'rnn' ? new RNNCell(D, H, { ...o, nonlinearity: c.nonlinearity ?? 'tanh' }) : c.kind === 'lstm' ? new LSTMCell(D, H, o) : new GRUCell(D, H, o);
      cell.loadStateDict(toTensors(c.stateDict));
      const J = stepJacobian(cell, toTensor(c.x), toTensor(c.hPrev), c.cPrev ? toTensor(c.cPrev) : undefined);
      assert.deepEqual(J.shape, c.jacobian.shape);
      assert.ok(maxRelError(J, c.jacobian) < 1e-12, `${maxRelError(J, c.jacobian)}`);
    });
  }

  it("an LSTM's direct cell path is diag(f_t), the c-to-c block of the full Jacobian", () => {
    const c = loadFixture<JacobianCase[]>('jacobian').find((k) => k.kind === 'lstm')!;
    const [D, H] = [c.x.shape[0], c.hPrev.shape[0]];
    const cell = new LSTMCell(D, H, { dtype: 'float64' });
    cell.loadStateDict(toTensors(c.stateDict));
    const part = stepJacobian(cell, toTensor(c.x), toTensor(c.hPrev), toTensor(c.cPrev!), { part: 'cell' });
    for (let i = 0; i < H; i++) {
      for (let j = 0; j < H; j++) {
        assert.ok(Math.abs(part.data[i * H + j] - c.jacobian.data[(H + i) * 2 * H + H + j]) < 1e-12);
        if (i !== j) assert.equal(part.data[i * H + j], 0);
      }
    }
  });
});

describe('analyzeGradientFlow', () => {
  const small = { sequenceLength: 30, hiddenSize: 16, trials: 3, seed: 2 };

  it('reports, for every cell asked for, a norm per step with 1 at the final step', () => {
    const r = analyzeGradientFlow(small);
    for (const cell of ['rnn', 'lstm', 'gru'] as const) {
      assert.equal(r[cell]!.dh.length, 30);
      assert.ok(Math.abs(r[cell]!.dh[29] - 1) < 1e-12);
      assert.equal(r[cell]!.dhTrials.length, 3);
    }
  });

  it('the same seed gives the same numbers', () => {
    assert.deepEqual(analyzeGradientFlow(small), analyzeGradientFlow(small));
  });

  it('a tanh RNN with σ_max(W_hh) < 1 is guaranteed to vanish, and the measured decay respects the bound', () => {
    const r = analyzeGradientFlow({ ...small, cells: ['rnn'], init: { maxSingularValue: 0.8 } });
    const b = r.rnn!.bound!;
    assert.ok(b.vanishingGuaranteed);
    assert.ok(b.holds);
    assert.ok(r.rnn!.decayPerStep <= 0.8 + 1e-9, `decay ${r.rnn!.decayPerStep}`);
  });

  it('a larger LSTM forget-gate bias lets more gradient reach the start of the sequence', () => {
    const ratio = (forgetBias: number) => analyzeGradientFlow({ ...small, cells: ['lstm'], init: { forgetBias } }).lstm!.initialRatio;
    const [r0, r1, r3] = [ratio(0), ratio(1), ratio(3)];
    assert.ok(r0 < r1 && r1 < r3, `${r0} ${r1} ${r3}`);
  });

  it('fitDecay recovers the factor of a geometric sequence', () => {
    const v = Array.from({ length: 20 }, (_, t) => 0.7 ** (19 - t));
    assert.ok(Math.abs(fitDecay(v) - 0.7) < 1e-12);
  });

  it('bad options name the option and the value', () => {
    assert.throws(() => analyzeGradientFlow({ cells: ['lstm', 'tcn' as 'rnn'] }), /cells\[1\]: expected one of 'rnn', 'lstm', 'gru', got "tcn"/);
    assert.throws(() => analyzeGradientFlow({ sequenceLength: 0 }), /sequenceLength: expected a positive integer, got 0/);
    assert.throws(() => analyzeGradientFlow({ inputScale: -1 }), /inputScale: expected a number >= 0, got -1/);
  });
});

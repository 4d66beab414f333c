/**
 * Initialization: PyTorch's default and the alternatives the vanishing-gradient literature uses.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Matrix, SingularValueDecomposition } from 'ml-matrix';
import { GRU, LSTM, RNN } from '../src/index.js';
import { LSTMCell } from '../src/tutorial.js';
import { spectralRadius, toRows } from '../src/tensor/linalg.js';

const block = (w: Float32Array | Float64Array, g: number, H: number, cols: number): Matrix =>
  new Matrix(toRows(w.subarray(g * H * cols, (g + 1) * H * cols), H, cols));

describe('initialization', () => {
  it('default init draws every parameter uniformly in ±1/sqrt(hiddenSize), as PyTorch', () => {
    const H = 16;
    const lstm = new LSTM({ inputSize: 5, hiddenSize: H, numLayers: 2, seed: 1 });
    const k = 1 / Math.sqrt(H);
    for (const [name, t] of Object.entries(lstm.stateDict())) {
      let lo = Infinity, hi = -Infinity, sum = 0;
      for (const v of t.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); sum += v; }
      assert.ok(lo >= -k && hi <= k, `${name} within ±${k}`);
      if (t.size >= 256) {
        assert.ok(hi - lo > 1.8 * k, `${name} spans the interval`);
        assert.ok(Math.abs(sum / t.size) < 0.1 * k, `${name} mean near 0`);
      }
    }
  });

  it('the same seed gives the same weights and a different seed different ones', () => {
    const a = new GRU({ inputSize: 3, hiddenSize: 4, seed: 7 }).stateDict();
    const b = new GRU({ inputSize: 3, hiddenSize: 4, seed: 7 }).stateDict();
    const c = new GRU({ inputSize: 3, hiddenSize: 4, seed: 8 }).stateDict();
    assert.deepEqual(a.weight_hh_l0.data, b.weight_hh_l0.data);
    assert.notDeepEqual(a.weight_hh_l0.data, c.weight_hh_l0.data);
  });

  it('orthogonal init makes every gate block of W_hh orthogonal', () => {
    const H = 8;
    const lstm = new LSTM({ inputSize: 3, hiddenSize: H, dtype: 'float64', init: { weightHh: 'orthogonal' } });
    const w = lstm.stateDict().weight_hh_l0.data;
    for (let g = 0; g < 4; g++) {
      const q = block(w, g, H, H);
      const qtq = q.transpose().mmul(q);
      for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) assert.ok(Math.abs(qtq.get(i, j) - (i === j ? 1 : 0)) < 1e-12);
    }
  });

  it('orthogonal init of a wide W_ih block gives orthonormal rows', () => {
    const H = 3, D = 7;
    const rnn = new RNN({ inputSize: D, hiddenSize: H, dtype: 'float64', init: { weightIh: 'orthogonal' } });
    const q = block(rnn.stateDict().weight_ih_l0.data, 0, H, D);
    const qqt = q.mmul(q.transpose());
    for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) assert.ok(Math.abs(qqt.get(i, j) - (i === j ? 1 : 0)) < 1e-12);
  });

  it('identity init (IRNN) sets W_hh = I', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 4, nonlinearity: 'relu', init: { weightHh: 'identity', bias: 'zeros' } });
    const sd = rnn.stateDict();
    assert.deepEqual(Array.from(sd.weight_hh_l0.data), [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
    assert.ok(sd.bias_ih_l0.data.every((v) => v === 0));
  });

  it('xavier init bounds each gate block by sqrt(6 / (fanIn + fanOut))', () => {
    const H = 6, D = 10;
    const gru = new GRU({ inputSize: D, hiddenSize: H, init: { weightIh: 'xavier' } });
    const a = Math.sqrt(6 / (H + D));
    assert.ok(gru.stateDict().weight_ih_l0.data.every((v) => Math.abs(v) <= a));
  });

  it('spectralRadius rescales W_hh to exactly that largest |eigenvalue|', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 10, dtype: 'float64', init: { spectralRadius: 1.5 } });
    const rho = spectralRadius(rnn.stateDict().weight_hh_l0.data, 10);
    assert.ok(Math.abs(rho - 1.5) < 1e-10, `got ${rho}`);
  });

  it('maxSingularValue rescales W_hh to exactly that largest singular value', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 10, dtype: 'float64', init: { maxSingularValue: 0.5 } });
    const m = block(rnn.stateDict().weight_hh_l0.data, 0, 10, 10);
    const s = new SingularValueDecomposition(m).diagonal[0];
    assert.ok(Math.abs(s - 0.5) < 1e-10, `got ${s}`);
  });

  it('forgetBias sets the forget gate total bias (b_if + b_hf) and leaves the other gates alone', () => {
    const H = 5;
    const cell = new LSTMCell(3, H, { init: { forgetBias: 1 } });
    const sd = cell.stateDict();
    for (let j = 0; j < H; j++) {
      assert.equal(sd.bias_ih.data[H + j] + sd.bias_hh.data[H + j], 1);
    }
    assert.ok(sd.bias_ih.data.subarray(0, H).some((v) => v !== 0 && v !== 1));
  });

  it('forgetBias on a model without biases is refused', () => {
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 3, bias: false, init: { forgetBias: 1 } }), /init\.forgetBias: the model was built with bias: false/);
  });
});

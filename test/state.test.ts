/**
 * Carrying state between calls (truncated BPTT) and accumulating gradients until zeroGrad().
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LSTM, RNN, Rng, tensor, type Tensor } from '../src/index.js';

const rng = new Rng(5);
const rand = (shape: number[]): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => rng.normal()), shape, 'float64');
};
const slice = (x: Tensor, t0: number, t1: number): Tensor => {
  const step = x.shape.slice(1).reduce((a, b) => a * b, 1);
  return tensor(x.data.slice(t0 * step, t1 * step), [t1 - t0, ...x.shape.slice(1)], 'float64');
};

describe('state between calls', () => {
  it('running a sequence in two chunks with the state carried gives the same outputs as one call', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, dtype: 'float64', seed: 1 });
    const x = rand([8, 2, 3]);
    const whole = lstm.forward(x);
    const a = lstm.forward(slice(x, 0, 5));
    const b = lstm.forward(slice(x, 5, 8), { h: a.h.detach(), c: a.c.detach() });
    assert.deepEqual(Array.from(b.output.data), Array.from(whole.output.data.slice(5 * 2 * 5)));
    assert.deepEqual(Array.from(b.c.data), Array.from(whole.c.data));
  });

  it('gradients accumulate over backward calls until zeroGrad()', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, outputSize: 1, dtype: 'float64' });
    const x = rand([4, 2, 2]), g = rand([4, 2, 1]);
    rnn.forward(x);
    rnn.backward(g);
    const once = Array.from(rnn.gradients().weight_hh_l0.data);
    rnn.forward(x);
    rnn.backward(g);
    const twice = Array.from(rnn.gradients().weight_hh_l0.data);
    twice.forEach((v, i) => assert.ok(Math.abs(v - 2 * once[i]) < 1e-14));
    rnn.zeroGrad();
    assert.ok(rnn.gradients().weight_hh_l0.data.every((v) => v === 0));
  });

  it('the state returned by forward is a copy: changing it does not touch the next backward', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    const x = rand([3, 1, 2]), g = rand([3, 1, 3]);
    const out = rnn.forward(x);
    const ref = rnn.backward(g).dx.data.slice();
    rnn.zeroGrad();
    const out2 = rnn.forward(x);
    out2.h.data.fill(100);
    out2.output.data.fill(100);
    assert.deepEqual(Array.from(rnn.backward(g).dx.data), Array.from(ref));
    assert.ok(out.h.data.every((v) => v !== 100));
  });

  it('backward with no upstream output gradient still propagates from the final state', () => {
    const lstm = new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64' });
    lstm.forward(rand([4, 1, 2]));
    const { dx } = lstm.backward(null, { h: rand([1, 1, 3]) });
    assert.ok(dx.data.some((v) => v !== 0));
  });
});

/**
 * CausalSelfAttention's hand-written backward: gradCheck (4th-order stencil, float64) on every weight and
 * the input, and a tiny case worked by hand (T = 2, D = d = 1, all weights 1).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CausalSelfAttention } from '../src/layers/attention.js';
import { Rng, Tensor, gradCheck, tensor } from '../src/index.js';

const randn = (rng: Rng, shape: number[]): Tensor =>
  tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape, 'float64');

describe('CausalSelfAttention', () => {
  it('backward matches finite differences for W_q, W_k, W_v and x (< 1e-6)', () => {
    const T = 5, D = 3, d = 4;
    const rng = new Rng(3);
    const attn = new CausalSelfAttention({ inputSize: D, headSize: d, seed: 7 });
    const x = randn(rng, [T, D]), g = randn(rng, [T, d]);
    const loss = (): number => {
      const y = attn.forward(x);
      let s = 0; // L = Σ g ⊙ Y
      for (let i = 0; i < y.size; i++) s += y.data[i] * g.data[i];
      return s;
    };
    attn.forward(x);
    attn.zeroGrad();
    const { dx, grads } = attn.backward(g);
    const analytic = { ...Object.fromEntries(Object.entries(grads).map(([k, v]) => [k, v.clone()])), x: dx };
    const wrt = { ...Object.fromEntries(attn.parameters().map((p) => [p.name, p.param])), x };
    const res = gradCheck(loss, wrt, analytic);
    assert.deepEqual(Object.keys(res.perTensor).sort(), ['w_k', 'w_q', 'w_v', 'x']);
    assert.ok(res.maxRelError < 1e-6, `max relative error ${res.maxRelError} at ${res.worst.name}[${res.worst.index}]`);
  });

  it('agrees with a case computed by hand', () => {
    // Q = K = V = x = [1, 2]. Row 1 sees only itself: y_1 = 1. Row 2: scores [2, 4], so
    // p = A_21 = 1/(1 + e²) and y_2 = p·1 + (1 − p)·2. For L = y_2:
    //   dy_2/dx_1 = p + p(1 − p)·x_2·(x_1 − x_2) = p − 2p(1 − p)   (x_1 enters as value and as key)
    const attn = new CausalSelfAttention({ inputSize: 1, headSize: 1 });
    const one = new Tensor(Float64Array.of(1), [1, 1]);
    attn.loadStateDict({ w_q: one, w_k: one, w_v: one });
    const y = attn.forward(new Tensor(Float64Array.of(1, 2), [2, 1]));
    const p = 1 / (1 + Math.exp(2));
    assert.ok(Math.abs(y.data[0] - 1) < 1e-15);
    assert.ok(Math.abs(y.data[1] - (p + 2 * (1 - p))) < 1e-15);
    assert.ok(Math.abs(attn.attentionMatrix().data[2] - p) < 1e-15);
    assert.equal(attn.attentionMatrix().data[1], 0, 'the causal mask: position 1 never sees position 2');
    const { dx } = attn.backward(new Tensor(Float64Array.of(0, 1), [2, 1]));
    assert.ok(Math.abs(dx.data[0] - (p - 2 * p * (1 - p))) < 1e-14, `dx_1 = ${dx.data[0]}`);
  });

  it('names the argument when x has the wrong shape, and counts what it keeps', () => {
    const attn = new CausalSelfAttention({ inputSize: 3, headSize: 2 });
    assert.throws(() => attn.forward(new Tensor(new Float64Array(8), [4, 2])), /x: expected shape \[\*, 3\]/);
    assert.throws(() => attn.backward(new Tensor(new Float64Array(2), [1, 2])), /call forward\(\) first/);
    assert.equal(attn.storedFloats(10), 10 * 3 + 3 * 10 * 2 + 100);
  });
});

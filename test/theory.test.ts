/**
 * The checks behind docs/theory.md, exercises A1–A5: every derivation there is recomputed here from the
 * library's own numbers (float64), by a route independent of the code it checks wherever one exists:
 * hand formulas from the weights, explicit products of step Jacobians, finite differences.
 *
 *   node --import tsx --test test/theory.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RNN, Rng, analyzeGradientFlow, countOps, gradCheck, gradientFlow, largestSingularValue, spectralRadius, stepJacobian, tensor, type CellFlowReport, type Tensor } from '../src/index.js';
import { LSTMCell, RNNCell } from '../src/tutorial.js';
import * as tutorial from '../src/tutorial.js';

const randn = (rng: Rng, shape: number[], scale = 1): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => scale * rng.normal()), shape, 'float64');
};

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
};

/** max |a − b| / max |b|: the error relative to the reference's scale. */
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let err = 0, scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / scale;
};

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  assert.equal(a.length, b.length);
  let err = 0;
  for (let i = 0; i < a.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err;
};

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** Row i of the [rows, cols] row-major matrix W times v. */
const rowDot = (W: ArrayLike<number>, i: number, cols: number, v: ArrayLike<number>): number => {
  let s = 0;
  for (let k = 0; k < cols; k++) s += W[i * cols + k] * v[k];
  return s;
};

/** An RNNCell holding the weights of layer 0 of an RNN (state-dict names without the _l0 suffix). */
function cellOf(model: RNN): RNNCell {
  const sd = model.stateDict();
  const cell = new RNNCell(model.inputSize, model.hiddenSize, { dtype: 'float64' });
  cell.loadStateDict({ weight_ih: sd.weight_ih_l0, weight_hh: sd.weight_hh_l0, bias_ih: sd.bias_ih_l0, bias_hh: sd.bias_hh_l0 });
  return cell;
}

// -------------------------------------------------------------------------------------------------
// A1
// -------------------------------------------------------------------------------------------------

describe('A1: the vanilla RNN', () => {
  it('numParameters is H·D + H·H + 2H, plus O·H + O with a head (PyTorch keeps b_ih and b_hh apart)', () => {
    for (const [D, H, O] of [[1, 1, 1], [3, 4, 2], [8, 32, 5], [10, 7, 3]]) {
      assert.equal(new RNN({ inputSize: D, hiddenSize: H }).numParameters(), H * D + H * H + 2 * H, `D=${D} H=${H}`);
      assert.equal(new tutorial.RNN(D, H, O).numParameters(), H * D + H * H + 2 * H + O * H + O, `D=${D} H=${H} O=${O}`);
      // The single-bias textbook form b = b_ih + b_hh has H fewer: PyTorch's bias=False drops both.
      assert.equal(new RNN({ inputSize: D, hiddenSize: H, bias: false }).numParameters(), H * D + H * H);
    }
    assert.equal(new tutorial.RNN(3, 4, 2).numParameters(), 46); // 12 + 16 + 8 + 8 + 2
  });

  it('RNNCell.forward equals tanh(W_hh h_{t-1} + W_ih x_t + b_ih + b_hh) computed by hand', () => {
    const D = 3, H = 5, rng = new Rng(11);
    const cell = new RNNCell(D, H, { dtype: 'float64', seed: 4 });
    const sd = cell.stateDict();
    const x = randn(rng, [D]), hPrev = randn(rng, [H], 0.5);
    const hand = Array.from({ length: H }, (_, i) =>
      Math.tanh(rowDot(sd.weight_hh.data, i, H, hPrev.data) + rowDot(sd.weight_ih.data, i, D, x.data) + sd.bias_ih.data[i] + sd.bias_hh.data[i]));
    const h = cell.forward(x, hPrev);
    assert.deepEqual(h.shape, [H]);
    assert.ok(maxAbsDiff(h.data, hand) < 1e-15, `max |Δ| ${maxAbsDiff(h.data, hand)}`);
    assert.ok(hand.some((v) => Math.abs(v) > 0.1)); // not a trivially zero state
  });

  it('RNN with a head runs h_t = tanh(W_hh h_{t-1} + W_ih x_t + b) and y_t = W_hy h_t + b_y at every step', () => {
    const D = 2, H = 4, O = 3, T = 6, rng = new Rng(12);
    const model = new tutorial.RNN(D, H, O, { dtype: 'float64', seed: 5 });
    const sd = model.stateDict();
    const x = randn(rng, [T, D]);
    const { output } = model.forward(x);
    let h = new Float64Array(H);
    const y: number[] = [];
    for (let t = 0; t < T; t++) {
      const xt = x.data.subarray(t * D, (t + 1) * D);
      h = Float64Array.from({ length: H }, (_, i) =>
        Math.tanh(rowDot(sd.weight_hh_l0.data, i, H, h) + rowDot(sd.weight_ih_l0.data, i, D, xt) + sd.bias_ih_l0.data[i] + sd.bias_hh_l0.data[i]));
      for (let o = 0; o < O; o++) y.push(rowDot(sd['head.weight'].data, o, H, h) + sd['head.bias'].data[o]);
    }
    assert.deepEqual(output.shape, [T, O]);
    assert.ok(maxAbsDiff(output.data, y) < 1e-14, `max |Δ| ${maxAbsDiff(output.data, y)}`);
  });

  it("tanh is zero-centred and bounded, and tanh' = 1 − tanh² is at most 1, reaching 1 only at 0", () => {
    let maxDeriv = -Infinity, argmax = NaN, maxFdErr = 0;
    for (let i = -4000; i <= 4000; i++) {
      const a = i / 400; // [-10, 10]
      const d = 1 - Math.tanh(a) ** 2;
      const fd = (Math.tanh(a + 1e-5) - Math.tanh(a - 1e-5)) / 2e-5;
      maxFdErr = Math.max(maxFdErr, Math.abs(fd - d));
      if (d > maxDeriv) [maxDeriv, argmax] = [d, a];
      assert.ok(Math.abs(Math.tanh(a)) < 1 || Math.abs(a) > 18);
      assert.equal(Math.tanh(-a), -Math.tanh(a));
    }
    assert.ok(maxFdErr < 1e-9, `1 − tanh² vs finite differences: ${maxFdErr}`);
    assert.equal(maxDeriv, 1);
    assert.equal(argmax, 0);
    assert.ok(1 - Math.tanh(0.5) ** 2 < 0.79 && 1 - Math.tanh(3) ** 2 < 0.01); // saturation: tanh' → 0
  });

  it("the logistic σ' = σ(1 − σ) is at most 1/4: a sigmoid RNN would lose 4× per step through φ' alone", () => {
    let m = 0;
    for (let i = -4000; i <= 4000; i++) m = Math.max(m, sigmoid(i / 400) * (1 - sigmoid(i / 400)));
    assert.equal(m, 0.25);
    assert.equal(sigmoid(0), 0.5); // and not zero-centred: σ(0) = 1/2
  });
});

// -------------------------------------------------------------------------------------------------
// A2
// -------------------------------------------------------------------------------------------------

describe('A2: unrolling shares the weights', () => {
  it('the unrolled forward multiplies T·(H·D + H·H + O·H) times while the parameters stay H·D + H·H + 2H + O·H + O', () => {
    const D = 3, H = 4, O = 2;
    const model = new tutorial.RNN(D, H, O, { dtype: 'float64' });
    for (const T of [1, 10, 37]) {
      const { mul } = countOps(() => model.forward(randn(new Rng(T), [T, D])));
      assert.equal(mul, T * (H * D + H * H + O * H), `T=${T}`);
      assert.equal(model.numParameters(), 46);
    }
  });

  it("BPTT's dW_hh is the sum of the T per-step gradients, one per use of the shared W_hh", () => {
    const D = 3, H = 4, T = 5, rng = new Rng(21);
    const model = new RNN({ inputSize: D, hiddenSize: H, dtype: 'float64', seed: 2 });
    // A non-zero h_0, so that step 1's use of W_hh (through W_hh h_0) contributes too.
    const x = randn(rng, [T, D]), g = randn(rng, [T, H]), h0 = randn(rng, [1, H], 0.5);
    model.forward(x, { h: h0 });
    const bptt = model.backward(g).grads.weight_hh_l0.data.slice();
    // The same T steps by hand with a cell holding the same weights: each step's backward returns the
    // gradient of that one use of W_hh; chaining dh_{t-1} back and adding them up is BPTT.
    const cell = cellOf(model);
    const caches = [];
    let h = tensor(h0.data, [H], 'float64');
    for (let t = 0; t < T; t++) {
      const s = cell.step(tensor(x.data.slice(t * D, (t + 1) * D), [D], 'float64'), h);
      caches.push(s.cache);
      h = s.h;
    }
    const sum = new Float64Array(H * H);
    let dNext = new Float64Array(H);
    for (let t = T - 1; t >= 0; t--) {
      const dh = tensor(Array.from({ length: H }, (_, i) => g.data[t * H + i] + dNext[i]), [H], 'float64');
      const { dhPrev, grads } = cell.backward(dh, caches[t]);
      const use = grads.weight_hh.data;
      assert.ok(use.some((v) => Math.abs(v) > 1e-6), `step ${t} contributes`);
      for (let i = 0; i < H * H; i++) sum[i] += use[i];
      dNext = Float64Array.from(dhPrev.data);
    }
    assert.ok(relErr(sum, bptt) < 1e-14, `rel err ${relErr(sum, bptt)}`);
  });
});

// -------------------------------------------------------------------------------------------------
// A3
// -------------------------------------------------------------------------------------------------

/**
 * A small float64 RNN, a random initial state and the loss L = Σ_t L_t with L_t = ⟨g_t, h_t⟩ (so
 * ∂L_t/∂h_t = g_t), with everything BPTT and the explicit formulas need.
 */
function bpttSetup() {
  const D = 3, H = 4, T = 6, rng = new Rng(31);
  const model = new RNN({ inputSize: D, hiddenSize: H, dtype: 'float64', seed: 3 });
  const x = randn(rng, [T, D]), h0 = randn(rng, [1, H], 0.5), g = randn(rng, [T, H]);
  const hs = model.forward(x, { h: h0 }).output.data.slice(); // h_1..h_T, [T, H]
  model.zeroGrad();
  const back = model.backward(g, {}, { keepStepGradients: true });
  const dWhh = back.grads.weight_hh_l0.data.slice();
  const deltas = back.steps!.dh[0].data.slice(); // dL/dh_t, [T, 1, H]
  const hPrev = (t: number): Float64Array => Float64Array.from(t === 0 ? h0.data : hs.subarray((t - 1) * H, t * H));
  const hAt = (t: number): Float64Array => Float64Array.from(hs.subarray(t * H, (t + 1) * H));
  const cell = cellOf(model);
  // J[t] = ∂h_t/∂h_{t-1} at the trajectory's own states, [H, H] row-major (row: output unit).
  const J = Array.from({ length: T }, (_, t) =>
    stepJacobian(cell, tensor(x.data.slice(t * D, (t + 1) * D), [D], 'float64'), tensor(hPrev(t), [H], 'float64')).data);
  const loss = (): number => dot(model.forward(x, { h: h0 }).output.data, g.data);
  return { D, H, T, model, x, h0, g, hs, dWhh, deltas, hPrev, hAt, J, loss };
}

/** [n, n] row-major product A·B. */
function matmul(A: ArrayLike<number>, B: ArrayLike<number>, n: number): Float64Array {
  const C = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) for (let j = 0; j < n; j++) C[i * n + j] += A[i * n + k] * B[k * n + j];
  return C;
}

describe('A3: backpropagation through time', () => {
  it('dL/dW_hh = Σ_t Σ_{k≤t} ∂L_t/∂h_t (∏_{j=k+1..t} ∂h_j/∂h_{j-1}) ∂⁺h_k/∂W_hh, built from stepJacobian, equals BPTT', () => {
    const { H, T, g, hPrev, hAt, J, dWhh } = bpttSetup();
    const sum = new Float64Array(H * H);
    let terms = 0;
    for (let t = 0; t < T; t++) {
      for (let k = 0; k <= t; k++) {
        // P = J_t J_{t-1} ⋯ J_{k+1}: ∂h_t/∂h_k (the identity when k = t).
        let P: Float64Array = Float64Array.from({ length: H * H }, (_, i) => (i % (H + 1) === 0 ? 1 : 0));
        for (let j = t; j > k; j--) P = matmul(P, J[j], H);
        // v = (∂L_t/∂h_t) P, a row vector: dL_t/dh_k.
        const v = Array.from({ length: H }, (_, c) => {
          let s = 0;
          for (let a = 0; a < H; a++) s += g.data[t * H + a] * P[a * H + c];
          return s;
        });
        // ∂⁺h_k/∂W_hh[a][b] = e_a (1 − h_k[a]²) h_{k-1}[b]: the immediate partial, h_{k-1} held fixed.
        const hk = hAt(k), hk1 = hPrev(k);
        for (let a = 0; a < H; a++) for (let b = 0; b < H; b++) sum[a * H + b] += v[a] * (1 - hk[a] * hk[a]) * hk1[b];
        terms++;
      }
    }
    assert.equal(terms, (T * (T + 1)) / 2);
    const e = relErr(sum, dWhh);
    assert.ok(e < 1e-10, `rel err ${e}`);
  });

  it("BPTT's dL/dW_hh agrees with central finite differences of the loss", () => {
    const { model, dWhh, loss } = bpttSetup();
    const W = model.parameters().find((p) => p.name === 'weight_hh_l0')!.param;
    const res = gradCheck(loss, W, tensor(dWhh, W.shape, 'float64'));
    assert.equal(res.checked, W.size);
    assert.ok(res.maxRelError < 1e-9, `max rel err ${res.maxRelError}`);
  });

  it('δ_t = ∂L_t/∂h_t + (∂h_{t+1}/∂h_t)ᵀ δ_{t+1}, from stepJacobian, is the dL/dh_t that BPTT passes back', () => {
    const { H, T, g, J, deltas } = bpttSetup();
    const delta = new Float64Array(T * H);
    for (let t = T - 1; t >= 0; t--) {
      for (let c = 0; c < H; c++) {
        let s = g.data[t * H + c];
        if (t + 1 < T) for (let a = 0; a < H; a++) s += J[t + 1][a * H + c] * delta[(t + 1) * H + a];
        delta[t * H + c] = s;
      }
    }
    const e = relErr(delta, deltas);
    assert.ok(e < 1e-13, `rel err ${e}`);
  });

  it('dW_hh = Σ_t (δ_t ⊙ (1 − h_t²)) h_{t-1}ᵀ', () => {
    const { H, T, deltas, hPrev, hAt, dWhh } = bpttSetup();
    const sum = new Float64Array(H * H);
    for (let t = 0; t < T; t++) {
      const h = hAt(t), hp = hPrev(t);
      for (let a = 0; a < H; a++) for (let b = 0; b < H; b++) sum[a * H + b] += deltas[t * H + a] * (1 - h[a] * h[a]) * hp[b];
    }
    const e = relErr(sum, dWhh);
    assert.ok(e < 1e-13, `rel err ${e}`);
  });
});

// -------------------------------------------------------------------------------------------------
// A4
// -------------------------------------------------------------------------------------------------

/** analyzeGradientFlow runs, computed once per configuration and shared by the tests. */
const memo = new Map<string, CellFlowReport>();
function flow(cell: 'rnn' | 'lstm', opts: Parameters<typeof analyzeGradientFlow>[0]): CellFlowReport {
  const key = JSON.stringify([cell, opts]);
  if (!memo.has(key)) memo.set(key, analyzeGradientFlow({ ...opts, cells: [cell] })[cell]!);
  return memo.get(key)!;
}
const SWEEP = { sequenceLength: 50, hiddenSize: 32, inputSize: 8, trials: 8 }; // as scripts/theory-numbers.ts
const RADII = [0.5, 0.9, 1.1, 1.5, 3];

describe('A4: why the RNN gradient vanishes or explodes', () => {
  it('∂h_t/∂h_{t-1} = diag(1 − h_t²) W_hh, entry by entry', () => {
    const D = 3, H = 6, rng = new Rng(41);
    const cell = new RNNCell(D, H, { dtype: 'float64', seed: 6 });
    const W = cell.stateDict().weight_hh.data;
    for (const scale of [0, 0.5, 3]) {
      const x = randn(rng, [D], 1 + scale), hPrev = randn(rng, [H], scale);
      const h = cell.forward(x, hPrev).data;
      const J = stepJacobian(cell, x, hPrev);
      assert.deepEqual(J.shape, [H, H]);
      const hand = Array.from({ length: H * H }, (_, i) => (1 - h[Math.floor(i / H)] ** 2) * W[i]);
      assert.ok(maxAbsDiff(J.data, hand) < 1e-12, `scale ${scale}: max |Δ| ${maxAbsDiff(J.data, hand)}`);
    }
  });

  it("‖∂h_t/∂h_{t-1}‖₂ ≤ max_i tanh'(a_i) · σ_max(W_hh) ≤ σ_max(W_hh)", () => {
    const D = 3, H = 8, rng = new Rng(42);
    const cell = new RNNCell(D, H, { dtype: 'float64', seed: 7, init: { spectralRadius: 1.5 } });
    const sigma = largestSingularValue(cell.stateDict().weight_hh.data, H, H);
    for (const scale of [0.01, 0.3, 1, 3, 10]) {
      const x = randn(rng, [D], scale), hPrev = randn(rng, [H], Math.min(scale, 1));
      const h = cell.forward(x, hPrev).data;
      const gamma = Math.max(...Array.from(h, (v) => 1 - v * v));
      const norm = largestSingularValue(stepJacobian(cell, x, hPrev).data, H, H);
      assert.ok(norm <= gamma * sigma * (1 + 1e-12), `scale ${scale}: ${norm} > ${gamma} · ${sigma}`);
      assert.ok(gamma <= 1);
    }
  });

  it('the fitted decay per step grows with the spectral radius of W_hh (0.5, 0.9, 1.1, 1.5, 3)', () => {
    const decay = RADII.map((rho) => flow('rnn', { ...SWEEP, init: { spectralRadius: rho } }).decayPerStep);
    for (let i = 1; i < decay.length; i++) assert.ok(decay[i] > decay[i - 1], `decay ${decay.join(', ')}`);
    assert.ok(decay[0] < 0.5 && decay[4] > 1, `decay ${decay.join(', ')}`);
  });

  it('every measured curve obeys ‖dL/dh_{T−k}‖ ≤ σ_max(W_hh)^k ‖dL/dh_T‖, σ_max recomputed per trial', () => {
    for (const rho of RADII) {
      const r = flow('rnn', { ...SWEEP, init: { spectralRadius: rho } });
      assert.equal(r.bound!.holds, true, `ρ = ${rho}`);
      r.dhTrials.forEach((curve, trial) => {
        // analyzeGradientFlow builds trial k's model with seed k (seed 0).
        const m = new RNN({ inputSize: 8, hiddenSize: 32, dtype: 'float64', seed: trial, init: { spectralRadius: rho } });
        const s = largestSingularValue(m.stateDict().weight_hh_l0.data, 32, 32);
        const T = curve.length;
        curve.forEach((v, t) => assert.ok(v <= s ** (T - 1 - t) * curve[T - 1] * (1 + 1e-9), `ρ=${rho} trial ${trial} t=${t}`));
      });
    }
  });

  it('across the ρ sweep, vanishing is guaranteed only where σ_max < 1 and only ρ = 3 grows: ρ > 1 is not sufficient', () => {
    const r = RADII.map((rho) => flow('rnn', { ...SWEEP, init: { spectralRadius: rho } }));
    // Only ρ = 0.5 has σ_max < 1 in every trial (σ_max ≈ 1.75 ρ for these random matrices).
    assert.deepEqual(r.map((x) => x.bound!.vanishingGuaranteed), [true, false, false, false, false]);
    assert.deepEqual(r.map((x) => x.bound!.explosionPossible), [false, true, true, true, true]); // σ_max > 1
    assert.deepEqual(r.map((x) => x.bound!.nearOriginGrowth), [false, false, true, true, true]); // ρ > 1
    // ρ ≤ 1 never grows; among ρ > 1, 1.1 and 1.5 still shrink (tanh' < 1), 3 grows.
    assert.deepEqual(r.map((x) => x.decayPerStep > 1), [false, false, false, false, true]);
    assert.ok(r[1].decayPerStep < 1 && r[1].initialRatio < 1e-5, 'ρ = 0.9 but σ_max > 1: not guaranteed, still vanishes');
  });

  it('ρ(W_hh) > 1 is not necessary once tanh saturates: a nilpotent W_hh (ρ = 0) grows the gradient ≈ k per step', () => {
    // W_hh = k [[1, 1], [−1, −1]] has W_hh² = 0, so ρ = 0, but σ_max = 2k. Inputs hold unit 0 at a = 0
    // (tanh' = 1) and unit 1 saturated at a = 10 (tanh' ≈ 8e-9): every step Jacobian is then
    // diag(1, ε) W_hh, whose eigenvalue k(1 − ε) multiplies the gradient at every step back.
    const k = 3, T = 20, s = Math.tanh(10);
    const model = new RNN({ inputSize: 2, hiddenSize: 2, dtype: 'float64' });
    model.loadStateDict({
      weight_ih_l0: tensor([1, 0, 0, 1], [2, 2], 'float64'),
      weight_hh_l0: tensor([k, k, -k, -k], [2, 2], 'float64'),
      bias_ih_l0: tensor([0, 0], [2], 'float64'),
      bias_hh_l0: tensor([0, 0], [2], 'float64'),
    });
    const W = model.stateDict().weight_hh_l0.data;
    assert.equal(spectralRadius(W, 2), 0);
    assert.ok(Math.abs(largestSingularValue(W, 2, 2) - 2 * k) < 1e-12);
    // h_0 = 0, so x_1 = (0, 10); afterwards h_{t-1} = (0, s) and x_t = (−k s, 10 + k s).
    const x = Array.from({ length: T }, (_, t) => (t === 0 ? [0, 10] : [-k * s, 10 + k * s])).flat();
    const f = gradientFlow(model, tensor(x, [T, 2], 'float64'), tensor([1, 0], [2], 'float64'));
    // dL/dh_T = (1, 0); one step back J_Tᵀ (1, 0) = (k, k), then each step multiplies (a, a) by k(1 − ε):
    // ‖dL/dh_0‖ = √2 k (k(1 − ε))^{T−1} with ε = 1 − tanh²(10).
    const eps = 1 - s * s;
    const expected = Math.SQRT2 * k * Math.pow(k * (1 - eps), T - 1);
    assert.ok(Math.abs(f.dhInitial / expected - 1) < 1e-9, `‖dL/dh_0‖ = ${f.dhInitial}, expected ${expected}`);
    assert.ok(f.dhInitial > 1e9);
  });

  it('with σ_max(W_hh) < 1 the measured decay per step is at most σ_max', () => {
    for (const s of [0.3, 0.6, 0.9, 0.99]) {
      const r = flow('rnn', { ...SWEEP, init: { maxSingularValue: s } });
      assert.equal(r.bound!.vanishingGuaranteed, true);
      assert.ok(r.decayPerStep <= s, `σ_max ${s}: decay ${r.decayPerStep}`);
      assert.ok(r.initialRatio <= s ** SWEEP.sequenceLength, `σ_max ${s}: ${r.initialRatio} > σ^T`);
    }
  });

  it('saturation: at ρ(W_hh) = 3 the gradient grows with inputs of std 1 but vanishes with std 10', () => {
    const calm = flow('rnn', { ...SWEEP, init: { spectralRadius: 3 }, inputScale: 1 });
    const saturated = flow('rnn', { ...SWEEP, init: { spectralRadius: 3 }, inputScale: 10 });
    assert.ok(calm.decayPerStep > 1 && calm.initialRatio > 1, `std 1: ${calm.decayPerStep}, ${calm.initialRatio}`);
    assert.ok(saturated.decayPerStep < 1 && saturated.initialRatio < 0.1, `std 10: ${saturated.decayPerStep}, ${saturated.initialRatio}`);
  });

  it('saturation: at ρ(W_hh) = 1.5 the decay per step falls as the inputs grow (std 0.1, 1, 3, 10)', () => {
    const decay = [0.1, 1, 3, 10].map((inputScale) => flow('rnn', { ...SWEEP, init: { spectralRadius: 1.5 }, inputScale }).decayPerStep);
    for (let i = 1; i < decay.length; i++) assert.ok(decay[i] < decay[i - 1], `decay ${decay.join(', ')}`);
    assert.ok(decay[0] > 1 && decay[3] < 0.6, `decay ${decay.join(', ')}`);
  });
});

// -------------------------------------------------------------------------------------------------
// A5
// -------------------------------------------------------------------------------------------------

/** One LSTM step with its gates computed by hand from the cell's weights (gate order i, f, g, o). */
function lstmSetup(seed: number, forgetBias?: number) {
  const D = 3, H = 5, rng = new Rng(50 + seed);
  const cell = new LSTMCell(D, H, { dtype: 'float64', seed, init: forgetBias === undefined ? {} : { forgetBias } });
  const sd = cell.stateDict();
  const x = randn(rng, [D]), hPrev = randn(rng, [H], 0.5), cPrev = randn(rng, [H]);
  const z = (q: number, j: number): number => {
    const r = q * H + j;
    return rowDot(sd.weight_ih.data, r, D, x.data) + sd.bias_ih.data[r] + rowDot(sd.weight_hh.data, r, H, hPrev.data) + sd.bias_hh.data[r];
  };
  const i = Array.from({ length: H }, (_, j) => sigmoid(z(0, j)));
  const f = Array.from({ length: H }, (_, j) => sigmoid(z(1, j)));
  const g = Array.from({ length: H }, (_, j) => Math.tanh(z(2, j)));
  const o = Array.from({ length: H }, (_, j) => sigmoid(z(3, j)));
  const c = Array.from({ length: H }, (_, j) => f[j] * cPrev.data[j] + i[j] * g[j]);
  const Whh = (q: number, j: number, k: number): number => sd.weight_hh.data[(q * H + j) * H + k];
  return { D, H, cell, x, hPrev, cPrev, i, f, g, o, c, Whh };
}

/** The [H, H] block (rowBlock, colBlock) of a [2H, 2H] row-major matrix; blocks 0 = h, 1 = c. */
function block(J: ArrayLike<number>, H: number, rowBlock: number, colBlock: number): Float64Array {
  const out = new Float64Array(H * H);
  for (let r = 0; r < H; r++) for (let k = 0; k < H; k++) out[r * H + k] = J[(rowBlock * H + r) * 2 * H + colBlock * H + k];
  return out;
}

const diag = (v: number[]): number[] => Array.from({ length: v.length * v.length }, (_, i) => (i % (v.length + 1) === 0 ? v[i / (v.length + 1)] : 0));

describe("A5: the forget gate's time constant", () => {
  it('1/(1 − σ(b)) = 1 + e^b: 3.7, 8.4 and 21 steps for b = 1, 2, 3', () => {
    const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
    for (const b of [1, 2, 3]) assert.ok(Math.abs(1 / (1 - sigmoid(b)) - (1 + Math.exp(b))) < 1e-12 * (1 + Math.exp(b)));
    assert.deepEqual([1, 2, 3].map((b) => Number((1 + Math.exp(b)).toFixed(1))), [3.7, 8.4, 21.1]);
  });
  it('an LSTMCell with zero weights and forget bias b keeps σ(b)^k of its cell after k steps', () => {
    const H = 3, b = 2;
    const cell = new LSTMCell(1, H, { dtype: 'float64' });
    const sd = cell.stateDict();
    const zero = (t: Tensor) => tensor(new Float64Array(t.size), t.shape, 'float64');
    const biasIh = new Float64Array(4 * H);
    biasIh.fill(b, H, 2 * H); // gate order i, f, g, o: the forget block
    cell.loadStateDict({ weight_ih: zero(sd.weight_ih!), weight_hh: zero(sd.weight_hh!), bias_ih: tensor(biasIh, [4 * H], 'float64'), bias_hh: zero(sd.bias_hh!) });
    let h = tensor(new Float64Array(H), [H], 'float64'), c = tensor([1, -2, 0.5], [H], 'float64');
    const x = tensor([0], [1], 'float64');
    for (let k = 0; k < 21; k++) ({ h, c } = cell.forward(x, h, c));
    const f = 1 / (1 + Math.exp(-b));
    [1, -2, 0.5].forEach((c0, j) => assert.ok(Math.abs(c.data[j]! - c0 * f ** 21) < 1e-12, `c[${j}] = ${c.data[j]}`));
  });
});

describe('A5: the LSTM cell path', () => {
  it("stepJacobian(part: 'cell') is ∂c_t/∂c_{t-1} = diag(f_t), f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf) by hand", () => {
    for (const [seed, fb] of [[1, undefined], [2, 3], [3, -2]] as const) {
      const { H, cell, x, hPrev, cPrev, f } = lstmSetup(seed, fb);
      const C = stepJacobian(cell, x, hPrev, cPrev, { part: 'cell' });
      assert.deepEqual(C.shape, [H, H]);
      assert.ok(maxAbsDiff(C.data, diag(f)) < 1e-12, `seed ${seed}: max |Δ| ${maxAbsDiff(C.data, diag(f))}`);
      assert.ok(Math.max(...f) - Math.min(...f) > 1e-3); // f differs per unit: a real diagonal
    }
  });

  it('in the full [2H, 2H] step Jacobian the c–c block is diagonal, diag(f_t)', () => {
    const { H, cell, x, hPrev, cPrev, f } = lstmSetup(4);
    const J = stepJacobian(cell, x, hPrev, cPrev);
    assert.deepEqual(J.shape, [2 * H, 2 * H]);
    const cc = block(J.data, H, 1, 1);
    const off = cc.filter((_, i) => i % (H + 1) !== 0);
    assert.ok(off.every((v) => v === 0), 'off-diagonal entries are exactly 0');
    assert.ok(maxAbsDiff(cc, diag(f)) < 1e-12);
  });

  it('∂h_t/∂c_{t-1} = diag(o_t ⊙ (1 − tanh² c_t) ⊙ f_t): c_{t-1} reaches h_t only through its own unit', () => {
    const { H, cell, x, hPrev, cPrev, f, o, c } = lstmSetup(5);
    const hc = block(stepJacobian(cell, x, hPrev, cPrev).data, H, 0, 1);
    const hand = diag(f.map((fj, j) => o[j] * (1 - Math.tanh(c[j]) ** 2) * fj));
    assert.ok(maxAbsDiff(hc, hand) < 1e-12, `max |Δ| ${maxAbsDiff(hc, hand)}`);
  });

  it('∂c_t/∂h_{t-1} = diag(c_{t-1} f(1−f)) W_hf + diag(g i(1−i)) W_hi + diag(i (1−g²)) W_hg: the indirect paths through the gates', () => {
    const { H, cell, x, hPrev, cPrev, i, f, g, Whh } = lstmSetup(6);
    const ch = block(stepJacobian(cell, x, hPrev, cPrev).data, H, 1, 0);
    const hand = Array.from({ length: H * H }, (_, n) => {
      const j = Math.floor(n / H), k = n % H;
      return cPrev.data[j] * f[j] * (1 - f[j]) * Whh(1, j, k) + g[j] * i[j] * (1 - i[j]) * Whh(0, j, k) + i[j] * (1 - g[j] ** 2) * Whh(2, j, k);
    });
    assert.ok(maxAbsDiff(ch, hand) < 1e-12, `max |Δ| ${maxAbsDiff(ch, hand)}`);
    assert.ok(ch.filter((_, n) => n % (H + 1) !== 0).every((v) => v !== 0), 'dense: every h_{t-1} unit reaches every c_t unit');
  });

  it('the gradient reaching h_0 and c_0 grows with the forget bias (0, 1, 3)', () => {
    const r = [0, 1, 3].map((forgetBias) => flow('lstm', { ...SWEEP, init: { forgetBias } }));
    for (let k = 1; k < r.length; k++) {
      assert.ok(r[k].initialRatio > 100 * r[k - 1].initialRatio, `h_0: ${r.map((x) => x.initialRatio).join(', ')}`);
      assert.ok(r[k].dc![0] > 100 * r[k - 1].dc![0], `c: ${r.map((x) => x.dc![0]).join(', ')}`);
      assert.ok(r[k].decayPerStep > r[k - 1].decayPerStep);
    }
    assert.equal(r[2].horizon, null); // forget bias 3: never below 1e-3 within 50 steps
  });

  it('with forget bias 0 (f ≈ σ(0) = 0.5) the LSTM gradient vanishes too: < 1e-9 of it reaches h_0 after 50 steps', () => {
    const r = flow('lstm', { ...SWEEP, init: { forgetBias: 0 } });
    assert.ok(r.initialRatio < 1e-9, `${r.initialRatio}`);
    assert.ok(r.decayPerStep < 0.7, `${r.decayPerStep}`);
  });

  it('headline (T = 100, H = 64): at PyTorch-default init the LSTM loses > 1e15 of its gradient, with forget bias 3 it keeps > 1%', () => {
    const opts = {}; // analyzeGradientFlow's defaults: T = 100, H = 64, D = 8, 10 trials, seed 0
    const def = flow('lstm', opts);
    const fb3 = flow('lstm', { ...opts, init: { forgetBias: 3 } });
    assert.ok(def.initialRatio < 1e-15 && def.horizon !== null && def.horizon < 20, `default: ${def.initialRatio}, horizon ${def.horizon}`);
    assert.ok(fb3.initialRatio > 1e-2 && fb3.horizon === null, `forget bias 3: ${fb3.initialRatio}, horizon ${fb3.horizon}`);
  });

  it('headline (T = 100, H = 64): orthogonal or identity W_hh stretch the RNN horizon from < 20 to > 40 steps', () => {
    const opts = {};
    const def = flow('rnn', opts).horizon;
    const orth = flow('rnn', { ...opts, init: { weightHh: 'orthogonal' } }).horizon;
    const id = flow('rnn', { ...opts, init: { weightHh: 'identity' } }).horizon;
    assert.ok(def !== null && def < 20, `default ${def}`);
    assert.ok(orth === null || orth > 40, `orthogonal ${orth}`);
    assert.ok(id === null || id > 40, `identity ${id}`);
  });
});

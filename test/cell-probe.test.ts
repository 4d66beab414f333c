/**
 * C6 (cell-probe) and its probe arithmetic (info-bound.ts): the Gaussian bound on mutual information
 * against a case whose information is known exactly, Jaeger's memory capacity on a delay line whose
 * capacity is known, and the quick experiment's numbers against what is guaranteed of them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cellProbe, type ProbeScores } from '../src/experiments/cell-probe.js';
import { gaussianBoundBits, memoryCapacity, ridgeProbe, rises, type ProbeRows } from '../src/experiments/info-bound.js';
import { Rng } from '../src/index.js';

/** n rows of a p-unit state and its targets, from a generator of (state, targets) pairs. */
function rows(n: number, p: number, m: number, draw: (X: Float64Array, Y: Float64Array) => void): ProbeRows {
  const X = new Float64Array(n * p), Y = new Float64Array(n * m);
  for (let r = 0; r < n; r++) draw(X.subarray(r * p, (r + 1) * p), Y.subarray(r * m, (r + 1) * m));
  return { X, Y, n };
}

/** I(X; X + N) in bits for X ~ U(−1, 1), N ~ U(−a, a), 0 < a ≤ 1: h(X + N) − h(N) = (ln 2 + a/2) − ln(2a) nats. */
const exactBits = (a: number): number => (a / 2 - Math.log(a)) / Math.LN2;

describe('the probe bound on mutual information', () => {
  it('is positive exactly when the MSE is below 4/(2πe) ≈ 0.234, where ½·log2(2πe·MSE) reaches h(U(−1, 1)) = 1 bit', () => {
    const edge = 4 / (2 * Math.PI * Math.E);
    assert.equal(gaussianBoundBits(edge * 1.001), 0);
    assert.ok(gaussianBoundBits(edge * 0.999) > 0);
    assert.equal(gaussianBoundBits(1 / 3), 0, 'predicting the mean of U(−1, 1) proves nothing');
    assert.throws(() => gaussianBoundBits(0), /mse: expected a positive number/);
  });

  it('stays below the exact I(X; X + N) for uniform noise, and comes within half a bit of it when the noise is small', () => {
    for (const a of [0.05, 0.2, 0.5, 1]) {
      const rng = new Rng(7);
      const draw = (S: Float64Array, Y: Float64Array): void => {
        Y[0] = rng.uniform(-1, 1);
        S[0] = Y[0] + rng.uniform(-a, a);
      };
      const { mse } = ridgeProbe(rows(4000, 1, 1, draw), rows(4000, 1, 1, draw), 1, 1, 1e-6);
      const bound = gaussianBoundBits(mse[0]), exact = exactBits(a);
      assert.ok(bound < exact, `a = ${a}: bound ${bound} vs exact ${exact}`);
      if (a <= 0.2) assert.ok(bound > exact - 0.5, `a = ${a}: bound ${bound} vs exact ${exact}`);
    }
  });

  it('claims nothing from units that are independent of the input: held-out R² ≤ 0.02, 0 bits', () => {
    const rng = new Rng(3), p = 20, m = 5;
    const draw = (S: Float64Array, Y: Float64Array): void => {
      for (let j = 0; j < p; j++) S[j] = rng.normal();
      for (let k = 0; k < m; k++) Y[k] = rng.uniform(-1, 1);
    };
    const { r2, mse } = ridgeProbe(rows(500, p, m, draw), rows(500, p, m, draw), p, m, 1e-3);
    for (let k = 0; k < m; k++) {
      assert.ok(r2[k] < 0.02, `R² ${r2[k]}`);
      assert.equal(gaussianBoundBits(mse[k]), 0);
    }
  });
});

describe('memory capacity', () => {
  it('of a delay line holding x_{t−1..t−N} is N: R² 1 up to N, 0 beyond (Jaeger’s bound, reached)', () => {
    const N = 6, kMax = 3 * N, rng = new Rng(5), T = 3000;
    const x = Float64Array.from({ length: T + kMax }, () => rng.uniform(-1, 1));
    let t = kMax;
    const draw = (S: Float64Array, Y: Float64Array): void => {
      for (let j = 0; j < N; j++) S[j] = x[t - 1 - j];
      for (let k = 0; k < kMax; k++) Y[k] = x[t - 1 - k];
      t++;
    };
    const { r2 } = ridgeProbe(rows(T / 2, N, kMax, draw), rows(T / 2, N, kMax, draw), N, kMax, 1e-6);
    for (let k = 0; k < N; k++) assert.ok(r2[k] > 0.999, `k = ${k + 1}: ${r2[k]}`);
    for (let k = N; k < kMax; k++) assert.ok(Math.abs(r2[k]) < 0.02, `k = ${k + 1}: ${r2[k]}`);
    assert.ok(Math.abs(memoryCapacity(r2) - N) < 0.1, `MC ${memoryCapacity(r2)}`);
  });

  it('finds where a curve rises, by how much', () => {
    assert.deepEqual(rises([3, 2, 2.5, 0, 0]), [{ k: 3, by: 0.5 }]);
    assert.deepEqual(rises([1, 1, 0]), []);
  });
});

describe('C6 cell-probe (quick)', () => {
  const res = (cellProbe.run({ seed: 0, quick: true }, () => {}).data as { results: ProbeScores[] }).results;
  const K = 5;

  it('probes every model at delays up to 3K, past the K it was trained on', () => {
    for (const r of res) for (const v of [r.bits, r.r2c, r.r2h, r.r2s, r.mseS]) assert.equal(v.length, 3 * K);
  });

  it('no memory capacity exceeds the number of units read (H for c_t or h_t, 2H for [c_t; h_t])', () => {
    for (const r of res) {
      assert.ok(r.mcC <= r.H && r.mcH <= r.H && r.mcS <= 2 * r.H, `H = ${r.H}: ${r.mcC}, ${r.mcH}, ${r.mcS}`);
      assert.ok(Math.abs(r.mcSUpToK + r.mcSBeyondK - r.mcS) < 1e-12);
    }
  });

  it('every state carries information about x_{t−1} and none that a probe can show about x_{t−3K}', () => {
    for (const r of res) {
      assert.ok(r.bits[0] > 0.5, `H = ${r.H}${r.trained ? '' : ' untrained'}: ${r.bits[0]} bits at k = 1`);
      assert.equal(r.bits[3 * K - 1], 0);
      assert.ok(r.bits.every((b) => Number.isFinite(b) && b >= 0));
      assert.ok(Math.abs(r.totalBits - r.bits.reduce((a, b) => a + b, 0)) < 1e-12);
    }
  });

  it('training on the delay task adds information about the trained delays (H = 32, trained against untrained)', () => {
    const sum = (r: ProbeScores): number => r.bits.slice(0, K).reduce((a, b) => a + b, 0);
    const t = res.find((r) => r.trained && r.H === 32)!, u = res.find((r) => !r.trained && r.H === 32)!;
    assert.ok(sum(t) > sum(u), `${sum(t)} vs ${sum(u)} bits`);
  });
});

/**
 * Reading information out of a state with linear probes (C6): ridge probes fitted on one set of rows and
 * scored on another, the Gaussian lower bound on mutual information that a probe's held-out error gives,
 * and Jaeger's linear memory capacity.
 *
 * The bound. For any estimator f of X from S, h(X | S) = h(X − f(S) | S) ≤ h(X − f(S)) ≤ ½·log2(2πe·E[(X − f(S))²])
 * (shifting by a function of S leaves the conditional entropy alone, conditioning cannot raise entropy, and
 * the Gaussian has the largest entropy for a given second moment), so
 *
 *   I(X; S) = h(X) − h(X | S) ≥ h(X) − ½·log2(2πe·MSE_f).
 *
 * MSE_f is the expected error of a fixed f, so it must be estimated on rows the probe was not fitted on:
 * the training error of a fitted probe is optimistic and would inflate the "bound". The bound can be
 * negative (it is then replaced by 0, which I ≥ 0 gives for free); for X ~ U(−1, 1), h(X) = log2 2 = 1 bit
 * and the bound is positive only once MSE < 4 / (2πe) ≈ 0.234, i.e. R² > 0.297, because the uniform is not
 * Gaussian: a probe can know something about X before the bound says so.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/** Differential entropy of U(−1, 1) in bits: log2 of the interval's length. */
export const UNIFORM_PM1_BITS = 1;

/** max(0, h(X) − ½·log2(2πe·mse)) in bits: a lower bound on I(X; S) when mse is a probe's held-out error. */
export function gaussianBoundBits(mse: number, entropyBits = UNIFORM_PM1_BITS): number {
  if (!(mse > 0)) throw new RangeError(`mse: expected a positive number, got ${mse}`);
  return Math.max(0, entropyBits - 0.5 * Math.log2(2 * Math.PI * Math.E * mse));
}

/** Rows of features X [n × p] and targets Y [n × m], both row-major. */
export interface ProbeRows {
  X: Float64Array;
  Y: Float64Array;
  n: number;
}

export interface ProbeScore {
  /** Held-out mean squared error, per target. */
  mse: number[];
  /** Held-out R² = 1 − SSE / SST (SST around the held-out mean), per target; below 0 when the probe is worse than that mean. */
  r2: number[];
}

/**
 * Ridge probes from p features to each of m targets, fitted on `train` and scored on `test`. Features are
 * standardized with the training rows' mean and spread (so λ means the same for a unit whatever its
 * scale) and the intercept is not penalized. The Gram matrix is shared by all targets: one Cholesky
 * factorization solves every delay at once.
 */
export function ridgeProbe(train: ProbeRows, test: ProbeRows, p: number, m: number, lambda: number): ProbeScore {
  const mean = new Float64Array(p), scale = new Float64Array(p).fill(1), ymean = new Float64Array(m);
  for (let r = 0; r < train.n; r++) {
    for (let j = 0; j < p; j++) mean[j] += train.X[r * p + j] / train.n;
    for (let k = 0; k < m; k++) ymean[k] += train.Y[r * m + k] / train.n;
  }
  const sq = new Float64Array(p);
  for (let r = 0; r < train.n; r++) for (let j = 0; j < p; j++) sq[j] += (train.X[r * p + j] - mean[j]) ** 2;
  for (let j = 0; j < p; j++) if (sq[j] > 0) scale[j] = Math.sqrt(sq[j] / train.n); // a constant unit stays 0 after centering
  const z = (rows: ProbeRows, r: number, j: number): number => (rows.X[r * p + j] - mean[j]) / scale[j];
  const gram = new Float64Array(p * p), rhs = new Float64Array(p * m), row = new Float64Array(p);
  for (let r = 0; r < train.n; r++) {
    for (let j = 0; j < p; j++) row[j] = z(train, r, j);
    for (let i = 0; i < p; i++) {
      const a = row[i];
      if (a === 0) continue;
      for (let j = i; j < p; j++) gram[i * p + j] += a * row[j];
      for (let k = 0; k < m; k++) rhs[i * m + k] += a * (train.Y[r * m + k] - ymean[k]);
    }
  }
  const G = new Matrix(p, p);
  for (let i = 0; i < p; i++) {
    for (let j = i; j < p; j++) {
      const v = gram[i * p + j] + (i === j ? lambda * train.n : 0); // only the upper triangle was accumulated
      G.set(i, j, v).set(j, i, v);
    }
  }
  const R = new Matrix(p, m);
  for (let i = 0; i < p; i++) for (let k = 0; k < m; k++) R.set(i, k, rhs[i * m + k]);
  const W = new CholeskyDecomposition(G).solve(R);
  const sse = new Float64Array(m), tmean = new Float64Array(m), sst = new Float64Array(m);
  for (let r = 0; r < test.n; r++) for (let k = 0; k < m; k++) tmean[k] += test.Y[r * m + k] / test.n;
  for (let r = 0; r < test.n; r++) {
    for (let j = 0; j < p; j++) row[j] = z(test, r, j);
    for (let k = 0; k < m; k++) {
      let pred = ymean[k];
      for (let j = 0; j < p; j++) pred += row[j] * W.get(j, k);
      const y = test.Y[r * m + k];
      sse[k] += (y - pred) ** 2;
      sst[k] += (y - tmean[k]) ** 2;
    }
  }
  return { mse: Array.from(sse, (s) => s / test.n), r2: Array.from(sse, (s, k) => 1 - s / sst[k]) };
}

/**
 * Linear memory capacity MC = Σ_k R²_k (Jaeger 2002). With i.i.d. inputs the past inputs are orthogonal
 * (uncorrelated, zero mean), and the best linear readout's R²_k is the squared length of x_{t−k}'s
 * projection onto the span of the N centred state units; by Bessel's inequality those sum to at most N
 * over any set of delays. Held-out R² of a fitted probe estimates something no larger, and negative values
 * are summed as they are, so that noise around 0 at long delays cancels instead of piling up.
 */
export function memoryCapacity(r2: readonly number[]): number {
  return r2.reduce((s, v) => s + v, 0);
}

/** Where a curve that should not rise (data-processing inequality) does: each k (1-based) with bits[k] > bits[k − 1]. */
export function rises(bits: readonly number[]): { k: number; by: number }[] {
  const out: { k: number; by: number }[] = [];
  for (let i = 1; i < bits.length; i++) if (bits[i] > bits[i - 1]) out.push({ k: i + 1, by: bits[i] - bits[i - 1] });
  return out;
}

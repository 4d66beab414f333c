/**
 * The reference kernels: the three matrix products that every forward and backward pass here is made
 * of, on flat row-major arrays. Plain loops in the order that walks memory contiguously; the fast
 * backend (issue 5) must agree with these.
 *
 * Naming: N = "as stored", T = "transposed". `matmulNT(out, a, b)` is out = a · bᵀ, the product a
 * linear layer needs with PyTorch's weight layout W [out, in].
 */
import { opCounter } from './counter.js';
import type { FloatArray } from './tensor.js';

/** out[M, N] (+)= a[M, K] · b[N, K]ᵀ  — y = x Wᵀ. */
export function matmulNT(
  out: FloatArray, a: FloatArray, b: FloatArray, M: number, K: number, N: number, accumulate = false,
  outOffset = 0, aOffset = 0,
): void {
  for (let i = 0; i < M; i++) {
    const ai = aOffset + i * K;
    const oi = outOffset + i * N;
    for (let j = 0; j < N; j++) {
      const bj = j * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += a[ai + k] * b[bj + k];
      out[oi + j] = accumulate ? out[oi + j] + s : s;
    }
  }
}

/** out[M, N] (+)= a[M, K] · b[K, N]  — dx = dy W. */
export function matmulNN(
  out: FloatArray, a: FloatArray, b: FloatArray, M: number, K: number, N: number, accumulate = false,
  outOffset = 0, aOffset = 0,
): void {
  if (!accumulate) out.fill(0, outOffset, outOffset + M * N);
  for (let i = 0; i < M; i++) {
    const oi = outOffset + i * N;
    const ai = aOffset + i * K;
    for (let k = 0; k < K; k++) {
      const aik = a[ai + k];
      if (aik === 0) continue;
      const bk = k * N;
      for (let j = 0; j < N; j++) out[oi + j] += aik * b[bk + j];
    }
  }
}

/** out[M, N] += a[K, M]ᵀ · b[K, N]  — dW += dyᵀ x (always accumulates: weight gradients sum over steps). */
export function matmulTNAcc(
  out: FloatArray, a: FloatArray, b: FloatArray, M: number, K: number, N: number, aOffset = 0, bOffset = 0,
): void {
  for (let k = 0; k < K; k++) {
    const ak = aOffset + k * M;
    const bk = bOffset + k * N;
    for (let i = 0; i < M; i++) {
      const aki = a[ak + i];
      if (aki === 0) continue;
      const oi = i * N;
      for (let j = 0; j < N; j++) out[oi + j] += aki * b[bk + j];
    }
  }
}

/** out[N] += Σ_rows a[M, N]  — db += Σ_b dy. */
export function sumRowsAcc(out: FloatArray, a: FloatArray, M: number, N: number, aOffset = 0): void {
  for (let i = 0; i < M; i++) {
    const ai = aOffset + i * N;
    for (let j = 0; j < N; j++) out[j] += a[ai + j];
  }
}

/** out[M, N] += bias[N] broadcast over rows. */
export function addRowVector(out: FloatArray, bias: FloatArray, M: number, N: number, outOffset = 0): void {
  for (let i = 0; i < M; i++) {
    const oi = outOffset + i * N;
    for (let j = 0; j < N; j++) out[oi + j] += bias[j];
  }
}

export function sigmoid(x: number): number {
  // Split by sign so that exp never overflows: both branches are the same function.
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/**
 * y[B, Out] (+)= x[B, In] Wᵀ + b  — the affine map that every gate pre-activation and the head use.
 */
export function linearForward(
  y: FloatArray, x: FloatArray, W: FloatArray, b: FloatArray | null, B: number, In: number, Out: number,
  accumulate = false,
): void {
  // Theory A2's count: B·In·Out scalar products; the bias is additions only. Once per call, not per element.
  if (opCounter.enabled) opCounter.mul += B * In * Out;
  matmulNT(y, x, W, B, In, Out, accumulate);
  if (b) addRowVector(y, b, B, Out);
}

/**
 * Backward of y = x Wᵀ + b given dy [B, Out]:
 *   dW += dyᵀ x,  db += Σ_b dy,  dx (+)= dy W   (dx skipped when null).
 */
export function linearBackward(
  dy: FloatArray, x: FloatArray, W: FloatArray, dW: FloatArray, db: FloatArray | null, dx: FloatArray | null,
  B: number, In: number, Out: number, accumulateDx = false,
): void {
  matmulTNAcc(dW, dy, x, Out, B, In);
  if (db) sumRowsAcc(db, dy, B, Out);
  if (dx) matmulNN(dx, dy, W, B, Out, In, accumulateDx);
}

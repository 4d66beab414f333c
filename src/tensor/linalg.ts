/**
 * The few matrix facts the analysis needs: spectral radius and largest singular value.
 *
 * Spectral radius by Gelfand's formula, ρ(A) = lim_k ||A^k||^{1/k}, with k = 2^m reached by m
 * normalized squarings (A ← A² / ||A²||, keeping log-norms): after m = 48 squarings the error in log ρ is
 * about log(C)/2^48 for a constant C that depends on A's eigenvectors, i.e. ~1e-13 relative.
 *
 * Why not an eigenvalue decomposition: ml-matrix's (a JAMA port) and mathjs's nonsymmetric QR
 * iterations fail on some matrices this library cares most about — ml-matrix loops forever on some
 * orthogonal matrices (all |λ| = 1), mathjs throws on plain random ones — while 48 matrix squarings of an
 * H×H matrix cost little and always finish.
 */
import { Matrix, SingularValueDecomposition } from 'ml-matrix';

/** A flat row-major array as rows (the form ml-matrix takes). */
export function toRows(a: ArrayLike<number>, rows: number, cols: number): number[][] {
  const m: number[][] = [];
  for (let i = 0; i < rows; i++) m.push(Array.from({ length: cols }, (_, j) => a[i * cols + j]));
  return m;
}

/** Largest |eigenvalue| of a square n×n matrix given flat row-major. */
export function spectralRadius(a: ArrayLike<number>, n: number, squarings = 48): number {
  if (a.length !== n * n) throw new RangeError(`spectralRadius: expected ${n}×${n} = ${n * n} values, got ${a.length}`);
  let B = Float64Array.from(a);
  // logRho = log ||A^(2^i)|| / 2^i, which tends to log ρ; B = A^(2^i) / ||A^(2^i)||.
  let logRho = normalize(B);
  if (logRho === -Infinity) return 0;
  if (Number.isNaN(logRho)) throw new RangeError('spectralRadius: the matrix holds non-finite values');
  let next = new Float64Array(n * n);
  for (let i = 0; i < squarings; i++) {
    next.fill(0);
    for (let r = 0; r < n; r++) {
      for (let k = 0; k < n; k++) {
        const v = B[r * n + k];
        if (v === 0) continue;
        for (let c = 0; c < n; c++) next[r * n + c] += v * B[k * n + c];
      }
    }
    const ln = normalize(next);
    if (ln === -Infinity) return 0; // nilpotent
    [B, next] = [next, B];
    // ||A^(2^{i+1})|| = ||A^(2^i)||² · ||B²||, so log ρ's estimate gains log||B²|| / 2^{i+1}.
    logRho += ln / 2 ** (i + 1);
  }
  return Math.exp(logRho);
}

/** Divides m by its Frobenius norm in place; returns log of that norm (−∞ for a zero matrix). */
function normalize(m: Float64Array): number {
  let s = 0;
  for (let i = 0; i < m.length; i++) s += m[i] * m[i];
  const norm = Math.sqrt(s);
  if (norm === 0 || !Number.isFinite(norm)) return norm === 0 ? -Infinity : NaN;
  for (let i = 0; i < m.length; i++) m[i] /= norm;
  return Math.log(norm);
}

/** Largest singular value (the spectral norm ||A||₂) of a rows×cols matrix given flat row-major. */
export function largestSingularValue(a: ArrayLike<number>, rows: number, cols: number): number {
  return new SingularValueDecomposition(new Matrix(toRows(a, rows, cols)), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
  }).diagonal[0];
}

/** All singular values, largest first. */
export function singularValues(a: ArrayLike<number>, rows: number, cols: number): number[] {
  return new SingularValueDecomposition(new Matrix(toRows(a, rows, cols)), {
    computeLeftSingularVectors: false,
    computeRightSingularVectors: false,
  }).diagonal;
}

/**
 * The learner's numbers as the workbook's interface has them: vectors number[], matrices number[][]
 * row-major (W[i][j] is row i), sequences number[][] (xs[t]). The grader's own computations (the
 * known-mistake models, the finite differences) work on the same plain arrays, so nothing is
 * converted between what the learner returns and what it is compared with.
 */
import type { Rng } from '../tensor/random.js';

export type Vec = number[];
export type Mat = number[][];
export type Arr = Vec | Mat;

/** A shape as the messages write it: [n] for a vector, [rows, cols] for a matrix. */
export type Shape = readonly [number] | readonly [number, number];

export function fmtShape(shape: Shape): string {
  return shape.map((n) => `[${n}]`).join('');
}

export function isMat(a: Arr): a is Mat {
  return a.length > 0 && Array.isArray(a[0]);
}

/** All entries, row by row. */
export function flat(a: Arr): number[] {
  return isMat(a) ? a.flat() : a.slice();
}

/** A deep copy, so the learner's code can neither see nor change the grader's arrays. */
export function copyArr<T extends Arr>(a: T): T {
  return (isMat(a) ? a.map((r) => r.slice()) : a.slice()) as T;
}

export function copyMat(a: Mat): Mat {
  return a.map((r) => r.slice());
}

export function zerosVec(n: number): Vec {
  return new Array<number>(n).fill(0);
}

export function zerosMat(rows: number, cols: number): Mat {
  return Array.from({ length: rows }, () => zerosVec(cols));
}

export function randomVec(rng: Rng, n: number, std: number): Vec {
  return Array.from({ length: n }, () => rng.normal(0, std));
}

export function randomMat(rng: Rng, rows: number, cols: number, std: number): Mat {
  return Array.from({ length: rows }, () => randomVec(rng, cols, std));
}

/** W v. */
export function matVec(W: Mat, v: Vec): Vec {
  return W.map((row) => row.reduce((s, w, j) => s + w * v[j], 0));
}

/** Wᵀ v. */
export function matTVec(W: Mat, v: Vec): Vec {
  const out = zerosVec(W[0]?.length ?? 0);
  W.forEach((row, i) => row.forEach((w, j) => (out[j] += w * v[i])));
  return out;
}

/** acc += a bᵀ. */
export function addOuter(acc: Mat, a: Vec, b: Vec): void {
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) acc[i][j] += a[i] * b[j];
}

export function addInto(acc: Vec, v: Vec): void {
  for (let i = 0; i < v.length; i++) acc[i] += v[i];
}

export function mul(a: Vec, b: Vec): Vec {
  return a.map((v, i) => v * b[i]);
}

export function norm(v: Vec): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

export function dot(a: Vec, b: Vec): number {
  return a.reduce((s, v, i) => s + v * b[i], 0);
}

export function sigmoid(z: number): number {
  return 1 / (1 + Math.exp(-z));
}

/** Flat row-major entries as the float64 storage rnnlab's Tensors use. */
export function toFloat64(a: Arr): Float64Array {
  return Float64Array.from(flat(a));
}

/** A [rows, cols] matrix from flat row-major storage. */
export function toMat(data: ArrayLike<number>, rows: number, cols: number, offset = 0): Mat {
  return Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => data[offset + i * cols + j]));
}

export function toVec(data: ArrayLike<number>, n: number, offset = 0): Vec {
  return Array.from({ length: n }, (_, i) => data[offset + i]);
}

/** Whether `v` still holds exactly the numbers of `a` (the check that an input was not changed). */
export function sameValues(v: unknown, a: Arr): boolean {
  if (!Array.isArray(v) || v.length !== a.length) return false;
  return a.every((x, i) => (Array.isArray(x) ? sameValues(v[i], x) : Object.is(v[i], x)));
}

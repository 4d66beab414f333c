/**
 * Padded batches and directions, on time-major [T, B, W] arrays: what recurrent.ts needs to run a layer
 * as PyTorch runs it on a packed sequence (pack_padded_sequence → layer → pad_packed_sequence) and in
 * both directions.
 *
 * Why no masking inside the step: sequence b's steps t < len_b never depend on its steps t ≥ len_b, so
 * a layer can run all T steps of every sequence and still be exact on the valid ones, as long as
 * - the outputs at padded steps are set to 0 (pad_packed_sequence's padding value),
 * - each sequence's final state is read at its own last step (hs[len_b]),
 * - the reverse direction starts at each sequence's own last step: it runs on each sequence reversed
 *   within its length (x[len_b − 1], …, x[0], then the padding), and its outputs are put back in order,
 * - and backward drops what arrives at padded steps and feeds dL/dh_N (dL/dc_N) in at step len_b − 1.
 * The padded steps cost compute, never correctness.
 */
import { describeValue } from '../tensor/check.js';
import { allocate, type FloatArray } from '../tensor/tensor.js';

/** Checks `lengths`: B integers in [1, T], any order (PyTorch's enforce_sorted=False). */
export function checkLengths(lengths: unknown, T: number, B: number): Int32Array {
  if (!Array.isArray(lengths) && !(lengths instanceof Int32Array)) {
    throw new TypeError(`options.lengths: expected an array of ${B} sequence lengths (one per sequence), got ${describeValue(lengths)}`);
  }
  if (lengths.length !== B) throw new RangeError(`options.lengths: expected ${B} lengths (one per sequence of the batch), got ${lengths.length}`);
  const out = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > T) {
      throw new RangeError(`options.lengths[${b}]: expected an integer in [1, ${T}] (T = ${T} steps), got ${describeValue(n)}`);
    }
    out[b] = n;
  }
  return out;
}

/**
 * Each sequence of a [T, B, W] array reversed within its own length (padded steps stay where they are).
 * Its own inverse; `lengths` null reverses all T steps.
 */
export function reverseWithin(a: FloatArray, T: number, B: number, W: number, lengths: Int32Array | null): FloatArray {
  const out = allocate(a instanceof Float64Array ? 'float64' : 'float32', a.length);
  for (let b = 0; b < B; b++) {
    const n = lengths ? lengths[b] : T;
    for (let t = 0; t < T; t++) {
      const src = t < n ? n - 1 - t : t;
      out.set(a.subarray((src * B + b) * W, (src * B + b + 1) * W), (t * B + b) * W);
    }
  }
  return out;
}

/** Zeroes every padded step (t ≥ len_b) of a [T, B, W] array, in place. */
export function zeroPadded(a: FloatArray, T: number, B: number, W: number, lengths: Int32Array): void {
  for (let b = 0; b < B; b++) {
    for (let t = lengths[b]; t < T; t++) a.fill(0, (t * B + b) * W, (t * B + b + 1) * W);
  }
}

/** out[t, b, off : off + W] = part[t, b, :], for out [T·B, stride]. */
export function putColumns(out: FloatArray, part: FloatArray, TB: number, W: number, stride: number, off: number): void {
  for (let i = 0; i < TB; i++) out.set(part.subarray(i * W, (i + 1) * W), i * stride + off);
}

/** The columns off : off + W of a [T·B, stride] array, as [T·B, W]. */
export function takeColumns(a: FloatArray, TB: number, W: number, stride: number, off: number): FloatArray {
  const out = allocate(a instanceof Float64Array ? 'float64' : 'float32', TB * W);
  for (let i = 0; i < TB; i++) out.set(a.subarray(i * stride + off, i * stride + off + W), i * W);
  return out;
}

/** Each sequence's state at its own last step: out[b] = hs[len_b, b] for hs [T+1, B, H]. */
export function finalStates(hs: FloatArray, B: number, H: number, lengths: Int32Array): FloatArray {
  const out = allocate(hs instanceof Float64Array ? 'float64' : 'float32', B * H);
  for (let b = 0; b < B; b++) out.set(hs.subarray((lengths[b] * B + b) * H, (lengths[b] * B + b + 1) * H), b * H);
  return out;
}

/** Adds d [B, H] into a [T, B, H] array at each sequence's last step, t = len_b − 1. */
export function addAtLastSteps(a: FloatArray, d: FloatArray, B: number, H: number, lengths: Int32Array): void {
  for (let b = 0; b < B; b++) {
    const o = ((lengths[b] - 1) * B + b) * H;
    for (let j = 0; j < H; j++) a[o + j] += d[b * H + j];
  }
}

/**
 * The user's layouts at a sequence layer's edges: layers work time-major [T, B, W] inside, and take and
 * give batch-first [B, T, W] and unbatched [T, W] as PyTorch does. Nothing the caller holds aliases a
 * layer's cache: an input is copied in, and an output is an array made for it.
 */
import { checkDType, checkFinite, checkShape, checkTensor, fmtShape } from '../tensor/check.js';
import { checkArraySize } from '../tensor/limits.js';
import { Tensor, type DType, type FloatArray } from '../tensor/tensor.js';

/** The shape the user sees for a [T, B, W] array. */
export function userShape(batchFirst: boolean, T: number, B: number, W: number, batched: boolean): number[] {
  if (!batched) return [T, W];
  return batchFirst ? [B, T, W] : [T, B, W];
}

/**
 * [T, B, W] time-major → the user's layout, as a Tensor. `a` must be a fresh array that nothing else
 * holds: it becomes the tensor's storage when it is already in the user's layout (else it is copied).
 */
export function toUserLayout(batchFirst: boolean, a: FloatArray, T: number, B: number, W: number, batched: boolean): Tensor {
  return new Tensor(batched && batchFirst ? swap01(a, T, B, W) : a, userShape(batchFirst, T, B, W, batched));
}

/** The user's layout → [T, B, W] time-major (copy). */
export function fromUserLayout(batchFirst: boolean, a: FloatArray, T: number, B: number, W: number, batched: boolean): FloatArray {
  return batched && batchFirst ? swap01(a, B, T, W) : a.slice();
}

/** [P, Q, W] → [Q, P, W]. */
function swap01(a: FloatArray, P: number, Q: number, W: number): FloatArray {
  const out = new (a.constructor as Float64ArrayConstructor)(a.length);
  for (let p = 0; p < P; p++) {
    for (let q = 0; q < Q; q++) out.set(a.subarray((p * Q + q) * W, (p * Q + q + 1) * W), (q * P + p) * W);
  }
  return out;
}

/** A state argument is an object ({ h } or { h, c }); null or a Tensor in its place is a mistake worth naming. */
export function checkStateObject(name: string, s: unknown, hasCell: boolean): void {
  const shape = hasCell ? '{ h, c }' : '{ h }';
  if (s === null || typeof s !== 'object' || s instanceof Tensor) {
    throw new TypeError(`${name}: expected an object ${shape} (or nothing), got ${s === null ? 'null' : s instanceof Tensor ? 'a Tensor' : typeof s}`);
  }
}

/**
 * Validates a layer's input x ([T, B, D], [B, T, D] with batchFirst, or unbatched [T, D]) and returns it
 * time-major. `widest` is the widest per-step array a forward pass keeps, so that a huge T·B is refused
 * before anything is allocated.
 */
export function readSequence(x: Tensor, o: { dtype: DType; inputSize: number; batchFirst: boolean; widest: number }): { T: number; B: number; batched: boolean; xs: FloatArray } {
  checkTensor('x', x);
  checkDType('x', x, o.dtype);
  const D = o.inputSize, layout = o.batchFirst ? '[B, T, inputSize]' : '[T, B, inputSize]';
  let T: number, B: number;
  const batched = x.shape.length === 3;
  if (batched) {
    [T, B] = o.batchFirst ? [x.shape[1], x.shape[0]] : [x.shape[0], x.shape[1]];
    checkShape('x', x, [-1, -1, D], layout);
  } else if (x.shape.length === 2) {
    [T, B] = [x.shape[0], 1];
    checkShape('x', x, [-1, D], 'unbatched [T, inputSize]');
  } else {
    throw new RangeError(`x: expected shape ${layout} or unbatched [T, inputSize] with inputSize = ${D}, got ${fmtShape(x.shape)}`);
  }
  if (T === 0 || B === 0) throw new RangeError(`x: expected at least one time step and one sequence, got shape ${fmtShape(x.shape)}`);
  checkArraySize('x', T * B * o.widest, o.dtype, `a forward pass over ${T} steps × ${B} sequences (its cache of every step's gates)`);
  checkFinite('x', x);
  return { T, B, batched, xs: fromUserLayout(o.batchFirst, x.data, T, B, D, batched) };
}

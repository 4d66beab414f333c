/**
 * Write counts of parameter arrays, for whatever keeps a derived copy of a weight (the fast backend's
 * streaming step keeps it packed in WebAssembly memory) and must know when to make it again. What writes
 * parameters in place through the library counts: an optimizer's step and loadStateDict. A plain
 * `tensor.data[i] = v` cannot be seen; loadStateDict is the way to set weights by hand.
 *
 * (PyTorch keeps the same kind of counter on every tensor, its `_version`.)
 */
import type { FloatArray } from './tensor.js';

const counts = new WeakMap<FloatArray, number>();

/** Records that `a` was written in place. */
export function markWritten(a: FloatArray): void {
  counts.set(a, (counts.get(a) ?? 0) + 1);
}

/** How many times `a` was written in place so far (0 if never). */
export function writeCount(a: FloatArray): number {
  return counts.get(a) ?? 0;
}

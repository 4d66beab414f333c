/**
 * Inverted dropout, as torch.nn.functional.dropout in training mode: each value is kept with probability
 * 1 − p and then scaled by 1/(1 − p), so the expected output equals the input and evaluation needs no
 * rescaling. The mask is drawn from a seeded Rng and kept for backward, where dL/dx = dL/dy ⊙ mask.
 */
import type { Rng } from '../tensor/random.js';
import { allocate, type DType, type FloatArray } from '../tensor/tensor.js';

/** n values, each 1/(1 − p) with probability 1 − p, else 0. */
export function dropoutMask(dtype: DType, n: number, p: number, rng: Rng): FloatArray {
  const mask = allocate(dtype, n);
  const keep = 1 / (1 - p);
  for (let i = 0; i < n; i++) mask[i] = rng.random() < p ? 0 : keep;
  return mask;
}

/**
 * Central finite differences of the learner's own forward pass, the second witness of every gradient:
 *
 *   ∂L/∂θ_e ≈ (L(θ + h e) − L(θ − h e)) / 2h,   h = 1e-5, in float64
 *
 * with an error of order h² (truncation) plus ε|L|/h (rounding), ~1e-10 at the exercises' sizes. A
 * backward that agrees with these differentiates the forward it came with, right or wrong; one that
 * agrees with rnnlab's differentiates the right forward. Together they tell a wrong forward from a
 * wrong backward.
 */
import type { Rng } from '../tensor/random.js';
import { copyArr, isMat, type Arr } from './arrays.js';
import { FD_STEP } from './compare.js';
import { fail, ok, type Result } from './contract.js';

/** At most this many entries of one tensor per case: enough to catch a wrong formula, few forwards. */
export const FD_MAX_ENTRIES = 24;

/** The flat indices to difference: every entry of a small tensor, a seeded sample of a large one. */
export function sampleEntries(rng: Rng, count: number, max = FD_MAX_ENTRIES): number[] {
  const all = Array.from({ length: count }, (_, i) => i);
  if (count <= max) return all;
  // A partial Fisher–Yates shuffle: the first `max` of a uniform permutation, in index order.
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(count - i);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, max).sort((a, b) => a - b);
}

/** A copy of `a` with its flat entry `index` moved by `delta`. */
export function perturbed<T extends Arr>(a: T, index: number, delta: number): T {
  const out = copyArr(a);
  if (isMat(out)) {
    const cols = out[0].length;
    out[Math.floor(index / cols)][index % cols] += delta;
  } else {
    out[index] += delta;
  }
  return out;
}

/** The entry of `a` at flat index `index`. */
export function entryAt(a: Arr, index: number): number {
  if (isMat(a)) {
    const cols = a[0].length;
    return a[Math.floor(index / cols)][index % cols];
  }
  return a[index];
}

/**
 * ∂L/∂a at the given entries, where loss(a') evaluates the learner's forward with a' in place of a (and
 * returns an error when that forward throws or gives something unreadable).
 */
export function finiteDifferences(a: Arr, entries: readonly number[], loss: (moved: Arr) => Result<number>): Result<number[]> {
  const out: number[] = [];
  for (const e of entries) {
    const up = loss(perturbed(a, e, FD_STEP));
    if (!up.ok) return up;
    const down = loss(perturbed(a, e, -FD_STEP));
    if (!down.ok) return down;
    const d = (up.value - down.value) / (2 * FD_STEP);
    if (!Number.isFinite(d)) return fail(`your forward gave a non-finite loss at a perturbed entry ${e}`);
    out.push(d);
  }
  return ok(out);
}

/**
 * Gradient clipping's known mistakes (B3): global-norm clipping on plain arrays with a switch per
 * mistake. With no switch it is the right computation (the test suite holds it to rnnlab's
 * clipGradients). Changing the input in place is told by looking at the input, not by numbers: see
 * check-b3.ts.
 */
import { flat, isMat, norm, type Arr } from './arrays.js';
import type { Mistake } from './mistakes.js';

export const CLIP_HINTS = {
  perArray: 'you clipped each array by its own norm: clipping is global, one norm over all the arrays together, ‖g‖ = sqrt(Σ over every array and entry of g²), and one factor maxNorm/‖g‖ for all of them.',
  alwaysScale: 'you scaled gradients whose norm is already at most maxNorm (up to maxNorm): scale only when ‖g‖ > maxNorm, and return them unchanged otherwise.',
  sumOfNorms: 'your norm is the sum of the arrays\' norms: the global norm is the square root of the sum of every entry\'s square.',
  squaredNorm: 'your norm is the sum of squares without its square root.',
  mutates: 'clipGradients changed its input: build new arrays (map over them) instead of scaling the entries in place, since the caller may still need the unclipped gradients.',
  aliases: 'clipGradients returned its input\'s own arrays: return new arrays, so that changing the result cannot change the caller\'s gradients.',
  zeroNorm: 'all-zero gradients came back with NaN: a zero norm is under any positive maxNorm, so nothing should be divided by it.',
} as const;

export interface ClipVariant {
  perArray?: boolean;
  alwaysScale?: boolean;
  sumOfNorms?: boolean;
  squaredNorm?: boolean;
}

const scaled = (g: Arr, k: number): Arr => (isMat(g) ? g.map((r) => r.map((v) => v * k)) : g.map((v) => v * k));

/** ‖g‖ = sqrt(Σ_k Σ_i g_k,i²);  g ← g · maxNorm/‖g‖ if ‖g‖ > maxNorm. */
export function clip(grads: Arr[], maxNorm: number, v: ClipVariant = {}): Arr[] {
  if (v.perArray) return grads.map((g) => clip([g], maxNorm)[0]);
  const norms = grads.map((g) => norm(flat(g)));
  const squares = norms.reduce((s, n) => s + n * n, 0);
  const total = v.sumOfNorms ? norms.reduce((s, n) => s + n, 0) : v.squaredNorm ? squares : Math.sqrt(squares);
  const k = v.alwaysScale || total > maxNorm ? maxNorm / total : 1;
  return grads.map((g) => scaled(g, k));
}

export const CLIP_MISTAKES: readonly Mistake<ClipVariant>[] = [
  { id: 'perArray', hint: CLIP_HINTS.perArray, variant: { perArray: true } },
  { id: 'alwaysScale', hint: CLIP_HINTS.alwaysScale, variant: { alwaysScale: true } },
  { id: 'sumOfNorms', hint: CLIP_HINTS.sumOfNorms, variant: { sumOfNorms: true } },
  { id: 'squaredNorm', hint: CLIP_HINTS.squaredNorm, variant: { squaredNorm: true } },
];

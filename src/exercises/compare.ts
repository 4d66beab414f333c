/**
 * How the grader compares two sets of numbers, and the thresholds every message states.
 *
 * One measure everywhere, over all the entries compared at once (all of a tensor's entries over all
 * the random cases):
 *
 *   rel = max_i |a_i − b_i| / max(1e-8, max_i (|a_i| + |b_i|))
 *
 * It is CS231n's |a − b| / max(|a|, |b|) with the scale taken over the whole tensor rather than per
 * entry: an entry that is ~0 in both (a gradient that vanished) then cannot turn rounding noise into a
 * huge ratio, while any wrong formula still moves the error far above the bar, since the grader's random
 * weights keep every term of order 0.01–1. The 1e-8 floor lets two all-zero tensors agree.
 *
 * The bars, in float64 (CS231n's rules of thumb for gradient checks: below 1e-7 "you should be happy",
 * 1e-4 to 1e-2 suspicious, above 1e-2 wrong):
 *   - against rnnlab's own computation, both exact up to rounding (~1e-15): pass below 1e-7;
 *   - against central finite differences of the learner's forward (step 1e-5; truncation error ~1e-10,
 *     rounding ~1e-11 at these sizes): pass below 1e-6;
 *   - a known mistake is named when the learner's numbers are within 1e-6 of that mistake's.
 */

/** Against rnnlab's computation (exact arithmetic up to float64 rounding). */
export const PASS = 1e-7;
/** Against central finite differences of the learner's own forward. */
export const FD_PASS = 1e-6;
/** Close enough to a known mistake's numbers to name it. */
export const MISTAKE_MATCH = 1e-6;
/** Central-difference step. */
export const FD_STEP = 1e-5;

export const MEASURE = 'max|a−b| / max(|a|+|b|)';

export function relError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let err = 0, scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    // A NaN anywhere is as far off as can be (Math.max would carry it, but comparisons with it are false).
    if (Number.isNaN(d)) return Infinity;
    err = Math.max(err, d);
    scale = Math.max(scale, Math.abs(a[i]) + Math.abs(b[i]));
  }
  return err / Math.max(1e-8, scale);
}

/** A relative error as messages print it: 3.2e-16. */
export function fmtRel(rel: number): string {
  return Number.isFinite(rel) ? rel.toExponential(1) : 'infinite';
}

/** What a failing relative error means, in CS231n's bands. */
export function severity(rel: number): string {
  if (rel < 1e-4) return 'close, but float64 code computing the same thing agrees to 1e-7: a small term is off';
  if (rel < 1e-2) return 'suspicious (1e-4 to 1e-2)';
  return 'wrong (over 1e-2)';
}

/** "relative error 2.0e-3 (pass < 1e-7): suspicious" */
export function describeError(rel: number, bar: number): string {
  const verdict = rel < bar ? '' : `: ${severity(rel)}`;
  return `relative error ${fmtRel(rel)} (pass < ${bar.toExponential(0)})${verdict}`;
}

/** The closing note of every comparison's message: what "relative error" is. */
export const MEASURE_NOTE = `(relative error = ${MEASURE} over all entries compared)`;

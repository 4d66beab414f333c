/**
 * Gradient checking by central finite differences:
 *
 *   dL/dθ_i ≈ (L(θ + ε e_i) − L(θ − ε e_i)) / 2ε        (error O(ε²), versus O(ε) one-sided)
 *
 * compared entry by entry with the analytic gradient from a hand-written backward pass. Only float64
 * makes this meaningful: in float32 the rounding of L (≈1e-7 relative) divided by 2ε swamps the answer.
 *
 * The relative error of one entry is |a − n| / max(|a|, |n|, floor); `floor` keeps entries whose true
 * gradient is ~0 from reporting huge relative errors out of pure rounding.
 */
import { checkFiniteNumber, checkTensor, fmtShape, describeValue } from '../tensor/check.js';
import { Rng } from '../tensor/random.js';
import type { Tensor } from '../tensor/tensor.js';

export interface GradCheckOptions {
  /** Step ε (default 1e-3, right for the 4th-order stencil; use ~1e-6 with order 2). */
  eps?: number;
  /**
   * 2: the plain central difference above. 4 (default): Richardson's 4th-order central stencil
   * (8[L(θ+ε)−L(θ−ε)] − [L(θ+2ε)−L(θ−2ε)]) / 12ε, error O(ε⁴), which lets ε be large enough that the
   * rounding of L no longer limits the check: entries whose gradient is 1e-5 of the loss then still
   * agree to ~1e-8 instead of ~1e-5.
   */
  order?: 2 | 4;
  /** Denominator floor of the relative error (default 1e-7). */
  floor?: number;
  /** Check at most this many entries per tensor, picked at random with `seed` (default: all). */
  maxChecks?: number;
  seed?: number;
}

export interface GradCheckEntry {
  /** Which tensor (the key of `wrt`, or 'wrt'). */
  name: string;
  /** Flat index of the entry. */
  index: number;
  analytic: number;
  numeric: number;
  relError: number;
}

export interface GradCheckResult {
  /** The worst relative error over every checked entry. */
  maxRelError: number;
  /** The entry where it happened. */
  worst: GradCheckEntry;
  /** Worst relative error per checked tensor. */
  perTensor: Record<string, number>;
  /** How many entries were checked. */
  checked: number;
}

/**
 * Checks `analytic` = dL/d`wrt`, where `loss()` recomputes L from the current contents of `wrt` (which
 * is perturbed in place and always restored). `wrt` and `analytic` are one Tensor each, or records with
 * the same keys (e.g. a module's stateDict-like live parameters and gradients()).
 */
export function gradCheck(
  loss: () => number,
  wrt: Tensor | Record<string, Tensor>,
  analytic: Tensor | Record<string, Tensor>,
  options: GradCheckOptions = {},
): GradCheckResult {
  if (typeof loss !== 'function') throw new TypeError(`loss: expected a function returning a number, got ${typeof loss}`);
  const eps = checkFiniteNumber('options.eps', options.eps ?? 1e-3, { positive: true });
  const floor = checkFiniteNumber('options.floor', options.floor ?? 1e-7, { positive: true });
  const order = options.order ?? 4;
  if (order !== 2 && order !== 4) throw new RangeError(`options.order: expected 2 or 4, got ${describeValue(order)}`);
  const single = isTensorLike(wrt);
  const wrts: Record<string, Tensor> = single ? { wrt: wrt as Tensor } : (wrt as Record<string, Tensor>);
  const grads: Record<string, Tensor> = single ? { wrt: analytic as Tensor } : (analytic as Record<string, Tensor>);
  const rng = new Rng(options.seed ?? 0);
  let worst: GradCheckEntry | null = null;
  const perTensor: Record<string, number> = {};
  let checked = 0;
  for (const name of Object.keys(wrts)) {
    const p = wrts[name], g = grads[name];
    const label = single ? 'wrt' : `wrt['${name}']`;
    checkTensor(label, p);
    checkTensor(single ? 'analytic' : `analytic['${name}']`, g);
    if (p.dtype !== 'float64') throw new TypeError(`${label}: expected dtype float64 (finite differences need it), got ${p.dtype}`);
    if (g.size !== p.size) throw new RangeError(`analytic['${name}']: expected shape ${fmtShape(p.shape)}, got ${fmtShape(g.shape)}`);
    const indices = pick(p.size, options.maxChecks, rng);
    let tensorWorst = 0;
    for (const i of indices) {
      const saved = p.data[i];
      const at = (delta: number): number => {
        p.data[i] = saved + delta;
        const v = loss();
        p.data[i] = saved;
        if (typeof v !== 'number' || !Number.isFinite(v)) {
          throw new RangeError(`loss: expected a finite number, got ${describeValue(v)} when perturbing ${name}[${i}] by ${delta}`);
        }
        return v;
      };
      const d1 = (at(eps) - at(-eps)) / (2 * eps);
      const numeric = order === 2 ? d1 : (4 * d1 - (at(2 * eps) - at(-2 * eps)) / (4 * eps)) / 3;
      const a = g.data[i];
      const relError = Math.abs(a - numeric) / Math.max(Math.abs(a), Math.abs(numeric), floor);
      checked++;
      if (relError > tensorWorst) tensorWorst = relError;
      if (!worst || relError > worst.relError) worst = { name, index: i, analytic: a, numeric, relError };
    }
    perTensor[name] = tensorWorst;
  }
  if (!worst) throw new RangeError('wrt: expected at least one entry to check, got none');
  return { maxRelError: worst.relError, worst, perTensor, checked };
}

function isTensorLike(v: unknown): boolean {
  return typeof v === 'object' && v !== null && 'data' in v && 'shape' in v;
}

function pick(n: number, max: number | undefined, rng: Rng): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (max === undefined || max >= n) return all;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [all[i], all[j]] = [all[j], all[i]];
  }
  return all.slice(0, max).sort((a, b) => a - b);
}

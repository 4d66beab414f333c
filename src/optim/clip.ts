/**
 * Gradient clipping, the usual guard against exploding gradients in BPTT: one long sequence can
 * multiply a gradient by the recurrent Jacobian hundreds of times and blow up a single update.
 *
 * Two flavours:
 *  - clipGradients: the tutorial version, pure (returns clipped copies), global L2 norm.
 *  - clipGradNorm / clipGradValue: PyTorch's torch.nn.utils.clip_grad_norm_ / clip_grad_value_,
 *    in place on live gradient buffers (e.g. a Module's), numerically as torch does it.
 */
import { Module } from '../layers/module.js';
import { checkTensor, describeValue } from '../tensor/check.js';
import { Tensor } from '../tensor/tensor.js';

/** What the in-place functions clip: a Module's gradients, one gradient, a list or a record of them. */
export type GradTarget = Module | Tensor | readonly Tensor[] | Readonly<Record<string, Tensor>>;

export interface ClipResult<G> {
  /** New tensors (the input is untouched), scaled if the norm exceeded maxNorm. */
  grads: G;
  /** Global L2 norm of the input gradients, before clipping. */
  norm: number;
  /** Whether the gradients were scaled. */
  clipped: boolean;
}

/**
 * Global-norm clipping, returning copies:
 *   ‖g‖ = sqrt(Σ over every tensor and element of g²)
 *   g ← g · maxNorm / ‖g‖   if ‖g‖ > maxNorm, else unchanged
 * The direction of the update is kept, only its length is capped.
 */
export function clipGradients(grads: readonly Tensor[], maxNorm: number): ClipResult<Tensor[]>;
export function clipGradients(grads: Readonly<Record<string, Tensor>>, maxNorm: number): ClipResult<Record<string, Tensor>>;
export function clipGradients(
  grads: readonly Tensor[] | Readonly<Record<string, Tensor>>,
  maxNorm: number,
): ClipResult<Tensor[] | Record<string, Tensor>> {
  checkLimit('maxNorm', maxNorm);
  if (grads === null || typeof grads !== 'object' || grads instanceof Tensor) {
    throw new TypeError(`grads: expected an array or a record of Tensors, got ${describe(grads)}`);
  }
  const list = tensorsOf(grads, 'grads');
  const norm = pNorm(list, 2);
  const clipped = norm > maxNorm;
  const scale = clipped ? maxNorm / norm : 1;
  const copy = (t: Tensor): Tensor => {
    const c = t.clone();
    if (clipped) for (let i = 0; i < c.data.length; i++) c.data[i] *= scale;
    return c;
  };
  if (Array.isArray(grads)) return { grads: grads.map(copy), norm, clipped };
  const out: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(grads)) out[k] = copy(t);
  return { grads: out, norm, clipped };
}

/**
 * torch.nn.utils.clip_grad_norm_, in place:
 *   total = (Σ |g|^p)^(1/p) over every element of every gradient     (p = ∞: max |g|)
 *   coef  = maxNorm / (total + 1e-6)                                 (1e-6 keeps a zero norm harmless)
 *   g ← g · coef   if coef < 1
 * Returns `total`, the norm before clipping (worth logging: a growing norm is the first sign of trouble).
 * A NaN norm (non-finite gradients) leaves NaN gradients, as torch's multiply by a NaN coefficient does.
 */
export function clipGradNorm(target: GradTarget, maxNorm: number, normType: number = 2): number {
  checkLimit('maxNorm', maxNorm);
  if (typeof normType !== 'number' || Number.isNaN(normType) || !(normType > 0)) {
    throw new RangeError(`normType: expected a number > 0 or Infinity, got ${describeValue(normType)}`);
  }
  const list = targetTensors(target);
  if (list.length === 0) return 0;
  const total = pNorm(list, normType);
  const coef = maxNorm / (total + 1e-6);
  // `!(coef >= 1)` rather than `coef < 1` so that a NaN coefficient propagates, as in torch.
  if (!(coef >= 1)) {
    for (const t of list) for (let i = 0; i < t.data.length; i++) t.data[i] *= coef;
  }
  return total;
}

/**
 * torch.nn.utils.clip_grad_value_, in place: g ← min(max(g, −clipValue), clipValue) elementwise.
 * Cruder than norm clipping (it changes the direction), but bounds every single entry.
 */
export function clipGradValue(target: GradTarget, clipValue: number): void {
  checkLimit('clipValue', clipValue);
  for (const t of targetTensors(target)) {
    const d = t.data;
    for (let i = 0; i < d.length; i++) d[i] = Math.min(Math.max(d[i], -clipValue), clipValue);
  }
}

/** (Σ |x|^p)^(1/p) over all tensors, accumulated in float64 (torch accumulates float32 in double too). */
function pNorm(list: readonly Tensor[], p: number): number {
  if (p === Infinity) {
    let m = 0;
    for (const t of list) {
      for (let i = 0; i < t.data.length; i++) {
        const a = Math.abs(t.data[i]);
        if (Number.isNaN(a)) return NaN;
        if (a > m) m = a;
      }
    }
    return m;
  }
  let s = 0;
  for (const t of list) {
    const d = t.data;
    if (p === 2) for (let i = 0; i < d.length; i++) s += d[i] * d[i];
    else if (p === 1) for (let i = 0; i < d.length; i++) s += Math.abs(d[i]);
    else for (let i = 0; i < d.length; i++) s += Math.abs(d[i]) ** p;
  }
  return p === 1 ? s : p === 2 ? Math.sqrt(s) : s ** (1 / p);
}

function targetTensors(target: GradTarget): Tensor[] {
  if (target instanceof Module) return Object.values(target.gradients());
  if (target instanceof Tensor) return [target];
  if (target === null || typeof target !== 'object') {
    throw new TypeError(`target: expected a Module, a Tensor, or an array or record of Tensors, got ${describe(target)}`);
  }
  return tensorsOf(target, 'target');
}

function tensorsOf(grads: readonly Tensor[] | Readonly<Record<string, Tensor>>, name: string): Tensor[] {
  if (Array.isArray(grads)) {
    grads.forEach((t, i) => checkTensor(`${name}[${i}]`, t));
    return [...grads];
  }
  const out: Tensor[] = [];
  for (const [k, t] of Object.entries(grads)) {
    checkTensor(`${name}['${k}']`, t);
    out.push(t);
  }
  return out;
}

function checkLimit(name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
    throw new RangeError(`${name}: expected a finite number >= 0, got ${describeValue(v)}`);
  }
}

function describe(v: unknown): string {
  return v === null ? 'null' : v instanceof Tensor ? 'a single Tensor' : typeof v;
}

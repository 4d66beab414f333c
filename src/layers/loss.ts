/**
 * Losses with their gradients, mean-reduced as PyTorch's defaults (F.mse_loss, F.cross_entropy).
 * Each returns the scalar loss and dL/d(input), ready to hand to a model's backward().
 *
 * Arithmetic runs in float64 and the gradient is stored in the input's dtype, so a float32 model gets
 * float32 gradients that agree with torch's float32 ones to rounding.
 */
import { checkFinite, checkTensor, fmtShape, describeValue } from '../tensor/check.js';
import { Tensor, allocate } from '../tensor/tensor.js';

export interface LossResult {
  /** The mean loss. */
  loss: number;
  /** dL/d(first argument), same shape and dtype. */
  grad: Tensor;
}

/**
 * Mean squared error over all n elements:
 *   L = (1/n) Σ (p_i − y_i)²        dL/dp_i = 2 (p_i − y_i) / n
 */
export function mseLoss(pred: Tensor, target: Tensor): LossResult {
  checkTensor('pred', pred);
  checkTensor('target', target);
  if (target.dtype !== pred.dtype) throw new TypeError(`target: expected dtype ${pred.dtype} (as pred), got ${target.dtype}`);
  sameShape('target', target, pred, 'pred');
  if (pred.size === 0) throw new RangeError(`pred: expected at least one element, got shape ${fmtShape(pred.shape)}`);
  const n = pred.size, p = pred.data, y = target.data;
  const g = allocate(pred.dtype, n);
  const norm = 2 / n; // as PyTorch's mse_loss backward: (2/n)·(pred − target)
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const d = p[i] - y[i];
    sum += d * d;
    g[i] = norm * d;
  }
  // A value that is not finite, in either, makes the sum NaN or ∞: only then look for it, to name it.
  if (!Number.isFinite(sum)) {
    checkFinite('pred', pred);
    checkFinite('target', target);
  }
  return { loss: sum / n, grad: new Tensor(g, pred.shape) };
}

/**
 * Softmax over the last dimension, stable because exp(z − max z) never overflows:
 *   softmax(z)_c = exp(z_c − m) / Σ_k exp(z_k − m),   m = max_k z_k
 */
export function softmax(logits: Tensor): Tensor {
  checkTensor('logits', logits);
  if (logits.shape.length === 0) throw new RangeError(`logits: expected at least 1 dimension, got shape []`);
  const C = logits.shape[logits.shape.length - 1];
  const out = allocate(logits.dtype, logits.size);
  const x = logits.data;
  for (let r = 0; r * C < x.length; r++) {
    const o = r * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) if (x[o + c] > m) m = x[o + c];
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[o + c] - m);
    for (let c = 0; c < C; c++) out[o + c] = Math.exp(x[o + c] - m) / s;
  }
  return new Tensor(out, logits.shape);
}

/**
 * Softmax cross-entropy on raw logits, rows = every position but the last (class) dimension:
 * [N, C] or [T, B, C] with one target class per row, mean over the R rows:
 *   L = (1/R) Σ_r [ log Σ_c exp(z_rc) − z_r,y_r ]      (log-sum-exp taken around the row max m_r)
 *   dL/dz_rc = (softmax(z_r)_c − [c = y_r]) / R
 */
export function crossEntropyLoss(logits: Tensor, targets: Int32Array | readonly number[] | Tensor): LossResult {
  checkTensor('logits', logits);
  if (logits.shape.length !== 2 && logits.shape.length !== 3) {
    throw new RangeError(`logits: expected shape [N, C] or [T, B, C], got ${fmtShape(logits.shape)}`);
  }
  const C = logits.shape[logits.shape.length - 1];
  const R = logits.size / C || 0;
  const rowShape = logits.shape.slice(0, -1);
  if (C === 0 || R === 0) throw new RangeError(`logits: expected at least one row and one class, got shape ${fmtShape(logits.shape)}`);
  checkFinite('logits', logits);
  const y = classIndices(targets, R, rowShape, C);
  const x = logits.data;
  const g = allocate(logits.dtype, logits.size);
  let total = 0;
  for (let r = 0; r < R; r++) {
    const o = r * C;
    let m = -Infinity;
    for (let c = 0; c < C; c++) if (x[o + c] > m) m = x[o + c];
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x[o + c] - m);
    const lse = m + Math.log(s);
    total += lse - x[o + y[r]];
    for (let c = 0; c < C; c++) g[o + c] = Math.exp(x[o + c] - lse) / R;
    g[o + y[r]] -= 1 / R;
  }
  return { loss: total / R, grad: new Tensor(g, logits.shape) };
}

/** Targets as R integer class indices in [0, C); a Tensor may be shaped as the rows or flat. */
function classIndices(targets: Int32Array | readonly number[] | Tensor, R: number, rowShape: number[], C: number): ArrayLike<number> {
  let values: ArrayLike<number>;
  if (targets instanceof Tensor) {
    const flatOk = targets.shape.length === 1 && targets.size === R;
    const rowsOk = targets.shape.length === rowShape.length && rowShape.every((d, i) => d === targets.shape[i]);
    if (!flatOk && !rowsOk) {
      throw new RangeError(`targets: expected shape ${fmtShape(rowShape)} or [${R}] (one class per row of logits), got ${fmtShape(targets.shape)}`);
    }
    values = targets.data;
  } else if (targets instanceof Int32Array || Array.isArray(targets)) {
    if (targets.length !== R) {
      throw new RangeError(`targets: expected ${R} class indices (one per row of logits ${fmtShape([...rowShape, C])}), got ${targets.length}`);
    }
    values = targets;
  } else {
    throw new TypeError(`targets: expected an Int32Array, number[] or Tensor of class indices, got ${targets === null ? 'null' : typeof targets}`);
  }
  for (let i = 0; i < R; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v >= C) {
      throw new RangeError(`targets: expected integer class indices in [0, ${C}), got ${describeValue(v)} at index ${i}`);
    }
  }
  return values;
}

function sameShape(name: string, t: Tensor, ref: Tensor, refName: string): void {
  if (t.shape.length !== ref.shape.length || t.shape.some((d, i) => d !== ref.shape[i])) {
    throw new RangeError(`${name}: expected shape ${fmtShape(ref.shape)} (as ${refName}), got ${fmtShape(t.shape)}`);
  }
}

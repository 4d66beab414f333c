/**
 * Adam and AdamW, exactly torch.optim.Adam / AdamW (single-tensor path, torch 1.13):
 *
 *   g ← −g                                   if maximize
 *   g ← g + λ p                              Adam: L2 penalty through the gradient (so it gets rescaled)
 *   p ← p (1 − lr λ)                         AdamW: decay applied to the weights directly ("decoupled")
 *   m ← β1 m + (1 − β1) g                    first moment
 *   v ← β2 v + (1 − β2) g²                   second moment
 *   v̂ ← max(v̂, v)                            amsgrad only; then v̂ replaces v below
 *   p ← p − (lr / (1 − β1^t)) · m / (sqrt(v) / sqrt(1 − β2^t) + ε)
 *
 * The bias corrections undo the zero start of m and v; note ε is added after the sqrt(1 − β2^t)
 * division, which is where torch puts it (it matters for float parity, not for training).
 */
import type { FloatArray } from '../tensor/tensor.js';
import { Optimizer, checkBool, checkLr, checkRange, type ParamsInput } from './optimizer.js';
import { describeValue } from '../tensor/check.js';

export interface AdamOptions {
  /** Default 1e-3. */
  lr?: number;
  /** [β1, β2], each in [0, 1) (default [0.9, 0.999]). */
  betas?: readonly [number, number];
  /** Default 1e-8. */
  eps?: number;
  /** λ (default 0 for Adam, 1e-2 for AdamW). */
  weightDecay?: number;
  /** Keep the running maximum of v (default false). */
  amsgrad?: boolean;
  maximize?: boolean;
}

export type AdamWOptions = AdamOptions;

type Resolved = Required<Omit<AdamOptions, 'betas'>> & { betas: [number, number] };

/** Every option of Adam and AdamW (AdamW only changes what weightDecay means). */
const ADAM_OPTIONS = ['lr', 'betas', 'eps', 'weightDecay', 'amsgrad', 'maximize'];

export class Adam extends Optimizer<Resolved> {
  protected readonly kind: string = 'Adam';
  /** AdamW sets this: weight decay multiplies p instead of adding λp to g. */
  protected readonly decoupled: boolean = false;

  constructor(params: ParamsInput, options: AdamOptions = {}) {
    super(params, resolve(options, 0), ADAM_OPTIONS);
  }

  protected validate(o: Resolved): Resolved {
    checkLr(o.lr, 'options.lr');
    const betas: unknown = o.betas;
    if (!Array.isArray(betas) || betas.length !== 2) {
      throw new RangeError(`options.betas: expected [beta1, beta2], got ${describeValue(betas)}`);
    }
    checkRange('options.betas[0]', betas[0], 0, 1, true);
    checkRange('options.betas[1]', betas[1], 0, 1, true);
    checkRange('options.eps', o.eps, 0, Infinity);
    checkRange('options.weightDecay', o.weightDecay, 0, Infinity);
    checkBool('options.amsgrad', o.amsgrad);
    checkBool('options.maximize', o.maximize);
    return { ...o, betas: [betas[0], betas[1]] };
  }

  protected update(i: number, p: FloatArray, g: FloatArray, t: number): void {
    const { lr, betas: [b1, b2], eps, weightDecay: wd, amsgrad, maximize } = this.opts;
    const m = this.buffer(i, 'exp_avg');
    const v = this.buffer(i, 'exp_avg_sq');
    const vmax = amsgrad ? this.buffer(i, 'max_exp_avg_sq') : null;
    const stepSize = lr / (1 - b1 ** t);
    const bc2Sqrt = Math.sqrt(1 - b2 ** t);
    const decay = 1 - lr * wd;
    if (wd === 0 && !vmax && !maximize) {
      // The common case, without the branches: this loop runs over every parameter at every step.
      const c1 = 1 - b1, c2 = 1 - b2;
      for (let j = 0; j < p.length; j++) {
        const d = g[j];
        m[j] = b1 * m[j] + c1 * d;
        v[j] = b2 * v[j] + c2 * d * d;
        // Read back: the moments are stored in the parameter's dtype, and the general loop uses them so.
        p[j] -= (stepSize * m[j]) / (Math.sqrt(v[j]) / bc2Sqrt + eps);
      }
      return;
    }
    for (let j = 0; j < p.length; j++) {
      let d = maximize ? -g[j] : g[j];
      if (wd !== 0) {
        if (this.decoupled) p[j] *= decay;
        else d += wd * p[j];
      }
      m[j] = b1 * m[j] + (1 - b1) * d;
      v[j] = b2 * v[j] + (1 - b2) * d * d;
      let second = v[j];
      if (vmax) {
        if (v[j] > vmax[j]) vmax[j] = v[j];
        second = vmax[j];
      }
      p[j] -= (stepSize * m[j]) / (Math.sqrt(second) / bc2Sqrt + eps);
    }
  }
}

/**
 * AdamW: Adam with decoupled weight decay (Loshchilov & Hutter). Decaying the weights directly keeps
 * the decay strength independent of the gradient scale, which L2-through-Adam does not.
 */
export class AdamW extends Adam {
  protected override readonly kind: string = 'AdamW';
  protected override readonly decoupled: boolean = true;

  constructor(params: ParamsInput, options: AdamWOptions = {}) {
    super(params, resolve(options, 1e-2));
  }
}

function resolve(options: AdamOptions, weightDecay: number): Resolved {
  if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object, got ${describeValue(options)}`);
  const o = { lr: 1e-3, eps: 1e-8, weightDecay, amsgrad: false, maximize: false, ...options };
  return { ...o, betas: (options.betas ?? [0.9, 0.999]) as [number, number] };
}

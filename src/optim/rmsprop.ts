/**
 * RMSprop, exactly torch.optim.RMSprop (torch 1.13):
 *
 *   g ← −g                                  if maximize
 *   g ← g + λ p                             (weightDecay λ)
 *   s ← α s + (1 − α) g²                    running mean of g²
 *   a ← α a + (1 − α) g                     centered only: running mean of g
 *   d ← sqrt(s − a²) + ε   (centered)   or   sqrt(s) + ε
 *   b ← μ b + g / d,  p ← p − lr b          with momentum μ > 0
 *   p ← p − lr g / d                        otherwise
 *
 * Dividing by the RMS of recent gradients gives every weight its own step size; centering divides by
 * the standard deviation instead. Note there is no bias correction: s starts at 0, so early steps are big.
 */
import type { FloatArray } from '../tensor/tensor.js';
import { Optimizer, checkBool, checkLr, checkRange, type ParamsInput } from './optimizer.js';
import { describeValue } from '../tensor/check.js';

export interface RMSpropOptions {
  /** Default 1e-2. */
  lr?: number;
  /** Smoothing α in [0, 1] (default 0.99). */
  alpha?: number;
  /** Default 1e-8. */
  eps?: number;
  /** λ (default 0). */
  weightDecay?: number;
  /** μ (default 0). */
  momentum?: number;
  /** Normalize by the estimated variance instead of the raw second moment (default false). */
  centered?: boolean;
  maximize?: boolean;
}

export class RMSprop extends Optimizer<Required<RMSpropOptions>> {
  protected readonly kind: string = 'RMSprop';

  constructor(params: ParamsInput, options: RMSpropOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object, got ${describeValue(options)}`);
    super(params, { lr: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false, maximize: false, ...options },
      ['lr', 'alpha', 'eps', 'weightDecay', 'momentum', 'centered', 'maximize']);
  }

  protected validate(o: Required<RMSpropOptions>): Required<RMSpropOptions> {
    checkLr(o.lr, 'options.lr');
    checkRange('options.alpha', o.alpha, 0, 1);
    checkRange('options.eps', o.eps, 0, Infinity);
    checkRange('options.weightDecay', o.weightDecay, 0, Infinity);
    checkRange('options.momentum', o.momentum, 0, Infinity);
    checkBool('options.centered', o.centered);
    checkBool('options.maximize', o.maximize);
    return o;
  }

  protected update(i: number, p: FloatArray, g: FloatArray): void {
    const { lr, alpha, eps, weightDecay: wd, momentum: mu, centered, maximize } = this.opts;
    const s = this.buffer(i, 'square_avg');
    const a = centered ? this.buffer(i, 'grad_avg') : null;
    const b = mu > 0 ? this.buffer(i, 'momentum_buffer') : null;
    for (let j = 0; j < p.length; j++) {
      let d = maximize ? -g[j] : g[j];
      if (wd !== 0) d += wd * p[j];
      s[j] = alpha * s[j] + (1 - alpha) * d * d;
      let denom: number;
      if (a) {
        a[j] = alpha * a[j] + (1 - alpha) * d;
        denom = Math.sqrt(s[j] - a[j] * a[j]) + eps;
      } else {
        denom = Math.sqrt(s[j]) + eps;
      }
      if (b) {
        b[j] = mu * b[j] + d / denom;
        p[j] -= lr * b[j];
      } else {
        p[j] -= (lr * d) / denom;
      }
    }
  }
}

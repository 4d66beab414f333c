/**
 * Stochastic gradient descent with momentum, exactly torch.optim.SGD's update:
 *
 *   g ← −g                          if maximize
 *   g ← g + λ p                     (weightDecay λ: L2 penalty folded into the gradient)
 *   b ← g                           on the first step (no damping: the buffer starts at the gradient)
 *   b ← μ b + (1 − τ) g             afterwards (momentum μ, dampening τ)
 *   g ← g + μ b  (nesterov)   or   g ← b
 *   p ← p − lr g
 */
import type { FloatArray } from '../tensor/tensor.js';
import { Optimizer, checkBool, checkLr, checkRange, type ParamsInput } from './optimizer.js';
import { describeValue } from '../tensor/check.js';

export interface SGDOptions {
  /** Learning rate (required, as in torch). */
  lr: number;
  /** μ (default 0: plain SGD, no buffer). */
  momentum?: number;
  /** τ (default 0). */
  dampening?: number;
  /** L2 penalty λ (default 0). */
  weightDecay?: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0 (default false). */
  nesterov?: boolean;
  /** Ascend instead of descend (default false). */
  maximize?: boolean;
}

export class SGD extends Optimizer<Required<SGDOptions>> {
  protected readonly kind: string = 'SGD';

  constructor(params: ParamsInput, options: SGDOptions) {
    if (options === null || typeof options !== 'object') throw new TypeError(`options: expected {lr, ...}, got ${describeValue(options)}`);
    super(params, { momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false, ...options },
      ['lr', 'momentum', 'dampening', 'weightDecay', 'nesterov', 'maximize']);
  }

  protected validate(o: Required<SGDOptions>): Required<SGDOptions> {
    checkLr(o.lr, 'options.lr');
    checkRange('options.momentum', o.momentum, 0, Infinity);
    checkRange('options.dampening', o.dampening, -Infinity, Infinity);
    checkRange('options.weightDecay', o.weightDecay, 0, Infinity);
    checkBool('options.nesterov', o.nesterov);
    checkBool('options.maximize', o.maximize);
    if (o.nesterov && (o.momentum <= 0 || o.dampening !== 0)) {
      throw new RangeError(`options.nesterov: Nesterov momentum requires momentum > 0 and dampening 0, got momentum ${o.momentum} and dampening ${o.dampening}`);
    }
    return o;
  }

  protected update(i: number, p: FloatArray, g: FloatArray): void {
    const { lr, momentum: mu, dampening, weightDecay: wd, nesterov, maximize } = this.opts;
    const first = mu !== 0 && !this.hasBuffer(i, 'momentum_buffer');
    const b = mu !== 0 ? this.buffer(i, 'momentum_buffer') : null;
    for (let j = 0; j < p.length; j++) {
      let d = maximize ? -g[j] : g[j];
      if (wd !== 0) d += wd * p[j];
      if (b) {
        b[j] = first ? d : mu * b[j] + (1 - dampening) * d;
        d = nesterov ? d + mu * b[j] : b[j];
      }
      p[j] -= lr * d;
    }
  }
}

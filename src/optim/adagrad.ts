/**
 * Adagrad, exactly torch.optim.Adagrad (torch 1.13, dense gradients):
 *
 *   g ← −g                                  if maximize
 *   g ← g + λ p                             (weightDecay λ)
 *   lr_t = lr / (1 + (t − 1) · lrDecay)     (t = 1 on the first step)
 *   s ← s + g²                              s starts at initialAccumulatorValue
 *   p ← p − lr_t · g / (sqrt(s) + ε)
 *
 * The accumulated sum only grows, so every weight's step shrinks with the total gradient it has seen:
 * rarely-updated weights keep large steps.
 */
import type { FloatArray } from '../tensor/tensor.js';
import { Optimizer, checkBool, checkLr, checkRange, type ParamsInput } from './optimizer.js';
import { describeValue } from '../tensor/check.js';

export interface AdagradOptions {
  /** Default 1e-2. */
  lr?: number;
  /** Default 0. */
  lrDecay?: number;
  /** λ (default 0). */
  weightDecay?: number;
  /** Starting value of s (default 0). */
  initialAccumulatorValue?: number;
  /** Default 1e-10. */
  eps?: number;
  maximize?: boolean;
}

export class Adagrad extends Optimizer<Required<AdagradOptions>> {
  protected readonly kind: string = 'Adagrad';

  constructor(params: ParamsInput, options: AdagradOptions = {}) {
    if (options === null || typeof options !== 'object') throw new TypeError(`options: expected an object, got ${describeValue(options)}`);
    super(params, { lr: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, maximize: false, ...options },
      ['lr', 'lrDecay', 'weightDecay', 'initialAccumulatorValue', 'eps', 'maximize']);
    // torch fills the sum at construction, so even a stateDict saved before the first step holds it.
    this.params.forEach((_, i) => this.buffer(i, 'sum', this.opts.initialAccumulatorValue));
  }

  protected validate(o: Required<AdagradOptions>): Required<AdagradOptions> {
    checkLr(o.lr, 'options.lr');
    checkRange('options.lrDecay', o.lrDecay, 0, Infinity);
    checkRange('options.weightDecay', o.weightDecay, 0, Infinity);
    checkRange('options.initialAccumulatorValue', o.initialAccumulatorValue, 0, Infinity);
    checkRange('options.eps', o.eps, 0, Infinity);
    checkBool('options.maximize', o.maximize);
    return o;
  }

  protected update(i: number, p: FloatArray, g: FloatArray, t: number): void {
    const { lr, lrDecay, weightDecay: wd, eps, maximize } = this.opts;
    const s = this.buffer(i, 'sum', this.opts.initialAccumulatorValue);
    const clr = lr / (1 + (t - 1) * lrDecay);
    for (let j = 0; j < p.length; j++) {
      let d = maximize ? -g[j] : g[j];
      if (wd !== 0) d += wd * p[j];
      s[j] += d * d;
      p[j] -= (clr * d) / (Math.sqrt(s[j]) + eps);
    }
  }
}

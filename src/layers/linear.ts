/**
 * torch.nn.Linear: y = x Wᵀ + b on the last axis, so a model's head (`fc.weight`, `fc.bias`) loads from
 * a PyTorch state dict unchanged.
 *
 *   x [..., I]   W = weight [O, I]   b = bias [O]   y [..., O]
 *
 * Backward, given dy [..., O] (N = the product of the leading axes):
 *   dW += dyᵀ x   [O, I]      db += Σ_n dy   [O]      dx = dy W   [..., I]
 *
 * Initialization is PyTorch's (kaiming_uniform with a = √5, which is U(±1/√I), and the bias U(±1/√I)),
 * drawn from `seed`.
 */
import { checkOptions, checkOptionalBoolean, checkDTypeOption, checkFiniteNumber, checkPositiveInt, checkTensor, checkDType, fmtShape } from '../tensor/check.js';
import { linearBackward, linearForward } from '../tensor/kernels.js';
import { Rng, fillUniform } from '../tensor/random.js';
import { Tensor, allocate, type DType } from '../tensor/tensor.js';
import { Module } from './module.js';

export interface LinearOptions {
  /** Default true. */
  bias?: boolean;
  dtype?: DType;
  seed?: number;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly hasBias: boolean;
  /** The last forward's input, [N, I] flat, and its leading shape; cleared by nothing (a backward may repeat). */
  private cache: { x: Tensor; lead: number[]; version: number } | null = null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    const o = checkOptions('options', options, ['bias', 'dtype', 'seed']);
    super(checkDTypeOption('options.dtype', o.dtype));
    this.inFeatures = checkPositiveInt('inFeatures', inFeatures);
    this.outFeatures = checkPositiveInt('outFeatures', outFeatures);
    this.hasBias = checkOptionalBoolean('options.bias', o.bias) ?? true;
    const rng = new Rng(o.seed === undefined ? 0 : checkFiniteNumber('options.seed', o.seed));
    const k = 1 / Math.sqrt(inFeatures);
    fillUniform(this.addParameter('weight', [outFeatures, inFeatures]).data, rng, -k, k);
    if (this.hasBias) fillUniform(this.addParameter('bias', [outFeatures]).data, rng, -k, k);
  }

  /** y = x Wᵀ + b, x [..., I] → [..., O]. */
  forward(x: Tensor): Tensor {
    checkTensor('x', x);
    checkDType('x', x, this.dtype);
    const I = this.inFeatures;
    if (x.shape.length === 0 || x.shape[x.shape.length - 1] !== I) {
      throw new RangeError(`x: expected shape [..., ${I}] (the last axis is inFeatures), got ${fmtShape(x.shape)}`);
    }
    const lead = x.shape.slice(0, -1);
    const N = x.size / I;
    const y = allocate(this.dtype, N * this.outFeatures);
    linearForward(y, x.data, this.parameter('weight').param.data, this.hasBias ? this.parameter('bias').param.data : null, N, I, this.outFeatures);
    this.cache = { x, lead, version: this.weightsVersion };
    return new Tensor(y, [...lead, this.outFeatures]);
  }

  /** Adds dW and db into gradients(); returns dx [..., I]. */
  backward(dy: Tensor): Tensor {
    const c = this.cache;
    if (c === null) throw new Error('backward: call forward first (Linear keeps the last forward\'s input)');
    if (c.version !== this.weightsVersion) throw new Error('backward: the weights were replaced (loadStateDict) after the forward pass; run forward again');
    checkTensor('dy', dy);
    checkDType('dy', dy, this.dtype);
    const want = [...c.lead, this.outFeatures];
    if (dy.shape.length !== want.length || dy.shape.some((d, i) => d !== want[i])) {
      throw new RangeError(`dy: expected shape ${fmtShape(want)} (the forward output's), got ${fmtShape(dy.shape)}`);
    }
    const I = this.inFeatures, N = c.x.size / I;
    const dx = allocate(this.dtype, N * I);
    const w = this.parameter('weight');
    linearBackward(dy.data, c.x.data, w.param.data, w.grad.data, this.hasBias ? this.parameter('bias').grad.data : null, dx, N, I, this.outFeatures);
    return new Tensor(dx, [...c.lead, I]);
  }
}

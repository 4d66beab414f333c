/**
 * A minimal single-head causal self-attention layer, forward and hand-written backward side by side.
 * Unbatched: x is [T, D]; weights are [D, d] so that the products read as in the papers:
 *
 *   Q = X W_q    K = X W_k    V = X W_v                          [T, d]
 *   S = Q Kᵀ / √d,  S_ij = −∞ for j > i  (position i sees 1..i)  [T, T]
 *   A = softmax_row(S)                                           [T, T]
 *   Y = A V                                                      [T, d]
 *
 * Backward, given dY = dL/dY:
 *   dA = dY Vᵀ        dV = Aᵀ dY
 *   dS_ij = A_ij (dA_ij − Σ_k A_ik dA_ik)        (softmax's Jacobian; masked entries have A = 0, so dS = 0)
 *   dQ = dS K / √d    dK = dSᵀ Q / √d
 *   dW_q = Xᵀ dQ   dW_k = Xᵀ dK   dW_v = Xᵀ dV   dX = dQ W_qᵀ + dK W_kᵀ + dV W_vᵀ
 *
 * Why it is here: y_T depends on x_1 through one product (A_T1 and v_1, or k_1) whatever T is — a path
 * of length 1 where an RNN's is T (experiment C5) — at the price of the T×T matrix A kept for backward.
 */
import { checkDType, checkFinite, checkPositiveInt, checkShape, checkTensor, describeValue } from '../tensor/check.js';
import { matmulNN, matmulNT, matmulTNAcc } from '../tensor/kernels.js';
import { Rng, fillUniform } from '../tensor/random.js';
import { Tensor, allocate, type DType, type FloatArray } from '../tensor/tensor.js';
import { Module } from './module.js';

export interface AttentionOptions {
  inputSize: number;
  /** d, the width of q, k, v and of the output. */
  headSize: number;
  /** Default float64 (this layer is for analysis and gradient checks). */
  dtype?: DType;
  /** Seed for the weights, uniform in ±1/√inputSize (PyTorch's Linear default bound). */
  seed?: number;
}

export interface AttentionGradients {
  /** dL/dx, [T, D]. */
  dx: Tensor;
  /** The accumulated weight gradients (live buffers): w_q, w_k, w_v. */
  grads: Record<string, Tensor>;
}

interface AttentionCache {
  T: number;
  x: FloatArray; // [T, D]
  q: FloatArray; // [T, d]
  k: FloatArray;
  v: FloatArray;
  a: FloatArray; // [T, T], zeros above the diagonal
}

export class CausalSelfAttention extends Module {
  readonly inputSize: number;
  readonly headSize: number;
  private cache: AttentionCache | null = null;

  constructor(opts: AttentionOptions) {
    if (opts === null || typeof opts !== 'object') throw new TypeError(`options: expected an object, got ${describeValue(opts)}`);
    super(opts.dtype ?? 'float64');
    this.inputSize = checkPositiveInt('inputSize', opts.inputSize);
    this.headSize = checkPositiveInt('headSize', opts.headSize);
    const rng = new Rng(opts.seed ?? 0);
    const bound = 1 / Math.sqrt(this.inputSize);
    for (const name of ['w_q', 'w_k', 'w_v']) fillUniform(this.addParameter(name, [this.inputSize, this.headSize]).data, rng, -bound, bound);
  }

  /** x: [T, D]. Returns Y [T, d] and keeps X, Q, K, V and A for backward(). */
  forward(x: Tensor): Tensor {
    checkTensor('x', x);
    checkShape('x', x, [-1, this.inputSize], 'unbatched [T, inputSize]');
    checkDType('x', x, this.dtype);
    checkFinite('x', x);
    const T = x.shape[0], D = this.inputSize, d = this.headSize;
    if (T === 0) throw new RangeError('x: expected at least one time step, got shape [0, ' + D + ']');
    const X = x.data.slice();
    const [q, k, v] = ['w_q', 'w_k', 'w_v'].map((n) => {
      const out = allocate(this.dtype, T * d);
      matmulNN(out, X, this.parameter(n).param.data, T, D, d); // X W: [T, D]·[D, d]
      return out;
    });
    const a = allocate(this.dtype, T * T);
    const scale = 1 / Math.sqrt(d);
    for (let i = 0; i < T; i++) {
      // Row i of S over j ≤ i only (the causal mask), softmax taken around the row max so exp cannot overflow.
      let m = -Infinity;
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let c = 0; c < d; c++) s += q[i * d + c] * k[j * d + c];
        a[i * T + j] = s * scale;
        if (a[i * T + j] > m) m = a[i * T + j];
      }
      let z = 0;
      for (let j = 0; j <= i; j++) z += (a[i * T + j] = Math.exp(a[i * T + j] - m));
      for (let j = 0; j <= i; j++) a[i * T + j] /= z;
    }
    const y = allocate(this.dtype, T * d);
    matmulNN(y, a, v, T, T, d);
    this.cache = { T, x: X, q, k, v, a };
    return new Tensor(y, [T, d]);
  }

  /** dY: [T, d]. Adds into the weight gradients and returns dL/dx. */
  backward(dY: Tensor): AttentionGradients {
    if (!this.cache) throw new Error('backward: call forward() first; backward differentiates the last forward pass');
    const { T, x, q, k, v, a } = this.cache;
    const D = this.inputSize, d = this.headSize;
    checkTensor('dY', dY);
    checkShape('dY', dY, [T, d], 'the shape of forward()');
    checkDType('dY', dY, this.dtype);
    const dy = dY.data;
    const dA = allocate(this.dtype, T * T);
    matmulNT(dA, dy, v, T, d, T); // dA = dY Vᵀ
    const dv = allocate(this.dtype, T * d);
    matmulTNAcc(dv, a, dy, T, T, d); // dV = Aᵀ dY
    const dS = allocate(this.dtype, T * T);
    const scale = 1 / Math.sqrt(d);
    for (let i = 0; i < T; i++) {
      let dot = 0;
      for (let j = 0; j <= i; j++) dot += a[i * T + j] * dA[i * T + j];
      // dS/√d folded in here, so dQ and dK below are plain products.
      for (let j = 0; j <= i; j++) dS[i * T + j] = a[i * T + j] * (dA[i * T + j] - dot) * scale;
    }
    const dq = allocate(this.dtype, T * d), dk = allocate(this.dtype, T * d);
    matmulNN(dq, dS, k, T, T, d); // dQ = dS K
    matmulTNAcc(dk, dS, q, T, T, d); // dK = dSᵀ Q
    const dx = allocate(this.dtype, T * D);
    for (const [n, g] of [['w_q', dq], ['w_k', dk], ['w_v', dv]] as const) {
      const p = this.parameter(n);
      matmulTNAcc(p.grad.data, x, g, D, T, d); // dW = Xᵀ dG
      matmulNT(dx, g, p.param.data, T, d, D, true); // dX += dG Wᵀ
    }
    return { dx: new Tensor(dx, [T, D]), grads: this.gradients() };
  }

  /** The attention matrix A [T, T] of the last forward() (a copy); row i holds position i's weights. */
  attentionMatrix(): Tensor {
    if (!this.cache) throw new Error('attentionMatrix: call forward() first');
    return new Tensor(this.cache.a.slice(), [this.cache.T, this.cache.T]);
  }

  /** Floats forward() keeps for backward at length T: X, Q, K, V and the full T×T matrix A. */
  storedFloats(T: number): number {
    return T * this.inputSize + 3 * T * this.headSize + T * T;
  }
}

/**
 * A deep tanh MLP with independent (untied) weights per layer: the feedforward twin of an unrolled RNN.
 * Unrolling a tanh RNN T steps gives the same computation with one matrix W_hh used at every layer; this
 * net draws a fresh W_l for every layer instead, which is what experiment C1 (tied-weights) compares.
 *
 *   h_0 = x                                   [B, sizes[0]]
 *   h_l = tanh(h_{l-1} W_lᵀ + b_l)            W_l: [sizes[l], sizes[l-1]] (PyTorch's Linear layout)
 *
 * Backward, given dL/dh_L:
 *   dz_l = dL/dh_l ⊙ (1 − h_l²)
 *   dW_l = dz_lᵀ h_{l-1}    db_l = Σ_b dz_l    dL/dh_{l-1} = dz_l W_l
 * Each layer gets its own gradient dW_l; an RNN's dW_hh is the sum of these terms over the steps.
 *
 * Float64 only: this is an analysis tool, and gradCheck needs float64.
 */
import { checkPositiveInt, describeValue } from '../tensor/check.js';
import { linearBackward, linearForward } from '../tensor/kernels.js';

export interface TanhMLPCache {
  B: number;
  /** hs[l] = h_l, [B, sizes[l]], l = 0..L (hs[0] = the input). */
  hs: Float64Array[];
}

export interface TanhMLPGradients {
  /** dL/dx = dL/dh_0. */
  dx: Float64Array;
  /** dL/dh_l for l = 0..L (dh[L] is the upstream gradient given). */
  dh: Float64Array[];
  /** dL/dW_l, l = 1..L stored at index l−1. */
  dW: Float64Array[];
  /** dL/db_l, or null where the layer has no bias. */
  db: (Float64Array | null)[];
}

export class TanhMLP {
  readonly sizes: readonly number[];
  /** weights[l−1] = W_l, [sizes[l], sizes[l−1]], row-major; live, edit freely. */
  readonly weights: Float64Array[];
  readonly biases: (Float64Array | null)[];

  /**
   * `weights[l]` is [sizes[l+1], sizes[l]]; biases default to none. The arrays are used as given (not
   * copied), so the caller can draw them from any distribution.
   */
  constructor(sizes: readonly number[], weights: Float64Array[], biases?: (Float64Array | null)[]) {
    if (!Array.isArray(sizes) || sizes.length < 2) {
      throw new RangeError(`sizes: expected at least 2 layer widths (input and one layer), got ${describeValue(sizes)}`);
    }
    sizes.forEach((s, i) => checkPositiveInt(`sizes[${i}]`, s));
    const L = sizes.length - 1;
    if (!Array.isArray(weights) || weights.length !== L) {
      throw new RangeError(`weights: expected ${L} matrices (one per layer), got ${Array.isArray(weights) ? weights.length : typeof weights}`);
    }
    weights.forEach((w, l) => {
      const n = sizes[l + 1] * sizes[l];
      if (!(w instanceof Float64Array) || w.length !== n) {
        throw new RangeError(`weights[${l}]: expected a Float64Array of ${sizes[l + 1]}×${sizes[l]} = ${n} values, got ${w instanceof Float64Array ? w.length : typeof w}`);
      }
    });
    const bs = biases ?? weights.map(() => null);
    if (bs.length !== L) throw new RangeError(`biases: expected ${L} entries (null for none), got ${bs.length}`);
    bs.forEach((b, l) => {
      if (b !== null && (!(b instanceof Float64Array) || b.length !== sizes[l + 1])) {
        throw new RangeError(`biases[${l}]: expected null or a Float64Array of ${sizes[l + 1]} values, got ${b instanceof Float64Array ? b.length : typeof b}`);
      }
    });
    this.sizes = [...sizes];
    this.weights = weights;
    this.biases = bs;
  }

  get depth(): number {
    return this.sizes.length - 1;
  }

  /** x: [B, sizes[0]] flat. Returns the cache holding every h_l (the output is hs[L]). */
  forward(x: Float64Array, B: number): TanhMLPCache {
    checkPositiveInt('B', B);
    if (!(x instanceof Float64Array) || x.length !== B * this.sizes[0]) {
      throw new RangeError(`x: expected a Float64Array of B·sizes[0] = ${B * this.sizes[0]} values, got ${x instanceof Float64Array ? x.length : typeof x}`);
    }
    const hs = [x.slice()];
    for (let l = 1; l <= this.depth; l++) {
      const h = new Float64Array(B * this.sizes[l]);
      linearForward(h, hs[l - 1], this.weights[l - 1], this.biases[l - 1], B, this.sizes[l - 1], this.sizes[l]);
      for (let i = 0; i < h.length; i++) h[i] = Math.tanh(h[i]);
      hs.push(h);
    }
    return { B, hs };
  }

  /** dOut = dL/dh_L, [B, sizes[L]]. Fresh gradients (nothing accumulates across calls). */
  backward(cache: TanhMLPCache, dOut: Float64Array): TanhMLPGradients {
    const { B, hs } = cache;
    const L = this.depth;
    if (!(dOut instanceof Float64Array) || dOut.length !== B * this.sizes[L]) {
      throw new RangeError(`dOut: expected a Float64Array of B·sizes[L] = ${B * this.sizes[L]} values (as the output), got ${dOut instanceof Float64Array ? dOut.length : typeof dOut}`);
    }
    const dh: Float64Array[] = new Array(L + 1);
    const dW: Float64Array[] = new Array(L);
    const db: (Float64Array | null)[] = new Array(L);
    dh[L] = dOut.slice();
    for (let l = L; l >= 1; l--) {
      const h = hs[l], In = this.sizes[l - 1], Out = this.sizes[l];
      const dz = new Float64Array(B * Out);
      for (let i = 0; i < dz.length; i++) dz[i] = dh[l][i] * (1 - h[i] * h[i]); // tanh' = 1 − tanh²
      dW[l - 1] = new Float64Array(Out * In);
      db[l - 1] = this.biases[l - 1] ? new Float64Array(Out) : null;
      dh[l - 1] = new Float64Array(B * In);
      linearBackward(dz, hs[l - 1], this.weights[l - 1], dW[l - 1], db[l - 1], dh[l - 1], B, In, Out);
    }
    return { dx: dh[0], dh, dW, db };
  }
}

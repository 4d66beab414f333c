/**
 * A sequence backend runs one recurrent layer over all T steps, forward and backward (BPTT), and the
 * linear head. Two implement it: the reference (reference.ts: the plain TypeScript kernels one step at a
 * time, float32 and float64, the source of truth for tests) and the fast one (wasm.ts: float32, WebAssembly
 * SIMD GEMMs over whole sequences, and the cells' pointwise equations written again as fused SIMD kernels,
 * held to the TypeScript cells of src/cells by test/wasm-backend.test.ts). Both keep the same cache, so
 * either can differentiate the other's forward.
 *
 * Layout: time-major; every array's shape is in brackets.
 */
import type { CellOps, CellWeights, StepForward } from '../../cells/ops.js';
import type { DType, FloatArray } from '../../tensor/tensor.js';

/** What a layer's forward keeps for its backward. */
export interface LayerCache {
  xs: FloatArray; // [T, B, D]   the layer's input sequence
  hs: FloatArray; // [T+1, B, H] hs[0] = initial state
  cs: FloatArray | null; // [T+1, B, H] LSTM only
  aux: FloatArray; // [T, B, A]   whatever the cell keeps for backward (ops.auxWidth(H) = A)
}

export interface LayerShape {
  ops: CellOps;
  D: number;
  H: number;
  T: number;
  B: number;
}

export interface LayerBackwardIn {
  /** [T, B, H] dL/dh_t from the output or the layer above. */
  dAbove: FloatArray;
  /** [B, H] dL/dh_T (and dL/dc_T) from after the sequence. */
  dhN: FloatArray;
  dcN: FloatArray | null;
  /**
   * [T, B, H] or null: LSTM only, dL/dc_t from outside the layer, added at each step (a padded batch's
   * final-cell gradient, which enters at each sequence's own last step rather than at T).
   */
  dcAbove?: FloatArray | null;
  /** [T, B, H] out when given: the whole dL/dh_t (and dL/dc_t) reaching every step. */
  keptDh: FloatArray | null;
  keptDc: FloatArray | null;
}

export interface LayerBackwardOut {
  dxs: FloatArray; // [T, B, D]
  dh0: FloatArray; // [B, H]
  dc0: FloatArray | null; // [B, H]
}

export interface SequenceBackend {
  readonly name: 'reference' | 'wasm';
  /**
   * Runs the layer from h0 (and c0) [B, H] over xs [T, B, D]. With `keep` false (inference) the cache
   * is only what the caller reads, hs and cs (aux holds at most one step's gates, and xs may be the
   * caller's array): it cannot be differentiated.
   */
  layerForward(s: LayerShape, w: CellWeights, xs: FloatArray, h0: FloatArray, c0: FloatArray | null, keep?: boolean): LayerCache;
  /** Gives back what a cache holds outside the JS heap (called when the model runs forward again). */
  release?(cache: LayerCache): void;
  /** BPTT through the layer: adds the parameter gradients into g. */
  layerBackward(s: LayerShape, w: CellWeights, g: CellWeights, cache: LayerCache, d: LayerBackwardIn): LayerBackwardOut;
  /** y [M, Out] = x [M, In] Wᵀ + b. */
  linearForward(y: FloatArray, x: FloatArray, W: FloatArray, b: FloatArray, M: number, In: number, Out: number): void;
  /** dW += dyᵀ x, db += Σ dy, dx = dy W. */
  linearBackward(dy: FloatArray, x: FloatArray, W: FloatArray, dW: FloatArray, db: FloatArray, dx: FloatArray, M: number, In: number, Out: number): void;
}

/** Step t's views into a layer's stored sequence: x_t, h_{t-1}, c_{t-1}, h_t, c_t and the gates. */
export function stepView(c: LayerCache, t: number, B: number, D: number, H: number, A: number): StepForward {
  const BH = B * H;
  return {
    B,
    x: c.xs.subarray(t * B * D, (t + 1) * B * D),
    hPrev: c.hs.subarray(t * BH, (t + 1) * BH),
    cPrev: c.cs ? c.cs.subarray(t * BH, (t + 1) * BH) : null,
    h: c.hs.subarray((t + 1) * BH, (t + 2) * BH),
    c: c.cs ? c.cs.subarray((t + 1) * BH, (t + 2) * BH) : null,
    aux: c.aux.subarray(t * B * A, (t + 1) * B * A),
  };
}

/** What a streaming step (../stream.ts) needs of its model: the cell, each layer's weights, the sizes and the head. */
export interface StreamModel {
  ops: CellOps;
  dtype: DType;
  inputSize: number;
  hiddenSize: number;
  /** What each layer feeds back: P with a projection, else hiddenSize. */
  stateSize: number;
  layers: { w: CellWeights; D: number; weightHr: FloatArray | null }[];
  head: { weight: FloatArray; bias: FloatArray; outputSize: number } | null;
}

/** One step's arithmetic for a batch of B: x [B, inputSize], hIn/hOut [L, B, S], cIn/cOut [L, B, H], out [B, O or S]. */
export interface StepEngine {
  run(B: number, x: FloatArray, hIn: FloatArray, cIn: FloatArray | null, hOut: FloatArray, cOut: FloatArray | null, out: FloatArray): void;
}


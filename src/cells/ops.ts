/**
 * The contract between one cell's step (forward + backward, in rnn.ts / lstm.ts / gru.ts) and the code
 * that drives it: the single-step cell classes and the multi-layer sequence layers. A step works on a
 * batch of B rows at once; every array is a flat row-major view whose shape is given in brackets.
 */
import type { FloatArray } from '../tensor/tensor.js';

/** One layer's parameters, laid out as PyTorch's: weightIh [G·H, D], weightHh [G·H, H], biases [G·H]. */
export interface CellWeights {
  weightIh: FloatArray;
  weightHh: FloatArray;
  biasIh: FloatArray | null;
  biasHh: FloatArray | null;
}

export interface StepForward {
  B: number;
  x: FloatArray; // [B, D]
  hPrev: FloatArray; // [B, H]
  cPrev: FloatArray | null; // [B, H], LSTM only
  h: FloatArray; // [B, H]   out
  c: FloatArray | null; // [B, H]   out, LSTM only
  aux: FloatArray; // [B, auxWidth] out: what backward needs besides x, hPrev, cPrev, h, c
}

export interface StepBackward extends StepForward {
  dh: FloatArray; // [B, H]   dL/dh_t, total (from above and from step t+1)
  dc: FloatArray | null; // [B, H]   dL/dc_t from step t+1, LSTM only
  dx: FloatArray | null; // [B, D]   out (overwritten); null when nobody needs it
  dhPrev: FloatArray; // [B, H]   out (overwritten)
  dcPrev: FloatArray | null; // [B, H]   out (overwritten), LSTM only
  dcTotal?: FloatArray | null; // [B, H]   out when given, LSTM only: all of dL/dc_t (via h_t too)
}

export interface CellOps {
  readonly kind: 'rnn' | 'lstm' | 'gru';
  /** G: how many H-sized blocks the weights stack (1, 4 or 3). */
  readonly gates: number;
  readonly hasCell: boolean;
  auxWidth(H: number): number;
  forward(w: CellWeights, D: number, H: number, s: StepForward): void;
  /** Adds this step's parameter gradients into `g` and writes dx, dhPrev (and dcPrev). */
  backward(w: CellWeights, g: CellWeights, D: number, H: number, s: StepBackward): void;
}

/**
 * Which fused WebAssembly kernel (src/tensor/wasm/assembly/cells.ts) runs a step of each cell, in one
 * table: the fast backend (wasm.ts) looks the cell's kind up here and never asks which cell it has. A
 * new cell's kernels go into assembly/cells.ts and one row here. Every argument is a byte offset into
 * the arena, or a count.
 */
import type { CellKind } from '../../cells/ops.js';
import type { GemmExports } from '../../tensor/wasm/arena.js';

/** Step t's arrays in the forward pass. */
export interface ForwardStep {
  /** [B, G·H] pre-activations: W_ih x_t + b (+ W_hh h_{t-1} + b_hh unless the cell keeps them apart). */
  z: number;
  /** [B, G·H] the recurrent part W_hh h_{t-1} + b_hh, kept apart (GRU). */
  u: number;
  hPrev: number;
  h: number;
  /** [B, H] c_{t-1} and c_t (LSTM). */
  cPrev: number;
  c: number;
  /** [B, auxWidth] what backward needs besides the states (the gates). */
  aux: number;
  B: number;
  H: number;
  /** 1 for a relu RNN. */
  relu: number;
}

/** Step t's arrays in the backward pass. */
export interface BackwardStep {
  /** [B, H] in: dL/dh_t from step t+1; the kernel adds `above` and leaves the whole dL/dh_t here. */
  dh: number;
  /** [B, H] dL/dh_t from the output or the layer above. */
  above: number;
  /** [B, H] dL/dc_t from step t+1 (LSTM). */
  dc: number;
  cPrev: number;
  hPrev: number;
  h: number;
  aux: number;
  /** [B, G·H] out: dL/dz_t, and dL/du_t when the recurrent part is apart (GRU). */
  dz: number;
  du: number;
  /** [B, H] out: the pointwise part of dL/dh_{t-1} (and dL/dc_{t-1}); the W_hh product is added after. */
  dhPrev: number;
  dcPrev: number;
  /** [B, H] out when non-zero (LSTM): all of dL/dc_t. */
  dcTotal: number;
  B: number;
  H: number;
  relu: number;
}

export interface GateKernels {
  forward(k: GemmExports, s: ForwardStep): void;
  backward(k: GemmExports, s: BackwardStep): void;
}

export const GATE_KERNELS: Record<CellKind, GateKernels> = {
  rnn: {
    forward: (k, s) => k.rnnForward(s.z, s.h, s.B * s.H, s.relu),
    backward: (k, s) => k.rnnBackward(s.dh, s.above, s.h, s.dz, s.dhPrev, s.B * s.H, s.relu),
  },
  lstm: {
    forward: (k, s) => k.lstmForward(s.z, s.cPrev, s.c, s.h, s.aux, s.B, s.H),
    backward: (k, s) => k.lstmBackward(s.dh, s.above, s.dc, s.cPrev, s.aux, s.dz, s.dcPrev, s.dhPrev, s.dcTotal, s.B, s.H),
  },
  gru: {
    forward: (k, s) => k.gruForward(s.z, s.u, s.hPrev, s.h, s.aux, s.B, s.H),
    backward: (k, s) => k.gruBackward(s.dh, s.above, s.hPrev, s.aux, s.dz, s.du, s.dhPrev, s.B, s.H),
  },
};

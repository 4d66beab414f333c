/**
 * Which fused WebAssembly kernel (src/tensor/wasm/assembly/cells.ts) runs a step of each cell, in one
 * table: the fast backend (wasm.ts) looks the cell's kind up here and never asks which cell it has. A
 * new cell's kernels go into assembly/cells.ts and one row here. Every argument is a byte offset into
 * the arena, or a count. The rows of a step are independent, so large steps are shared out by rows
 * across the GEMM's threads (WasmArena.rows); each row is computed exactly as on one thread.
 */
import type { CellKind } from '../../cells/ops.js';
import type { WasmArena } from '../../tensor/wasm/arena.js';

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

/** Each cell's number in assembly/sequence.ts (its whole-sequence forward for small batches). */
export const CELL_IDS: Record<CellKind, number> = { rnn: 0, lstm: 1, gru: 2 };

export interface GateKernels {
  forward(ar: WasmArena, s: ForwardStep): void;
  backward(ar: WasmArena, s: BackwardStep): void;
}

// Each kernel's pointers move by one row (one sequence of the batch) in bytes: F = 4 bytes a float.
const F = 4;

export const GATE_KERNELS: Record<CellKind, GateKernels> = {
  // The RNN's kernels are elementwise over B·H values (a row is one value), and a value costs about a
  // fifth of the LSTM's: counted so, it is shared out only at five times the size.
  rnn: {
    forward: (ar, s) => ar.rows('rnnForward', s.B * s.H, 0.2, [s.z, s.h, s.B * s.H, s.relu], [F, F, 0, 0], 2),
    backward: (ar, s) => ar.rows('rnnBackward', s.B * s.H, 0.2, [s.dh, s.above, s.h, s.dz, s.dhPrev, s.B * s.H, s.relu], [F, F, F, F, F, 0, 0], 5),
  },
  lstm: {
    forward: (ar, s) => ar.rows('lstmForward', s.B, s.H, [s.z, s.cPrev, s.c, s.h, s.aux, s.B, s.H], [4 * F * s.H, F * s.H, F * s.H, F * s.H, 5 * F * s.H, 0, 0], 5),
    backward: (ar, s) => {
      const row = F * s.H;
      ar.rows('lstmBackward', s.B, s.H, [s.dh, s.above, s.dc, s.cPrev, s.aux, s.dz, s.dcPrev, s.dhPrev, s.dcTotal, s.B, s.H], [row, row, row, row, 5 * row, 4 * row, row, row, row, 0, 0], 9);
    },
  },
  gru: {
    forward: (ar, s) => ar.rows('gruForward', s.B, s.H, [s.z, s.u, s.hPrev, s.h, s.aux, s.B, s.H], [3 * F * s.H, 3 * F * s.H, F * s.H, F * s.H, 4 * F * s.H, 0, 0], 5),
    backward: (ar, s) => {
      const row = F * s.H;
      ar.rows('gruBackward', s.B, s.H, [s.dh, s.above, s.hPrev, s.aux, s.dz, s.du, s.dhPrev, s.B, s.H], [row, row, row, 4 * row, 3 * row, 3 * row, row, 0, 0], 7);
    },
  },
};

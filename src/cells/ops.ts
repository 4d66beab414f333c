/**
 * The contract between one cell's math (rnn.ts / lstm.ts / gru.ts) and the code that drives it: the
 * single-step cell classes, the reference sequence layers, and the fast backend. Every step is
 *
 *   z = W_ih x_t + b_ih (+ W_hh h_{t-1} + b_hh)      the affine part: matrix products, the same for all cells
 *   h_t (, c_t) = pointwise(z, h_{t-1}, c_{t-1})    the cell's own part: gates and nonlinearities
 *
 * so a cell is only its pointwise forward and backward. The reference step below does the affine part
 * with the plain kernels one step at a time, around these pointwise functions. The fast backend
 * (src/layers/backend/wasm.ts) does the affine part for all steps at once with WebAssembly GEMMs and the
 * pointwise part in fused SIMD kernels (src/tensor/wasm/assembly/cells.ts): the same equations written
 * again on f32x4 lanes, which test/wasm-backend.test.ts holds to these.
 *
 * Every array is a flat row-major view whose shape is given in brackets.
 */
import { linearBackward, linearForward } from '../tensor/kernels.js';
import { allocate, type FloatArray } from '../tensor/tensor.js';

/** The three cells, spelled this way everywhere in rnnlab (the checkpoint file names the classes: src/layers/factory.ts). */
export type CellKind = 'rnn' | 'lstm' | 'gru';
export const CELL_KINDS: readonly CellKind[] = ['rnn', 'lstm', 'gru'];
/** G: the H-sized blocks each cell's weights stack (its ops' `gates`). */
export const GATES: Readonly<Record<CellKind, number>> = { rnn: 1, lstm: 4, gru: 3 };

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
  readonly kind: CellKind;
  /** G: how many H-sized blocks the weights stack (1, 4 or 3). */
  readonly gates: number;
  readonly hasCell: boolean;
  /** RNN only: its nonlinearity. */
  readonly nonlinearity?: 'tanh' | 'relu';
  /**
   * true (GRU): the recurrent part u = W_hh h_{t-1} + b_hh stays apart from the input part a (the reset
   * gate multiplies part of it), so pointwise gets z = a and u. false: pointwise gets z = a + u.
   */
  readonly splitRecurrent: boolean;
  /**
   * The options that make this a variant of the standard cell, e.g. { recurrentActivation: 'hardSigmoid' }
   * or { resetAfter: false }; absent for the standard cells. The fast backend's fused kernels are the
   * standard cells' alone, so a variant runs on the reference backend (src/layers/backend/choose.ts).
   */
  readonly variant?: Readonly<Record<string, string | boolean>>;
  /**
   * Present when the cell's step is not "one affine part, then pointwise": the reset-before GRU, whose
   * reset gate multiplies h_{t-1} before W_hn (src/cells/gru-reset-before.ts). It then does the whole
   * step, affine parts included, and stepForward / stepBackward hand it over.
   */
  readonly step?: WholeStep;
  auxWidth(H: number): number;
  /** Writes h (and c, aux) of the step from its pre-activations z [B, G·H] (and u [B, G·H] when split). */
  pointwiseForward(H: number, s: StepForward, z: FloatArray, u: FloatArray | null): void;
  /**
   * Writes dz = dL/dz [B, G·H] (and du when split), dcPrev and dcTotal (LSTM), and dhPrev's part that
   * does not go through W_hh (GRU's z ⊙ dh shortcut; zeros for the others).
   */
  pointwiseBackward(H: number, s: StepBackward, dz: FloatArray, du: FloatArray | null): void;
}

/** A whole step, forward and backward, with the same contract as stepForward / stepBackward below. */
export interface WholeStep {
  forward(w: CellWeights, D: number, H: number, s: StepForward): void;
  backward(w: CellWeights, g: CellWeights, D: number, H: number, s: StepBackward): void;
}

/** Pre-activation buffers [B, G·H] a caller keeps between steps (u only for a cell that splits the recurrent part). */
export interface StepScratch {
  z: FloatArray;
  u: FloatArray | null;
}

/**
 * The reference step forward: the affine part with the plain kernels, then the cell's pointwise part.
 * `scratch` saves the two allocations per step (a stream's steps); `R` is the width of h_{t-1} that W_hh
 * [G·H, R] reads: H, or the projection size of an LSTM with proj_size (src/layers/backend/lstmp.ts).
 */
export function stepForward(ops: CellOps, w: CellWeights, D: number, H: number, s: StepForward, scratch?: StepScratch, R = H): void {
  if (ops.step) return ops.step.forward(w, D, H, s);
  const G = ops.gates * H;
  const z = scratch?.z ?? allocate(dtypeOf(s.h), s.B * G);
  const u = ops.splitRecurrent ? scratch?.u ?? allocate(dtypeOf(s.h), s.B * G) : null;
  linearForward(z, s.x, w.weightIh, w.biasIh, s.B, D, G);
  linearForward(u ?? z, s.hPrev, w.weightHh, w.biasHh, s.B, R, G, u === null);
  ops.pointwiseForward(H, s, z, u);
}

/**
 * The reference step backward: adds this step's parameter gradients into `g` and writes dx, dhPrev
 * (and dcPrev):  dW_ih += dzᵀ x   db_ih += Σ_b dz   dx = dz W_ih
 *                dW_hh += duᵀ h_{t-1}   db_hh += Σ_b du   dh_{t-1} (+)= du W_hh      (du = dz unless split)
 * `R` is h_{t-1}'s width, as in stepForward.
 */
export function stepBackward(ops: CellOps, w: CellWeights, g: CellWeights, D: number, H: number, s: StepBackward, R = H): void {
  if (ops.step) return ops.step.backward(w, g, D, H, s);
  const G = ops.gates * H;
  const dz = allocate(dtypeOf(s.h), s.B * G);
  const du = ops.splitRecurrent ? allocate(dtypeOf(s.h), s.B * G) : null;
  ops.pointwiseBackward(H, s, dz, du);
  linearBackward(dz, s.x, w.weightIh, g.weightIh, g.biasIh, s.dx, s.B, D, G);
  linearBackward(du ?? dz, s.hPrev, w.weightHh, g.weightHh, g.biasHh, s.dhPrev, s.B, R, G, true);
}

function dtypeOf(a: FloatArray): 'float32' | 'float64' {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

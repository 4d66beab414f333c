/**
 * The vanilla (Elman) RNN step, PyTorch's nn.RNN / nn.RNNCell:
 *
 *   a_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh          [B, H]
 *   h_t = tanh(a_t)            (or relu(a_t))
 *
 * Backward, given dL/dh_t (everything that reaches h_t: from the output at t and from step t+1):
 *   da        = dh ⊙ (1 − h_t²)     (tanh' written with the output, so nothing else is cached)
 *             = dh ⊙ [h_t > 0]      (relu)
 *   dW_ih    += daᵀ x_t      dW_hh += daᵀ h_{t-1}      db_ih += Σ_b da      db_hh += Σ_b da
 *   dx_t      = da W_ih      dh_{t-1} = da W_hh
 *
 * so one step back multiplies the gradient by the Jacobian ∂h_t/∂h_{t-1} = diag(1 − h_t²) W_hh: the
 * product of T of these is what vanishes or explodes (docs/theory.md, A4).
 */
import { checkOneOf } from '../tensor/check.js';
import type { CellOps, StepBackward, StepForward } from './ops.js';
import type { FloatArray } from '../tensor/tensor.js';

export type Nonlinearity = 'tanh' | 'relu';
export const NONLINEARITIES: readonly Nonlinearity[] = ['tanh', 'relu'];

/** The RNN's ops for `nonlinearity` (default tanh); anything else is an error naming `nonlinearity`. */
export function rnnOpsFor(nonlinearity: unknown): CellOps {
  return rnnOps(checkOneOf('nonlinearity', nonlinearity ?? 'tanh', NONLINEARITIES));
}

export function rnnOps(nonlinearity: Nonlinearity): CellOps {
  const relu = nonlinearity === 'relu';
  return {
    kind: 'rnn',
    gates: 1,
    hasCell: false,
    nonlinearity,
    splitRecurrent: false,
    auxWidth: () => 0,

    // No elementwise product here: the step's multiplications are the affine part's (theory A2).
    pointwiseForward(H: number, s: StepForward, a: FloatArray): void {
      const h = s.h, n = s.B * H;
      if (relu) for (let i = 0; i < n; i++) h[i] = a[i] > 0 ? a[i] : 0;
      else for (let i = 0; i < n; i++) h[i] = Math.tanh(a[i]);
    },

    pointwiseBackward(H: number, s: StepBackward, da: FloatArray): void {
      const { h, dh } = s, n = s.B * H;
      if (relu) for (let i = 0; i < n; i++) da[i] = h[i] > 0 ? dh[i] : 0;
      else for (let i = 0; i < n; i++) da[i] = dh[i] * (1 - h[i] * h[i]);
      s.dhPrev.fill(0); // h_{t-1} is reached only through W_hh
    },
  };
}

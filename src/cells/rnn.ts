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
import { linearBackward, linearForward } from '../tensor/kernels.js';
import type { CellOps, CellWeights, StepBackward, StepForward } from './ops.js';

export type Nonlinearity = 'tanh' | 'relu';

export function rnnOps(nonlinearity: Nonlinearity): CellOps {
  const relu = nonlinearity === 'relu';
  return {
    kind: 'rnn',
    gates: 1,
    hasCell: false,
    auxWidth: () => 0,

    forward(w: CellWeights, D: number, H: number, s: StepForward): void {
      const { B, x, hPrev, h } = s;
      linearForward(h, x, w.weightIh, w.biasIh, B, D, H);
      linearForward(h, hPrev, w.weightHh, w.biasHh, B, H, H, true);
      // No elementwise product here: the step's multiplications are the two above (theory A2).
      for (let i = 0; i < B * H; i++) h[i] = relu ? (h[i] > 0 ? h[i] : 0) : Math.tanh(h[i]);
    },

    backward(w: CellWeights, g: CellWeights, D: number, H: number, s: StepBackward): void {
      const { B, x, hPrev, h, dh, dx, dhPrev } = s;
      const da = new (h.constructor as Float64ArrayConstructor)(B * H);
      for (let i = 0; i < B * H; i++) da[i] = relu ? (h[i] > 0 ? dh[i] : 0) : dh[i] * (1 - h[i] * h[i]);
      linearBackward(da, x, w.weightIh, g.weightIh, g.biasIh, dx, B, D, H);
      linearBackward(da, hPrev, w.weightHh, g.weightHh, g.biasHh, dhPrev, B, H, H);
    },
  };
}

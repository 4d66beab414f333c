/**
 * The LSTM step, PyTorch's nn.LSTM / nn.LSTMCell, gate order i, f, g, o in the stacked weights:
 *
 *   [z_i; z_f; z_g; z_o] = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh        [B, 4H]
 *   i = σ(z_i)   f = σ(z_f)   g = tanh(z_g)   o = σ(z_o)
 *   c_t = f ⊙ c_{t-1} + i ⊙ g
 *   h_t = o ⊙ tanh(c_t)
 *
 * (The textbook form W_f [h_{t-1}, x_t] + b_f is the same function with W_f = [W_hf | W_if] and
 * b_f = b_if + b_hf; docs/cells.md shows it and test/concat-form.test.ts checks it.)
 *
 * Backward, given dh = dL/dh_t and dc = dL/dc_t arriving from step t+1:
 *   do  = dh ⊙ tanh(c_t)
 *   dcT = dc + dh ⊙ o ⊙ (1 − tanh²(c_t))        all that reaches c_t
 *   di  = dcT ⊙ g    df = dcT ⊙ c_{t-1}    dg = dcT ⊙ i
 *   dc_{t-1} = dcT ⊙ f                          the cell path: one step back multiplies by diag(f_t)
 *   dz  = [di·i(1−i); df·f(1−f); dg·(1−g²); do·o(1−o)]
 *   dW_ih += dzᵀ x   dW_hh += dzᵀ h_{t-1}   db += Σ_b dz   dx = dz W_ih   dh_{t-1} = dz W_hh
 */
import { checkOneOf } from '../tensor/check.js';
import { opCounter } from '../tensor/counter.js';
import { RECURRENT_ACTIVATIONS, SIGMOID_GATE, gateActivation, type GateActivation, type RecurrentActivation } from './gate-activation.js';
import type { CellOps, StepBackward, StepForward } from './ops.js';
import type { FloatArray } from '../tensor/tensor.js';

/**
 * The LSTM's ops with the gate activation act for i, f and o (σ for the standard cell); g and tanh(c_t)
 * stay tanh. In the equations above, σ(z) becomes act(z) and each y(1−y) becomes act' (act.backprop).
 */
function lstmCellOps(act: GateActivation): CellOps {
  return {
    kind: 'lstm',
    gates: 4,
    hasCell: true,
    splitRecurrent: false,
    // aux = [i, f, g, o, tanh(c_t)] per row: the activated gates and tanh(c_t).
    auxWidth: (H) => 5 * H,

    pointwiseForward(H: number, s: StepForward, z: FloatArray): void {
      const { B, aux } = s;
      const cPrev = s.cPrev!, c = s.c!, h = s.h;
      const G = 4 * H;
      // The loop's elementwise products f⊙c_{t-1}, i⊙g, o⊙tanh(c_t): 3·B·H (theory A2), counted once here.
      if (opCounter.enabled) opCounter.mul += 3 * B * H;
      for (let b = 0; b < B; b++) {
        // Row b's gate blocks, named as in the header: z = [z_i; z_f; z_g; z_o], aux = [i; f; g; o; tanh(c_t)].
        const zI = b * G, zF = zI + H, zG = zI + 2 * H, zO = zI + 3 * H;
        const aI = b * 5 * H, aF = aI + H, aG = aI + 2 * H, aO = aI + 3 * H, aTanhC = aI + 4 * H;
        const hb = b * H;
        for (let j = 0; j < H; j++) {
          const i = act.apply(z[zI + j]);
          const f = act.apply(z[zF + j]);
          const g = Math.tanh(z[zG + j]);
          const o = act.apply(z[zO + j]);
          const ct = f * cPrev[hb + j] + i * g;
          const tc = Math.tanh(ct);
          c[hb + j] = ct;
          h[hb + j] = o * tc;
          aux[aI + j] = i;
          aux[aF + j] = f;
          aux[aG + j] = g;
          aux[aO + j] = o;
          aux[aTanhC + j] = tc;
        }
      }
    },

    pointwiseBackward(H: number, s: StepBackward, dz: FloatArray): void {
      const { B, aux, dh, dhPrev } = s;
      const cPrev = s.cPrev!, dc = s.dc!, dcPrev = s.dcPrev!, dcTotal = s.dcTotal ?? null;
      const G = 4 * H;
      for (let b = 0; b < B; b++) {
        // Row b's blocks as in the forward pass: dz = [dz_i; dz_f; dz_g; dz_o], aux = [i; f; g; o; tanh(c_t)].
        const zI = b * G, zF = zI + H, zG = zI + 2 * H, zO = zI + 3 * H;
        const aI = b * 5 * H, aF = aI + H, aG = aI + 2 * H, aO = aI + 3 * H, aTanhC = aI + 4 * H;
        const hb = b * H;
        for (let j = 0; j < H; j++) {
          const i = aux[aI + j], f = aux[aF + j], g = aux[aG + j], o = aux[aO + j], tc = aux[aTanhC + j];
          const dhj = dh[hb + j];
          const dcT = dc[hb + j] + dhj * o * (1 - tc * tc);
          dcPrev[hb + j] = dcT * f;
          if (dcTotal) dcTotal[hb + j] = dcT;
          dz[zI + j] = act.backprop(dcT * g, i);
          dz[zF + j] = act.backprop(dcT * cPrev[hb + j], f);
          dz[zG + j] = dcT * i * (1 - g * g);
          dz[zO + j] = act.backprop(dhj * tc, o);
        }
      }
      dhPrev.fill(0); // h_{t-1} is reached only through W_hh
    },
  };
}

export const lstmOps: CellOps = lstmCellOps(SIGMOID_GATE);

/**
 * The LSTM's ops for `recurrentActivation` (default 'sigmoid': lstmOps above). 'hardSigmoid' is TF.js's
 * default gate (gate-activation.ts): the same cell with hs for σ in i, f and o,
 *
 *   i = hs(z_i)   f = hs(z_f)   g = tanh(z_g)   o = hs(z_o)        c_t, h_t as above
 *
 * Anything else is an error naming options.recurrentActivation.
 */
export function lstmOpsFor(recurrentActivation: unknown): CellOps {
  const name: RecurrentActivation = checkOneOf('options.recurrentActivation', recurrentActivation ?? 'sigmoid', RECURRENT_ACTIVATIONS);
  return name === 'sigmoid' ? lstmOps : lstmOpsWith(gateActivation(name));
}

/**
 * lstmOps with the gate activation act in place of σ (i, f, o), the candidate and tanh(c_t) still tanh:
 *
 *   forward   i = act(z_i)  f = act(z_f)  g = tanh(z_g)  o = act(z_o)  c_t = f ⊙ c_{t-1} + i ⊙ g  h_t = o ⊙ tanh(c_t)
 *   backward  dcT = dc + dh ⊙ o ⊙ (1 − tanh²(c_t))   dc_{t-1} = dcT ⊙ f
 *             dz = [dcT·g·act'(i); dcT·c_{t-1}·act'(f); dcT·i·(1−g²); dh·tanh(c_t)·act'(o)]
 *
 * act' is written with the gate's value (GateActivation.backprop). The same loops as lstmOps, marked as
 * a variant (which has no fused WebAssembly kernel, so 'auto' runs it on the reference backend).
 */
export function lstmOpsWith(act: GateActivation): CellOps {
  return { ...lstmCellOps(act), variant: { recurrentActivation: act.name } };
}

/**
 * The GRU step, PyTorch's nn.GRU / nn.GRUCell, gate order r, z, n in the stacked weights:
 *
 *   a = W_ih x_t + b_ih              [B, 3H]   (input part, split a_r, a_z, a_n)
 *   u = W_hh h_{t-1} + b_hh          [B, 3H]   (recurrent part, split u_r, u_z, u_n)
 *   r = σ(a_r + u_r)   z = σ(a_z + u_z)
 *   n = tanh(a_n + r ⊙ u_n)          (PyTorch's form: the reset gate multiplies W_hn h + b_hn)
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
 *
 * Backward, given dh = dL/dh_t:
 *   dn = dh ⊙ (1 − z)   dz = dh ⊙ (h_{t-1} − n)
 *   dan = dn ⊙ (1 − n²)              gradient of n's pre-activation
 *   dr  = dan ⊙ u_n
 *   da  = [dr·r(1−r); dz·z(1−z); dan]            input-side pre-activations
 *   du  = [dr·r(1−r); dz·z(1−z); dan ⊙ r]        recurrent-side pre-activations
 *   dW_ih += daᵀ x   db_ih += Σ da   dW_hh += duᵀ h_{t-1}   db_hh += Σ du
 *   dx = da W_ih     dh_{t-1} = du W_hh + dh ⊙ z  (the z-gated shortcut, GRU's "cell path")
 */
import { checkOneOf, checkOptionalBoolean } from '../tensor/check.js';
import { opCounter } from '../tensor/counter.js';
import { RECURRENT_ACTIVATIONS, SIGMOID_GATE, gateActivation, type GateActivation, type RecurrentActivation } from './gate-activation.js';
import { gruResetBeforeOps } from './gru-reset-before.js';
import type { CellOps, StepBackward, StepForward } from './ops.js';
import type { FloatArray } from '../tensor/tensor.js';

/**
 * The GRU's ops with the gate activation act for r and z (σ for the standard cell); n stays tanh. In
 * the equations above, σ becomes act and each y(1−y) becomes act' (act.backprop).
 */
function gruCellOps(act: GateActivation): CellOps {
  return {
    kind: 'gru',
    gates: 3,
    hasCell: false,
    splitRecurrent: true,
    // aux = [r, z, n, u_n] per row.
    auxWidth: (H) => 4 * H,

    pointwiseForward(H: number, s: StepForward, a: FloatArray, u: FloatArray | null): void {
      const { B, hPrev, h, aux } = s;
      const G = 3 * H;
      // The loop's elementwise products r⊙u_n, (1−z)⊙n, z⊙h_{t-1}: 3·B·H (theory A2), counted once here.
      if (opCounter.enabled) opCounter.mul += 3 * B * H;
      for (let b = 0; b < B; b++) {
        // Row b's gate blocks, named as in the header: a and u = [_r; _z; _n], aux = [r; z; n; u_n].
        const gR = b * G, gZ = gR + H, gN = gR + 2 * H;
        const aR = b * 4 * H, aZ = aR + H, aN = aR + 2 * H, aUn = aR + 3 * H;
        const hb = b * H;
        for (let j = 0; j < H; j++) {
          const r = act.apply(a[gR + j] + u![gR + j]);
          const z = act.apply(a[gZ + j] + u![gZ + j]);
          const un = u![gN + j];
          const n = Math.tanh(a[gN + j] + r * un);
          h[hb + j] = (1 - z) * n + z * hPrev[hb + j];
          aux[aR + j] = r;
          aux[aZ + j] = z;
          aux[aN + j] = n;
          aux[aUn + j] = un;
        }
      }
    },

    pointwiseBackward(H: number, s: StepBackward, da: FloatArray, du: FloatArray | null): void {
      const { B, hPrev, aux, dh, dhPrev } = s;
      const G = 3 * H;
      for (let b = 0; b < B; b++) {
        // Row b's blocks as in the forward pass: da and du = [_r; _z; _n], aux = [r; z; n; u_n].
        const gR = b * G, gZ = gR + H, gN = gR + 2 * H;
        const aR = b * 4 * H, aZ = aR + H, aN = aR + 2 * H, aUn = aR + 3 * H;
        const hb = b * H;
        for (let j = 0; j < H; j++) {
          const r = aux[aR + j], z = aux[aZ + j], n = aux[aN + j], un = aux[aUn + j];
          const dhj = dh[hb + j];
          const dan = dhj * (1 - z) * (1 - n * n);
          const dar = act.backprop(dan * un, r);
          const daz = act.backprop(dhj * (hPrev[hb + j] - n), z);
          da[gR + j] = dar;
          da[gZ + j] = daz;
          da[gN + j] = dan;
          du![gR + j] = dar;
          du![gZ + j] = daz;
          du![gN + j] = dan * r;
          dhPrev[hb + j] = dhj * z; // the z-gated shortcut; du W_hh is added by the affine part
        }
      }
    },
  };
}

export const gruOps: CellOps = gruCellOps(SIGMOID_GATE);

/**
 * The GRU's ops for its two Keras options:
 *   resetAfter (default true): true is the cell above, PyTorch's and Keras 3's (reset gate after W_hn);
 *     false is Keras 2's and TF.js's default, the reset gate before W_hn (gru-reset-before.ts).
 *   recurrentActivation (default 'sigmoid'): the gate activation of r and z (gate-activation.ts).
 * Both defaults give gruOps above. A bad value is an error naming the option.
 */
export function gruOpsFor(options: { resetAfter?: unknown; recurrentActivation?: unknown }): CellOps {
  const resetAfter = checkOptionalBoolean('options.resetAfter', options.resetAfter) ?? true;
  const name: RecurrentActivation = checkOneOf('options.recurrentActivation', options.recurrentActivation ?? 'sigmoid', RECURRENT_ACTIVATIONS);
  if (!resetAfter) return gruResetBeforeOps(gateActivation(name));
  return name === 'sigmoid' ? gruOps : gruOpsWith(gateActivation(name));
}

/**
 * gruOps with the gate activation act in place of σ (r, z); n stays tanh:
 *
 *   forward   r = act(a_r + u_r)   z = act(a_z + u_z)   n = tanh(a_n + r ⊙ u_n)   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
 *   backward  dan = dh ⊙ (1 − z) ⊙ (1 − n²)   dar = dan ⊙ u_n ⊙ act'(r)   daz = dh ⊙ (h_{t-1} − n) ⊙ act'(z)
 *             da = [dar; daz; dan]   du = [dar; daz; dan ⊙ r]   dh_{t-1} = dh ⊙ z (+ du W_hh, the affine part)
 *
 * The same loops as gruOps (act' is GateActivation.backprop), marked as a variant (which has no fused
 * WebAssembly kernel, so 'auto' runs it on the reference backend).
 */
export function gruOpsWith(act: GateActivation): CellOps {
  return { ...gruCellOps(act), variant: { recurrentActivation: act.name } };
}

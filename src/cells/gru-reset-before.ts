/**
 * The reset-before GRU: Keras 2's and TF.js's default GRU (reset_after=False), Cho et al. 2014's
 * form, where the reset gate multiplies h_{t-1} before the candidate's recurrent matrix. Parameters
 * keep PyTorch's names and shapes (weight_ih [3H, D], weight_hh [3H, H], bias_ih, bias_hh [3H], gate
 * order r, z, n), so only the step differs from gru.ts:
 *
 *   a   = W_ih x_t + b_ih                          [B, 3H]   (split a_r, a_z, a_n)
 *   u   = W_h{r,z} h_{t-1} + b_h{r,z}              [B, 2H]   (rows 0:2H of W_hh; split u_r, u_z)
 *   r = act(a_r + u_r)   z = act(a_z + u_z)        act: σ or hardSigmoid (gate-activation.ts)
 *   q   = r ⊙ h_{t-1}                              the reset state
 *   n   = tanh(a_n + W_hn q + b_hn)                (rows 2H:3H of W_hh; b_hn is outside the reset)
 *   h_t = (1 − z) ⊙ n + z ⊙ h_{t-1}
 *
 * Keras keeps one bias [3H] for this cell: it becomes b_ih, and b_hh = 0 (src/io/keras.ts). Since r acts
 * on W_hn's input rather than its output, the recurrent product cannot be done before the gates, which
 * is the contract of the other cells' pointwise part (ops.ts): this cell does the whole step itself.
 *
 * Backward, given dh = dL/dh_t:
 *   dan = dh ⊙ (1 − z) ⊙ (1 − n²)                   gradient of n's pre-activation
 *   daz = dh ⊙ (h_{t-1} − n) ⊙ act'(z)
 *   dW_hn += danᵀ q   db_hn += Σ_b dan   dq = dan W_hn
 *   dar = dq ⊙ h_{t-1} ⊙ act'(r)
 *   da = [dar; daz; dan]:   dW_ih += daᵀ x   db_ih += Σ_b da   dx = da W_ih
 *   du = [dar; daz]:        dW_h{r,z} += duᵀ h_{t-1}   db_h{r,z} += Σ_b du
 *   dh_{t-1} = dh ⊙ z + dq ⊙ r + du W_h{r,z}        the shortcut, through the reset, through the gates
 */
import { opCounter } from '../tensor/counter.js';
import { linearBackward, linearForward } from '../tensor/kernels.js';
import { allocate, type FloatArray } from '../tensor/tensor.js';
import type { GateActivation } from './gate-activation.js';
import type { CellOps, CellWeights, StepBackward, StepForward, WholeStep } from './ops.js';

/** The reset-before GRU's ops with gate activation act. */
export function gruResetBeforeOps(act: GateActivation): CellOps {
  const step = resetBeforeStep(act);
  const separate = (): never => {
    throw new Error('internal: the reset-before GRU has no separate pointwise part (its reset gate acts inside the recurrent product); run it through stepForward / stepBackward');
  };
  return {
    kind: 'gru',
    gates: 3,
    hasCell: false,
    splitRecurrent: true,
    variant: act.name === 'sigmoid' ? { resetAfter: false } : { resetAfter: false, recurrentActivation: act.name },
    step,
    auxWidth: (H) => 3 * H, // [r, z, n] per row; q = r ⊙ h_{t-1} is recomputed in backward
    pointwiseForward: separate,
    pointwiseBackward: separate,
  };
}

/** The rows of W_hh (and b_hh) that the gates r, z use, and the candidate's W_hn, b_hn. */
function recurrentBlocks(w: CellWeights, H: number): { wRZ: FloatArray; bRZ: FloatArray | null; wN: FloatArray; bN: FloatArray | null } {
  return {
    wRZ: w.weightHh.subarray(0, 2 * H * H),
    bRZ: w.biasHh ? w.biasHh.subarray(0, 2 * H) : null,
    wN: w.weightHh.subarray(2 * H * H),
    bN: w.biasHh ? w.biasHh.subarray(2 * H) : null,
  };
}

function resetBeforeStep(act: GateActivation): WholeStep {
  return {
    forward(w: CellWeights, D: number, H: number, s: StepForward): void {
      const { B, x, hPrev, h, aux } = s;
      const dtype = h instanceof Float64Array ? 'float64' : 'float32';
      const G = 3 * H, hh = recurrentBlocks(w, H);
      const a = allocate(dtype, B * G), u = allocate(dtype, B * 2 * H), q = allocate(dtype, B * H), un = allocate(dtype, B * H);
      linearForward(a, x, w.weightIh, w.biasIh, B, D, G);
      linearForward(u, hPrev, hh.wRZ, hh.bRZ, B, H, 2 * H);
      // The elementwise products r⊙h_{t-1}, (1−z)⊙n, z⊙h_{t-1}: 3·B·H, as the other GRU counts.
      if (opCounter.enabled) opCounter.mul += 3 * B * H;
      for (let b = 0; b < B; b++) {
        const gR = b * G, gZ = gR + H, uR = b * 2 * H, uZ = uR + H, aR = b * G, aZ = aR + H, hb = b * H;
        for (let j = 0; j < H; j++) {
          const r = act.apply(a[gR + j] + u[uR + j]);
          const z = act.apply(a[gZ + j] + u[uZ + j]);
          aux[aR + j] = r;
          aux[aZ + j] = z;
          q[hb + j] = r * hPrev[hb + j];
        }
      }
      linearForward(un, q, hh.wN, hh.bN, B, H, H);
      for (let b = 0; b < B; b++) {
        const gN = b * G + 2 * H, aZ = b * G + H, aN = b * G + 2 * H, hb = b * H;
        for (let j = 0; j < H; j++) {
          const z = aux[aZ + j];
          const n = Math.tanh(a[gN + j] + un[hb + j]);
          aux[aN + j] = n;
          h[hb + j] = (1 - z) * n + z * hPrev[hb + j];
        }
      }
    },

    backward(w: CellWeights, g: CellWeights, D: number, H: number, s: StepBackward): void {
      const { B, x, hPrev, aux, dh, dhPrev } = s;
      const dtype = dhPrev instanceof Float64Array ? 'float64' : 'float32';
      const G = 3 * H, hh = recurrentBlocks(w, H), gh = recurrentBlocks(g, H);
      const da = allocate(dtype, B * G), du = allocate(dtype, B * 2 * H), dan = allocate(dtype, B * H);
      const q = allocate(dtype, B * H), dq = allocate(dtype, B * H);
      for (let b = 0; b < B; b++) {
        const aR = b * G, aZ = aR + H, aN = aR + 2 * H, hb = b * H;
        for (let j = 0; j < H; j++) {
          const r = aux[aR + j], z = aux[aZ + j], n = aux[aN + j], dhj = dh[hb + j];
          const danj = dhj * (1 - z) * (1 - n * n);
          const daz = act.backprop(dhj * (hPrev[hb + j] - n), z);
          dan[hb + j] = danj;
          da[aZ + j] = daz;
          da[aN + j] = danj;
          du[b * 2 * H + H + j] = daz;
          q[hb + j] = r * hPrev[hb + j];
          dhPrev[hb + j] = dhj * z; // the z-gated shortcut
        }
      }
      linearBackward(dan, q, hh.wN, gh.wN, gh.bN, dq, B, H, H);
      for (let b = 0; b < B; b++) {
        const aR = b * G, hb = b * H;
        for (let j = 0; j < H; j++) {
          const r = aux[aR + j], dqj = dq[hb + j];
          const dar = act.backprop(dqj * hPrev[hb + j], r);
          da[aR + j] = dar;
          du[b * 2 * H + j] = dar;
          dhPrev[hb + j] += dqj * r; // through the reset state q = r ⊙ h_{t-1}
        }
      }
      linearBackward(da, x, w.weightIh, g.weightIh, g.biasIh, s.dx, B, D, G);
      linearBackward(du, hPrev, hh.wRZ, gh.wRZ, gh.bRZ, dhPrev, B, H, 2 * H, true);
    },
  };
}

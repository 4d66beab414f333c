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
import { opCounter } from '../tensor/counter.js';
import { linearBackward, linearForward, sigmoid } from '../tensor/kernels.js';
import type { CellOps, CellWeights, StepBackward, StepForward } from './ops.js';

export const gruOps: CellOps = {
  kind: 'gru',
  gates: 3,
  hasCell: false,
  // aux = [r, z, n, u_n] per row.
  auxWidth: (H) => 4 * H,

  forward(w: CellWeights, D: number, H: number, s: StepForward): void {
    const { B, x, hPrev, h, aux } = s;
    const G = 3 * H;
    const Arr = h.constructor as Float64ArrayConstructor;
    const a = new Arr(B * G), u = new Arr(B * G);
    linearForward(a, x, w.weightIh, w.biasIh, B, D, G);
    linearForward(u, hPrev, w.weightHh, w.biasHh, B, H, G);
    // The loop's elementwise products r⊙u_n, (1−z)⊙n, z⊙h_{t-1}: 3·B·H (theory A2), counted once here.
    if (opCounter.enabled) opCounter.mul += 3 * B * H;
    for (let b = 0; b < B; b++) {
      const gb = b * G, ab = b * 4 * H, hb = b * H;
      for (let j = 0; j < H; j++) {
        const r = sigmoid(a[gb + j] + u[gb + j]);
        const z = sigmoid(a[gb + H + j] + u[gb + H + j]);
        const un = u[gb + 2 * H + j];
        const n = Math.tanh(a[gb + 2 * H + j] + r * un);
        h[hb + j] = (1 - z) * n + z * hPrev[hb + j];
        aux[ab + j] = r;
        aux[ab + H + j] = z;
        aux[ab + 2 * H + j] = n;
        aux[ab + 3 * H + j] = un;
      }
    }
  },

  backward(w: CellWeights, g: CellWeights, D: number, H: number, s: StepBackward): void {
    const { B, x, hPrev, aux, dh, dx, dhPrev } = s;
    const G = 3 * H;
    const Arr = dh.constructor as Float64ArrayConstructor;
    const da = new Arr(B * G), du = new Arr(B * G);
    for (let b = 0; b < B; b++) {
      const gb = b * G, ab = b * 4 * H, hb = b * H;
      for (let j = 0; j < H; j++) {
        const r = aux[ab + j], z = aux[ab + H + j], n = aux[ab + 2 * H + j], un = aux[ab + 3 * H + j];
        const dhj = dh[hb + j];
        const dan = dhj * (1 - z) * (1 - n * n);
        const dar = dan * un * r * (1 - r);
        const daz = dhj * (hPrev[hb + j] - n) * z * (1 - z);
        da[gb + j] = dar;
        da[gb + H + j] = daz;
        da[gb + 2 * H + j] = dan;
        du[gb + j] = dar;
        du[gb + H + j] = daz;
        du[gb + 2 * H + j] = dan * r;
      }
    }
    linearBackward(da, x, w.weightIh, g.weightIh, g.biasIh, dx, B, D, G);
    linearBackward(du, hPrev, w.weightHh, g.weightHh, g.biasHh, dhPrev, B, H, G);
    for (let i = 0; i < B * H; i++) dhPrev[i] += dh[i] * aux[Math.floor(i / H) * 4 * H + H + (i % H)];
  },
};

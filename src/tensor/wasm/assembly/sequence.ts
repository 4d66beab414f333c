// All T forward steps of a layer in one call, for a batch of fewer than 4 rows whose products are
// too small to share out across threads (src/layers/backend/wasm.ts decides). There a step's
// arithmetic (a small matrix-vector product and the gate kernel) takes well under a microsecond, and
// the JavaScript loop's calls into WebAssembly, two or three per step, cost a good part as much.
import { gemv } from './gemm';
import { addRows, gruForward, lstmForward, rnnForward } from './cells';

// The cells, numbered as src/layers/backend/gate-kernels.ts numbers them (CELL_IDS).
const RNN: i32 = 0;
const LSTM: i32 = 1;
const GRU: i32 = 2;

/**
 * z [T, B, G] holds x_t W_ihᵀ + the joined biases (wasm.ts); per step t and row b,
 *   RNN, LSTM:  z_t[b] += W_hh h_{t−1}[b]                 then the cell's kernel on z_t
 *   GRU:        u[b] = W_hh h_{t−1}[b] (+ b_hh = bu)       then gruForward(z_t, u)
 * with W_hh [G, H] as stored (gemv). hs, cs [T+1, B, H]: hs[0], cs[0] the initial state, step t writes
 * t+1. aux advances auxStep bytes a step (0: one step's gates, rewritten, when nothing is kept).
 */
export function forwardSteps(cell: i32, T: i32, B: i32, H: i32, z: usize, u: usize, bu: usize, hasBias: bool, whh: usize, hs: usize, cs: usize, aux: usize, auxStep: usize, relu: bool): void {
  const G = (cell == LSTM ? 4 : cell == GRU ? 3 : 1) * H;
  const BH = <usize>(B * H) << 2, BG = <usize>(B * G) << 2, rowH = <usize>H << 2, rowG = <usize>G << 2;
  for (let t = 0; t < T; t++) {
    const zt = z + <usize>t * BG, hPrev = hs + <usize>t * BH, h = hPrev + BH, a = aux + <usize>t * auxStep;
    for (let b = 0; b < B; b++) {
      if (cell == GRU) gemv(G, H, whh, H, hPrev + <usize>b * rowH, u + <usize>b * rowG, false);
      else gemv(G, H, whh, H, hPrev + <usize>b * rowH, zt + <usize>b * rowG, true);
    }
    if (cell == LSTM) {
      lstmForward(zt, cs + <usize>t * BH, cs + <usize>(t + 1) * BH, h, a, B, H);
    } else if (cell == GRU) {
      if (hasBias) addRows(u, bu, B, G);
      gruForward(zt, u, hPrev, h, a, B, H);
    } else {
      rnnForward(zt, h, B * H, relu);
    }
  }
}

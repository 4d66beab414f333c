/**
 * The fast backend's streaming step (float32, standard cells, no projection): the arithmetic of
 * stream.ts's reference step, done in WebAssembly memory where the weights stay between steps.
 *
 *   per layer   z = W_ih x + W_hh h_{t−1} + (b_ih + b_hh)    (GRU: z = W_ih x + b_ih, u = W_hh h_{t−1} + b_hh)
 *               h_t, c_t = the fused gate kernel            (gate-kernels.ts, as the sequence forward)
 *   head        out = W_head h_top + b
 *
 * Two layouts of the weights, by batch size. Under 4 rows (B = 1 is what sampling and controllers run)
 * each row is a matrix-vector product on the weights as PyTorch stores them (gemv): for the cells that
 * add the recurrent part into z, one product of [W_ih | W_hh] [G, D+H] with [x | h_{t−1}]; for the LSTM
 * those rows are grouped by cell and one call does the products, biases and gates (lstmCells in
 * assembly/cells.ts), shared out by cells. From 4 rows on, the weights are packed for the GEMM's 4-row
 * tiles, as the sequence forward does.
 *
 * A step copies in only x and the state, and copies out only the state and the output. Laying the
 * weights out costs as much as a step's products, so it is done once, and again only when a weight was
 * written in place since (an optimizer's step or loadStateDict: src/tensor/version.ts), when the batch
 * crosses 4 rows, or when the arena was replaced (setWasmThreads).
 */
import type { FloatArray } from '../../tensor/tensor.js';
import { writeCount } from '../../tensor/version.js';
import { GEMM_MIN_ROWS, f32Bytes, wasmArena, type ArenaScope, type WasmArena } from '../../tensor/wasm/arena.js';
import type { StepEngine, StreamModel } from './backend.js';
import { GATE_KERNELS, type ForwardStep } from './gate-kernels.js';
import { joinBiases, packWeight } from './wasm.js';

/**
 * One layer's weights in the arena. gemv layout: `wih` is [W_ih | W_hh] [G, D+H] row-major (rows grouped
 * by cell for the LSTM, row 4j + q = gate q of cell j; the GRU:
 * W_ih [G, D], with `whh` W_hh [G, H]). GEMM layout: `wih` and `whh` packed, W_ihᵀ [D, G] and W_hhᵀ [H, G].
 */
interface LayerWeights {
  wih: number;
  whh: number;
  /** The biases as the step adds them (joinBiases), written only when `bias`; for the fused LSTM step
   * regrouped by cell and always written (zeros without biases). */
  bz: number;
  bu: number;
  bias: boolean;
  D: number;
}

interface Weights {
  arena: WasmArena;
  scope: ArenaScope;
  gemm: boolean;
  /** The LSTM row by row: rows grouped by cell, for the fused step (lstmCells). */
  fusedLstm: boolean;
  layers: LayerWeights[];
  /** W_head [O, H] as stored (gemv) or packed (GEMM), and its bias. */
  head: { w: number; b: number } | null;
  /** The write counts of every weight array when they were laid out, in `weights` order. */
  counts: number[];
}

interface Scratch {
  arena: WasmArena;
  scope: ArenaScope;
  B: number;
  x: number;
  hIn: number;
  cIn: number;
  hOut: number;
  cOut: number;
  /** gemv layout, cells without a separate recurrent part: one row [x | h_{t−1}] per sequence, [B, Dmax + H]. */
  xh: number;
  z: number;
  u: number;
  aux: number;
  out: number;
}

// A stream dropped with its model gives its WebAssembly memory back here.
const orphans = new FinalizationRegistry<ArenaScope>((scope) => scope.close());

export class WasmStepEngine implements StepEngine {
  private laid: Weights | null = null;
  private scratch: Scratch | null = null;
  /** Every weight array, in one fixed order (for the write counts). */
  private readonly weights: FloatArray[] = [];
  /** The widest layer input: inputSize, or H above the first layer. */
  private readonly widest: number;

  constructor(private readonly model: StreamModel) {
    if (model.dtype !== 'float32' || model.layers.some((l) => l.weightHr !== null)) {
      throw new Error('internal: the wasm step runs float32 layers without a projection only');
    }
    for (const { w } of model.layers) {
      this.weights.push(w.weightIh, w.weightHh);
      if (w.biasIh && w.biasHh) this.weights.push(w.biasIh, w.biasHh);
    }
    if (model.head) this.weights.push(model.head.weight, model.head.bias);
    this.widest = Math.max(...model.layers.map((l) => l.D));
  }

  /** Whether the weights in the arena are still the model's: same arena and layout, nothing written since. */
  private fresh(p: Weights, ar: WasmArena, gemm: boolean): boolean {
    if (p.arena !== ar || p.gemm !== gemm) return false;
    for (let i = 0; i < this.weights.length; i++) if (writeCount(this.weights[i]) !== p.counts[i]) return false;
    return true;
  }

  private layOut(ar: WasmArena, gemm: boolean): Weights {
    const p = this.laid;
    if (p && this.fresh(p, ar, gemm)) return p;
    if (p) this.free(p);
    const { ops, hiddenSize: H, layers, head } = this.model;
    const G = ops.gates * H, split = ops.splitRecurrent;
    // The LSTM row by row takes the fused streaming step (lstmCells), whose rows go cell by cell.
    const fusedLstm = !gemm && ops.kind === 'lstm';
    const scope = ar.scope(), tmp = ar.scope();
    try {
      // Everything is allocated before the views that fill it: growing a private memory detaches views.
      const out: LayerWeights[] = layers.map(({ w, D }) => {
        const l = { D, wih: 0, whh: 0, bz: scope.alloc(G), bu: scope.alloc(G), bias: false };
        if (gemm) {
          l.wih = packWeight(ar, scope, w.weightIh, G, D, true, tmp);
          l.whh = packWeight(ar, scope, w.weightHh, G, H, true, tmp);
        } else if (split) {
          l.wih = copyIn(ar, scope, w.weightIh);
          l.whh = copyIn(ar, scope, w.weightHh);
        } else {
          l.wih = scope.alloc(G * (D + H));
          const cat = ar.f32(l.wih, G * (D + H));
          for (let j = 0; j < G; j++) {
            const to = fusedLstm ? cellRow(j, H) : j;
            cat.set(w.weightIh.subarray(j * D, (j + 1) * D), to * (D + H));
            cat.set(w.weightHh.subarray(j * H, (j + 1) * H), to * (D + H) + D);
          }
        }
        l.bias = joinBiases(ar, w, G, split, l.bz, l.bu);
        if (fusedLstm) {
          // The fused step adds its biases itself, regrouped by cell as the rows (zeros without biases).
          const joined = ar.f32(l.bz, G), b4 = Float32Array.from({ length: G }, (_, r) => (l.bias ? joined[r] : 0));
          for (let r = 0; r < G; r++) joined[cellRow(r, H)] = b4[r];
        }
        return l;
      });
      const headAt = head ? { w: gemm ? packWeight(ar, scope, head.weight, head.outputSize, H, true, tmp) : copyIn(ar, scope, head.weight), b: copyIn(ar, scope, head.bias) } : null;
      this.laid = { arena: ar, scope, gemm, fusedLstm: fusedLstm, layers: out, head: headAt, counts: this.weights.map(writeCount) };
    } catch (e) {
      scope.close();
      throw e;
    } finally {
      tmp.close();
    }
    orphans.register(this, scope, this.laid);
    return this.laid;
  }

  private buffers(ar: WasmArena, B: number): Scratch {
    const s = this.scratch;
    if (s && s.arena === ar && s.B === B) return s;
    if (s) this.free(s);
    const { ops, inputSize, hiddenSize: H, layers, head } = this.model;
    const L = layers.length, G = ops.gates * H;
    const scope = ar.scope();
    const cells = ops.hasCell ? L * B * H : 0;
    this.scratch = {
      arena: ar, scope, B, x: scope.alloc(B * inputSize), hIn: scope.alloc(L * B * H), hOut: scope.alloc(L * B * H), cIn: cells ? scope.alloc(cells) : 0, cOut: cells ? scope.alloc(cells) : 0,
      xh: scope.alloc(B * (this.widest + H)), z: scope.alloc(B * G), u: ops.splitRecurrent ? scope.alloc(B * G) : 0, aux: scope.alloc(B * ops.auxWidth(H)),
      out: scope.alloc(B * (head ? head.outputSize : H)),
    };
    orphans.register(this, scope, this.scratch);
    return this.scratch;
  }

  /** Gives back what `held` (the weights or the buffers) holds. */
  private free(held: { scope: ArenaScope }): void {
    orphans.unregister(held);
    held.scope.close();
  }

  run(B: number, x: FloatArray, hIn: FloatArray, cIn: FloatArray | null, hOut: FloatArray, cOut: FloatArray | null, out: FloatArray): void {
    const ar = wasmArena();
    if (!ar) throw new Error('internal: the wasm step was chosen but WebAssembly SIMD is not available');
    const gemm = B >= GEMM_MIN_ROWS;
    const p = this.layOut(ar, gemm);
    const s = this.buffers(ar, B);
    const { ops, hiddenSize: H, head } = this.model;
    const G = ops.gates * H, BH = B * H, split = ops.splitRecurrent, k = ar.kernel;
    ar.f32(s.x, x.length).set(x);
    ar.f32(s.hIn, hIn.length).set(hIn);
    if (cIn) ar.f32(s.cIn, cIn.length).set(cIn);
    const gates = GATE_KERNELS[ops.kind];
    const st: ForwardStep = { z: s.z, u: s.u, hPrev: 0, h: 0, cPrev: 0, c: 0, aux: s.aux, B, H, relu: ops.nonlinearity === 'relu' ? 1 : 0 };
    let input = s.x;
    for (let l = 0; l < p.layers.length; l++) {
      const { wih, whh, bz, bu, bias, D } = p.layers[l];
      const at = f32Bytes(l * BH);
      st.hPrev = s.hIn + at;
      st.h = s.hOut + at;
      st.cPrev = s.cIn + at;
      st.c = s.cOut + at;
      if (p.fusedLstm) {
        // Per row: [x | h_{t−1}], then products, biases and gates in one call, shared out by cells.
        for (let b = 0; b < B; b++) {
          const row = xhRow(ar, s.xh, b, input, D, st.hPrev, H), cell = f32Bytes(b * H), K = D + H;
          ar.rows('lstmCells', H, (4 * K) / 32 + 1, [H, K, wih, bz, row, st.cPrev + cell, st.c + cell, st.h + cell], [0, 0, 16 * K, 16, 0, 4, 4, 4], 0, true);
        }
        input = st.h;
        continue;
      }
      if (gemm) {
        ar.gemm(B, G, D, input, D, 0, wih, s.z, G, 0);
        if (split) ar.gemm(B, G, H, st.hPrev, H, 0, whh, s.u, G, 0);
        else ar.gemm(B, G, H, st.hPrev, H, 0, whh, s.z, G, 1);
      } else {
        for (let b = 0; b < B; b++) {
          const zb = s.z + f32Bytes(b * G);
          if (split) {
            ar.gemv(G, D, wih, D, input + f32Bytes(b * D), zb);
            ar.gemv(G, H, whh, H, st.hPrev + f32Bytes(b * H), s.u + f32Bytes(b * G));
          } else {
            // One product of [W_ih | W_hh] with [x | h_{t−1}].
            ar.gemv(G, D + H, wih, D + H, xhRow(ar, s.xh, b, input, D, st.hPrev, H), zb);
          }
        }
      }
      if (bias) {
        k.addRows(s.z, bz, B, G);
        if (split) k.addRows(s.u, bu, B, G);
      }
      gates.forward(ar, st);
      input = st.h;
    }
    if (head && p.head) {
      const O = head.outputSize;
      if (gemm) ar.gemm(B, O, H, input, H, 0, p.head.w, s.out, O, 0);
      else for (let b = 0; b < B; b++) ar.gemv(O, H, p.head.w, H, input + f32Bytes(b * H), s.out + f32Bytes(b * O));
      k.addRows(s.out, p.head.b, B, O);
      out.set(ar.f32(s.out, out.length));
    } else {
      out.set(ar.f32(input, out.length));
    }
    hOut.set(ar.f32(s.hOut, hOut.length));
    if (cOut) cOut.set(ar.f32(s.cOut, cOut.length));
  }
}

/** A copy of `a` in `scope`; returns where. */
function copyIn(ar: WasmArena, scope: ArenaScope, a: FloatArray): number {
  const ptr = scope.alloc(a.length);
  ar.f32(ptr, a.length).set(a);
  return ptr;
}

/** Row b of xh [B, D + H] written as [x_b | h_b] from x [B, D] and h [B, H] (all in the arena); returns where. */
function xhRow(ar: WasmArena, xh: number, b: number, x: number, D: number, h: number, H: number): number {
  const row = xh + f32Bytes(b * (D + H));
  ar.f32(row, D).set(ar.f32(x + f32Bytes(b * D), D));
  ar.f32(row + f32Bytes(D), H).set(ar.f32(h + f32Bytes(b * H), H));
  return row;
}

/** Where gate row r (gate-major, r = q·H + j) of an LSTM goes when rows are grouped by cell: 4j + q. */
function cellRow(r: number, H: number): number {
  return 4 * (r % H) + Math.floor(r / H);
}

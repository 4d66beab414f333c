/**
 * The fast backend's streaming step (float32, standard cells, no projection): the arithmetic of
 * stream.ts's reference step, done in WebAssembly memory where the weights stay packed between steps.
 *
 *   per layer   z = x W_ihᵀ + (b_ih + b_hh)      one GEMM, M = B (a GEMV at B = 1)
 *               z += h_{t−1} W_hhᵀ               (GRU: u = h_{t−1} W_hhᵀ + b_hh, kept apart)
 *               h_t, c_t = the fused gate kernel  (gate-kernels.ts, as the sequence forward)
 *   head        out = h_top W_headᵀ + b
 *
 * A step copies in only x and the state, and copies out only the state and the output. Packing the
 * weights costs as much as a step's GEMMs, so it is done once and again only when a weight was written
 * in place since (an optimizer's step or loadStateDict: src/tensor/version.ts), or when the arena was
 * replaced (setWasmThreads).
 */
import type { FloatArray } from '../../tensor/tensor.js';
import { writeCount } from '../../tensor/version.js';
import { f32Bytes, wasmArena, type ArenaScope, type WasmArena } from '../../tensor/wasm/arena.js';
import type { StepEngine, StreamModel } from './backend.js';
import { GATE_KERNELS, type ForwardStep } from './gate-kernels.js';
import { joinBiases, packWeight } from './wasm.js';

/** Where one layer's packed weights are: W_ihᵀ [D, G], W_hhᵀ [H, G], the biases joined into z and u. */
interface PackedLayer {
  wih: number;
  whh: number;
  bz: number;
  bu: number;
  /** Whether the layer has biases (bz and bu are written only then). */
  bias: boolean;
  D: number;
}

interface Packed {
  arena: WasmArena;
  scope: ArenaScope;
  layers: PackedLayer[];
  head: { w: number; b: number } | null;
  /** The write counts of every weight array when they were packed, in weights() order. */
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
  z: number;
  u: number;
  aux: number;
  out: number;
}

// A stream dropped with its model gives its WebAssembly memory back here.
const orphans = new FinalizationRegistry<ArenaScope>((scope) => scope.close());

export class WasmStepEngine implements StepEngine {
  private packed: Packed | null = null;
  private scratch: Scratch | null = null;
  /** Every weight array, in one fixed order (for the write counts). */
  private readonly weights: FloatArray[] = [];

  constructor(private readonly model: StreamModel) {
    if (model.dtype !== 'float32' || model.layers.some((l) => l.weightHr !== null)) {
      throw new Error('internal: the wasm step runs float32 layers without a projection only');
    }
    for (const { w } of model.layers) {
      this.weights.push(w.weightIh, w.weightHh);
      if (w.biasIh && w.biasHh) this.weights.push(w.biasIh, w.biasHh);
    }
    if (model.head) this.weights.push(model.head.weight, model.head.bias);
  }

  /** Whether the packed copy is still the weights: same arena, and nothing written since packing. */
  private fresh(p: Packed, ar: WasmArena): boolean {
    if (p.arena !== ar) return false;
    for (let i = 0; i < this.weights.length; i++) if (writeCount(this.weights[i]) !== p.counts[i]) return false;
    return true;
  }

  private pack(ar: WasmArena): Packed {
    const p = this.packed;
    if (p && this.fresh(p, ar)) return p;
    if (p) this.free(p);
    const { ops, hiddenSize: H, layers, head } = this.model;
    const G = ops.gates * H, split = ops.splitRecurrent;
    const scope = ar.scope();
    const tmp = ar.scope();
    try {
      const layout = layers.map(({ w, D }) => {
        const l = { D, wih: packWeight(ar, scope, w.weightIh, G, D, true, tmp), whh: packWeight(ar, scope, w.weightHh, G, H, true, tmp), bz: scope.alloc(G), bu: scope.alloc(G), bias: false };
        l.bias = joinBiases(ar, w, G, split, l.bz, l.bu);
        return l;
      });
      const headAt = head ? { w: packWeight(ar, scope, head.weight, head.outputSize, H, true, tmp), b: scope.alloc(head.outputSize) } : null;
      if (head && headAt) ar.f32(headAt.b, head.outputSize).set(head.bias);
      this.packed = { arena: ar, scope, layers: layout, head: headAt, counts: this.weights.map(writeCount) };
    } catch (e) {
      scope.close();
      throw e;
    } finally {
      tmp.close();
    }
    orphans.register(this, scope, this.packed!);
    return this.packed;
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
      z: scope.alloc(B * G), u: ops.splitRecurrent ? scope.alloc(B * G) : 0, aux: scope.alloc(B * ops.auxWidth(H)), out: scope.alloc(B * (head ? head.outputSize : H)),
    };
    orphans.register(this, scope, this.scratch);
    return this.scratch;
  }

  /** Gives back what `held` (the packed weights or the buffers) holds. */
  private free(held: { scope: ArenaScope }): void {
    orphans.unregister(held);
    held.scope.close();
  }

  run(B: number, x: FloatArray, hIn: FloatArray, cIn: FloatArray | null, hOut: FloatArray, cOut: FloatArray | null, out: FloatArray): void {
    const ar = wasmArena();
    if (!ar) throw new Error('internal: the wasm step was chosen but WebAssembly SIMD is not available');
    const p = this.pack(ar);
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
      ar.gemm(B, G, D, input, D, 0, wih, s.z, G, 0);
      if (bias) k.addRows(s.z, bz, B, G);
      if (split) {
        ar.gemm(B, G, H, st.hPrev, H, 0, whh, s.u, G, 0);
        if (bias) k.addRows(s.u, bu, B, G);
      } else {
        ar.gemm(B, G, H, st.hPrev, H, 0, whh, s.z, G, 1);
      }
      gates.forward(ar, st);
      input = st.h;
    }
    if (head && p.head) {
      ar.gemm(B, head.outputSize, H, input, H, 0, p.head.w, s.out, head.outputSize, 0);
      k.addRows(s.out, p.head.b, B, head.outputSize);
      out.set(ar.f32(s.out, out.length));
    } else {
      out.set(ar.f32(input, out.length));
    }
    hOut.set(ar.f32(s.hOut, hOut.length));
    if (cOut) cOut.set(ar.f32(s.cOut, cOut.length));
  }
}

/**
 * The fast sequence backend (float32): the same BPTT as reference.ts, reorganised so that almost all of
 * the arithmetic is a few large matrix products done by the WebAssembly SIMD kernel:
 *
 *   forward   Z = X W_ihᵀ + b          one GEMM for all T steps            [T·B, D] · [D, G·H]
 *             Z_t += h_{t-1} W_hhᵀ      one GEMM per step                   [B, H] · [H, G·H]
 *             h_t, c_t = pointwise(Z_t) the cell's gates, fused (assembly/cells.ts)
 *   backward  dZ_t = pointwise'(dh_t)   per step, newest first
 *             dh_{t-1} += dZ_t W_hh     one GEMM per step                   [B, G·H] · [G·H, H]
 *             dW_ih += dZᵀ X, dW_hh += dZᵀ H_prev, dX = dZ W_ih     three GEMMs over all T·B rows
 *
 * (GRU keeps the recurrent part U_t = h_{t-1} W_hhᵀ + b_hh apart, as its reset gate needs.) The weights
 * are packed once per call; the work happens in the arena's scratch memory, given back at the end of the
 * call. What backward needs (x, h, c, the gates) stays in the arena on shared memory, owned by the cache
 * until the model's next forward (or until the cache is garbage-collected); on a private memory, whose
 * views die when it grows, it is copied out to ordinary arrays and back in.
 * The fused gate kernels are the equations of src/cells/*.ts written again on SIMD lanes with a float32
 * exp; test/wasm-backend.test.ts holds them to the TypeScript cells.
 */
import type { CellWeights } from '../../cells/ops.js';
import type { FloatArray } from '../../tensor/tensor.js';
import { GEMM_MIN_ROWS, WasmArena, f32Bytes, wasmArena, type ArenaScope } from '../../tensor/wasm/arena.js';
import type { LayerCache, SequenceBackend } from './backend.js';
import { CELL_IDS, GATE_KERNELS, type BackwardStep, type ForwardStep } from './gate-kernels.js';

const packed = WasmArena.packedSize;

/** A cache whose arrays live in the arena: where, and the scope that frees them. */
interface ArenaCache extends LayerCache {
  wasm: { arena: WasmArena; scope: ArenaScope; x: number; hs: number; cs: number; aux: number };
}

// A cache dropped without release() (its model collected) gives its memory back here.
const orphans = new FinalizationRegistry<ArenaScope>((scope) => scope.close());

export const wasmBackend: SequenceBackend = {
  name: 'wasm',

  layerForward({ ops, D, H, T, B }, w, xs, h0, c0, keepAll = true) {
    const ar = arena();
    const sc = ar.scope();
    // The cache's own scope outlives this call on shared memory; on a private one it is scratch.
    const keep = ar.shared ? ar.scope() : sc;
    try {
      const G = ops.gates * H, A = ops.auxWidth(H), BH = B * H, TB = T * B, split = ops.splitRecurrent;
      const rowByRow = B < GEMM_MIN_ROWS;
      // Inference keeps hs and cs only: the input and one step's gates are scratch.
      const p = {
        x: (keepAll ? keep : sc).alloc(TB * D), hs: keep.alloc((T + 1) * BH), cs: c0 ? keep.alloc((T + 1) * BH) : 0, aux: (keepAll ? keep : sc).alloc((keepAll ? TB : B) * A),
        // W_hh packed for the GEMM, or as stored for a batch multiplied row by row (gemv).
        wihP: packWeight(ar, sc, w.weightIh, G, D, true), whh: rowByRow ? toArena(ar, sc, w.weightHh) : packWeight(ar, sc, w.weightHh, G, H, true),
        z: sc.alloc(TB * G), u: split ? sc.alloc(B * G) : 0, bz: sc.alloc(G), bu: sc.alloc(G),
      };
      const k = ar.kernel;
      ar.f32(p.x, TB * D).set(xs);
      ar.f32(p.hs, BH).set(h0);
      if (c0) ar.f32(p.cs, BH).set(c0);
      ar.gemm(TB, G, D, p.x, D, 0, p.wihP, p.z, G, 0);
      // The biases that join Z for all steps at once: b_ih, and b_hh too unless it stays in U (GRU).
      const hasBias = joinBiases(ar, w, G, split, p.bz, p.bu);
      if (hasBias) k.addRows(p.z, p.bz, TB, G);
      const relu = ops.nonlinearity === 'relu' ? 1 : 0;
      const gates = GATE_KERNELS[ops.kind];
      // One step record, moved along the sequence (no allocation per step).
      const st: ForwardStep = { z: 0, u: p.u, hPrev: 0, h: 0, cPrev: 0, c: 0, aux: 0, B, H, relu };
      // A small batch with products too small to share out: all T steps in one WebAssembly call, the same
      // arithmetic as the loop below (gemv, then the gate kernel).
      if (rowByRow && !ar.gemvShared(G, H)) {
        k.forwardSteps(CELL_IDS[ops.kind], T, B, H, p.z, p.u, p.bu, hasBias ? 1 : 0, p.whh, p.hs, p.cs, p.aux, keepAll ? f32Bytes(B * A) : 0, relu);
      } else for (let t = 0; t < T; t++) {
        st.z = p.z + f32Bytes(t * B * G);
        st.hPrev = p.hs + f32Bytes(t * BH);
        st.h = st.hPrev + f32Bytes(BH);
        st.cPrev = p.cs + f32Bytes(t * BH);
        st.c = st.cPrev + f32Bytes(BH);
        st.aux = keepAll ? p.aux + f32Bytes(t * B * A) : p.aux;
        // U_t = h_{t-1} W_hhᵀ (+ b_hh) apart (GRU), or added into Z_t.
        const into = split ? p.u : st.z, acc = split ? 0 : 1;
        if (rowByRow) for (let b = 0; b < B; b++) ar.gemv(G, H, p.whh, H, st.hPrev + f32Bytes(b * H), into + f32Bytes(b * G), acc);
        else ar.gemm(B, G, H, st.hPrev, H, 0, p.whh, into, G, acc);
        if (split && hasBias) k.addRows(p.u, p.bu, B, G);
        gates.forward(ar, st);
      }
      const view = (ptr: number, n: number): Float32Array => ar.f32(ptr, n);
      const nA = (keepAll ? TB : B) * A;
      if (keep === sc) {
        return { xs, hs: view(p.hs, (T + 1) * BH).slice(), cs: c0 ? view(p.cs, (T + 1) * BH).slice() : null, aux: keepAll ? view(p.aux, nA).slice() : new Float32Array(0) };
      }
      const cache: ArenaCache = {
        xs: keepAll ? view(p.x, TB * D) : xs, hs: view(p.hs, (T + 1) * BH), cs: c0 ? view(p.cs, (T + 1) * BH) : null, aux: keepAll ? view(p.aux, nA) : new Float32Array(0),
        wasm: { arena: ar, scope: keep, x: keepAll ? p.x : 0, hs: p.hs, cs: p.cs, aux: keepAll ? p.aux : 0 },
      };
      orphans.register(cache, keep, cache);
      return cache;
    } catch (e) {
      keep.close();
      throw e;
    } finally {
      sc.close();
    }
  },

  release(cache) {
    const c = cache as Partial<ArenaCache>;
    if (!c.wasm) return;
    orphans.unregister(cache);
    c.wasm.scope.close();
  },

  layerBackward({ ops, D, H, T, B }, w, g, cache, { dAbove, dhN, dcN, dcAbove, keptDh, keptDc }) {
    const ar = arena();
    const sc = ar.scope();
    try {
      const G = ops.gates * H, A = ops.auxWidth(H), BH = B * H, TB = T * B, split = ops.splitRecurrent;
      const hasCell = cache.cs !== null;
      // The forward's arrays, where they already are, or copied in.
      const own = (cache as Partial<ArenaCache>).wasm;
      const c = own && own.arena === ar ? own : copyIn(ar, sc, cache, TB * D, (T + 1) * BH, TB * A);
      const p = {
        wihP: packWeight(ar, sc, w.weightIh, G, D, false), whhP: packWeight(ar, sc, w.weightHh, G, H, false),
        above: inArena(ar, sc, dAbove), dz: sc.alloc(TB * G), du: split ? sc.alloc(TB * G) : 0,
        dh: toArena(ar, sc, dhN), dhPrev: sc.alloc(BH), dc: sc.alloc(BH), dcPrev: sc.alloc(BH), dcTotal: keptDc ? sc.alloc(BH) : 0,
        dx: sc.alloc(TB * D),
      };
      ar.f32(p.dc, BH).fill(0);
      if (dcN) ar.f32(p.dc, BH).set(dcN);
      const relu = ops.nonlinearity === 'relu' ? 1 : 0;
      const gates = GATE_KERNELS[ops.kind];
      const dU = split ? p.du : p.dz;
      const st: BackwardStep = {
        dh: p.dh, above: 0, dc: p.dc, cPrev: 0, hPrev: 0, h: 0, aux: 0, dz: 0, du: 0, dhPrev: p.dhPrev, dcPrev: p.dcPrev, dcTotal: p.dcTotal, B, H, relu,
      };
      for (let t = T - 1; t >= 0; t--) {
        st.above = p.above + f32Bytes(t * BH);
        st.hPrev = c.hs + f32Bytes(t * BH);
        st.h = st.hPrev + f32Bytes(BH);
        st.cPrev = c.cs + f32Bytes(t * BH);
        st.aux = c.aux + f32Bytes(t * B * A);
        st.dz = p.dz + f32Bytes(t * B * G);
        st.du = dU + f32Bytes(t * B * G);
        if (dcAbove && hasCell) {
          const dc = ar.f32(st.dc, BH);
          for (let i = 0; i < BH; i++) dc[i] += dcAbove[t * BH + i];
        }
        // Each kernel first makes dh the whole dL/dh_t: from above at t plus from step t+1.
        gates.backward(ar, st);
        keptDh?.set(ar.f32(st.dh, BH), t * BH);
        keptDc?.set(ar.f32(p.dcTotal, BH), t * BH);
        ar.gemm(B, H, G, st.du, G, 0, p.whhP, st.dhPrev, H, 1); // dh_{t-1} += dU_t W_hh
        [st.dh, st.dhPrev, st.dc, st.dcPrev] = [st.dhPrev, st.dh, st.dcPrev, st.dc];
      }
      const dh = st.dh, dc = st.dc;
      // The weight gradients of all steps at once: dW_ih = dZᵀ X, dW_hh = dUᵀ H_prev (dU = dZ unless split),
      // and the biases' Σ dZ, Σ dU (one sum for both when they are the same).
      addLinearGrads(ar, sc, p.dz, c.x, TB, D, G, g.weightIh, [g.biasIh, split ? null : g.biasHh]);
      addLinearGrads(ar, sc, dU, c.hs, TB, H, G, g.weightHh, [split ? g.biasHh : null]);
      ar.gemm(TB, D, G, p.dz, G, 0, p.wihP, p.dx, D, 0);
      return { dxs: ar.f32(p.dx, TB * D).slice(), dh0: ar.f32(dh, BH).slice(), dc0: hasCell ? ar.f32(dc, BH).slice() : null };
    } finally {
      sc.close();
    }
  },

  linearForward(y, x, W, b, M, In, Out) {
    const ar = arena();
    const sc = ar.scope();
    try {
      const pWp = packWeight(ar, sc, W, Out, In, true), px = inArena(ar, sc, x), py = sc.alloc(M * Out), pb = toArena(ar, sc, b);
      ar.gemm(M, Out, In, px, In, 0, pWp, py, Out, 0);
      ar.kernel.addRows(py, pb, M, Out);
      y.set(ar.f32(py, M * Out));
    } finally {
      sc.close();
    }
  },

  linearBackward(dy, x, W, dW, db, dx, M, In, Out) {
    const ar = arena();
    const sc = ar.scope();
    try {
      const pdy = inArena(ar, sc, dy), px = inArena(ar, sc, x);
      addLinearGrads(ar, sc, pdy, px, M, In, Out, dW, [db]);
      const pWp = packWeight(ar, sc, W, Out, In, false), pdx = sc.alloc(M * In);
      ar.gemm(M, In, Out, pdy, Out, 0, pWp, pdx, In, 0);
      dx.set(ar.f32(pdx, M * In));
    } finally {
      sc.close();
    }
  },
};

function arena(): WasmArena {
  const ar = wasmArena();
  if (!ar) throw new Error('internal: the wasm backend was chosen but WebAssembly SIMD is not available');
  return ar;
}

/** A copy of a (JS-heap) array in the arena; returns where. */
function toArena(ar: WasmArena, sc: ArenaScope, a: FloatArray): number {
  const ptr = sc.alloc(a.length);
  ar.f32(ptr, a.length).set(a);
  return ptr;
}

/**
 * Where an input that is only read lies in the arena: in place when it is already a view of this arena's
 * memory (the top layer's states, which the head reads, on shared memory), else a copy (toArena).
 */
function inArena(ar: WasmArena, sc: ArenaScope, a: FloatArray): number {
  return a.buffer === ar.memory.buffer ? a.byteOffset : toArena(ar, sc, a);
}

/**
 * A weight W [rows, cols] (PyTorch's [out, in]) copied in and packed as a GEMM's B operand: transposed
 * for y = x Wᵀ, as stored for dx = dy W. Returns the packed operand, allocated in `into`; the raw copy
 * goes into `tmp` (by default the same scope).
 */
export function packWeight(ar: WasmArena, into: ArenaScope, W: FloatArray, rows: number, cols: number, transposed: boolean, tmp: ArenaScope = into): number {
  const raw = toArena(ar, tmp, W);
  if (transposed) {
    const p = into.alloc(packed(cols, rows));
    ar.kernel.packNT(raw, cols, rows, cols, p);
    return p;
  }
  const p = into.alloc(packed(rows, cols));
  ar.kernel.packNN(raw, rows, cols, cols, p);
  return p;
}

/**
 * The biases as a step adds them, written at bz and bu ([G] each): bz = b_ih + b_hh, joining z
 * (b_ih alone when the recurrent part stays apart, GRU), bu = b_hh, joining u. Returns false (and
 * writes nothing) for a layer without biases.
 */
export function joinBiases(ar: WasmArena, w: CellWeights, G: number, split: boolean, bz: number, bu: number): boolean {
  if (!w.biasIh || !w.biasHh) return false;
  const z = ar.f32(bz, G);
  for (let j = 0; j < G; j++) z[j] = w.biasIh[j] + (split ? 0 : w.biasHh[j]);
  ar.f32(bu, G).set(w.biasHh);
  return true;
}

/**
 * The parameter gradients of y = x Wᵀ + b over M rows, from dy [M, Out] and x [M, In] in the arena:
 * dW += dyᵀ x, and Σ_rows dy added into every bias gradient in `dbs` (nulls skipped).
 */
function addLinearGrads(ar: WasmArena, sc: ArenaScope, dy: number, x: number, M: number, In: number, Out: number, dW: FloatArray, dbs: (FloatArray | null)[]): void {
  const xP = sc.alloc(packed(M, In)), pdW = sc.alloc(Out * In);
  ar.kernel.packNN(x, M, In, In, xP);
  ar.gemm(Out, In, M, dy, Out, 1, xP, pdW, In, 0);
  addInto(dW, ar.f32(pdW, Out * In));
  if (!dbs.some((db) => db !== null)) return;
  const pdb = sc.alloc(Out);
  ar.f32(pdb, Out).fill(0);
  ar.kernel.sumRowsAcc(pdb, dy, M, Out, Out);
  for (const db of dbs) if (db) addInto(db, ar.f32(pdb, Out));
}

/** A cache held in ordinary arrays (or another arena), copied into scratch. */
function copyIn(ar: WasmArena, sc: ArenaScope, cache: LayerCache, nx: number, nh: number, na: number): { x: number; hs: number; cs: number; aux: number } {
  const c = { x: sc.alloc(nx), hs: sc.alloc(nh), cs: cache.cs ? sc.alloc(nh) : 0, aux: sc.alloc(na) };
  ar.f32(c.x, nx).set(cache.xs);
  ar.f32(c.hs, nh).set(cache.hs);
  if (cache.cs) ar.f32(c.cs, nh).set(cache.cs);
  ar.f32(c.aux, na).set(cache.aux);
  return c;
}

function addInto(acc: FloatArray, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) acc[i] += a[i];
}

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
 * are packed once per call; all work happens in the arena's scratch memory, which is given back at the end.
 * The fused gate kernels are the equations of src/cells/*.ts written again on SIMD lanes with a float32
 * exp; test/wasm-backend.test.ts holds them to the TypeScript cells.
 */
import type { FloatArray } from '../../tensor/tensor.js';
import { WasmArena, wasmArena } from '../../tensor/wasm/arena.js';
import type { SequenceBackend } from './backend.js';

const packed = WasmArena.packedSize;

export const wasmBackend: SequenceBackend = {
  name: 'wasm',

  layerForward({ ops, D, H, T, B }, w, xs, h0, c0) {
    const ar = arena();
    const m = ar.mark();
    try {
      const G = ops.gates * H, A = ops.auxWidth(H), BH = B * H, TB = T * B, split = ops.splitRecurrent;
      const p = {
        wih: ar.alloc(G * D), whh: ar.alloc(G * H), wihP: ar.alloc(packed(D, G)), whhP: ar.alloc(packed(H, G)),
        x: ar.alloc(TB * D), z: ar.alloc(TB * G), u: split ? ar.alloc(B * G) : 0,
        hs: ar.alloc((T + 1) * BH), cs: c0 ? ar.alloc((T + 1) * BH) : 0, aux: ar.alloc(TB * A),
        bz: ar.alloc(G), bu: ar.alloc(G),
      };
      const k = ar.kernel;
      ar.f32(p.wih, G * D).set(w.weightIh);
      ar.f32(p.whh, G * H).set(w.weightHh);
      ar.f32(p.x, TB * D).set(xs);
      ar.f32(p.hs, BH).set(h0);
      if (c0) ar.f32(p.cs, BH).set(c0);
      k.packNT(p.wih, D, G, D, p.wihP); // B[d, g] = W_ih[g, d]
      k.packNT(p.whh, H, G, H, p.whhP);
      ar.gemm(TB, G, D, p.x, D, 0, p.wihP, p.z, G, 0);
      // The biases that join Z for all steps at once: b_ih, and b_hh too unless it stays in U (GRU).
      const hasBias = w.biasIh !== null && w.biasHh !== null;
      if (hasBias) {
        const bz = ar.f32(p.bz, G), bu = ar.f32(p.bu, G);
        for (let j = 0; j < G; j++) bz[j] = w.biasIh![j] + (split ? 0 : w.biasHh![j]);
        bu.set(w.biasHh!);
        k.addRows(p.z, p.bz, TB, G);
      }
      const relu = ops.nonlinearity === 'relu' ? 1 : 0;
      for (let t = 0; t < T; t++) {
        const z = p.z + 4 * t * B * G, hPrev = p.hs + 4 * t * BH, h = hPrev + 4 * BH, aux = p.aux + 4 * t * B * A;
        if (split) {
          ar.gemm(B, G, H, hPrev, H, 0, p.whhP, p.u, G, 0);
          if (hasBias) k.addRows(p.u, p.bu, B, G);
        } else {
          ar.gemm(B, G, H, hPrev, H, 0, p.whhP, z, G, 1);
        }
        if (ops.kind === 'lstm') k.lstmForward(z, p.cs + 4 * t * BH, p.cs + 4 * (t + 1) * BH, h, aux, B, H);
        else if (ops.kind === 'gru') k.gruForward(z, p.u, hPrev, h, aux, B, H);
        else k.rnnForward(z, h, BH, relu);
      }
      return {
        xs, hs: ar.f32(p.hs, (T + 1) * BH).slice(), cs: c0 ? ar.f32(p.cs, (T + 1) * BH).slice() : null, aux: ar.f32(p.aux, TB * A).slice(),
      };
    } finally {
      ar.release(m);
    }
  },

  layerBackward({ ops, D, H, T, B }, w, g, cache, { dAbove, dhN, dcN, keptDh, keptDc }) {
    const ar = arena();
    const m = ar.mark();
    try {
      const G = ops.gates * H, A = ops.auxWidth(H), BH = B * H, TB = T * B, split = ops.splitRecurrent;
      const hasCell = cache.cs !== null;
      const p = {
        wih: ar.alloc(G * D), whh: ar.alloc(G * H), wihP: ar.alloc(packed(G, D)), whhP: ar.alloc(packed(G, H)),
        x: ar.alloc(TB * D), hs: ar.alloc((T + 1) * BH), cs: hasCell ? ar.alloc((T + 1) * BH) : 0, aux: ar.alloc(TB * A),
        above: ar.alloc(TB * H), dz: ar.alloc(TB * G), du: split ? ar.alloc(TB * G) : 0,
        dh: ar.alloc(BH), dhPrev: ar.alloc(BH), dc: ar.alloc(BH), dcPrev: ar.alloc(BH), dcTotal: keptDc ? ar.alloc(BH) : 0,
        xP: ar.alloc(packed(TB, D)), hP: ar.alloc(packed(TB, H)),
        dWih: ar.alloc(G * D), dWhh: ar.alloc(G * H), db: ar.alloc(G), dx: ar.alloc(TB * D),
      };
      const k = ar.kernel;
      ar.f32(p.wih, G * D).set(w.weightIh);
      ar.f32(p.whh, G * H).set(w.weightHh);
      ar.f32(p.x, TB * D).set(cache.xs);
      ar.f32(p.hs, (T + 1) * BH).set(cache.hs);
      if (hasCell) ar.f32(p.cs, (T + 1) * BH).set(cache.cs!);
      ar.f32(p.aux, TB * A).set(cache.aux);
      ar.f32(p.above, TB * H).set(dAbove);
      ar.f32(p.dh, BH).set(dhN);
      if (dcN) ar.f32(p.dc, BH).set(dcN);
      k.packNN(p.wih, G, D, D, p.wihP); // B = W_ih [G·H, D] as stored
      k.packNN(p.whh, G, H, H, p.whhP);
      const relu = ops.nonlinearity === 'relu' ? 1 : 0;
      const dU = split ? p.du : p.dz;
      let dh = p.dh, dhPrev = p.dhPrev, dc = p.dc, dcPrev = p.dcPrev;
      for (let t = T - 1; t >= 0; t--) {
        const above = p.above + 4 * t * BH, hPrev = p.hs + 4 * t * BH, aux = p.aux + 4 * t * B * A;
        const dz = p.dz + 4 * t * B * G, du = dU + 4 * t * B * G;
        // Each kernel first makes dh the whole dL/dh_t: from above at t plus from step t+1.
        if (ops.kind === 'lstm') k.lstmBackward(dh, above, dc, p.cs + 4 * t * BH, aux, dz, dcPrev, dhPrev, p.dcTotal, B, H);
        else if (ops.kind === 'gru') k.gruBackward(dh, above, hPrev, aux, dz, du, dhPrev, B, H);
        else k.rnnBackward(dh, above, hPrev + 4 * BH, dz, dhPrev, BH, relu);
        keptDh?.set(ar.f32(dh, BH), t * BH);
        keptDc?.set(ar.f32(p.dcTotal, BH), t * BH);
        ar.gemm(B, H, G, du, G, 0, p.whhP, dhPrev, H, 1); // dh_{t-1} += dU_t W_hh
        [dh, dhPrev, dc, dcPrev] = [dhPrev, dh, dcPrev, dc];
      }
      // The weight gradients of all steps at once: dW_ih = dZᵀ X, dW_hh = dUᵀ H_prev (dU = dZ unless split).
      k.packNN(p.x, TB, D, D, p.xP);
      ar.gemm(G, D, TB, p.dz, G, 1, p.xP, p.dWih, D, 0);
      k.packNN(p.hs, TB, H, H, p.hP);
      ar.gemm(G, H, TB, dU, G, 1, p.hP, p.dWhh, H, 0);
      addInto(g.weightIh, ar.f32(p.dWih, G * D));
      addInto(g.weightHh, ar.f32(p.dWhh, G * H));
      if (g.biasIh && g.biasHh) {
        const db = ar.f32(p.db, G);
        db.fill(0);
        k.sumRowsAcc(p.db, p.dz, TB, G, G);
        addInto(g.biasIh, db);
        if (split) {
          db.fill(0);
          k.sumRowsAcc(p.db, p.du, TB, G, G);
        }
        addInto(g.biasHh, db);
      }
      ar.gemm(TB, D, G, p.dz, G, 0, p.wihP, p.dx, D, 0);
      return { dxs: ar.f32(p.dx, TB * D).slice(), dh0: ar.f32(dh, BH).slice(), dc0: hasCell ? ar.f32(dc, BH).slice() : null };
    } finally {
      ar.release(m);
    }
  },

  linearForward(y, x, W, b, M, In, Out) {
    const ar = arena();
    const m = ar.mark();
    try {
      const pW = ar.alloc(Out * In), pWp = ar.alloc(packed(In, Out)), px = ar.alloc(M * In), py = ar.alloc(M * Out), pb = ar.alloc(Out);
      ar.f32(pW, Out * In).set(W);
      ar.f32(px, M * In).set(x);
      ar.f32(pb, Out).set(b);
      ar.kernel.packNT(pW, In, Out, In, pWp);
      ar.gemm(M, Out, In, px, In, 0, pWp, py, Out, 0);
      ar.kernel.addRows(py, pb, M, Out);
      y.set(ar.f32(py, M * Out));
    } finally {
      ar.release(m);
    }
  },

  linearBackward(dy, x, W, dW, db, dx, M, In, Out) {
    const ar = arena();
    const m = ar.mark();
    try {
      const p = {
        W: ar.alloc(Out * In), Wp: ar.alloc(packed(Out, In)), x: ar.alloc(M * In), xP: ar.alloc(packed(M, In)),
        dy: ar.alloc(M * Out), dW: ar.alloc(Out * In), db: ar.alloc(Out), dx: ar.alloc(M * In),
      };
      const k = ar.kernel;
      ar.f32(p.W, Out * In).set(W);
      ar.f32(p.x, M * In).set(x);
      ar.f32(p.dy, M * Out).set(dy);
      k.packNN(p.x, M, In, In, p.xP);
      ar.gemm(Out, In, M, p.dy, Out, 1, p.xP, p.dW, In, 0);
      addInto(dW, ar.f32(p.dW, Out * In));
      ar.f32(p.db, Out).fill(0);
      k.sumRowsAcc(p.db, p.dy, M, Out, Out);
      addInto(db, ar.f32(p.db, Out));
      k.packNN(p.W, Out, In, In, p.Wp);
      ar.gemm(M, In, Out, p.dy, Out, 0, p.Wp, p.dx, In, 0);
      dx.set(ar.f32(p.dx, M * In));
    } finally {
      ar.release(m);
    }
  },
};

function arena(): WasmArena {
  const ar = wasmArena();
  if (!ar) throw new Error('internal: the wasm backend was chosen but WebAssembly SIMD is not available');
  return ar;
}

function addInto(acc: FloatArray, a: Float32Array): void {
  for (let i = 0; i < a.length; i++) acc[i] += a[i];
}

// The cells' pointwise parts, fused and on four lanes at once: the same equations as src/cells/lstm.ts,
// gru.ts and rnn.ts (read those for the derivations), for the fast backend. Pointers are byte offsets;
// a row is one sequence of the batch; H need not be a multiple of 4 (the last lanes are done one by one
// through the same vector code, so every element gets the same arithmetic).
import { sigmoidv, tanhv } from './math';
import { rows4 } from './gemm';

// @ts-ignore: decorator
@inline
function ld(p: usize, j: i32): v128 {
  return v128.load(p + (<usize>j << 2));
}
// @ts-ignore: decorator
@inline
function ld1(p: usize, j: i32): v128 {
  return f32x4.splat(load<f32>(p + (<usize>j << 2)));
}
// @ts-ignore: decorator
@inline
function st(p: usize, j: i32, v: v128, lanes: i32): void {
  if (lanes == 4) v128.store(p + (<usize>j << 2), v);
  else store<f32>(p + (<usize>j << 2), f32x4.extract_lane(v, 0));
}

/** LSTM step forward: z [B, 4H] (i, f, g, o pre-activations) → c, h [B, H], aux [B, 5H] = [i, f, g, o, tanh c]. */
export function lstmForward(z: usize, cPrev: usize, c: usize, h: usize, aux: usize, B: i32, H: i32): void {
  for (let b = 0; b < B; b++) {
    const zb = z + ((<usize>b * 4 * H) << 2), ab = aux + ((<usize>b * 5 * H) << 2), hb = (<usize>b * H) << 2;
    for (let j = 0; j < H; ) {
      const n = H - j >= 4 ? 4 : 1;
      const i = sigmoidv(n == 4 ? ld(zb, j) : ld1(zb, j));
      const f = sigmoidv(n == 4 ? ld(zb, H + j) : ld1(zb, H + j));
      const g = tanhv(n == 4 ? ld(zb, 2 * H + j) : ld1(zb, 2 * H + j));
      const o = sigmoidv(n == 4 ? ld(zb, 3 * H + j) : ld1(zb, 3 * H + j));
      const cp = n == 4 ? ld(cPrev + hb, j) : ld1(cPrev + hb, j);
      const ct = f32x4.add(f32x4.mul(f, cp), f32x4.mul(i, g));
      const tc = tanhv(ct);
      st(c + hb, j, ct, n);
      st(h + hb, j, f32x4.mul(o, tc), n);
      st(ab, j, i, n);
      st(ab, H + j, f, n);
      st(ab, 2 * H + j, g, n);
      st(ab, 3 * H + j, o, n);
      st(ab, 4 * H + j, tc, n);
      j += n;
    }
  }
}

/**
 * LSTM step backward. dh [B, H] holds dL/dh_t from step t+1; above [B, H] is added (from the output or the
 * layer above) and the total is written back to dh. Writes dz [B, 4H], dcPrev, dhPrev = 0 (h_{t-1} is
 * reached only through W_hh), and dcTotal = all of dL/dc_t when dcTotal ≠ 0.
 */
export function lstmBackward(dh: usize, above: usize, dc: usize, cPrev: usize, aux: usize, dz: usize, dcPrev: usize, dhPrev: usize, dcTotal: usize, B: i32, H: i32): void {
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const zb = dz + ((<usize>b * 4 * H) << 2), ab = aux + ((<usize>b * 5 * H) << 2), hb = (<usize>b * H) << 2;
    for (let j = 0; j < H; ) {
      const n = H - j >= 4 ? 4 : 1;
      const i = n == 4 ? ld(ab, j) : ld1(ab, j);
      const f = n == 4 ? ld(ab, H + j) : ld1(ab, H + j);
      const g = n == 4 ? ld(ab, 2 * H + j) : ld1(ab, 2 * H + j);
      const o = n == 4 ? ld(ab, 3 * H + j) : ld1(ab, 3 * H + j);
      const tc = n == 4 ? ld(ab, 4 * H + j) : ld1(ab, 4 * H + j);
      const dht = f32x4.add(n == 4 ? ld(dh + hb, j) : ld1(dh + hb, j), n == 4 ? ld(above + hb, j) : ld1(above + hb, j));
      const dcn = n == 4 ? ld(dc + hb, j) : ld1(dc + hb, j);
      const cp = n == 4 ? ld(cPrev + hb, j) : ld1(cPrev + hb, j);
      const dcT = f32x4.add(dcn, f32x4.mul(f32x4.mul(dht, o), f32x4.sub(one, f32x4.mul(tc, tc))));
      st(dh + hb, j, dht, n);
      st(dcPrev + hb, j, f32x4.mul(dcT, f), n);
      if (dcTotal) st(dcTotal + hb, j, dcT, n);
      st(zb, j, f32x4.mul(f32x4.mul(dcT, g), f32x4.mul(i, f32x4.sub(one, i))), n);
      st(zb, H + j, f32x4.mul(f32x4.mul(dcT, cp), f32x4.mul(f, f32x4.sub(one, f))), n);
      st(zb, 2 * H + j, f32x4.mul(f32x4.mul(dcT, i), f32x4.sub(one, f32x4.mul(g, g))), n);
      st(zb, 3 * H + j, f32x4.mul(f32x4.mul(dht, tc), f32x4.mul(o, f32x4.sub(one, o))), n);
      st(dhPrev + hb, j, f32x4.splat(0), n);
      j += n;
    }
  }
}

/** GRU step forward: a, u [B, 3H] (input and recurrent parts, r, z, n) → h [B, H], aux [B, 4H] = [r, z, n, u_n]. */
export function gruForward(a: usize, u: usize, hPrev: usize, h: usize, aux: usize, B: i32, H: i32): void {
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const gb = (<usize>b * 3 * H) << 2, ab = aux + ((<usize>b * 4 * H) << 2), hb = (<usize>b * H) << 2;
    for (let j = 0; j < H; ) {
      const n = H - j >= 4 ? 4 : 1;
      const r = sigmoidv(f32x4.add(n == 4 ? ld(a + gb, j) : ld1(a + gb, j), n == 4 ? ld(u + gb, j) : ld1(u + gb, j)));
      const z = sigmoidv(f32x4.add(n == 4 ? ld(a + gb, H + j) : ld1(a + gb, H + j), n == 4 ? ld(u + gb, H + j) : ld1(u + gb, H + j)));
      const un = n == 4 ? ld(u + gb, 2 * H + j) : ld1(u + gb, 2 * H + j);
      const nn = tanhv(f32x4.add(n == 4 ? ld(a + gb, 2 * H + j) : ld1(a + gb, 2 * H + j), f32x4.mul(r, un)));
      const hp = n == 4 ? ld(hPrev + hb, j) : ld1(hPrev + hb, j);
      st(h + hb, j, f32x4.add(f32x4.mul(f32x4.sub(one, z), nn), f32x4.mul(z, hp)), n);
      st(ab, j, r, n);
      st(ab, H + j, z, n);
      st(ab, 2 * H + j, nn, n);
      st(ab, 3 * H + j, un, n);
      j += n;
    }
  }
}

/** GRU step backward: dh (+= above, written back) → da, du [B, 3H] and dhPrev = dh ⊙ z (the shortcut). */
export function gruBackward(dh: usize, above: usize, hPrev: usize, aux: usize, da: usize, du: usize, dhPrev: usize, B: i32, H: i32): void {
  const one = f32x4.splat(1);
  for (let b = 0; b < B; b++) {
    const gb = (<usize>b * 3 * H) << 2, ab = aux + ((<usize>b * 4 * H) << 2), hb = (<usize>b * H) << 2;
    for (let j = 0; j < H; ) {
      const n = H - j >= 4 ? 4 : 1;
      const r = n == 4 ? ld(ab, j) : ld1(ab, j);
      const z = n == 4 ? ld(ab, H + j) : ld1(ab, H + j);
      const nn = n == 4 ? ld(ab, 2 * H + j) : ld1(ab, 2 * H + j);
      const un = n == 4 ? ld(ab, 3 * H + j) : ld1(ab, 3 * H + j);
      const dht = f32x4.add(n == 4 ? ld(dh + hb, j) : ld1(dh + hb, j), n == 4 ? ld(above + hb, j) : ld1(above + hb, j));
      const hp = n == 4 ? ld(hPrev + hb, j) : ld1(hPrev + hb, j);
      const dan = f32x4.mul(f32x4.mul(dht, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(nn, nn)));
      const dar = f32x4.mul(f32x4.mul(dan, un), f32x4.mul(r, f32x4.sub(one, r)));
      const daz = f32x4.mul(f32x4.mul(dht, f32x4.sub(hp, nn)), f32x4.mul(z, f32x4.sub(one, z)));
      st(dh + hb, j, dht, n);
      st(da + gb, j, dar, n);
      st(da + gb, H + j, daz, n);
      st(da + gb, 2 * H + j, dan, n);
      st(du + gb, j, dar, n);
      st(du + gb, H + j, daz, n);
      st(du + gb, 2 * H + j, f32x4.mul(dan, r), n);
      st(dhPrev + hb, j, f32x4.mul(dht, z), n);
      j += n;
    }
  }
}

/** RNN step forward: h = tanh(a) or relu(a), a and h [B·H]. */
export function rnnForward(a: usize, h: usize, n: i32, relu: bool): void {
  for (let j = 0; j < n; ) {
    const w = n - j >= 4 ? 4 : 1;
    const x = w == 4 ? ld(a, j) : ld1(a, j);
    st(h, j, relu ? f32x4.max(x, f32x4.splat(0)) : tanhv(x), w);
    j += w;
  }
}

/** RNN step backward: dh (+= above, written back) → da = dh ⊙ (1 − h²) or dh ⊙ [h > 0]; dhPrev = 0. */
export function rnnBackward(dh: usize, above: usize, h: usize, da: usize, dhPrev: usize, n: i32, relu: bool): void {
  const one = f32x4.splat(1);
  for (let j = 0; j < n; ) {
    const w = n - j >= 4 ? 4 : 1;
    const dht = f32x4.add(w == 4 ? ld(dh, j) : ld1(dh, j), w == 4 ? ld(above, j) : ld1(above, j));
    const hv = w == 4 ? ld(h, j) : ld1(h, j);
    const d = relu ? v128.and(dht, f32x4.gt(hv, f32x4.splat(0))) : f32x4.mul(dht, f32x4.sub(one, f32x4.mul(hv, hv)));
    st(dh, j, dht, w);
    st(da, j, d, w);
    st(dhPrev, j, f32x4.splat(0), w);
    j += w;
  }
}

/** dst[n] += src[n]. */
function addInto(dst: usize, src: usize, n: i32): void {
  let j = 0;
  for (; j + 4 <= n; j += 4) v128.store(dst + (<usize>j << 2), f32x4.add(ld(dst, j), ld(src, j)));
  for (; j < n; j++) store<f32>(dst + (<usize>j << 2), load<f32>(dst + (<usize>j << 2)) + load<f32>(src + (<usize>j << 2)));
}

/** C[i, :] += b for the M rows of C [M, N] (row stride N): the biases of a whole sequence's pre-activations. */
export function addRows(C: usize, b: usize, M: i32, N: i32): void {
  for (let i = 0; i < M; i++) addInto(C + ((<usize>i * N) << 2), b, N);
}

/**
 * A streaming LSTM step of one sequence for its cells [0, n), the products and the gates fused (for a
 * batch of one, where the products are matrix-vector products). W4 is [W_ih | W_hh] with its rows
 * regrouped by cell, row 4j + q = gate q (i, f, g, o) of cell j, against xh = [x | h_{t−1}] (K values);
 * b4 the joined biases regrouped the same way. Writes c and h of the n cells, nothing for backward.
 * Cells are independent, so the pool shares them out, and each thread keeps its cells' rows of W4 in
 * its own cache from step to step; a cell gets the same arithmetic in a group of four or alone.
 */
export function lstmCells(n: i32, K: i32, W4: usize, b4: usize, xh: usize, cPrev: usize, c: usize, h: usize): void {
  const K4 = K & ~3;
  const rowB = <usize>K << 2, cellB = rowB << 2;
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    // One vector (z_i, z_f, z_g, z_o) per cell, then transposed to one vector per gate for four cells.
    const w = W4 + <usize>j * cellB, b = b4 + (<usize>j << 4);
    const r0 = f32x4.add(rows4(w, rowB, xh, K4, K), v128.load(b));
    const r1 = f32x4.add(rows4(w + cellB, rowB, xh, K4, K), v128.load(b, 16));
    const r2 = f32x4.add(rows4(w + 2 * cellB, rowB, xh, K4, K), v128.load(b, 32));
    const r3 = f32x4.add(rows4(w + 3 * cellB, rowB, xh, K4, K), v128.load(b, 48));
    const t0 = v128.shuffle<f32>(r0, r1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(r0, r1, 2, 6, 3, 7);
    const t2 = v128.shuffle<f32>(r2, r3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(r2, r3, 2, 6, 3, 7);
    const zi = v128.shuffle<f32>(t0, t2, 0, 1, 4, 5), zf = v128.shuffle<f32>(t0, t2, 2, 3, 6, 7);
    const zg = v128.shuffle<f32>(t1, t3, 0, 1, 4, 5), zo = v128.shuffle<f32>(t1, t3, 2, 3, 6, 7);
    const ct = f32x4.add(f32x4.mul(sigmoidv(zf), ld(cPrev, j)), f32x4.mul(sigmoidv(zi), tanhv(zg)));
    st(c, j, ct, 4);
    st(h, j, f32x4.mul(sigmoidv(zo), tanhv(ct)), 4);
  }
  for (; j < n; j++) {
    const r = f32x4.add(rows4(W4 + <usize>j * cellB, rowB, xh, K4, K), v128.load(b4 + (<usize>j << 4)));
    // Lane by lane, the same functions as the groups of four: i, f, o through σ, g through tanh.
    const sg = sigmoidv(r), tg = tanhv(r);
    const ct = f32x4.add(f32x4.mul(f32x4.splat(f32x4.extract_lane(sg, 1)), ld1(cPrev, j)), f32x4.mul(f32x4.splat(f32x4.extract_lane(sg, 0)), f32x4.splat(f32x4.extract_lane(tg, 2))));
    st(c, j, ct, 1);
    st(h, j, f32x4.mul(f32x4.splat(f32x4.extract_lane(sg, 3)), tanhv(ct)), 1);
  }
}

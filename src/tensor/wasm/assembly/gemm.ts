// AssemblyScript, compiled to WebAssembly SIMD by `npm run build:wasm` (scripts/build-wasm.ts).
//
// The one kernel the fast backend is made of: C[M, N] (+)= A · B in float32, with B first packed into
// panels of 8 columns so that the inner loop reads it contiguously:
//
//   Bp[p][k][0..7] = B[k, 8p .. 8p+7]     (zero beyond N)            panels: ceil(N / 8) × K × 8
//
// and A read either as stored, A[i, k] = A[i·lda + k], or transposed, A[i, k] = A[k·lda + i] (for the
// weight gradients dW = dZᵀ X, whose A = dZ is stored [T·B, G]). All pointers are byte offsets into the
// memory the host gives us; nothing here allocates.
//
// Blocking: K in slices of KC (a panel slice of KC × 8 floats = 8 KB stays in L1) and rows in blocks of
// MC (the A block stays in L2) around a 4 × 8 register tile: 8 f32x4 accumulators, two loads of B and
// four splats of A per k.

const NR: i32 = 8;
const MR: i32 = 4;
const KC: i32 = 256;
const MC: i32 = 64;

/** Packs B[k, j] = src[k·ldb + j] (B stored [K, N] row-major) into panels at dst. */
export function packNN(src: usize, K: i32, N: i32, ldb: i32, dst: usize): void {
  const P = (N + NR - 1) / NR;
  for (let p = 0; p < P; p++) {
    const j0 = p * NR;
    const w = min(NR, N - j0);
    for (let k = 0; k < K; k++) {
      const out = dst + (((<usize>p * K + k) * NR) << 2);
      const row = src + ((<usize>k * ldb + j0) << 2);
      if (w == NR) {
        v128.store(out, v128.load(row));
        v128.store(out, v128.load(row, 16), 16);
      } else {
        for (let j = 0; j < NR; j++) store<f32>(out + (j << 2), j < w ? load<f32>(row + (j << 2)) : 0);
      }
    }
  }
}

/** Packs B[k, j] = src[j·ldb + k] (B stored transposed, [N, K], as a weight W [out, in]) into panels at dst. */
export function packNT(src: usize, K: i32, N: i32, ldb: i32, dst: usize): void {
  const P = (N + NR - 1) / NR;
  for (let p = 0; p < P; p++) {
    const j0 = p * NR;
    const w = min(NR, N - j0);
    for (let j = 0; j < NR; j++) {
      const col = src + ((<usize>(j0 + j) * ldb) << 2);
      let out = dst + (((<usize>p * K) * NR + j) << 2);
      if (j < w) {
        for (let k = 0; k < K; k++) {
          store<f32>(out, load<f32>(col + (k << 2)));
          out += NR << 2;
        }
      } else {
        for (let k = 0; k < K; k++) {
          store<f32>(out, 0);
          out += NR << 2;
        }
      }
    }
  }
}

/** Floats the `work` buffer of gemm() must hold. */
export const WORK_FLOATS: i32 = MC * KC;

/**
 * C[M, N] (+)= A[M, K] · B[K, N], B packed by packNN/packNT. aTrans: A stored [K, M]. accumulate: add
 * into C instead of overwriting it. work: WORK_FLOATS floats of scratch, used when aTrans: a transposed
 * A is read down its columns, a new row (often a new page) for every k, so each MC × KC block of it is
 * first copied into 4-row micro-panels, work[(i/4)][k][i%4], that the tiles then read in one stream.
 */
export function gemm(M: i32, N: i32, K: i32, A: usize, lda: i32, aTrans: bool, Bp: usize, C: usize, ldc: i32, accumulate: bool, work: usize): void {
  if (K == 0) {
    if (!accumulate) for (let i = 0; i < M; i++) memory.fill(C + ((<usize>i * ldc) << 2), 0, <usize>N << 2);
    return;
  }
  const P = (N + NR - 1) / NR;
  const ldcB = <usize>ldc << 2;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = min(KC, K - k0);
    const acc = accumulate || k0 > 0;
    for (let i0 = 0; i0 < M; i0 += MC) {
      const mc = min(MC, M - i0);
      // Where row i (of this block) and its k-th value are: a(i) + k·aK, row to row aI (within a tile).
      let aBase: usize, aK: usize, aI: usize, panelStride: usize;
      if (aTrans) {
        packA(A + ((<usize>k0 * lda + i0) << 2), lda, mc, kc, work);
        aBase = work;
        aK = 16;
        aI = 4;
        panelStride = <usize>kc << 4;
      } else {
        aBase = A + ((<usize>i0 * lda + k0) << 2);
        aK = 4;
        aI = <usize>lda << 2;
        panelStride = aI << 2;
      }
      for (let p = 0; p < P; p++) {
        const w = min(NR, N - p * NR);
        const bp = Bp + (((<usize>p * K + k0) * NR) << 2);
        const cCol = C + ((<usize>i0 * ldc + p * NR) << 2);
        let i = 0;
        for (; i + MR <= mc; i += MR) {
          tile4(aBase + <usize>(i >> 2) * panelStride, aK, aI, bp, kc, cCol + <usize>i * ldcB, ldcB, w, acc);
        }
        // A row split across threads gives pieces of at least 4 rows (pool.ts), so M < 4 is never a
        // piece of a larger GEMM: its rows may take the faster order.
        for (; i < mc; i++) {
          const a1 = aBase + <usize>(i >> 2) * panelStride + <usize>(i & 3) * aI, c1 = cCol + <usize>i * ldcB;
          if (M < MR) tile1Chains(a1, aK, bp, kc, c1, w, acc);
          else tile1(a1, aK, bp, kc, c1, w, acc);
        }
      }
    }
  }
}

/** work[(i/4)][k][i%4] = A[k·lda + i] for i < mc, k < kc (the block of a transposed A). */
function packA(src: usize, lda: i32, mc: i32, kc: i32, work: usize): void {
  for (let k = 0; k < kc; k++) {
    const row = src + ((<usize>k * lda) << 2);
    let i = 0;
    for (; i + 4 <= mc; i += 4) v128.store(work + ((<usize>(i >> 2) * kc + k) << 4), v128.load(row + (<usize>i << 2)));
    for (; i < mc; i++) store<f32>(work + ((<usize>(i >> 2) * kc + k) << 4) + (<usize>(i & 3) << 2), load<f32>(row + (<usize>i << 2)));
  }
}

// @ts-ignore: decorator
@inline
function put(c: usize, j: i32, x: f32, acc: bool): void {
  store<f32>(c + (j << 2), acc ? load<f32>(c + (j << 2)) + x : x);
}

/** A partial last panel (w < 8 columns): lane by lane, so nothing past column N is touched. */
function storePartial(c: usize, v0: v128, v1: v128, w: i32, acc: bool): void {
  if (w > 0) put(c, 0, f32x4.extract_lane(v0, 0), acc);
  if (w > 1) put(c, 1, f32x4.extract_lane(v0, 1), acc);
  if (w > 2) put(c, 2, f32x4.extract_lane(v0, 2), acc);
  if (w > 3) put(c, 3, f32x4.extract_lane(v0, 3), acc);
  if (w > 4) put(c, 4, f32x4.extract_lane(v1, 0), acc);
  if (w > 5) put(c, 5, f32x4.extract_lane(v1, 1), acc);
  if (w > 6) put(c, 6, f32x4.extract_lane(v1, 2), acc);
}

function tile4(a: usize, aK: usize, aI: usize, bp: usize, kc: i32, c: usize, ldcB: usize, w: i32, acc: bool): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  const a1 = a + aI, a2 = a1 + aI, a3 = a2 + aI;
  let off: usize = 0;
  for (let k = 0; k < kc; k++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    let x = v128.load32_splat(a + off);
    c00 = f32x4.add(c00, f32x4.mul(x, b0));
    c01 = f32x4.add(c01, f32x4.mul(x, b1));
    x = v128.load32_splat(a1 + off);
    c10 = f32x4.add(c10, f32x4.mul(x, b0));
    c11 = f32x4.add(c11, f32x4.mul(x, b1));
    x = v128.load32_splat(a2 + off);
    c20 = f32x4.add(c20, f32x4.mul(x, b0));
    c21 = f32x4.add(c21, f32x4.mul(x, b1));
    x = v128.load32_splat(a3 + off);
    c30 = f32x4.add(c30, f32x4.mul(x, b0));
    c31 = f32x4.add(c31, f32x4.mul(x, b1));
    bp += NR << 2;
    off += aK;
  }
  storePartialOrFull(c, c00, c01, w, acc);
  storePartialOrFull(c + ldcB, c10, c11, w, acc);
  storePartialOrFull(c + 2 * ldcB, c20, c21, w, acc);
  storePartialOrFull(c + 3 * ldcB, c30, c31, w, acc);
}

/**
 * One row of C, summed over k in order, exactly as each row of tile4 is: the rows left over from the
 * 4-row tiles, which must get the same rounding as a tile's rows, since splitting a GEMM by rows
 * across threads moves rows between the two (test/wasm-threads.test.ts holds them bit for bit).
 */
function tile1(a: usize, aK: usize, bp: usize, kc: i32, c: usize, w: i32, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let off: usize = 0;
  for (let k = 0; k < kc; k++) {
    const x = v128.load32_splat(a + off);
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(bp)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(bp, 16)));
    bp += NR << 2;
    off += aK;
  }
  storePartialOrFull(c, c0, c1, w, acc);
}

/**
 * One row of C for a GEMM with fewer than 4 rows in all (a batch of one, a streaming step), where no
 * row is ever a tile's: four independent pairs of accumulators, k unrolled by 4. With tile1's single
 * pair every add waits for the one before it, and the add's latency, not the loads, sets the pace.
 */
function tile1Chains(a: usize, aK: usize, bp: usize, kc: i32, c: usize, w: i32, acc: bool): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), d0 = f32x4.splat(0), d1 = f32x4.splat(0);
  let e0 = f32x4.splat(0), e1 = f32x4.splat(0), g0 = f32x4.splat(0), g1 = f32x4.splat(0);
  let off: usize = 0;
  let k = 0;
  for (; k + 4 <= kc; k += 4) {
    let x = v128.load32_splat(a + off);
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(bp)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(bp, 16)));
    x = v128.load32_splat(a + off + aK);
    d0 = f32x4.add(d0, f32x4.mul(x, v128.load(bp, 32)));
    d1 = f32x4.add(d1, f32x4.mul(x, v128.load(bp, 48)));
    x = v128.load32_splat(a + off + 2 * aK);
    e0 = f32x4.add(e0, f32x4.mul(x, v128.load(bp, 64)));
    e1 = f32x4.add(e1, f32x4.mul(x, v128.load(bp, 80)));
    x = v128.load32_splat(a + off + 3 * aK);
    g0 = f32x4.add(g0, f32x4.mul(x, v128.load(bp, 96)));
    g1 = f32x4.add(g1, f32x4.mul(x, v128.load(bp, 112)));
    bp += NR << 4;
    off += aK << 2;
  }
  for (; k < kc; k++) {
    const x = v128.load32_splat(a + off);
    c0 = f32x4.add(c0, f32x4.mul(x, v128.load(bp)));
    c1 = f32x4.add(c1, f32x4.mul(x, v128.load(bp, 16)));
    bp += NR << 2;
    off += aK;
  }
  c0 = f32x4.add(f32x4.add(c0, d0), f32x4.add(e0, g0));
  c1 = f32x4.add(f32x4.add(c1, d1), f32x4.add(e1, g1));
  storePartialOrFull(c, c0, c1, w, acc);
}

// @ts-ignore: decorator
@inline
function storePartialOrFull(c: usize, v0: v128, v1: v128, w: i32, acc: bool): void {
  if (w == NR) {
    if (acc) {
      v0 = f32x4.add(v0, v128.load(c));
      v1 = f32x4.add(v1, v128.load(c, 16));
    }
    v128.store(c, v0);
    v128.store(c, v1, 16);
  } else {
    storePartial(c, v0, v1, w, acc);
  }
}

/** out[N] += Σ_i A[i, :] for A [M, N] with row stride lda: the bias gradients Σ_(t,b) dz. */
export function sumRowsAcc(out: usize, A: usize, M: i32, N: i32, lda: i32): void {
  for (let i = 0; i < M; i++) {
    const row = A + ((<usize>i * lda) << 2);
    let j = 0;
    for (; j + 4 <= N; j += 4) v128.store(out + (j << 2), f32x4.add(v128.load(out + (j << 2)), v128.load(row + (j << 2))));
    for (; j < N; j++) store<f32>(out + (j << 2), load<f32>(out + (j << 2)) + load<f32>(row + (j << 2)));
  }
}

/** The first byte the host may use. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * y[N] (+)= W[N, K] · x[K] with W row-major (row stride ldw), as stored: PyTorch's weight [out, in]
 * times one input vector. For a batch of one (a streaming step) this beats the packed GEMM: each x
 * vector loaded once serves four rows of W, 5 loads per 16 multiply-adds where a one-row tile of the
 * GEMM needs 6 (its broadcasts are loads too), and a step at B = 1 is bound by its loads. Each row's
 * four lane sums are added at the end, four rows at once (a 4 × 4 transpose).
 */
export function gemv(N: i32, K: i32, W: usize, ldw: i32, x: usize, y: usize, accumulate: bool): void {
  const ldwB = <usize>ldw << 2;
  const K4 = K & ~3;
  let j = 0;
  for (; j + 4 <= N; j += 4) {
    const r = rows4(W + <usize>j * ldwB, ldwB, x, K4, K);
    const out = y + (<usize>j << 2);
    v128.store(out, accumulate ? f32x4.add(r, v128.load(out)) : r);
  }
  for (; j < N; j++) {
    const w = W + <usize>j * ldwB;
    let s = f32x4.splat(0);
    for (let k = 0; k < K4; k += 4) s = f32x4.add(s, f32x4.mul(v128.load(x + (<usize>k << 2)), v128.load(w + (<usize>k << 2))));
    // Lanes added as the 4-row transpose adds them, (0 + 2) + (1 + 3): a row gets the same rounding
    // whether it falls in a group of four or in the tail (rows split across threads move between them).
    let v = (f32x4.extract_lane(s, 0) + f32x4.extract_lane(s, 2)) + (f32x4.extract_lane(s, 1) + f32x4.extract_lane(s, 3));
    v += dotTail(w, x, K4, K);
    const out = y + (<usize>j << 2);
    store<f32>(out, accumulate ? load<f32>(out) + v : v);
  }
}

/**
 * The four products W[r, :] · x of rows w0, w0 + ldwB, … (row stride ldwB bytes), as one vector: each
 * row's four lane sums added by a 4 × 4 transpose, then the last K mod 4 terms (K4 = K rounded down to 4).
 */
// @ts-ignore: decorator
@inline
export function rows4(w0: usize, ldwB: usize, x: usize, K4: i32, K: i32): v128 {
  const w1 = w0 + ldwB, w2 = w1 + ldwB, w3 = w2 + ldwB;
  let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
  for (let k = 0; k < K4; k += 4) {
    const o = <usize>k << 2;
    const xv = v128.load(x + o);
    s0 = f32x4.add(s0, f32x4.mul(xv, v128.load(w0 + o)));
    s1 = f32x4.add(s1, f32x4.mul(xv, v128.load(w1 + o)));
    s2 = f32x4.add(s2, f32x4.mul(xv, v128.load(w2 + o)));
    s3 = f32x4.add(s3, f32x4.mul(xv, v128.load(w3 + o)));
  }
  const t0 = v128.shuffle<f32>(s0, s1, 0, 4, 1, 5), t1 = v128.shuffle<f32>(s0, s1, 2, 6, 3, 7);
  const t2 = v128.shuffle<f32>(s2, s3, 0, 4, 1, 5), t3 = v128.shuffle<f32>(s2, s3, 2, 6, 3, 7);
  const u0 = f32x4.add(t0, t1), u1 = f32x4.add(t2, t3);
  let r = f32x4.add(v128.shuffle<f32>(u0, u1, 0, 1, 4, 5), v128.shuffle<f32>(u0, u1, 2, 3, 6, 7));
  if (K4 < K) r = f32x4.add(r, f32x4(dotTail(w0, x, K4, K), dotTail(w1, x, K4, K), dotTail(w2, x, K4, K), dotTail(w3, x, K4, K)));
  return r;
}

/** Σ_{k0 ≤ k < K} w[k] x[k], one by one: the last K mod 4 terms of a row. */
// @ts-ignore: decorator
@inline
function dotTail(w: usize, x: usize, k0: i32, K: i32): f32 {
  let s: f32 = 0;
  for (let k = k0; k < K; k++) s += load<f32>(w + (<usize>k << 2)) * load<f32>(x + (<usize>k << 2));
  return s;
}

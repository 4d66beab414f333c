/**
 * IEEE half precision (F16) and bfloat16 (BF16), the two 16-bit formats PyTorch saves weights in, to and
 * from 16-bit patterns. Encoding rounds to nearest, ties to even, from the value rounded to float32
 * first, as PyTorch's `.half()` and `.bfloat16()` do (c10::Half and c10::BFloat16 are built from a
 * float). Decoding is exact: every F16 and BF16 value is a float32.
 */
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** x → F16 bits. Too large for F16 (|x| > 65504 after rounding) gives ±Inf's bits, as PyTorch does. */
export function toF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // A subnormal half, m · 2^−24: the 24-bit significand shifted right by 14 − e, rounded.
    if (e < -10) return sign;
    const m = mant | 0x800000, shift = 14 - e;
    let half = m >>> shift;
    const rem = m & ((1 << shift) - 1), halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the significand moves into the exponent, which is the right rounding (up to Inf).
  if (rem > 0x1000 || (rem === 0x1000 && (half & 1) === 1)) half++;
  return sign | half;
}

export function fromF16Bits(h: number): number {
  const s = h & 0x8000 ? -1 : 1, e = (h >>> 10) & 0x1f, m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 0x1f) return m !== 0 ? Number.NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** x → BF16 bits: float32's top 16 bits, rounded to nearest, ties to even. */
export function toBF16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0];
  if ((b & 0x7f800000) === 0x7f800000 && (b & 0x7fffff) !== 0) return ((b >>> 16) | 0x40) & 0xffff; // NaN stays NaN
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

export function fromBF16Bits(h: number): number {
  u32[0] = (h & 0xffff) << 16;
  return f32[0];
}

// Float32 exp, sigmoid and tanh on four lanes at once, for the fused gate kernels (cells.ts).
//
// exp is Cephes' expf: x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in two so r is exact), e^r by a degree-6
// polynomial, then 2^n put straight into the exponent bits. About 1 ulp over the clamped range; the
// reference cells use Math.exp/Math.tanh in float64 and the tests hold the two to float32 rounding.

// @ts-ignore: decorator
@inline
export function expv(x: v128): v128 {
  // pmin/pmax (one minps/maxps on x86) rather than min/max, whose NaN and ±0 rules cost V8 about six
  // instructions each; the inputs are finite, where the two agree.
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-87.3)), f32x4.splat(88.7));
  // n = round(x / ln2) by the 1.5·2^23 trick: adding it leaves n in the low mantissa bits, so both the
  // float n and the integer n come out with plain adds (cheaper than floor + a saturating convert).
  const magic = f32x4.splat(12582912.0);
  const t = f32x4.add(f32x4.mul(x, f32x4.splat(1.44269504088896341)), magic);
  const n = f32x4.sub(t, magic);
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(0.693359375)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(-2.12194440e-4)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.sub(t, magic), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

/** σ(x) = 1 / (1 + e^−x). */
// @ts-ignore: decorator
@inline
export function sigmoidv(x: v128): v128 {
  const one = f32x4.splat(1);
  return f32x4.div(one, f32x4.add(one, expv(f32x4.neg(x))));
}

/** tanh(x) = sign(x) · (1 − e^−2|x|) / (1 + e^−2|x|): e^−2|x| ≤ 1, so nothing overflows. */
// @ts-ignore: decorator
@inline
export function tanhv(x: v128): v128 {
  const one = f32x4.splat(1);
  const e = expv(f32x4.mul(f32x4.abs(x), f32x4.splat(-2)));
  const t = f32x4.div(f32x4.sub(one, e), f32x4.add(one, e));
  // Copy x's sign bit onto t (t ≥ 0).
  const sign = v128.and(x, i32x4.splat(0x80000000));
  return v128.or(t, sign);
}

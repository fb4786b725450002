// Vector helpers generic over the element type T (f32 or f64), so every kernel is written once and compiled for
// both precisions. A v128 holds LANES = 16 / sizeof<T>() elements: 4 for f32, 2 for f64. Branches on
// sizeof<T>() are resolved at compile time.

/** Elements per v128. */
// @ts-ignore: decorator
@inline export function lanes<T>(): i32 {
  return <i32>(16 / sizeof<T>());
}

/** A vector with every lane equal to `x`. */
// @ts-ignore: decorator
@inline export function splat<T>(x: f64): v128 {
  return v128.splat<T>(<T>x);
}

/** Horizontal sum of the lanes, in f64. */
// @ts-ignore: decorator
@inline export function hsum<T>(v: v128): f64 {
  if (sizeof<T>() == 4) {
    return <f64>v128.extract_lane<f32>(v, 0) + <f64>v128.extract_lane<f32>(v, 1) +
      <f64>v128.extract_lane<f32>(v, 2) + <f64>v128.extract_lane<f32>(v, 3);
  }
  return v128.extract_lane<f64>(v, 0) + v128.extract_lane<f64>(v, 1);
}

/**
 * e^x for |x| small enough that 2^k stays normal (callers clamp; tanh uses |x| ≤ 39).
 * Range reduction x = k·ln2 + r with k = round(x / ln2), |r| ≤ ln2/2, ln2 split in a high part (exact when
 * multiplied by small k) and a low part. e^r by its Taylor series: degree 7 leaves a relative error below
 * 0.3466^8 / 8! ≈ 5e-9 (under f32 epsilon), degree 13 below 0.3466^14 / 14! ≈ 4e-18 (under f64 epsilon).
 * Rounding uses the magic-number trick: adding 1.5·2^(mantissa bits) rounds to an integer held in the low
 * mantissa bits, so k as a float and the exponent bits of 2^k = (k + bias) << mantissa bits come from plain adds
 * and a shift (the float → int conversion instructions are slow in wasm SIMD on x86).
 */
// @ts-ignore: decorator
@inline export function vexp<T>(x: v128): v128 {
  let r: v128;
  let p: v128;
  if (sizeof<T>() == 4) {
    const magic = splat<T>(12582912.0); // 1.5 · 2^23
    const t = v128.add<T>(v128.mul<T>(x, splat<T>(1.4426950408889634)), magic);
    const k = v128.sub<T>(t, magic);
    r = v128.sub<T>(x, v128.mul<T>(k, splat<T>(0.693359375)));
    r = v128.sub<T>(r, v128.mul<T>(k, splat<T>(-2.12194440e-4)));
    p = splat<T>(1.0 / 5040);
    p = v128.add<T>(splat<T>(1.0 / 720), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 120), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 24), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 6), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(0.5), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0), v128.mul<T>(p, r));
    return v128.mul<T>(p, i32x4.shl(i32x4.add(t, i32x4.splat(127)), 23));
  } else {
    const magic = splat<T>(6755399441055744.0); // 1.5 · 2^52
    const t = v128.add<T>(v128.mul<T>(x, splat<T>(1.4426950408889634)), magic);
    const k = v128.sub<T>(t, magic);
    r = v128.sub<T>(x, v128.mul<T>(k, splat<T>(6.93147180369123816490e-01)));
    r = v128.sub<T>(r, v128.mul<T>(k, splat<T>(1.90821492927058770002e-10)));
    p = splat<T>(1.0 / 6227020800.0);
    p = v128.add<T>(splat<T>(1.0 / 479001600.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 39916800.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 3628800.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 362880.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 40320.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 5040.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 720.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 120.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 24.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0 / 6.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(0.5), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0), v128.mul<T>(p, r));
    p = v128.add<T>(splat<T>(1.0), v128.mul<T>(p, r));
    return v128.mul<T>(p, i64x2.shl(i64x2.add(t, i64x2.splat(1023)), 52));
  }
}

/**
 * tanh(x) = 1 − 2 / (1 + e^{2x}). The argument is clamped to ±9 (f32) or ±19.5 (f64), beyond which tanh rounds
 * to ±1 in that precision, so e^{2x} never overflows. Absolute error is a few ulps of 1.
 */
// @ts-ignore: decorator
@inline export function vtanh<T>(x: v128): v128 {
  const limit = sizeof<T>() == 4 ? 9.0 : 19.5;
  const clamped = v128.min<T>(v128.max<T>(x, splat<T>(-limit)), splat<T>(limit));
  const e = vexp<T>(v128.add<T>(clamped, clamped));
  return v128.sub<T>(splat<T>(1.0), v128.div<T>(splat<T>(2.0), v128.add<T>(splat<T>(1.0), e)));
}

/** Scalar tanh with the same formula as vtanh, so vector bodies and scalar tails agree bit for bit. */
// @ts-ignore: decorator
@inline export function stanh<T>(x: T): T {
  return v128.extract_lane<T>(vtanh<T>(v128.splat<T>(x)), 0);
}

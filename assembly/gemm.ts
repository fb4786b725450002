// Dense matrix products, row-major, generic over T (f32 | f64). Strides are in elements.
//
// Register blocking: 4 rows of the output × 2 vectors of columns (8 × 4 f32 or 4 × 2 f64 outputs) stay in 8 v128
// accumulators while the reduction runs; per step 2 vector loads of B and 4 broadcast scalars of A feed 8
// multiplies and 8 adds. Measured ~48 GFLOP/s f32 for N×64×64 on one core (no FMA in baseline wasm SIMD).
// Tails (any size works): a last single vector of columns; rows past the last block of 4 with two accumulator
// chains; and the last columns that do not fill a vector by dot products (NN) or down-the-column vectors (TN),
// so narrow outputs (3, 6, 17 actions; the value head's 1) stay vectorized instead of running as dependent
// scalar chains.

import { lanes } from './simd';

// ---------------------------------------------------------------------------------------------------------------
// C[rows × m] = init + A[rows × k] · B[k × m], where init is C itself (accumulate), the row vector `bias` (m), or 0.
// ---------------------------------------------------------------------------------------------------------------

export function gemmNN<T>(
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  rows: i32, k: i32, m: i32, bias: usize, accumulate: bool, scratch: usize,
): void {
  const size = sizeof<T>();
  const L = lanes<T>();
  const sa = <usize>lda * size, sb = <usize>ldb * size, sc = <usize>ldc * size;
  const vectorColumns = m - m % L;
  let i = 0;
  for (; i + 4 <= rows; i += 4) {
    const pa = a + <usize>i * sa, pc = c + <usize>i * sc;
    let j = 0;
    for (; j + 2 * L <= vectorColumns; j += 2 * L) {
      const off = <usize>j * size;
      nn4x2<T>(pa, sa, b + off, sb, pc + off, sc, k, bias == 0 ? 0 : bias + off, accumulate);
    }
    if (j < vectorColumns) {
      const off = <usize>j * size;
      nn4x1<T>(pa, sa, b + off, sb, pc + off, sc, k, bias == 0 ? 0 : bias + off, accumulate);
    }
  }
  for (; i < rows; i++) {
    const pa = a + <usize>i * sa, pc = c + <usize>i * sc;
    let j = 0;
    for (; j + 2 * L <= vectorColumns; j += 2 * L) {
      const off = <usize>j * size;
      nn1x2<T>(pa, b + off, sb, pc + off, k, bias == 0 ? 0 : bias + off, accumulate);
    }
    if (j < vectorColumns) {
      const off = <usize>j * size;
      nn1x1<T>(pa, b + off, sb, pc + off, k, bias == 0 ? 0 : bias + off, accumulate);
    }
  }
  if (vectorColumns < m) nnColumnTail<T>(a, sa, b, sb, c, sc, rows, k, vectorColumns, m - vectorColumns, bias, accumulate, scratch);
}

/** Elements of `scratch` gemmNN needs for inner dimension k: the transposed column tail of B. */
export function gemmScratchElements<T>(k: i32): i32 {
  return (lanes<T>() - 1) * k;
}

// @ts-ignore: decorator
@inline function initVector(c: usize, bias: usize, accumulate: bool): v128 {
  if (accumulate) return v128.load(c);
  if (bias != 0) return v128.load(bias);
  return v128.splat<i32>(0);
}

// 4 rows × 2 vectors. pa = &A[i][0], pb = &B[0][j], pc = &C[i][j], pbias = &bias[j] or 0.
// @ts-ignore: decorator
@inline function nn4x2<T>(pa: usize, sa: usize, pb: usize, sb: usize, pc: usize, sc: usize, k: i32, pbias: usize, accumulate: bool): void {
  let c00 = initVector(pc, pbias, accumulate), c01 = initVector(pc + 16, pbias == 0 ? 0 : pbias + 16, accumulate);
  let c10 = initVector(pc + sc, pbias, accumulate), c11 = initVector(pc + sc + 16, pbias == 0 ? 0 : pbias + 16, accumulate);
  let c20 = initVector(pc + 2 * sc, pbias, accumulate), c21 = initVector(pc + 2 * sc + 16, pbias == 0 ? 0 : pbias + 16, accumulate);
  let c30 = initVector(pc + 3 * sc, pbias, accumulate), c31 = initVector(pc + 3 * sc + 16, pbias == 0 ? 0 : pbias + 16, accumulate);
  const a1 = pa + sa, a2 = pa + 2 * sa, a3 = pa + 3 * sa;
  for (let kk = 0; kk < k; kk++) {
    const off = <usize>kk * sizeof<T>();
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let s = v128.splat<T>(load<T>(pa + off));
    c00 = v128.add<T>(c00, v128.mul<T>(s, b0)); c01 = v128.add<T>(c01, v128.mul<T>(s, b1));
    s = v128.splat<T>(load<T>(a1 + off));
    c10 = v128.add<T>(c10, v128.mul<T>(s, b0)); c11 = v128.add<T>(c11, v128.mul<T>(s, b1));
    s = v128.splat<T>(load<T>(a2 + off));
    c20 = v128.add<T>(c20, v128.mul<T>(s, b0)); c21 = v128.add<T>(c21, v128.mul<T>(s, b1));
    s = v128.splat<T>(load<T>(a3 + off));
    c30 = v128.add<T>(c30, v128.mul<T>(s, b0)); c31 = v128.add<T>(c31, v128.mul<T>(s, b1));
    pb += sb;
  }
  v128.store(pc, c00); v128.store(pc, c01, 16);
  v128.store(pc + sc, c10); v128.store(pc + sc, c11, 16);
  v128.store(pc + 2 * sc, c20); v128.store(pc + 2 * sc, c21, 16);
  v128.store(pc + 3 * sc, c30); v128.store(pc + 3 * sc, c31, 16);
}

// 4 rows × 1 vector.
// @ts-ignore: decorator
@inline function nn4x1<T>(pa: usize, sa: usize, pb: usize, sb: usize, pc: usize, sc: usize, k: i32, pbias: usize, accumulate: bool): void {
  let c0 = initVector(pc, pbias, accumulate), c1 = initVector(pc + sc, pbias, accumulate);
  let c2 = initVector(pc + 2 * sc, pbias, accumulate), c3 = initVector(pc + 3 * sc, pbias, accumulate);
  const a1 = pa + sa, a2 = pa + 2 * sa, a3 = pa + 3 * sa;
  for (let kk = 0; kk < k; kk++) {
    const off = <usize>kk * sizeof<T>();
    const b0 = v128.load(pb);
    c0 = v128.add<T>(c0, v128.mul<T>(v128.splat<T>(load<T>(pa + off)), b0));
    c1 = v128.add<T>(c1, v128.mul<T>(v128.splat<T>(load<T>(a1 + off)), b0));
    c2 = v128.add<T>(c2, v128.mul<T>(v128.splat<T>(load<T>(a2 + off)), b0));
    c3 = v128.add<T>(c3, v128.mul<T>(v128.splat<T>(load<T>(a3 + off)), b0));
    pb += sb;
  }
  v128.store(pc, c0); v128.store(pc + sc, c1); v128.store(pc + 2 * sc, c2); v128.store(pc + 3 * sc, c3);
}

// 1 row × 2 vectors (row tail): two independent accumulator chains.
// @ts-ignore: decorator
@inline function nn1x2<T>(pa: usize, pb: usize, sb: usize, pc: usize, k: i32, pbias: usize, accumulate: bool): void {
  let c0 = initVector(pc, pbias, accumulate), c1 = initVector(pc + 16, pbias == 0 ? 0 : pbias + 16, accumulate);
  for (let kk = 0; kk < k; kk++) {
    const s = v128.splat<T>(load<T>(pa + <usize>kk * sizeof<T>()));
    c0 = v128.add<T>(c0, v128.mul<T>(s, v128.load(pb)));
    c1 = v128.add<T>(c1, v128.mul<T>(s, v128.load(pb, 16)));
    pb += sb;
  }
  v128.store(pc, c0); v128.store(pc, c1, 16);
}

// 1 row × 1 vector (row tail).
// @ts-ignore: decorator
@inline function nn1x1<T>(pa: usize, pb: usize, sb: usize, pc: usize, k: i32, pbias: usize, accumulate: bool): void {
  let c0 = initVector(pc, pbias, accumulate);
  for (let kk = 0; kk < k; kk++) {
    c0 = v128.add<T>(c0, v128.mul<T>(v128.splat<T>(load<T>(pa + <usize>kk * sizeof<T>())), v128.load(pb)));
    pb += sb;
  }
  v128.store(pc, c0);
}

/**
 * Column tail of C = A·B: the last `count` (< LANES) columns from j0, as dot products along k. B's tail columns
 * are copied transposed into `bt` (count × k) so both operands are contiguous in k; 4 rows run at once.
 */
function nnColumnTail<T>(
  a: usize, sa: usize, b: usize, sb: usize, c: usize, sc: usize, rows: i32, k: i32, j0: i32, count: i32,
  bias: usize, accumulate: bool, bt: usize,
): void {
  const size = sizeof<T>();
  const L = lanes<T>();
  const kv = k - k % L;
  for (let q = 0; q < count; q++) {
    for (let kk = 0; kk < k; kk++) {
      store<T>(bt + (<usize>q * <usize>k + <usize>kk) * size, load<T>(b + <usize>kk * sb + <usize>(j0 + q) * size));
    }
  }
  for (let q = 0; q < count; q++) {
    const pbt = bt + <usize>q * <usize>k * size;
    const jOff = <usize>(j0 + q) * size;
    const init: T = bias != 0 ? load<T>(bias + jOff) : <T>0;
    let i = 0;
    for (; i + 4 <= rows; i += 4) {
      const a0 = a + <usize>i * sa, a1 = a0 + sa, a2 = a1 + sa, a3 = a2 + sa;
      let s0 = v128.splat<i32>(0), s1 = s0, s2 = s0, s3 = s0;
      for (let kk = 0; kk < kv; kk += L) {
        const off = <usize>kk * size;
        const bv = v128.load(pbt + off);
        s0 = v128.add<T>(s0, v128.mul<T>(v128.load(a0 + off), bv));
        s1 = v128.add<T>(s1, v128.mul<T>(v128.load(a1 + off), bv));
        s2 = v128.add<T>(s2, v128.mul<T>(v128.load(a2 + off), bv));
        s3 = v128.add<T>(s3, v128.mul<T>(v128.load(a3 + off), bv));
      }
      let t0 = hsumT<T>(s0), t1 = hsumT<T>(s1), t2 = hsumT<T>(s2), t3 = hsumT<T>(s3);
      for (let kk = kv; kk < k; kk++) {
        const off = <usize>kk * size;
        const bs = load<T>(pbt + off);
        t0 += load<T>(a0 + off) * bs; t1 += load<T>(a1 + off) * bs;
        t2 += load<T>(a2 + off) * bs; t3 += load<T>(a3 + off) * bs;
      }
      const pc = c + <usize>i * sc + jOff;
      store<T>(pc, t0 + (accumulate ? load<T>(pc) : init));
      store<T>(pc + sc, t1 + (accumulate ? load<T>(pc + sc) : init));
      store<T>(pc + 2 * sc, t2 + (accumulate ? load<T>(pc + 2 * sc) : init));
      store<T>(pc + 3 * sc, t3 + (accumulate ? load<T>(pc + 3 * sc) : init));
    }
    for (; i < rows; i++) {
      const a0 = a + <usize>i * sa;
      let s0 = v128.splat<i32>(0);
      for (let kk = 0; kk < kv; kk += L) {
        const off = <usize>kk * size;
        s0 = v128.add<T>(s0, v128.mul<T>(v128.load(a0 + off), v128.load(pbt + off)));
      }
      let t0 = hsumT<T>(s0);
      for (let kk = kv; kk < k; kk++) t0 += load<T>(a0 + <usize>kk * size) * load<T>(pbt + <usize>kk * size);
      const pc = c + <usize>i * sc + jOff;
      store<T>(pc, t0 + (accumulate ? load<T>(pc) : init));
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// C[k × m] = (accumulate ? C : 0) + A[rows × k]ᵀ · B[rows × m]: a sum of outer products over the rows, used for
// weight gradients dW = Gᵀ H. Callers pass chunks of a few hundred rows so A and B stay in L2.
// ---------------------------------------------------------------------------------------------------------------

export function gemmTN<T>(
  a: usize, lda: i32, b: usize, ldb: i32, c: usize, ldc: i32,
  rows: i32, k: i32, m: i32, accumulate: bool,
): void {
  const size = sizeof<T>();
  const L = lanes<T>();
  const sa = <usize>lda * size, sb = <usize>ldb * size, sc = <usize>ldc * size;
  const vectorColumns = m - m % L;
  let i = 0;
  for (; i + 4 <= k; i += 4) {
    const pa = a + <usize>i * size, pc = c + <usize>i * sc;
    let j = 0;
    for (; j + 2 * L <= vectorColumns; j += 2 * L) {
      const off = <usize>j * size;
      tn4x2<T>(pa, sa, b + off, sb, pc + off, sc, rows, accumulate);
    }
    if (j < vectorColumns) {
      const off = <usize>j * size;
      tn4x1<T>(pa, sa, b + off, sb, pc + off, sc, rows, accumulate);
    }
  }
  for (; i < k; i++) {
    const pa = a + <usize>i * size, pc = c + <usize>i * sc;
    let j = 0;
    for (; j + 2 * L <= vectorColumns; j += 2 * L) {
      const off = <usize>j * size;
      tn1x2<T>(pa, sa, b + off, sb, pc + off, rows, accumulate);
    }
    if (j < vectorColumns) {
      const off = <usize>j * size;
      tn1x1<T>(pa, sa, b + off, sb, pc + off, rows, accumulate);
    }
  }
  for (let j = vectorColumns; j < m; j++) tnColumn<T>(a, sa, b + <usize>j * size, sb, c + <usize>j * size, sc, rows, k, accumulate);
}

// @ts-ignore: decorator
@inline function loadOrZero(p: usize, accumulate: bool): v128 {
  return accumulate ? v128.load(p) : v128.splat<i32>(0);
}

// C rows i..i+3 × 2 vectors. pa = &A[0][i], pb = &B[0][j], pc = &C[i][j].
// @ts-ignore: decorator
@inline function tn4x2<T>(pa: usize, sa: usize, pb: usize, sb: usize, pc: usize, sc: usize, rows: i32, accumulate: bool): void {
  const size = sizeof<T>();
  let c00 = loadOrZero(pc, accumulate), c01 = loadOrZero(pc + 16, accumulate);
  let c10 = loadOrZero(pc + sc, accumulate), c11 = loadOrZero(pc + sc + 16, accumulate);
  let c20 = loadOrZero(pc + 2 * sc, accumulate), c21 = loadOrZero(pc + 2 * sc + 16, accumulate);
  let c30 = loadOrZero(pc + 3 * sc, accumulate), c31 = loadOrZero(pc + 3 * sc + 16, accumulate);
  for (let r = 0; r < rows; r++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let s = v128.splat<T>(load<T>(pa));
    c00 = v128.add<T>(c00, v128.mul<T>(s, b0)); c01 = v128.add<T>(c01, v128.mul<T>(s, b1));
    s = v128.splat<T>(load<T>(pa + size));
    c10 = v128.add<T>(c10, v128.mul<T>(s, b0)); c11 = v128.add<T>(c11, v128.mul<T>(s, b1));
    s = v128.splat<T>(load<T>(pa + 2 * size));
    c20 = v128.add<T>(c20, v128.mul<T>(s, b0)); c21 = v128.add<T>(c21, v128.mul<T>(s, b1));
    s = v128.splat<T>(load<T>(pa + 3 * size));
    c30 = v128.add<T>(c30, v128.mul<T>(s, b0)); c31 = v128.add<T>(c31, v128.mul<T>(s, b1));
    pa += sa; pb += sb;
  }
  v128.store(pc, c00); v128.store(pc, c01, 16);
  v128.store(pc + sc, c10); v128.store(pc + sc, c11, 16);
  v128.store(pc + 2 * sc, c20); v128.store(pc + 2 * sc, c21, 16);
  v128.store(pc + 3 * sc, c30); v128.store(pc + 3 * sc, c31, 16);
}

// C rows i..i+3 × 1 vector.
// @ts-ignore: decorator
@inline function tn4x1<T>(pa: usize, sa: usize, pb: usize, sb: usize, pc: usize, sc: usize, rows: i32, accumulate: bool): void {
  const size = sizeof<T>();
  let c0 = loadOrZero(pc, accumulate), c1 = loadOrZero(pc + sc, accumulate);
  let c2 = loadOrZero(pc + 2 * sc, accumulate), c3 = loadOrZero(pc + 3 * sc, accumulate);
  for (let r = 0; r < rows; r++) {
    const b0 = v128.load(pb);
    c0 = v128.add<T>(c0, v128.mul<T>(v128.splat<T>(load<T>(pa)), b0));
    c1 = v128.add<T>(c1, v128.mul<T>(v128.splat<T>(load<T>(pa + size)), b0));
    c2 = v128.add<T>(c2, v128.mul<T>(v128.splat<T>(load<T>(pa + 2 * size)), b0));
    c3 = v128.add<T>(c3, v128.mul<T>(v128.splat<T>(load<T>(pa + 3 * size)), b0));
    pa += sa; pb += sb;
  }
  v128.store(pc, c0); v128.store(pc + sc, c1); v128.store(pc + 2 * sc, c2); v128.store(pc + 3 * sc, c3);
}

// C row i × 2 vectors (row tail): two independent accumulator chains.
// @ts-ignore: decorator
@inline function tn1x2<T>(pa: usize, sa: usize, pb: usize, sb: usize, pc: usize, rows: i32, accumulate: bool): void {
  let c0 = loadOrZero(pc, accumulate), c1 = loadOrZero(pc + 16, accumulate);
  for (let r = 0; r < rows; r++) {
    const s = v128.splat<T>(load<T>(pa));
    c0 = v128.add<T>(c0, v128.mul<T>(s, v128.load(pb)));
    c1 = v128.add<T>(c1, v128.mul<T>(s, v128.load(pb, 16)));
    pa += sa; pb += sb;
  }
  v128.store(pc, c0); v128.store(pc, c1, 16);
}

// C row i × 1 vector (row tail).
// @ts-ignore: decorator
@inline function tn1x1<T>(pa: usize, sa: usize, pb: usize, sb: usize, pc: usize, rows: i32, accumulate: bool): void {
  let c0 = loadOrZero(pc, accumulate);
  for (let r = 0; r < rows; r++) {
    c0 = v128.add<T>(c0, v128.mul<T>(v128.splat<T>(load<T>(pa)), v128.load(pb)));
    pa += sa; pb += sb;
  }
  v128.store(pc, c0);
}

/**
 * One column j of C in the column tail: C[i][j] = Σ_r A[r][i] B[r][j], vectorized down C's rows (A's rows are
 * contiguous in i) with B[r][j] broadcast; two vectors of rows at a time, then one, then single rows.
 * pb = &B[0][j], pc = &C[0][j].
 */
function tnColumn<T>(a: usize, sa: usize, pb: usize, sb: usize, pc: usize, sc: usize, rows: i32, k: i32, accumulate: bool): void {
  const size = sizeof<T>();
  const L = lanes<T>();
  let i = 0;
  for (; i + 2 * L <= k; i += 2 * L) {
    let c0 = v128.splat<i32>(0), c1 = c0;
    let pa = a + <usize>i * size, p = pb;
    for (let r = 0; r < rows; r++) {
      const s = v128.splat<T>(load<T>(p));
      c0 = v128.add<T>(c0, v128.mul<T>(v128.load(pa), s));
      c1 = v128.add<T>(c1, v128.mul<T>(v128.load(pa, 16), s));
      pa += sa; p += sb;
    }
    storeDown<T>(pc + <usize>i * sc, sc, c0, accumulate);
    storeDown<T>(pc + <usize>(i + L) * sc, sc, c1, accumulate);
  }
  for (; i + L <= k; i += L) {
    let c0 = v128.splat<i32>(0);
    let pa = a + <usize>i * size, p = pb;
    for (let r = 0; r < rows; r++) {
      c0 = v128.add<T>(c0, v128.mul<T>(v128.load(pa), v128.splat<T>(load<T>(p))));
      pa += sa; p += sb;
    }
    storeDown<T>(pc + <usize>i * sc, sc, c0, accumulate);
  }
  for (; i < k; i++) {
    let sum: T = accumulate ? load<T>(pc + <usize>i * sc) : <T>0;
    let pa = a + <usize>i * size, p = pb;
    for (let r = 0; r < rows; r++) {
      sum += load<T>(pa) * load<T>(p);
      pa += sa; p += sb;
    }
    store<T>(pc + <usize>i * sc, sum);
  }
}

/** Store (or add) the lanes of v down a column: p, p + stride, …. */
// @ts-ignore: decorator
@inline function storeDown<T>(p: usize, stride: usize, v: v128, accumulate: bool): void {
  store<T>(p, v128.extract_lane<T>(v, 0) + (accumulate ? load<T>(p) : <T>0));
  store<T>(p + stride, v128.extract_lane<T>(v, 1) + (accumulate ? load<T>(p + stride) : <T>0));
  if (sizeof<T>() == 4) {
    store<T>(p + 2 * stride, v128.extract_lane<T>(v, 2) + (accumulate ? load<T>(p + 2 * stride) : <T>0));
    store<T>(p + 3 * stride, v128.extract_lane<T>(v, 3) + (accumulate ? load<T>(p + 3 * stride) : <T>0));
  }
}

/** Sum of the lanes in T. */
// @ts-ignore: decorator
@inline function hsumT<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    return (v128.extract_lane<T>(v, 0) + v128.extract_lane<T>(v, 1)) + (v128.extract_lane<T>(v, 2) + v128.extract_lane<T>(v, 3));
  }
  return v128.extract_lane<T>(v, 0) + v128.extract_lane<T>(v, 1);
}

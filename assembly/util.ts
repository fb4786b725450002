// Small helpers over f64 vectors and raw rows.

/** Σ a_i b_i over f64 vectors, two lanes at a time. */
export function dot(a: usize, b: usize, count: i32): f64 {
  let acc = f64x2.splat(0);
  let i = 0;
  for (; i + 2 <= count; i += 2) {
    const off = <usize>i << 3;
    acc = f64x2.add(acc, f64x2.mul(v128.load(a + off), v128.load(b + off)));
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < count; i++) sum += load<f64>(a + (<usize>i << 3)) * load<f64>(b + (<usize>i << 3));
  return sum;
}

/** y += alpha · x over f64 vectors. */
export function axpy(y: usize, alpha: f64, x: usize, count: i32): void {
  const va = f64x2.splat(alpha);
  let i = 0;
  for (; i + 2 <= count; i += 2) {
    const off = <usize>i << 3;
    v128.store(y + off, f64x2.add(v128.load(y + off), f64x2.mul(va, v128.load(x + off))));
  }
  for (; i < count; i++) {
    const off = <usize>i << 3;
    store<f64>(y + off, load<f64>(y + off) + alpha * load<f64>(x + off));
  }
}

/** y = x + beta · y over f64 vectors (the CG direction update). */
export function xpby(y: usize, x: usize, beta: f64, count: i32): void {
  const vb = f64x2.splat(beta);
  let i = 0;
  for (; i + 2 <= count; i += 2) {
    const off = <usize>i << 3;
    v128.store(y + off, f64x2.add(v128.load(x + off), f64x2.mul(vb, v128.load(y + off))));
  }
  for (; i < count; i++) {
    const off = <usize>i << 3;
    store<f64>(y + off, load<f64>(x + off) + beta * load<f64>(y + off));
  }
}

/** dst row i = src row indices[i], rows of rowBytes bytes (subsampling and minibatches). */
export function gatherRows(src: usize, rowBytes: usize, indices: usize, count: i32, dst: usize): void {
  for (let i = 0; i < count; i++) {
    const row = <usize>load<i32>(indices + (<usize>i << 2));
    memory.copy(dst + <usize>i * rowBytes, src + row * rowBytes, rowBytes);
  }
}

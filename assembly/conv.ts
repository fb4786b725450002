// Convolutional layers in front of an MLP: description, sizes and the patch (im2col) helpers. The passes through
// the whole stack (forward, JVP, VJP per chunk of rows) are in conv-stack.ts.
//
// Layout NHWC: an image is inH × inW × inC with the channels of a pixel contiguous. An output pixel's patch is
// then k runs of k·inC contiguous inputs, so im2col is k memory copies per pixel, and the product patches · Wᵀ
// writes the NHWC output of the next layer directly with the output channels in SIMD lanes. NCHW would need a
// gather per tap and a transpose of every output (not built; see the README's kernel notes).
//
// Layer c: Z_c = conv(H_{c−1}, W_c) + b_c with W_c of shape [outC][k][k][inC] (canonical: one row of k·k·inC
// weights per filter, the same [out][in] matrix an MLP layer has, so packing transposes it the same way), stride
// s, zero padding p, outH = ⌊(inH + 2p − k) / s⌋ + 1; H_c = φ(Z_c) with the network's activation. The last
// layer's H is flattened (NHWC order) into the MLP's input.

/** The conv stack, written by the JS side (field offsets 0, 4). */
@unmanaged
export class Conv {
  layers: i32;
  spec: usize; // i32[layers × SPEC]: inH, inW, inC, outH, outW, outC, kernel, stride, pad
}

const SPEC = 9;
const IN_H = 0, IN_W = 1, IN_C = 2, OUT_H = 3, OUT_W = 4, OUT_C = 5, KERNEL = 6, STRIDE = 7, PAD = 8;

/** Output pixels processed per im2col block: patches of 256 pixels × ≤ 144 taps stay in L2. */
export const PATCH_ROWS = 256;

// @ts-ignore: decorator
@inline function field(conv: Conv, c: i32, f: i32): i32 {
  return load<i32>(conv.spec + (<usize>(c * SPEC + f) << 2));
}

// @ts-ignore: decorator
@inline export function outChannels(conv: Conv, c: i32): i32 {
  return field(conv, c, OUT_C);
}

/** Output pixels per image of layer c. */
// @ts-ignore: decorator
@inline export function outPixels(conv: Conv, c: i32): i32 {
  return field(conv, c, OUT_H) * field(conv, c, OUT_W);
}

/** Taps per output pixel (k·k·inC): the inner dimension of the layer's product. */
// @ts-ignore: decorator
@inline export function patchSize(conv: Conv, c: i32): i32 {
  return field(conv, c, KERNEL) * field(conv, c, KERNEL) * field(conv, c, IN_C);
}

/** Elements of one input image of layer c. */
// @ts-ignore: decorator
@inline export function inSize(conv: Conv, c: i32): i32 {
  return field(conv, c, IN_H) * field(conv, c, IN_W) * field(conv, c, IN_C);
}

/** Elements of one output image of layer c. */
// @ts-ignore: decorator
@inline export function outSize(conv: Conv, c: i32): i32 {
  return outPixels(conv, c) * outChannels(conv, c);
}

/** Weights and biases of all conv layers. */
export function convParamCount(conv: Conv): i32 {
  let count = 0;
  for (let c = 0; c < conv.layers; c++) count += outChannels(conv, c) * (patchSize(conv, c) + 1);
  return count;
}

/** Element offset of W_c in θ (the conv layers come first); b_c follows at + outC·patch. */
export function convWeightOffset(conv: Conv, c: i32): i32 {
  let offset = 0;
  for (let m = 0; m < c; m++) offset += outChannels(conv, m) * (patchSize(conv, m) + 1);
  return offset;
}

/** Σ_c outSize(c): cached activations per row. */
export function convHiddenPerRow(conv: Conv): i32 {
  let count = 0;
  for (let c = 0; c < conv.layers; c++) count += outSize(conv, c);
  return count;
}

/** Largest output image (ping-pong buffers hold a chunk of these). */
export function maxOutSize(conv: Conv): i32 {
  let size = 0;
  for (let c = 0; c < conv.layers; c++) size = max(size, outSize(conv, c));
  return size;
}

export function maxPatchSize(conv: Conv): i32 {
  let size = 0;
  for (let c = 0; c < conv.layers; c++) size = max(size, patchSize(conv, c));
  return size;
}

export function maxWeightBlockConv(conv: Conv): i32 {
  let size = 0;
  for (let c = 0; c < conv.layers; c++) size = max(size, patchSize(conv, c) * outChannels(conv, c));
  return size;
}

export function maxChannels(conv: Conv): i32 {
  let size = 0;
  for (let c = 0; c < conv.layers; c++) size = max(size, outChannels(conv, c));
  return size;
}

/**
 * dst (count × patch) = the patches of output pixels q0 … q0 + count − 1 of layer c, pixels numbered across the
 * images of `input` (q = image · outH·outW + oy · outW + ox). Taps outside the image are 0 (zero padding).
 */
export function im2col<T>(conv: Conv, c: i32, input: usize, q0: i32, count: i32, dst: usize): void {
  const inH = field(conv, c, IN_H), inW = field(conv, c, IN_W), inC = field(conv, c, IN_C);
  const outW = field(conv, c, OUT_W), k = field(conv, c, KERNEL), s = field(conv, c, STRIDE), pad = field(conv, c, PAD);
  const pixels = outPixels(conv, c);
  const tapBytes = <usize>inC * sizeof<T>();
  const rowBytes = <usize>k * tapBytes;
  let p = dst;
  for (let q = q0; q < q0 + count; q++) {
    const image = q / pixels, pixel = q % pixels;
    const y0 = (pixel / outW) * s - pad, x0 = (pixel % outW) * s - pad;
    const kx0 = max(0, -x0), kx1 = min(k, inW - x0); // taps kx0 ≤ kx < kx1 fall inside the image
    const base = input + <usize>image * <usize>(inH * inW) * tapBytes;
    for (let ky = 0; ky < k; ky++) {
      const y = y0 + ky;
      if (y < 0 || y >= inH || kx1 <= kx0) {
        memory.fill(p, 0, rowBytes);
      } else {
        if (kx0 > 0) memory.fill(p, 0, <usize>kx0 * tapBytes);
        memory.copy(p + <usize>kx0 * tapBytes, base + <usize>(y * inW + x0 + kx0) * tapBytes, <usize>(kx1 - kx0) * tapBytes);
        if (kx1 < k) memory.fill(p + <usize>kx1 * tapBytes, 0, <usize>(k - kx1) * tapBytes);
      }
      p += rowBytes;
    }
  }
}

/** The adjoint of im2col: adds patch gradients (count × patch) back onto the input gradient `dInput`. */
export function col2im<T>(conv: Conv, c: i32, src: usize, q0: i32, count: i32, dInput: usize): void {
  const inH = field(conv, c, IN_H), inW = field(conv, c, IN_W), inC = field(conv, c, IN_C);
  const outW = field(conv, c, OUT_W), k = field(conv, c, KERNEL), s = field(conv, c, STRIDE), pad = field(conv, c, PAD);
  const pixels = outPixels(conv, c);
  const tapBytes = <usize>inC * sizeof<T>();
  const rowBytes = <usize>k * tapBytes;
  let p = src;
  for (let q = q0; q < q0 + count; q++) {
    const image = q / pixels, pixel = q % pixels;
    const y0 = (pixel / outW) * s - pad, x0 = (pixel % outW) * s - pad;
    const kx0 = max(0, -x0), kx1 = min(k, inW - x0);
    const base = dInput + <usize>image * <usize>(inH * inW) * tapBytes;
    for (let ky = 0; ky < k; ky++) {
      const y = y0 + ky;
      if (y >= 0 && y < inH && kx1 > kx0) {
        addInto<T>(base + <usize>(y * inW + x0 + kx0) * tapBytes, p + <usize>kx0 * tapBytes, (kx1 - kx0) * inC);
      }
      p += rowBytes;
    }
  }
}

/** dst[0:count] += src[0:count]. */
function addInto<T>(dst: usize, src: usize, count: i32): void {
  const L = <i32>(16 / sizeof<T>());
  let i = 0;
  for (; i + L <= count; i += L) {
    const off = <usize>i * sizeof<T>();
    v128.store(dst + off, v128.add<T>(v128.load(dst + off), v128.load(src + off)));
  }
  for (; i < count; i++) {
    const off = <usize>i * sizeof<T>();
    store<T>(dst + off, load<T>(dst + off) + load<T>(src + off));
  }
}

// Multilayer perceptron: layout, workspace and forward pass, batched over rows, generic over the element type T.
// Derivatives (JVP, VJP) are in mlp-derivatives.ts, the optional Jacobian cache in mlp-jacobian.ts.
//
// Network with L linear layers and sizes d₀ → d₁ → … → d_L. For a batch X (n × d₀, row-major):
//   Z_l = H_{l−1} · W_lᵀ + b_l            W_l: d_{l+1} × d_l, b_l: d_{l+1}, H_{−1} = X
//   H_l = φ(Z_l)  for l < L−1             φ = tanh or relu; the last layer is linear: Y = Z_{L−1}
//
// Parameter layout θ ("canonical", the order of torch.nn.Linear parameters): for each layer W_l row-major
// [out][in], then b_l. Forward and JVP want Wᵀ ([in][out]: output columns contiguous for SIMD), so a "packed"
// copy with every weight block transposed (biases copied, same offsets) is kept next to θ (mlpPack).
//
// Hidden-activation cache ("hidden"): for l = 0..L−2 a block n × d_{l+1}, blocks back to back. φ' is recomputed
// from H (tanh' = 1 − H², relu' = [H > 0]) so no extra cache is needed.
//
// All batched work runs over chunks of CHUNK rows so a chunk's activations, tangents and cotangents stay in L2;
// weight gradients are summed per chunk in T by the matrix kernels and then added into an f64 accumulator, so
// long batches do not lose precision in f32.
//
// Optional conv layers in front (conv.ts, conv-stack.ts; net.conv ≠ 0): the network's input is then an image
// batch (n × inputCount), d₀ is the flattened output of the last conv layer, θ and the hidden cache start with the
// conv layers' blocks, and every batched kernel runs the conv layers first (backward: last).
import { gemmNN, gemmScratchElements } from './gemm';
import {
  Conv, PATCH_ROWS, convHiddenPerRow, convParamCount, inSize, maxChannels, maxOutSize, maxPatchSize,
  maxWeightBlockConv, outSize, patchSize, outChannels,
} from './conv';
import { convForwardChunk } from './conv-stack';
import { lanes, splat, vtanh, stanh } from './simd';

/** Mlp.activation codes: tanh; anything else is relu (1). */
const ACTIVATION_TANH = 0;

/** Rows per chunk; 128 measured best among 64/128/256 for 64-wide and 256-wide layers. */
export const CHUNK = 128;

/** Network description in wasm memory, written by the JS side (field offsets 0, 4, 8, 12, 16, 20). */
@unmanaged
export class Mlp {
  layers: i32;     // L ≥ 1
  activation: i32; // ACTIVATION_TANH (0) or relu (1)
  dims: usize;     // i32[L + 1]
  params: usize;   // T[paramCount]: canonical θ
  packed: usize;   // T[paramCount]: θ with each weight block transposed
  conv: usize;     // Conv (conv.ts) of the layers in front, or 0 for a plain MLP
}

/** Elements of one input row: the image for a CNN, d₀ otherwise. */
export function inputCount(net: Mlp): i32 {
  return net.conv == 0 ? dim(net, 0) : inSize(changetype<Conv>(net.conv), 0);
}

/** Parameters of the conv layers (0 without). */
// @ts-ignore: decorator
@inline function convParams(net: Mlp): i32 {
  return net.conv == 0 ? 0 : convParamCount(changetype<Conv>(net.conv));
}

/** Cached conv activations per row (0 without). */
// @ts-ignore: decorator
@inline function convHidden(net: Mlp): i32 {
  return net.conv == 0 ? 0 : convHiddenPerRow(changetype<Conv>(net.conv));
}

// @ts-ignore: decorator
@inline export function dim(net: Mlp, l: i32): i32 {
  return load<i32>(net.dims + (<usize>l << 2));
}

/** Number of parameters (weights and biases). */
export function paramCount(net: Mlp): i32 {
  let count = convParams(net);
  for (let l = 0; l < net.layers; l++) count += dim(net, l + 1) * (dim(net, l) + 1);
  return count;
}

/** Element offset of W_l in θ; b_l follows at + d_{l+1}·d_l. */
export function weightOffset(net: Mlp, l: i32): i32 {
  let offset = convParams(net);
  for (let m = 0; m < l; m++) offset += dim(net, m + 1) * (dim(net, m) + 1);
  return offset;
}

/** Widest layer output (hidden or final). */
function maxWidth(net: Mlp): i32 {
  let width = 0;
  for (let l = 1; l <= net.layers; l++) width = max(width, dim(net, l));
  return width;
}

/** Largest weight block d_{l+1}·d_l. */
function maxWeightBlock(net: Mlp): i32 {
  let size = net.conv == 0 ? 0 : maxWeightBlockConv(changetype<Conv>(net.conv));
  for (let l = 0; l < net.layers; l++) size = max(size, dim(net, l) * dim(net, l + 1));
  return size;
}

/** Pointer to row r0 of hidden layer l in a cache laid out for n rows. */
export function hiddenRow<T>(net: Mlp, hidden: usize, l: i32, n: i32, r0: i32): usize {
  let offset: usize = <usize>n * <usize>convHidden(net);
  for (let m = 0; m < l; m++) offset += <usize>n * <usize>dim(net, m + 1);
  return hidden + (offset + <usize>r0 * <usize>dim(net, l + 1)) * sizeof<T>();
}

/** Number of elements of the hidden cache for n rows. */
export function hiddenCount(net: Mlp, n: i32): i32 {
  let count = n * convHidden(net);
  for (let l = 1; l < net.layers; l++) count += n * dim(net, l);
  return count;
}

/** Pointer to row r0 of conv layer c's activations in a hidden cache laid out for n rows (they come first). */
export function convHiddenRow<T>(net: Mlp, hidden: usize, c: i32, n: i32, r0: i32): usize {
  const conv = changetype<Conv>(net.conv);
  let offset: usize = 0;
  for (let m = 0; m < c; m++) offset += <usize>n * <usize>outSize(conv, m);
  return hidden + (offset + <usize>r0 * <usize>outSize(conv, c)) * sizeof<T>();
}
// ---------------------------------------------------------------------------------------------------------------
// Workspace: scratch a caller allocates once (mlpWorkspaceBytes) and passes to every batched kernel.
//   tangent  T[paramCount]            packed parameter tangent for the JVP
//   wgrad    T[max d_{l+1}·d_l]       one chunk's weight gradient before it is added in f64
//   bufA/B   T[CHUNK · maxWidth]      ping-pong activations / tangents / cotangents of one chunk
//   outBuf   T[CHUNK · d_L]           one chunk's output, output tangent or output cotangent
//   scale    T[d_L]                   per-output factors (e.g. 1/σ² for the Gaussian metric)
//   rowsA/B  f64[CHUNK]               per-row values of one chunk (log-probs, KL terms)
//   gemm     T[(LANES − 1) · max d_l]  gemmNN's scratch for narrow column tails
//   convA/B  T[CHUNK · max conv out]   conv layers' ping-pong outputs / tangents / cotangents (CNN only)
//   patches  T[PATCH_ROWS · max patch] one block of im2col patches or patch gradients (CNN only)
// ---------------------------------------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline function align16(bytes: usize): usize {
  return (bytes + 15) & ~<usize>15;
}

export function wsTangent<T>(net: Mlp, ws: usize): usize {
  return ws;
}

export function wsWeightGrad<T>(net: Mlp, ws: usize): usize {
  return wsTangent<T>(net, ws) + align16(<usize>paramCount(net) * sizeof<T>());
}

export function wsBufA<T>(net: Mlp, ws: usize): usize {
  return wsWeightGrad<T>(net, ws) + align16(<usize>maxWeightBlock(net) * sizeof<T>());
}

export function wsBufB<T>(net: Mlp, ws: usize): usize {
  return wsBufA<T>(net, ws) + align16(<usize>CHUNK * <usize>maxWidth(net) * sizeof<T>());
}

export function wsOut<T>(net: Mlp, ws: usize): usize {
  return wsBufB<T>(net, ws) + align16(<usize>CHUNK * <usize>maxWidth(net) * sizeof<T>());
}

export function wsScale<T>(net: Mlp, ws: usize): usize {
  return wsOut<T>(net, ws) + align16(<usize>CHUNK * <usize>dim(net, net.layers) * sizeof<T>());
}

export function wsRowsA<T>(net: Mlp, ws: usize): usize {
  return wsScale<T>(net, ws) + align16(<usize>dim(net, net.layers) * sizeof<T>());
}

export function wsRowsB<T>(net: Mlp, ws: usize): usize {
  return wsRowsA<T>(net, ws) + (<usize>CHUNK << 3);
}

export function wsGemm<T>(net: Mlp, ws: usize): usize {
  return wsRowsB<T>(net, ws) + (<usize>CHUNK << 3);
}

function gemmWidest(net: Mlp): i32 {
  let widest = 0;
  for (let l = 0; l <= net.layers; l++) widest = max(widest, dim(net, l));
  if (net.conv != 0) {
    const conv = changetype<Conv>(net.conv);
    widest = max(widest, max(maxPatchSize(conv), maxChannels(conv)));
  }
  return widest;
}

export function wsConvA<T>(net: Mlp, ws: usize): usize {
  return wsGemm<T>(net, ws) + align16(<usize>gemmScratchElements<T>(gemmWidest(net)) * sizeof<T>());
}

/** Elements of one conv ping-pong buffer (0 without conv layers). */
function convBufferCount(net: Mlp): usize {
  return net.conv == 0 ? 0 : <usize>CHUNK * <usize>maxOutSize(changetype<Conv>(net.conv));
}

export function wsConvB<T>(net: Mlp, ws: usize): usize {
  return wsConvA<T>(net, ws) + align16(convBufferCount(net) * sizeof<T>());
}

export function wsPatches<T>(net: Mlp, ws: usize): usize {
  return wsConvB<T>(net, ws) + align16(convBufferCount(net) * sizeof<T>());
}

export function workspaceBytes<T>(net: Mlp): usize {
  const patches: usize = net.conv == 0 ? 0 : <usize>PATCH_ROWS * <usize>maxPatchSize(changetype<Conv>(net.conv));
  return wsPatches<T>(net, 0) + align16(patches * sizeof<T>());
}

// ---------------------------------------------------------------------------------------------------------------
// Packing: dst = src with each weight block transposed from [out][in] to [in][out], converted from S to T.
// ---------------------------------------------------------------------------------------------------------------

export function packParams<S, T>(net: Mlp, src: usize, dst: usize): void {
  const conv = changetype<Conv>(net.conv);
  const convLayers = net.conv == 0 ? 0 : conv.layers;
  let offset: usize = 0;
  for (let l = -convLayers; l < net.layers; l++) {
    const inDim = <usize>(l < 0 ? patchSize(conv, l + convLayers) : dim(net, l));
    const outDim = <usize>(l < 0 ? outChannels(conv, l + convLayers) : dim(net, l + 1));
    for (let o: usize = 0; o < outDim; o++) {
      for (let i: usize = 0; i < inDim; i++) {
        store<T>(dst + (offset + i * outDim + o) * sizeof<T>(), <T>load<S>(src + (offset + o * inDim + i) * sizeof<S>()));
      }
    }
    offset += inDim * outDim;
    for (let o: usize = 0; o < outDim; o++) {
      store<T>(dst + (offset + o) * sizeof<T>(), <T>load<S>(src + (offset + o) * sizeof<S>()));
    }
    offset += outDim;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Element-wise pieces.
// ---------------------------------------------------------------------------------------------------------------

/** p[0:count] = φ(p[0:count]) in place. */
export function activate<T>(p: usize, count: i32, activation: i32): void {
  const L = lanes<T>();
  let i = 0;
  if (activation == ACTIVATION_TANH) {
    for (; i + L <= count; i += L) {
      const q = p + <usize>i * sizeof<T>();
      v128.store(q, vtanh<T>(v128.load(q)));
    }
    for (; i < count; i++) {
      const q = p + <usize>i * sizeof<T>();
      store<T>(q, stanh<T>(load<T>(q)));
    }
  } else {
    const zero = splat<T>(0);
    for (; i + L <= count; i += L) {
      const q = p + <usize>i * sizeof<T>();
      v128.store(q, v128.max<T>(v128.load(q), zero));
    }
    for (; i < count; i++) {
      const q = p + <usize>i * sizeof<T>();
      store<T>(q, max<T>(load<T>(q), <T>0));
    }
  }
}

/** t[0:count] ⊙= φ'(z) expressed through h = φ(z): tanh' = 1 − h², relu' = [h > 0]. */
export function mulDerivative<T>(t: usize, h: usize, count: i32, activation: i32): void {
  const L = lanes<T>();
  let i = 0;
  if (activation == ACTIVATION_TANH) {
    const one = splat<T>(1);
    for (; i + L <= count; i += L) {
      const off = <usize>i * sizeof<T>();
      const hv = v128.load(h + off);
      v128.store(t + off, v128.mul<T>(v128.load(t + off), v128.sub<T>(one, v128.mul<T>(hv, hv))));
    }
    for (; i < count; i++) {
      const off = <usize>i * sizeof<T>();
      const hs = load<T>(h + off);
      store<T>(t + off, load<T>(t + off) * (<T>1 - hs * hs));
    }
  } else {
    const zero = splat<T>(0);
    for (; i + L <= count; i += L) {
      const off = <usize>i * sizeof<T>();
      v128.store(t + off, v128.and(v128.load(t + off), v128.gt<T>(v128.load(h + off), zero)));
    }
    for (; i < count; i++) {
      const off = <usize>i * sizeof<T>();
      if (!(load<T>(h + off) > <T>0)) store<T>(t + off, <T>0);
    }
  }
}

/** dst[0:count] (f64) += src[0:count] (T); f32 lanes are promoted two at a time. */
export function addToF64<T>(dst: usize, src: usize, count: i32): void {
  let i = 0;
  if (sizeof<T>() == 4) {
    for (; i + 4 <= count; i += 4) {
      const v = v128.load(src + (<usize>i << 2));
      const d = dst + (<usize>i << 3);
      v128.store(d, f64x2.add(v128.load(d), f64x2.promote_low_f32x4(v)));
      v128.store(d, f64x2.add(v128.load(d, 16), f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3))), 16);
    }
  }
  for (; i < count; i++) {
    const d = dst + (<usize>i << 3);
    store<f64>(d, load<f64>(d) + <f64>load<T>(src + <usize>i * sizeof<T>()));
  }
}

/** dst[0:LANES] (f64) += the lanes of v. */
// @ts-ignore: decorator
@inline function addLanesToF64<T>(dst: usize, v: v128): void {
  if (sizeof<T>() == 4) {
    store<f64>(dst, load<f64>(dst) + <f64>v128.extract_lane<f32>(v, 0));
    store<f64>(dst, load<f64>(dst, 8) + <f64>v128.extract_lane<f32>(v, 1), 8);
    store<f64>(dst, load<f64>(dst, 16) + <f64>v128.extract_lane<f32>(v, 2), 16);
    store<f64>(dst, load<f64>(dst, 24) + <f64>v128.extract_lane<f32>(v, 3), 24);
  } else {
    v128.store(dst, f64x2.add(v128.load(dst), v));
  }
}

/** dst[j] (f64) += Σ_r g[r][j] over a rows × m block with contiguous rows. */
export function addColumnSums<T>(g: usize, rows: i32, m: i32, dst: usize): void {
  const L = lanes<T>();
  const rowBytes = <usize>m * sizeof<T>();
  let j = 0;
  for (; j + L <= m; j += L) {
    let acc = splat<T>(0);
    let p = g + <usize>j * sizeof<T>();
    for (let r = 0; r < rows; r++) {
      acc = v128.add<T>(acc, v128.load(p));
      p += rowBytes;
    }
    addLanesToF64<T>(dst + (<usize>j << 3), acc);
  }
  for (; j < m; j++) {
    let sum: f64 = 0;
    let p = g + <usize>j * sizeof<T>();
    for (let r = 0; r < rows; r++) {
      sum += <f64>load<T>(p);
      p += rowBytes;
    }
    const d = dst + (<usize>j << 3);
    store<f64>(d, load<f64>(d) + sum);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// One chunk of rows [r0, r0 + rows). `x` and `out` point at the chunk's first row; the hidden cache, when used,
// is laid out for n rows.
// ---------------------------------------------------------------------------------------------------------------

/**
 * Forward pass of one chunk: writes Y (rows × d_L) to `out`. Hidden activations go to the cache when
 * `hidden` ≠ 0 (needed later by JVP/VJP), otherwise to the workspace ping-pong buffers.
 */
export function forwardChunk<T>(net: Mlp, x: usize, hidden: usize, n: i32, r0: i32, rows: i32, out: usize, ws: usize): void {
  const last = net.layers - 1;
  let input = net.conv == 0 ? x : convForwardChunk<T>(net, x, hidden, n, r0, rows, ws);
  let offset = <usize>weightOffset(net, 0);
  for (let l = 0; l <= last; l++) {
    const inDim = dim(net, l), outDim = dim(net, l + 1);
    const dst = l == last ? out
      : hidden != 0 ? hiddenRow<T>(net, hidden, l, n, r0)
      : (l & 1) == 0 ? wsBufA<T>(net, ws) : wsBufB<T>(net, ws);
    const weights = net.packed + offset * sizeof<T>();
    const bias = weights + <usize>inDim * <usize>outDim * sizeof<T>();
    // Z_l = H_{l−1} · W_lᵀ + b_l with the packed Wᵀ [in][out]
    gemmNN<T>(input, inDim, weights, outDim, dst, outDim, rows, inDim, outDim, bias, false, wsGemm<T>(net, ws));
    if (l < last) activate<T>(dst, rows * outDim, net.activation);
    input = dst;
    offset += <usize>outDim * <usize>(inDim + 1);
  }
}

/** Y = f(X) for n rows; keeps hidden activations in `hidden` unless it is 0. */
export function mlpForward<T>(net: Mlp, x: usize, n: i32, hidden: usize, out: usize, ws: usize): void {
  const inBytes = <usize>inputCount(net) * sizeof<T>(), outBytes = <usize>dim(net, net.layers) * sizeof<T>();
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const rows = min(CHUNK, n - r0);
    forwardChunk<T>(net, x + <usize>r0 * inBytes, hidden, n, r0, rows, out + <usize>r0 * outBytes, ws);
  }
}

// The conv layers of a network (conv.ts) run on one chunk of rows: forward, JVP and VJP. mlp.ts and
// mlp-derivatives.ts call these before (forward, JVP) or after (VJP) the dense layers, so every batched kernel —
// policy forward, surrogate gradient, line search, Fisher-vector products, CG, value fitting — works on CNNs with
// no change of its own.
//
// Each layer is one product per block of PATCH_ROWS output pixels over all the chunk's images:
//   forward  Z = P(H_{c−1}) · W_cᵀ + b_c                       P = im2col, packed Wᵀ [patch][outC]
//   JVP      dZ = P(H_{c−1}) · dW_cᵀ + db_c + P(dH_{c−1}) · W_cᵀ,  dH_c = φ'(Z_c) ⊙ dZ
//   VJP      dW_c += G_cᵀ · P(H_{c−1}),  db_c += Σ G_c,  G_{c−1} = col2im(G_c · W_c) ⊙ φ'(Z_{c−1})
// Weight gradients are summed per block in T and added in f64 (as the dense layers do per chunk).

import {
  Conv, PATCH_ROWS, col2im, convWeightOffset, im2col, inSize, outChannels, outPixels, outSize, patchSize,
} from './conv';
import {
  Mlp, activate, addColumnSums, addToF64, convHiddenRow, mulDerivative, wsConvA, wsConvB, wsGemm, wsPatches,
  wsWeightGrad,
} from './mlp';
import { gemmNN, gemmTN } from './gemm';

// @ts-ignore: decorator
@inline function convOf(net: Mlp): Conv {
  return changetype<Conv>(net.conv);
}

/** The ping-pong buffer that holds layer c's tangent or cotangent. */
// @ts-ignore: decorator
@inline export function convBuffer<T>(net: Mlp, c: i32, ws: usize): usize {
  return (c & 1) == 0 ? wsConvA<T>(net, ws) : wsConvB<T>(net, ws);
}

/**
 * Forward through the conv layers for the chunk at x; returns where the last layer's output (the MLP's input,
 * rows × dim(net, 0)) is: in the hidden cache when `hidden` ≠ 0, otherwise in the workspace.
 */
export function convForwardChunk<T>(net: Mlp, x: usize, hidden: usize, n: i32, r0: i32, rows: i32, ws: usize): usize {
  const conv = convOf(net);
  const patches = wsPatches<T>(net, ws), scratch = wsGemm<T>(net, ws);
  let input = x;
  for (let c = 0; c < conv.layers; c++) {
    const dst = hidden != 0 ? convHiddenRow<T>(net, hidden, c, n, r0) : convBuffer<T>(net, c, ws);
    const outC = outChannels(conv, c), patch = patchSize(conv, c);
    const weights = net.packed + <usize>convWeightOffset(conv, c) * sizeof<T>();
    const bias = weights + <usize>(outC * patch) * sizeof<T>();
    const total = rows * outPixels(conv, c);
    for (let q0 = 0; q0 < total; q0 += PATCH_ROWS) {
      const count = min(PATCH_ROWS, total - q0);
      im2col<T>(conv, c, input, q0, count, patches);
      gemmNN<T>(patches, patch, weights, outC, dst + <usize>(q0 * outC) * sizeof<T>(), outC, count, patch, outC, bias, false, scratch);
    }
    activate<T>(dst, rows * outSize(conv, c), net.activation);
    input = dst;
  }
  return input;
}

/**
 * JVP through the conv layers for the packed parameter tangent; returns the buffer with the tangent of the
 * flattened features (rows × dim(net, 0)). Needs the hidden cache of a forward pass at the same θ.
 */
export function convJvpChunk<T>(net: Mlp, x: usize, hidden: usize, n: i32, r0: i32, rows: i32, tangent: usize, ws: usize): usize {
  const conv = convOf(net);
  const patches = wsPatches<T>(net, ws), scratch = wsGemm<T>(net, ws);
  let input = x;
  let dInput: usize = 0;
  for (let c = 0; c < conv.layers; c++) {
    const dst = convBuffer<T>(net, c, ws);
    const outC = outChannels(conv, c), patch = patchSize(conv, c);
    const offset = <usize>convWeightOffset(conv, c) * sizeof<T>();
    const tWeights = tangent + offset, tBias = tWeights + <usize>(outC * patch) * sizeof<T>();
    const weights = net.packed + offset;
    const total = rows * outPixels(conv, c);
    for (let q0 = 0; q0 < total; q0 += PATCH_ROWS) {
      const count = min(PATCH_ROWS, total - q0);
      const out = dst + <usize>(q0 * outC) * sizeof<T>();
      im2col<T>(conv, c, input, q0, count, patches);
      gemmNN<T>(patches, patch, tWeights, outC, out, outC, count, patch, outC, tBias, false, scratch);
      if (dInput != 0) {
        im2col<T>(conv, c, dInput, q0, count, patches);
        gemmNN<T>(patches, patch, weights, outC, out, outC, count, patch, outC, 0, true, scratch);
      }
    }
    const h = convHiddenRow<T>(net, hidden, c, n, r0);
    mulDerivative<T>(dst, h, rows * outSize(conv, c), net.activation);
    input = h;
    dInput = dst;
  }
  return dInput;
}

/**
 * VJP through the conv layers: the cotangent of the last layer's pre-activation Z must be in
 * convBuffer(last); adds the conv layers' weight and bias gradients to `grad` (f64, canonical). Uses the hidden
 * cache of a forward pass at the same θ.
 */
export function convVjpChunk<T>(net: Mlp, x: usize, hidden: usize, n: i32, r0: i32, rows: i32, grad: usize, ws: usize): void {
  const conv = convOf(net);
  const patches = wsPatches<T>(net, ws), scratch = wsGemm<T>(net, ws), wgrad = wsWeightGrad<T>(net, ws);
  for (let c = conv.layers - 1; c >= 0; c--) {
    const cot = convBuffer<T>(net, c, ws);
    const input = c == 0 ? x : convHiddenRow<T>(net, hidden, c - 1, n, r0);
    const outC = outChannels(conv, c), patch = patchSize(conv, c);
    const offset = <usize>convWeightOffset(conv, c);
    const gWeights = grad + (offset << 3), gBias = gWeights + (<usize>(outC * patch) << 3);
    const total = rows * outPixels(conv, c);
    for (let q0 = 0; q0 < total; q0 += PATCH_ROWS) {
      const count = min(PATCH_ROWS, total - q0);
      const g = cot + <usize>(q0 * outC) * sizeof<T>();
      im2col<T>(conv, c, input, q0, count, patches);
      gemmTN<T>(g, outC, patches, patch, wgrad, patch, count, outC, patch, false);
      addToF64<T>(gWeights, wgrad, outC * patch);
      addColumnSums<T>(g, count, outC, gBias);
    }
    if (c == 0) break;
    // G_{c−1}: patch gradients G_c · W_c (canonical W_c is [outC][patch]) scattered back onto the input image.
    const dInput = convBuffer<T>(net, c - 1, ws);
    memory.fill(dInput, 0, <usize>(rows * inSize(conv, c)) * sizeof<T>());
    const weights = net.params + offset * sizeof<T>();
    for (let q0 = 0; q0 < total; q0 += PATCH_ROWS) {
      const count = min(PATCH_ROWS, total - q0);
      gemmNN<T>(cot + <usize>(q0 * outC) * sizeof<T>(), outC, weights, patch, patches, patch, count, outC, patch, 0, false, scratch);
      col2im<T>(conv, c, patches, q0, count, dInput);
    }
    mulDerivative<T>(dInput, input, rows * inSize(conv, c), net.activation);
  }
}

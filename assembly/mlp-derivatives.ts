// Derivatives of an MLP with respect to its parameters, batched over rows (see mlp.ts for the network, its
// layouts and workspace): the Jacobian-vector product (forward mode) and the vector-Jacobian product (reverse
// mode), per chunk of rows and for whole batches.

import {
  CHUNK, Mlp, addColumnSums, addToF64, convHiddenRow, dim, hiddenRow, inputCount, mulDerivative, packParams, paramCount,
  weightOffset, wsBufA, wsBufB, wsGemm, wsTangent, wsWeightGrad,
} from './mlp';
import { Conv } from './conv';
import { convBuffer, convJvpChunk, convVjpChunk } from './conv-stack';
import { firstPropagated, jacobianApply, jacobianRow, jacobianTransposeApply } from './mlp-jacobian';
import { gemmNN, gemmTN } from './gemm';

/**
 * JVP of one chunk: the output tangent dY (rows × d_L) for the packed parameter tangent `tangent`
 * (dW_lᵀ blocks, db_l), written to `tOut`. Forward-mode recursion with dH_{−1} = 0 (inputs do not depend on θ):
 *   dZ_l = H_{l−1} · dW_lᵀ + db_l + dH_{l−1} · W_lᵀ,   dH_l = φ'(Z_l) ⊙ dZ_l,   dY = dZ_{L−1}.
 * With a Jacobian cache the layers l below firstPropagated contribute dY += S_l (H_{l−1} · dW_lᵀ + db_l) instead.
 * With conv layers H_{−1} and dH_{−1} are the conv stack's output and its tangent (conv-stack.ts).
 * Needs the hidden cache (and Jacobian cache, if given) of a forward pass at the same θ.
 */
export function jvpChunk<T>(
  net: Mlp, x: usize, hidden: usize, n: i32, r0: i32, rows: i32, tangent: usize, tOut: usize, ws: usize, jacobian: usize,
): void {
  const last = net.layers - 1;
  const first = firstPropagated(net, jacobian);
  let dPrev: usize = net.conv == 0 ? 0 : convJvpChunk<T>(net, x, hidden, n, r0, rows, tangent, ws);
  let offset = <usize>weightOffset(net, first);
  for (let l = first; l <= last; l++) {
    const inDim = dim(net, l), outDim = dim(net, l + 1);
    const dst = l == last ? tOut : (l & 1) == 0 ? wsBufA<T>(net, ws) : wsBufB<T>(net, ws);
    const input = layerInput<T>(net, x, hidden, l, n, r0);
    const tWeights = tangent + offset * sizeof<T>();
    const tBias = tWeights + <usize>inDim * <usize>outDim * sizeof<T>();
    gemmNN<T>(input, inDim, tWeights, outDim, dst, outDim, rows, inDim, outDim, tBias, false, wsGemm<T>(net, ws));
    if (dPrev != 0) {
      gemmNN<T>(dPrev, inDim, net.packed + offset * sizeof<T>(), outDim, dst, outDim, rows, inDim, outDim, 0, true, wsGemm<T>(net, ws));
    }
    if (l < last) mulDerivative<T>(dst, hiddenRow<T>(net, hidden, l, n, r0), rows * outDim, net.activation);
    dPrev = dst;
    offset += <usize>outDim * <usize>(inDim + 1);
  }
  offset = <usize>weightOffset(net, 0);
  for (let l = 0; l < first; l++) {
    const inDim = dim(net, l), outDim = dim(net, l + 1);
    const input = l == 0 ? x : hiddenRow<T>(net, hidden, l - 1, n, r0);
    const tWeights = tangent + offset * sizeof<T>();
    const t = wsBufA<T>(net, ws);
    gemmNN<T>(input, inDim, tWeights, outDim, t, outDim, rows, inDim, outDim, tWeights + <usize>inDim * <usize>outDim * sizeof<T>(), false, wsGemm<T>(net, ws));
    jacobianApply<T>(jacobianRow<T>(net, jacobian, l, n, r0), t, tOut, rows, dim(net, net.layers), outDim);
    offset += <usize>outDim * <usize>(inDim + 1);
  }
}

/** Input of dense layer l for the chunk: x, the last conv layer's cached output, or hidden layer l − 1. */
// @ts-ignore: decorator
@inline function layerInput<T>(net: Mlp, x: usize, hidden: usize, l: i32, n: i32, r0: i32): usize {
  if (l > 0) return hiddenRow<T>(net, hidden, l - 1, n, r0);
  return net.conv == 0 ? x : convHiddenRow<T>(net, hidden, changetype<Conv>(net.conv).layers - 1, n, r0);
}

/**
 * VJP of one chunk: adds Σ_rows ∂(gᵀY)/∂θ to `grad` (f64, canonical layout) for the output cotangent `g`
 * (rows × d_L). Reverse-mode recursion:
 *   dW_l += G_lᵀ · H_{l−1}  ([out][in], gemmTN),  db_l += Σ_rows G_l,  G_{l−1} = (G_l · W_l) ⊙ φ'(Z_{l−1}),
 * with G_{L−1} = g. The input gradient G_{−1} is never formed (inputs are not parameters). With a Jacobian
 * cache the layers below firstPropagated take G_l = S_lᵀ g directly. With conv layers G_{−1} is formed (into the
 * conv stack's buffer) and passed on to the conv VJP.
 */
export function vjpChunk<T>(
  net: Mlp, x: usize, hidden: usize, n: i32, r0: i32, rows: i32, g: usize, grad: usize, ws: usize, jacobian: usize,
): void {
  const last = net.layers - 1;
  const first = firstPropagated(net, jacobian);
  let cot = g;
  for (let l = last; l >= 0; l--) {
    const inDim = dim(net, l), outDim = dim(net, l + 1);
    const offset = <usize>weightOffset(net, l);
    const input = layerInput<T>(net, x, hidden, l, n, r0);
    if (l < first) {
      cot = wsBufA<T>(net, ws);
      jacobianTransposeApply<T>(jacobianRow<T>(net, jacobian, l, n, r0), g, cot, rows, dim(net, net.layers), outDim);
    }
    weightGradient<T>(net, cot, input, rows, inDim, outDim, grad + (offset << 3), ws);
    if (l > first) {
      const dst = ((last - l) & 1) == 0 ? wsBufA<T>(net, ws) : wsBufB<T>(net, ws);
      gemmNN<T>(cot, outDim, net.params + offset * sizeof<T>(), inDim, dst, inDim, rows, outDim, inDim, 0, false, wsGemm<T>(net, ws));
      mulDerivative<T>(dst, input, rows * inDim, net.activation);
      cot = dst;
    } else if (l == 0 && net.conv != 0) {
      const dst = convBuffer<T>(net, changetype<Conv>(net.conv).layers - 1, ws);
      gemmNN<T>(cot, outDim, net.params + offset * sizeof<T>(), inDim, dst, inDim, rows, outDim, inDim, 0, false, wsGemm<T>(net, ws));
      mulDerivative<T>(dst, input, rows * inDim, net.activation);
      convVjpChunk<T>(net, x, hidden, n, r0, rows, grad, ws);
    }
  }
}

/** grad_W (f64, [out][in]) += cotᵀ · input and grad_b (following it) += Σ_rows cot, via the T chunk buffer. */
function weightGradient<T>(net: Mlp, cot: usize, input: usize, rows: i32, inDim: i32, outDim: i32, grad: usize, ws: usize): void {
  const wgrad = wsWeightGrad<T>(net, ws);
  gemmTN<T>(cot, outDim, input, inDim, wgrad, inDim, rows, outDim, inDim, false);
  addToF64<T>(grad, wgrad, outDim * inDim);
  addColumnSums<T>(cot, rows, outDim, grad + ((<usize>inDim * <usize>outDim) << 3));
}

/** dY = J(X)·v for n rows; v is a canonical f64 parameter tangent. Needs `hidden` from mlpForward. */
export function mlpJvp<T>(net: Mlp, x: usize, n: i32, hidden: usize, v: usize, tOut: usize, ws: usize): void {
  const tangent = wsTangent<T>(net, ws);
  packParams<f64, T>(net, v, tangent);
  const inBytes = <usize>inputCount(net) * sizeof<T>(), outBytes = <usize>dim(net, net.layers) * sizeof<T>();
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const rows = min(CHUNK, n - r0);
    jvpChunk<T>(net, x + <usize>r0 * inBytes, hidden, n, r0, rows, tangent, tOut + <usize>r0 * outBytes, ws, 0);
  }
}

/** grad (f64, canonical) = Σ_rows J(xᵢ)ᵀ gᵢ for cotangents g (n × d_L). Needs `hidden` from mlpForward. */
export function mlpVjp<T>(net: Mlp, x: usize, n: i32, hidden: usize, g: usize, grad: usize, ws: usize): void {
  memory.fill(grad, 0, <usize>paramCount(net) << 3);
  const inBytes = <usize>inputCount(net) * sizeof<T>(), outBytes = <usize>dim(net, net.layers) * sizeof<T>();
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const rows = min(CHUNK, n - r0);
    vjpChunk<T>(net, x + <usize>r0 * inBytes, hidden, n, r0, rows, g + <usize>r0 * outBytes, grad, ws, 0);
  }
}

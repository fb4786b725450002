// Batch-level policy kernels used by the TRPO update: cache the old policy, the surrogate gradient at θ_old, and
// the line-search evaluation (surrogate, KL and entropy at a candidate θ against the cached old distribution).
//
// Policy parameters θ = [network parameters (canonical layout, see mlp.ts), log-std (A, Gaussian only)].

import { CHUNK, Mlp, dim, inputCount, forwardChunk, mlpForward, paramCount, wsOut, wsRowsA, wsRowsB, wsScale } from './mlp';
import { vjpChunk } from './mlp-derivatives';
import { buildJacobianCache } from './mlp-jacobian';
import {
  categoricalEntropyRows, categoricalKlRows, categoricalLogProbRows, gaussianEntropy, gaussianKlRows,
  gaussianLogProbRows, softmaxRows,
} from './distributions';

export const DIST_GAUSSIAN = 0;

/**
 * A batch of states and actions plus the old policy cached by policyForwardOld, written by the JS side
 * (field offsets 0, 4, …, 40). Gaussian batches leave oldProbs 0; categorical ones leave oldLogStd 0.
 */
@unmanaged
export class PolicyBatch {
  n: i32;            // rows
  kind: i32;         // DIST_GAUSSIAN (0) or categorical (1)
  x: usize;          // T[n × d₀] observations
  hidden: usize;     // T hidden cache at θ_old (mlp.ts layout for n rows)
  out: usize;        // T[n × d_L] means or logits at θ_old
  actions: usize;    // Gaussian T[n × A]; categorical i32[n]
  oldLogStd: usize;  // Gaussian T[A]
  oldProbs: usize;   // categorical T[n × K]
  oldLogProb: usize; // f64[n] log π_old(a|x)
  jacobian: usize;   // T Jacobian cache at θ_old (mlp-jacobian.ts), or 0 to propagate through every layer
  jacobianScratch: usize; // T[jacobianScratchCount] for building it (0 when there is no cache)
}

/** Where the Gaussian log-std lives: right after the network parameters. */
// @ts-ignore: decorator
@inline export function logStdOf<T>(net: Mlp): usize {
  return net.params + <usize>paramCount(net) * sizeof<T>();
}

/** Total policy parameters: network plus log-std for Gaussian policies. */
export function policyParamCount(net: Mlp, kind: i32): i32 {
  return paramCount(net) + (kind == DIST_GAUSSIAN ? dim(net, net.layers) : 0);
}

/**
 * Forward at the current θ (= θ_old), keeping activations (and the Jacobian cache, if the batch has one), old
 * distribution parameters and old log-probs.
 */
export function forwardOld<T>(net: Mlp, b: PolicyBatch, ws: usize): void {
  mlpForward<T>(net, b.x, b.n, b.hidden, b.out, ws);
  if (b.jacobian != 0) buildJacobianCache<T>(net, b.hidden, b.n, b.jacobian, b.jacobianScratch, ws);
  const K = dim(net, net.layers);
  if (b.kind == DIST_GAUSSIAN) {
    memory.copy(b.oldLogStd, logStdOf<T>(net), <usize>K * sizeof<T>());
    gaussianLogProbRows<T>(b.out, b.oldLogStd, b.actions, b.n, K, b.oldLogProb);
  } else {
    softmaxRows<T>(b.out, b.n, K, b.oldProbs);
    categoricalLogProbRows<T>(b.out, b.actions, b.n, K, b.oldLogProb);
  }
}

/**
 * Surrogate L(θ) = (1/n) Σ rᵢ Aᵢ with rᵢ = π_θ(aᵢ|xᵢ) / π_old(aᵢ|xᵢ), and its gradient at θ = θ_old, where rᵢ = 1:
 *   ∇L = (1/n) Σ Aᵢ ∇_θ log π(aᵢ|xᵢ)  — a VJP with output cotangent Aᵢ ∂log π/∂y / n:
 *   Gaussian ∂/∂μ_j = (a_j − μ_j) e^{−2s_j},  ∂/∂s_j = (a_j − μ_j)² e^{−2s_j} − 1 (summed directly);
 *   categorical ∂/∂z_k = 1[k = a] − p_k.
 * Writes grad (f64, policyParamCount) and returns L(θ_old) = mean(A). Needs forwardOld at the current θ.
 */
export function surrogateGradient<T>(net: Mlp, b: PolicyBatch, advantages: usize, grad: usize, ws: usize): f64 {
  const n = b.n, K = dim(net, net.layers), pNet = paramCount(net);
  const invN = 1.0 / <f64>n;
  const cot = wsOut<T>(net, ws);
  const gLogStd = grad + (<usize>pNet << 3);
  memory.fill(grad, 0, <usize>pNet << 3);
  if (b.kind == DIST_GAUSSIAN) memory.fill(gLogStd, 0, <usize>K << 3);
  // e^{−2s_j} once per call (Gaussian): the cotangent loop below would otherwise take n·A exponentials.
  const invVar = wsScale<T>(net, ws);
  if (b.kind == DIST_GAUSSIAN) {
    for (let j = 0; j < K; j++) {
      store<T>(invVar + <usize>j * sizeof<T>(), <T>Math.exp(-2 * <f64>load<T>(b.oldLogStd + <usize>j * sizeof<T>())));
    }
  }
  let surrogate: f64 = 0;
  const inBytes = <usize>inputCount(net) * sizeof<T>();
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const rows = min(CHUNK, n - r0);
    for (let r = 0; r < rows; r++) {
      const row = r0 + r;
      const adv = load<f64>(advantages + (<usize>row << 3));
      surrogate += adv;
      const at = <usize>row * <usize>K;
      if (b.kind == DIST_GAUSSIAN) {
        for (let j = 0; j < K; j++) {
          const w = <f64>load<T>(invVar + <usize>j * sizeof<T>());
          const d = <f64>load<T>(b.actions + (at + <usize>j) * sizeof<T>()) - <f64>load<T>(b.out + (at + <usize>j) * sizeof<T>());
          store<T>(cot + (<usize>r * <usize>K + <usize>j) * sizeof<T>(), <T>(adv * d * w * invN));
          const g = gLogStd + (<usize>j << 3);
          store<f64>(g, load<f64>(g) + adv * (d * d * w - 1) * invN);
        }
      } else {
        const action = load<i32>(b.actions + (<usize>row << 2));
        for (let k = 0; k < K; k++) {
          const p = <f64>load<T>(b.oldProbs + (at + <usize>k) * sizeof<T>());
          store<T>(cot + (<usize>r * <usize>K + <usize>k) * sizeof<T>(), <T>(adv * ((k == action ? 1.0 : 0.0) - p) * invN));
        }
      }
    }
    vjpChunk<T>(net, b.x + <usize>r0 * inBytes, b.hidden, n, r0, rows, cot, grad, ws, b.jacobian);
  }
  return surrogate * invN;
}

/**
 * Line-search evaluation at the current θ against the cached old policy, chunk by chunk (no n-sized scratch):
 * result[0] = (1/n) Σ exp(log π_θ − log π_old) Aᵢ, [1] = mean KL(old‖θ), [2] = max KL, [3] = mean entropy at θ.
 */
export function evaluate<T>(net: Mlp, b: PolicyBatch, advantages: usize, ws: usize, result: usize): void {
  const n = b.n, K = dim(net, net.layers);
  const out = wsOut<T>(net, ws), rowsA = wsRowsA<T>(net, ws), rowsB = wsRowsB<T>(net, ws);
  const logStdNew = logStdOf<T>(net);
  const inBytes = <usize>inputCount(net) * sizeof<T>(), outBytes = <usize>K * sizeof<T>();
  let surrogate: f64 = 0, klSum: f64 = 0, klMax: f64 = 0, entropySum: f64 = 0;
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const rows = min(CHUNK, n - r0);
    forwardChunk<T>(net, b.x + <usize>r0 * inBytes, 0, n, r0, rows, out, ws);
    const outOld = b.out + <usize>r0 * outBytes;
    if (b.kind == DIST_GAUSSIAN) {
      gaussianLogProbRows<T>(out, logStdNew, b.actions + <usize>r0 * outBytes, rows, K, rowsA);
      gaussianKlRows<T>(outOld, b.oldLogStd, out, logStdNew, rows, K, rowsB);
    } else {
      categoricalEntropyRows<T>(out, rows, K, rowsA);
      for (let r = 0; r < rows; r++) entropySum += load<f64>(rowsA + (<usize>r << 3));
      categoricalLogProbRows<T>(out, b.actions + (<usize>r0 << 2), rows, K, rowsA);
      categoricalKlRows<T>(outOld, out, rows, K, rowsB);
    }
    for (let r = 0; r < rows; r++) {
      const row = <usize>(r0 + r) << 3;
      const ratio = Math.exp(load<f64>(rowsA + (<usize>r << 3)) - load<f64>(b.oldLogProb + row));
      surrogate += ratio * load<f64>(advantages + row);
      const kl = load<f64>(rowsB + (<usize>r << 3));
      klSum += kl;
      klMax = Math.max(klMax, kl);
    }
  }
  const invN = 1.0 / <f64>n;
  store<f64>(result, surrogate * invN);
  store<f64>(result, klSum * invN, 8);
  store<f64>(result, klMax, 16);
  store<f64>(result, b.kind == DIST_GAUSSIAN ? gaussianEntropy<T>(logStdNew, K) : entropySum * invN, 24);
}

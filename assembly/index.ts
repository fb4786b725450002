// trpo-wasm kernel library: the exports the JS loader (sdk/wasm/) binds to.
//
// Precision: every network kernel is generic over the element type and exported twice, suffix F32 and F64.
// The SDK uses F32 by default, chosen by measurement on the target machine class (one core of a 2-core Zen-class
// x86-64, Node 20): a v128 holds 4 f32 lanes against 2 f64 lanes, the register-blocked products run at ~47
// GFLOP/s in f32 against ~25 in f64, and at N = 10 000 states on 17→64→64→6 one Fisher-vector product takes
// 7.6 ms in f32 against 16.0 ms in f64 (CG(10) 77 against 160 ms; bench/kernels.ts). Precision is kept where it
// matters: reductions over rows (weight gradients across chunks, KL, log-probs, losses) and all parameter-sized
// vectors (CG, Adam moments, gradients) are f64, so f32 FVPs agree with f64 ones to ~1e-5. F64 serves the
// finite-difference tests and users who want it (`precision: 'f64'`).
//
// Conventions: pointers are byte offsets into this module's memory (owned by sdk/wasm/loader.ts); sizes are
// element counts; matrices are row-major. No kernel allocates.

import { Mlp, hiddenCount, inputCount, mlpForward, packParams, paramCount, workspaceBytes } from './mlp';
import { mlpJvp, mlpVjp } from './mlp-derivatives';
import { jacobianCount, jacobianScratchCount } from './mlp-jacobian';
import {
  categoricalEntropyRows, categoricalKlGrad, categoricalKlRows, categoricalLogProbRows, gaussianEntropy,
  gaussianKlGrad, gaussianKlRows, gaussianLogProbRows, softmaxRows,
} from './distributions';
import { PolicyBatch, evaluate, forwardOld, policyParamCount, surrogateGradient } from './policy';
import { conjugateGradient, fisherRows, fisherVectorProduct } from './fisher';
import { adamStep, mseLoss } from './adam';

export { gae } from './gae';
export { gatherRows } from './util';

/** Bumped whenever an export's signature or a struct layout changes; the loader checks it. */
export function abiVersion(): i32 { return 5; }

/** First free byte after static data: the arena starts here. */
export function heapBase(): usize { return __heap_base; }

export function mlpParamCount(net: Mlp): i32 { return paramCount(net); }
export function mlpInputCount(net: Mlp): i32 { return inputCount(net); }
export function mlpHiddenCount(net: Mlp, n: i32): i32 { return hiddenCount(net, n); }
export function mlpJacobianCount(net: Mlp, n: i32): i32 { return jacobianCount(net, n); }
export function mlpJacobianScratchCount(net: Mlp): i32 { return jacobianScratchCount(net); }
export function mlpPolicyParamCount(net: Mlp, kind: i32): i32 { return policyParamCount(net, kind); }

// --- f32 ---------------------------------------------------------------------------------------------------------
export function mlpWorkspaceBytesF32(net: Mlp): usize { return workspaceBytes<f32>(net); }
export function mlpPackF32(net: Mlp): void { packParams<f32, f32>(net, net.params, net.packed); }
export function mlpForwardF32(net: Mlp, x: usize, n: i32, hidden: usize, out: usize, ws: usize): void { mlpForward<f32>(net, x, n, hidden, out, ws); }
export function mlpJvpF32(net: Mlp, x: usize, n: i32, hidden: usize, v: usize, tOut: usize, ws: usize): void { mlpJvp<f32>(net, x, n, hidden, v, tOut, ws); }
export function mlpVjpF32(net: Mlp, x: usize, n: i32, hidden: usize, g: usize, grad: usize, ws: usize): void { mlpVjp<f32>(net, x, n, hidden, g, grad, ws); }
export function gaussianLogProbF32(mean: usize, logStd: usize, actions: usize, n: i32, A: i32, out: usize): void { gaussianLogProbRows<f32>(mean, logStd, actions, n, A, out); }
export function gaussianEntropyF32(logStd: usize, A: i32): f64 { return gaussianEntropy<f32>(logStd, A); }
export function gaussianKlF32(meanOld: usize, logStdOld: usize, meanNew: usize, logStdNew: usize, n: i32, A: i32, out: usize): void { gaussianKlRows<f32>(meanOld, logStdOld, meanNew, logStdNew, n, A, out); }
export function gaussianKlGradF32(meanOld: usize, logStdOld: usize, meanNew: usize, logStdNew: usize, n: i32, A: i32, gMean: usize, gLogStd: usize): void { gaussianKlGrad<f32>(meanOld, logStdOld, meanNew, logStdNew, n, A, gMean, gLogStd); }
export function softmaxF32(logits: usize, n: i32, K: i32, probs: usize): void { softmaxRows<f32>(logits, n, K, probs); }
export function categoricalLogProbF32(logits: usize, actions: usize, n: i32, K: i32, out: usize): void { categoricalLogProbRows<f32>(logits, actions, n, K, out); }
export function categoricalEntropyF32(logits: usize, n: i32, K: i32, out: usize): void { categoricalEntropyRows<f32>(logits, n, K, out); }
export function categoricalKlF32(logitsOld: usize, logitsNew: usize, n: i32, K: i32, out: usize): void { categoricalKlRows<f32>(logitsOld, logitsNew, n, K, out); }
export function categoricalKlGradF32(logitsOld: usize, logitsNew: usize, n: i32, K: i32, g: usize): void { categoricalKlGrad<f32>(logitsOld, logitsNew, n, K, g); }
export function policyForwardOldF32(net: Mlp, b: PolicyBatch, ws: usize): void { forwardOld<f32>(net, b, ws); }
export function policySurrogateGradientF32(net: Mlp, b: PolicyBatch, adv: usize, grad: usize, ws: usize): f64 { return surrogateGradient<f32>(net, b, adv, grad, ws); }
export function policyEvaluateF32(net: Mlp, b: PolicyBatch, adv: usize, ws: usize, result: usize): void { evaluate<f32>(net, b, adv, ws, result); }
export function fisherVectorProductF32(net: Mlp, b: PolicyBatch, v: usize, out: usize, damping: f64, empirical: bool, ws: usize, helper: usize): void { fisherVectorProduct<f32>(net, b, v, out, damping, empirical, ws, helper); }
export function fisherRowsF32(net: Mlp, b: PolicyBatch, tangent: usize, v: usize, out: usize, r0: i32, r1: i32, empirical: bool, ws: usize): void { fisherRows<f32>(net, b, tangent, v, out, r0, r1, empirical, ws); }
export function conjugateGradientF32(net: Mlp, b: PolicyBatch, rhs: usize, x: usize, maxIterations: i32, residualTol: f64, damping: f64, empirical: bool, ws: usize, work: usize, info: usize, helper: usize): i32 { return conjugateGradient<f32>(net, b, rhs, x, maxIterations, residualTol, damping, empirical, ws, work, info, helper); }
export function adamStepF32(params: usize, grad: usize, m: usize, v: usize, count: i32, lr: f64, beta1: f64, beta2: f64, epsilon: f64, step: i32): void { adamStep<f32>(params, grad, m, v, count, lr, beta1, beta2, epsilon, step); }
export function mseLossF32(pred: usize, target: usize, n: i32, g: usize): f64 { return mseLoss<f32>(pred, target, n, g); }

// --- f64 ---------------------------------------------------------------------------------------------------------
export function mlpWorkspaceBytesF64(net: Mlp): usize { return workspaceBytes<f64>(net); }
export function mlpPackF64(net: Mlp): void { packParams<f64, f64>(net, net.params, net.packed); }
export function mlpForwardF64(net: Mlp, x: usize, n: i32, hidden: usize, out: usize, ws: usize): void { mlpForward<f64>(net, x, n, hidden, out, ws); }
export function mlpJvpF64(net: Mlp, x: usize, n: i32, hidden: usize, v: usize, tOut: usize, ws: usize): void { mlpJvp<f64>(net, x, n, hidden, v, tOut, ws); }
export function mlpVjpF64(net: Mlp, x: usize, n: i32, hidden: usize, g: usize, grad: usize, ws: usize): void { mlpVjp<f64>(net, x, n, hidden, g, grad, ws); }
export function gaussianLogProbF64(mean: usize, logStd: usize, actions: usize, n: i32, A: i32, out: usize): void { gaussianLogProbRows<f64>(mean, logStd, actions, n, A, out); }
export function gaussianEntropyF64(logStd: usize, A: i32): f64 { return gaussianEntropy<f64>(logStd, A); }
export function gaussianKlF64(meanOld: usize, logStdOld: usize, meanNew: usize, logStdNew: usize, n: i32, A: i32, out: usize): void { gaussianKlRows<f64>(meanOld, logStdOld, meanNew, logStdNew, n, A, out); }
export function gaussianKlGradF64(meanOld: usize, logStdOld: usize, meanNew: usize, logStdNew: usize, n: i32, A: i32, gMean: usize, gLogStd: usize): void { gaussianKlGrad<f64>(meanOld, logStdOld, meanNew, logStdNew, n, A, gMean, gLogStd); }
export function softmaxF64(logits: usize, n: i32, K: i32, probs: usize): void { softmaxRows<f64>(logits, n, K, probs); }
export function categoricalLogProbF64(logits: usize, actions: usize, n: i32, K: i32, out: usize): void { categoricalLogProbRows<f64>(logits, actions, n, K, out); }
export function categoricalEntropyF64(logits: usize, n: i32, K: i32, out: usize): void { categoricalEntropyRows<f64>(logits, n, K, out); }
export function categoricalKlF64(logitsOld: usize, logitsNew: usize, n: i32, K: i32, out: usize): void { categoricalKlRows<f64>(logitsOld, logitsNew, n, K, out); }
export function categoricalKlGradF64(logitsOld: usize, logitsNew: usize, n: i32, K: i32, g: usize): void { categoricalKlGrad<f64>(logitsOld, logitsNew, n, K, g); }
export function policyForwardOldF64(net: Mlp, b: PolicyBatch, ws: usize): void { forwardOld<f64>(net, b, ws); }
export function policySurrogateGradientF64(net: Mlp, b: PolicyBatch, adv: usize, grad: usize, ws: usize): f64 { return surrogateGradient<f64>(net, b, adv, grad, ws); }
export function policyEvaluateF64(net: Mlp, b: PolicyBatch, adv: usize, ws: usize, result: usize): void { evaluate<f64>(net, b, adv, ws, result); }
export function fisherVectorProductF64(net: Mlp, b: PolicyBatch, v: usize, out: usize, damping: f64, empirical: bool, ws: usize, helper: usize): void { fisherVectorProduct<f64>(net, b, v, out, damping, empirical, ws, helper); }
export function fisherRowsF64(net: Mlp, b: PolicyBatch, tangent: usize, v: usize, out: usize, r0: i32, r1: i32, empirical: bool, ws: usize): void { fisherRows<f64>(net, b, tangent, v, out, r0, r1, empirical, ws); }
export function conjugateGradientF64(net: Mlp, b: PolicyBatch, rhs: usize, x: usize, maxIterations: i32, residualTol: f64, damping: f64, empirical: bool, ws: usize, work: usize, info: usize, helper: usize): i32 { return conjugateGradient<f64>(net, b, rhs, x, maxIterations, residualTol, damping, empirical, ws, work, info, helper); }
export function adamStepF64(params: usize, grad: usize, m: usize, v: usize, count: i32, lr: f64, beta1: f64, beta2: f64, epsilon: f64, step: i32): void { adamStep<f64>(params, grad, m, v, count, lr, beta1, beta2, epsilon, step); }
export function mseLossF64(pred: usize, target: usize, n: i32, g: usize): f64 { return mseLoss<f64>(pred, target, n, g); }

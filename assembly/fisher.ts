// Fisher-vector products and conjugate gradient, all inside wasm (no JS round trip per CG iteration).
//
// Analytic Fisher (TRPO paper, appendix C): F v = (1/n) Σᵢ Jᵢᵀ Mᵢ Jᵢ v, Jᵢ = ∂(distribution parameters)/∂θ at xᵢ,
// Mᵢ = the Fisher metric of the distribution in its own parameters:
//   Gaussian mean block  M = diag(e^{−2s}) = diag(1/σ²)
//   Gaussian log-std     the log-std block is exactly 2·I (state-independent s: ∂²KL/∂s'² = 2 at s' = s) and the
//                        mean/log-std cross terms vanish, so (F v)_s = 2 v_s
//   categorical logits   M = diag(p) − p pᵀ
// This is the Hessian of the mean KL(π_old‖π_θ) at θ = θ_old, computed as one JVP (Jv) and one VJP (Jᵀ(M Jv)) per
// chunk of rows, fused so a chunk's tangents never leave L2. No second-order backprop.
//
// Empirical Fisher: F̂ v = (1/n) Σᵢ gᵢ (gᵢᵀ v) with gᵢ = ∇_θ log π(aᵢ|xᵢ): the same JVP/VJP pair with the rank-one
// metric Mᵢ = σᵢσᵢᵀ, σᵢ = ∂ log π / ∂(distribution parameters); for Gaussians the log-std score (z² − 1) joins σᵢ.

import { CHUNK, Mlp, dim, inputCount, packParams, paramCount, wsOut, wsScale, wsTangent } from './mlp';
import { jvpChunk, vjpChunk } from './mlp-derivatives';
import { DIST_GAUSSIAN, PolicyBatch, policyParamCount } from './policy';
import { axpy, dot, xpby } from './util';

/**
 * A helper thread that computes part of each Fisher-vector product on the same shared memory (sdk/wasm/helper.ts
 * runs its loop). `control` is the i32 block both sides synchronize on; `workspace` and `out` are the helper's own
 * scratch and partial result for this batch.
 */
@unmanaged
class Helper {
  control: usize;
  workspace: usize;
  out: usize;
}

// Control block words (i32). The two sequence numbers sit on separate 64-byte lines so the threads' writes do not
// bounce one cache line; the arguments follow.
const CONTROL_COMMAND = 0;  // bumped by the main thread to post work
const CONTROL_DONE = 16;    // set to the command's number by the helper when finished
const CONTROL_ARGS = 32;    // net, batch, tangent, v, out, r0, r1, empirical, workspace, precision (0 f32, 1 f64)
const CONTROL_FAILED = 48;  // set by the helper if a command threw; words 64–127 then hold its message

/**
 * out = F v + damping · v for the batch b cached by forwardOld (v, out: f64[policyParamCount]).
 * `empirical` selects the empirical Fisher F̂ instead of the analytic one. With a helper (≠ 0) the rows are split
 * in two halves computed at the same time, and the helper's partial sum is added at the end.
 */
export function fisherVectorProduct<T>(
  net: Mlp, b: PolicyBatch, v: usize, out: usize, damping: f64, empirical: bool, ws: usize, helper: usize,
): void {
  const pNet = paramCount(net);
  const count = policyParamCount(net, b.kind);
  const tangent = wsTangent<T>(net, ws);
  packParams<f64, T>(net, v, tangent);
  memory.fill(out, 0, <usize>count << 3);
  if (helper == 0) {
    fisherRows<T>(net, b, tangent, v, out, 0, b.n, empirical, ws);
  } else {
    const h = changetype<Helper>(helper);
    const split = b.n >> 1;
    memory.fill(h.out, 0, <usize>count << 3);
    const command = post(h.control, changetype<usize>(net), changetype<usize>(b), tangent, v, h.out, split, b.n, empirical, h.workspace, sizeof<T>() == 4 ? 0 : 1);
    fisherRows<T>(net, b, tangent, v, out, 0, split, empirical, ws);
    awaitDone(h.control, command);
    axpy(out, 1.0, h.out, count);
  }
  if (b.kind == DIST_GAUSSIAN && !empirical) {
    for (let j = pNet; j < count; j++) store<f64>(out + (<usize>j << 3), 2 * load<f64>(v + (<usize>j << 3)));
  }
  if (damping != 0) axpy(out, damping, v, count);
}

/**
 * Adds the contribution of rows [r0, r1) to out (network part; plus the log-std part of the empirical Fisher):
 * (1/n) Σ_rows Jᵀ M J v, one fused JVP → metric → VJP per chunk. `tangent` is v packed (packParams).
 */
export function fisherRows<T>(
  net: Mlp, b: PolicyBatch, tangent: usize, v: usize, out: usize, r0: i32, r1: i32, empirical: bool, ws: usize,
): void {
  const pNet = paramCount(net), K = dim(net, net.layers);
  const invN = 1.0 / <f64>b.n;
  // Per-output factors e^{−2s_j}/n (analytic) or e^{−s_j} (empirical, for z = (a − μ)/σ).
  const scale = wsScale<T>(net, ws);
  if (b.kind == DIST_GAUSSIAN) {
    for (let j = 0; j < K; j++) {
      const s = <f64>load<T>(b.oldLogStd + <usize>j * sizeof<T>());
      store<T>(scale + <usize>j * sizeof<T>(), <T>(empirical ? Math.exp(-s) : Math.exp(-2 * s) * invN));
    }
  }
  const u = wsOut<T>(net, ws);
  const inBytes = <usize>inputCount(net) * sizeof<T>();
  for (let c0 = r0; c0 < r1; c0 += CHUNK) {
    const rows = min(CHUNK, r1 - c0);
    const x = b.x + <usize>c0 * inBytes;
    jvpChunk<T>(net, x, b.hidden, b.n, c0, rows, tangent, u, ws, b.jacobian);
    if (empirical) empiricalMetric<T>(b, c0, rows, K, scale, v + (<usize>pNet << 3), out + (<usize>pNet << 3), invN, u);
    else if (b.kind == DIST_GAUSSIAN) gaussianMetric<T>(rows, K, scale, u);
    else categoricalMetric<T>(b, c0, rows, K, invN, u);
    vjpChunk<T>(net, x, b.hidden, b.n, c0, rows, u, out, ws, b.jacobian);
  }
}

/** Write a command's arguments, then publish it (seq-cst store + wake the helper). Returns its number. */
function post(
  control: usize, net: usize, batch: usize, tangent: usize, v: usize, out: usize, r0: i32, r1: i32, empirical: bool,
  workspace: usize, precision: i32,
): i32 {
  const args = control + (CONTROL_ARGS << 2);
  store<usize>(args, net);
  store<usize>(args, batch, 4);
  store<usize>(args, tangent, 8);
  store<usize>(args, v, 12);
  store<usize>(args, out, 16);
  store<i32>(args, r0, 20);
  store<i32>(args, r1, 24);
  store<i32>(args, empirical ? 1 : 0, 28);
  store<usize>(args, workspace, 32);
  store<i32>(args, precision, 36);
  store<i32>(control + (CONTROL_FAILED << 2), 0);
  const command = atomic.load<i32>(control + (CONTROL_COMMAND << 2)) + 1;
  atomic.store<i32>(control + (CONTROL_COMMAND << 2), command);
  atomic.notify(control + (CONTROL_COMMAND << 2), 1);
  return command;
}

/** Wait for the helper to finish `command`: a short spin (it usually ends within microseconds of us), then sleep. */
function awaitDone(control: usize, command: i32): void {
  const done = control + (CONTROL_DONE << 2);
  for (let spin = 0; spin < 2000; spin++) if (atomic.load<i32>(done) == command) break;
  let seen = atomic.load<i32>(done);
  while (seen != command) {
    atomic.wait<i32>(done, seen, -1);
    seen = atomic.load<i32>(done);
  }
  if (atomic.load<i32>(control + (CONTROL_FAILED << 2)) != 0) unreachable(); // the JS side reports the helper's error
}

/** u (rows × A) ⊙= e^{−2s}/n per column. */
function gaussianMetric<T>(rows: i32, K: i32, scale: usize, u: usize): void {
  for (let r = 0; r < rows; r++) {
    for (let j = 0; j < K; j++) {
      const p = u + (<usize>r * <usize>K + <usize>j) * sizeof<T>();
      store<T>(p, load<T>(p) * load<T>(scale + <usize>j * sizeof<T>()));
    }
  }
}

/** Each row: u = (diag(p) − p pᵀ) dz / n = p ⊙ (dz − pᵀdz) / n, with the old probabilities p. */
function categoricalMetric<T>(b: PolicyBatch, r0: i32, rows: i32, K: i32, invN: f64, u: usize): void {
  for (let r = 0; r < rows; r++) {
    const probs = b.oldProbs + <usize>(r0 + r) * <usize>K * sizeof<T>();
    const row = u + <usize>r * <usize>K * sizeof<T>();
    let pDotDz: f64 = 0;
    for (let k = 0; k < K; k++) pDotDz += <f64>load<T>(probs + <usize>k * sizeof<T>()) * <f64>load<T>(row + <usize>k * sizeof<T>());
    for (let k = 0; k < K; k++) {
      const at = <usize>k * sizeof<T>();
      store<T>(row + at, <T>(<f64>load<T>(probs + at) * (<f64>load<T>(row + at) - pDotDz) * invN));
    }
  }
}

/**
 * Each row: c = σᵀ(J v) (+ Σ_j (z_j² − 1) v_s_j for Gaussians), u = c σ / n, and for Gaussians
 * out_s += c (z² − 1) / n. Scores σ: Gaussian z_j e^{−s_j} with z = (a − μ) e^{−s}; categorical 1[k = a] − p_k.
 */
function empiricalMetric<T>(
  b: PolicyBatch, r0: i32, rows: i32, K: i32, invStd: usize, vLogStd: usize, outLogStd: usize, invN: f64, u: usize,
): void {
  for (let r = 0; r < rows; r++) {
    const row = u + <usize>r * <usize>K * sizeof<T>();
    const at = <usize>(r0 + r) * <usize>K;
    let c: f64 = 0;
    if (b.kind == DIST_GAUSSIAN) {
      for (let j = 0; j < K; j++) {
        const w = <f64>load<T>(invStd + <usize>j * sizeof<T>());
        const z = (<f64>load<T>(b.actions + (at + <usize>j) * sizeof<T>()) - <f64>load<T>(b.out + (at + <usize>j) * sizeof<T>())) * w;
        c += z * w * <f64>load<T>(row + <usize>j * sizeof<T>()) + (z * z - 1) * load<f64>(vLogStd + (<usize>j << 3));
      }
      c *= invN;
      for (let j = 0; j < K; j++) {
        const w = <f64>load<T>(invStd + <usize>j * sizeof<T>());
        const z = (<f64>load<T>(b.actions + (at + <usize>j) * sizeof<T>()) - <f64>load<T>(b.out + (at + <usize>j) * sizeof<T>())) * w;
        store<T>(row + <usize>j * sizeof<T>(), <T>(c * z * w));
        const o = outLogStd + (<usize>j << 3);
        store<f64>(o, load<f64>(o) + c * (z * z - 1));
      }
    } else {
      const action = load<i32>(b.actions + (<usize>(r0 + r) << 2));
      for (let k = 0; k < K; k++) {
        const score = (k == action ? 1.0 : 0.0) - <f64>load<T>(b.oldProbs + (at + <usize>k) * sizeof<T>());
        c += score * <f64>load<T>(row + <usize>k * sizeof<T>());
      }
      c *= invN;
      for (let k = 0; k < K; k++) {
        const score = (k == action ? 1.0 : 0.0) - <f64>load<T>(b.oldProbs + (at + <usize>k) * sizeof<T>());
        store<T>(row + <usize>k * sizeof<T>(), <T>(c * score));
      }
    }
  }
}

/**
 * Solves (F + damping·I) x = rhs by conjugate gradient from x = 0, calling fisherVectorProduct directly.
 * Stops after maxIterations or once the squared residual ‖r‖² ≤ residualTol (the convention of the original TRPO
 * code and SB3-contrib), or if pᵀ(F + damping·I)p ≤ 0 (no curvature along p: only possible without damping).
 * Vectors are f64[policyParamCount]; work holds 3 of them (r, p, F p). Writes the final ‖r‖² to info[0] and
 * returns the number of iterations (FVPs) used. With a helper every FVP runs on two threads.
 */
export function conjugateGradient<T>(
  net: Mlp, b: PolicyBatch, rhs: usize, x: usize, maxIterations: i32, residualTol: f64, damping: f64, empirical: bool,
  ws: usize, work: usize, info: usize, helper: usize,
): i32 {
  const count = policyParamCount(net, b.kind);
  const bytes = <usize>count << 3;
  const r = work, p = work + bytes, fp = work + 2 * bytes;
  memory.fill(x, 0, bytes);
  memory.copy(r, rhs, bytes);
  memory.copy(p, rhs, bytes);
  let rr = dot(r, r, count);
  let iterations = 0;
  while (iterations < maxIterations && rr > residualTol) {
    fisherVectorProduct<T>(net, b, p, fp, damping, empirical, ws, helper);
    const curvature = dot(p, fp, count);
    if (!(curvature > 0)) break;
    const alpha = rr / curvature;
    axpy(x, alpha, p, count);
    axpy(r, -alpha, fp, count);
    const rrNext = dot(r, r, count);
    xpby(p, r, rrNext / rr, count);
    rr = rrNext;
    iterations++;
  }
  store<f64>(info, rr);
  return iterations;
}

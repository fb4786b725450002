// Per-row quantities of the two action distributions, generic over the element type T of the network outputs.
// Every reduction is carried out in f64. Rows are row-major (rows × A or rows × K).
//
// Diagonal Gaussian with state-independent log-std s (A): π(a|x) = N(a; μ(x), diag(e^{2s})).
//   log π = −Σ_j [(a_j − μ_j)² e^{−2 s_j} / 2 + s_j] − (A/2) log 2π
//   H     = Σ_j s_j + (A/2)(1 + log 2π)
//   KL(old‖new) = Σ_j [s'_j − s_j + (e^{2 s_j} + (μ_j − μ'_j)²) e^{−2 s'_j} / 2 − 1/2]
// Categorical over logits z (K): p = softmax(z), log p_k = z_k − logsumexp(z).
//   H = −Σ_k p_k log p_k,   KL(old‖new) = Σ_k p_k (log p_k − log p'_k)
//
// The cost here is O(rows·A) against O(rows·width²) for the network, so these loops stay scalar; the Gaussian
// ones run column-outer so each exp(−s_j) is computed once per column rather than once per element.

const LOG_2PI: f64 = 1.8378770664093453;

/** out[r] = log N(a_r; μ_r, diag e^{2s}). */
export function gaussianLogProbRows<T>(mean: usize, logStd: usize, actions: usize, rows: i32, A: i32, out: usize): void {
  const constant = -0.5 * <f64>A * LOG_2PI;
  for (let r = 0; r < rows; r++) store<f64>(out + (<usize>r << 3), constant);
  for (let j = 0; j < A; j++) {
    const s = <f64>load<T>(logStd + <usize>j * sizeof<T>());
    const invStd = Math.exp(-s);
    for (let r = 0; r < rows; r++) {
      const at = (<usize>r * <usize>A + <usize>j) * sizeof<T>();
      const z = (<f64>load<T>(actions + at) - <f64>load<T>(mean + at)) * invStd;
      const o = out + (<usize>r << 3);
      store<f64>(o, load<f64>(o) - 0.5 * z * z - s);
    }
  }
}

/** Entropy of the Gaussian (the same for every state). */
export function gaussianEntropy<T>(logStd: usize, A: i32): f64 {
  let sum: f64 = 0;
  for (let j = 0; j < A; j++) sum += <f64>load<T>(logStd + <usize>j * sizeof<T>());
  return sum + 0.5 * <f64>A * (1 + LOG_2PI);
}

/** out[r] = KL(N(μ_r, e^{2s}) ‖ N(μ'_r, e^{2s'})). */
export function gaussianKlRows<T>(
  meanOld: usize, logStdOld: usize, meanNew: usize, logStdNew: usize, rows: i32, A: i32, out: usize,
): void {
  memory.fill(out, 0, <usize>rows << 3);
  for (let j = 0; j < A; j++) {
    const s = <f64>load<T>(logStdOld + <usize>j * sizeof<T>());
    const sNew = <f64>load<T>(logStdNew + <usize>j * sizeof<T>());
    const halfInvVarNew = 0.5 * Math.exp(-2 * sNew);
    const constant = sNew - s + Math.exp(2 * s) * halfInvVarNew - 0.5;
    for (let r = 0; r < rows; r++) {
      const at = (<usize>r * <usize>A + <usize>j) * sizeof<T>();
      const d = <f64>load<T>(meanOld + at) - <f64>load<T>(meanNew + at);
      const o = out + (<usize>r << 3);
      store<f64>(o, load<f64>(o) + constant + d * d * halfInvVarNew);
    }
  }
}

/**
 * Gradient of the mean KL (1/n) Σ_r KL(old_r ‖ new_r) with respect to the new parameters:
 *   ∂/∂μ'_rj = (μ'_rj − μ_rj) e^{−2s'_j} / n                       → gMean (T, n × A)
 *   ∂/∂s'_j  = (1/n) Σ_r [1 − (e^{2s_j} + (μ_rj − μ'_rj)²) e^{−2s'_j}] → gLogStd (f64, A)
 */
export function gaussianKlGrad<T>(
  meanOld: usize, logStdOld: usize, meanNew: usize, logStdNew: usize, n: i32, A: i32, gMean: usize, gLogStd: usize,
): void {
  const invN = 1.0 / <f64>n;
  for (let j = 0; j < A; j++) {
    const varOld = Math.exp(2 * <f64>load<T>(logStdOld + <usize>j * sizeof<T>()));
    const invVarNew = Math.exp(-2 * <f64>load<T>(logStdNew + <usize>j * sizeof<T>()));
    let sum: f64 = 0;
    for (let r = 0; r < n; r++) {
      const at = (<usize>r * <usize>A + <usize>j) * sizeof<T>();
      const d = <f64>load<T>(meanNew + at) - <f64>load<T>(meanOld + at);
      store<T>(gMean + at, <T>(d * invVarNew * invN));
      sum += 1 - (varOld + d * d) * invVarNew;
    }
    store<f64>(gLogStd + (<usize>j << 3), sum * invN);
  }
}

// @ts-ignore: decorator
@inline function logSumExp<T>(row: usize, K: i32): f64 {
  let m = -Infinity;
  for (let k = 0; k < K; k++) m = Math.max(m, <f64>load<T>(row + <usize>k * sizeof<T>()));
  let sum: f64 = 0;
  for (let k = 0; k < K; k++) sum += Math.exp(<f64>load<T>(row + <usize>k * sizeof<T>()) - m);
  return m + Math.log(sum);
}

/** probs (T, rows × K) = softmax of each row of logits. */
export function softmaxRows<T>(logits: usize, rows: i32, K: i32, probs: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = logits + <usize>r * <usize>K * sizeof<T>();
    const lse = logSumExp<T>(row, K);
    for (let k = 0; k < K; k++) {
      const at = <usize>k * sizeof<T>();
      store<T>(probs + <usize>r * <usize>K * sizeof<T>() + at, <T>Math.exp(<f64>load<T>(row + at) - lse));
    }
  }
}

/** out[r] = log p_{a_r}(z_r); actions are i32 indices in [0, K). */
export function categoricalLogProbRows<T>(logits: usize, actions: usize, rows: i32, K: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = logits + <usize>r * <usize>K * sizeof<T>();
    const a = load<i32>(actions + (<usize>r << 2));
    store<f64>(out + (<usize>r << 3), <f64>load<T>(row + <usize>a * sizeof<T>()) - logSumExp<T>(row, K));
  }
}

/** out[r] = −Σ_k p_k log p_k of each row. */
export function categoricalEntropyRows<T>(logits: usize, rows: i32, K: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const row = logits + <usize>r * <usize>K * sizeof<T>();
    const lse = logSumExp<T>(row, K);
    let h: f64 = 0;
    for (let k = 0; k < K; k++) {
      const logP = <f64>load<T>(row + <usize>k * sizeof<T>()) - lse;
      h -= Math.exp(logP) * logP;
    }
    store<f64>(out + (<usize>r << 3), h);
  }
}

/** out[r] = KL(softmax(z_r) ‖ softmax(z'_r)). */
export function categoricalKlRows<T>(logitsOld: usize, logitsNew: usize, rows: i32, K: i32, out: usize): void {
  for (let r = 0; r < rows; r++) {
    const rowOld = logitsOld + <usize>r * <usize>K * sizeof<T>();
    const rowNew = logitsNew + <usize>r * <usize>K * sizeof<T>();
    const lseOld = logSumExp<T>(rowOld, K), lseNew = logSumExp<T>(rowNew, K);
    let kl: f64 = 0;
    for (let k = 0; k < K; k++) {
      const logP = <f64>load<T>(rowOld + <usize>k * sizeof<T>()) - lseOld;
      const logQ = <f64>load<T>(rowNew + <usize>k * sizeof<T>()) - lseNew;
      kl += Math.exp(logP) * (logP - logQ);
    }
    store<f64>(out + (<usize>r << 3), kl);
  }
}

/** Gradient of the mean KL with respect to the new logits: (softmax(z') − softmax(z)) / n (T, n × K). */
export function categoricalKlGrad<T>(logitsOld: usize, logitsNew: usize, n: i32, K: i32, gLogits: usize): void {
  const invN = 1.0 / <f64>n;
  for (let r = 0; r < n; r++) {
    const rowOld = logitsOld + <usize>r * <usize>K * sizeof<T>();
    const rowNew = logitsNew + <usize>r * <usize>K * sizeof<T>();
    const lseOld = logSumExp<T>(rowOld, K), lseNew = logSumExp<T>(rowNew, K);
    for (let k = 0; k < K; k++) {
      const at = <usize>k * sizeof<T>();
      const p = Math.exp(<f64>load<T>(rowOld + at) - lseOld), q = Math.exp(<f64>load<T>(rowNew + at) - lseNew);
      store<T>(gLogits + <usize>r * <usize>K * sizeof<T>() + at, <T>((q - p) * invN));
    }
  }
}

// Adam (Kingma & Ba 2015) with bias correction, as in PyTorch:
//   m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g²,
//   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
// θ is stored in T; gradient and moments in f64 (O(P) work, precision is free here).

export function adamStep<T>(
  params: usize, grad: usize, m: usize, v: usize, count: i32,
  learningRate: f64, beta1: f64, beta2: f64, epsilon: f64, step: i32,
): void {
  const stepSize = learningRate / (1 - Math.pow(beta1, <f64>step));
  const invSqrtCorrection2 = 1 / Math.sqrt(1 - Math.pow(beta2, <f64>step));
  for (let i = 0; i < count; i++) {
    const off = <usize>i << 3;
    const g = load<f64>(grad + off);
    const mi = beta1 * load<f64>(m + off) + (1 - beta1) * g;
    const vi = beta2 * load<f64>(v + off) + (1 - beta2) * g * g;
    store<f64>(m + off, mi);
    store<f64>(v + off, vi);
    const p = params + <usize>i * sizeof<T>();
    store<T>(p, <T>(<f64>load<T>(p) - stepSize * mi / (Math.sqrt(vi) * invSqrtCorrection2 + epsilon)));
  }
}

/**
 * Mean squared error (1/n) Σ (predᵢ − targetᵢ)² of a value network (pred T[n], target f64[n]); writes the output
 * cotangent g = 2 (pred − target) / n (T[n]) for the VJP and returns the loss.
 */
export function mseLoss<T>(pred: usize, target: usize, n: i32, g: usize): f64 {
  const invN = 1.0 / <f64>n;
  let sum: f64 = 0;
  for (let i = 0; i < n; i++) {
    const d = <f64>load<T>(pred + <usize>i * sizeof<T>()) - load<f64>(target + (<usize>i << 3));
    sum += d * d;
    store<T>(g + <usize>i * sizeof<T>(), <T>(2 * d * invN));
  }
  return sum * invN;
}

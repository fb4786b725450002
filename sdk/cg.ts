// Conjugate gradient for a symmetric positive-definite operator given only as a matrix-vector product. Knows
// nothing of policies: for research code and for operators the in-wasm solver does not cover (the policy
// batches' conjugateGradient is the fast path for Fisher systems).

export interface CgOptions {
  /** Maximum iterations (each one product). Default 10. */
  maxSteps?: number;
  /** Stop once ‖r‖² ≤ residualTol (the convention of the original TRPO code and SB3-contrib). Default 1e-10. */
  residualTol?: number;
}

export interface CgResult {
  x: Float64Array;
  /** Products used. */
  iterations: number;
  /** Final ‖r‖² = ‖b − A x‖² (as updated by the recurrence). */
  residual: number;
}

/**
 * Solve A x = b from x = 0, where `multiply(v, out)` writes A v into out (A symmetric positive definite).
 * Stops early if the curvature pᵀAp is not positive (A not positive definite along p).
 */
export function cg(multiply: (v: Float64Array, out: Float64Array) => void, b: ArrayLike<number>, options: CgOptions = {}): CgResult {
  const { maxSteps = 10, residualTol = 1e-10 } = options;
  if (!Number.isInteger(maxSteps) || maxSteps < 0) throw new RangeError(`cg: maxSteps must be an integer ≥ 0, got ${maxSteps}`);
  if (!(residualTol >= 0)) throw new RangeError(`cg: residualTol must be ≥ 0, got ${residualTol}`);
  const n = b.length;
  const x = new Float64Array(n);
  const r = Float64Array.from(b);
  const p = Float64Array.from(b);
  const ap = new Float64Array(n);
  let rr = dot(r, r);
  let iterations = 0;
  while (iterations < maxSteps && rr > residualTol) {
    multiply(p, ap);
    const curvature = dot(p, ap);
    if (!(curvature > 0)) break;
    const alpha = rr / curvature;
    for (let i = 0; i < n; i++) {
      x[i] += alpha * p[i];
      r[i] -= alpha * ap[i];
    }
    const rrNext = dot(r, r);
    const beta = rrNext / rr;
    for (let i = 0; i < n; i++) p[i] = r[i] + beta * p[i];
    rr = rrNext;
    iterations++;
  }
  return { x, iterations, residual: rr };
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

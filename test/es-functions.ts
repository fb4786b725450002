// Standard test functions for the derivative-free optimizers (minimum 0): sphere, the ellipsoid with condition
// number 1e6 and the Rosenbrock function, as used in Hansen's CMA-ES papers.
export const sphere = (x: ArrayLike<number>): number => {
  let f = 0;
  for (let i = 0; i < x.length; i++) f += x[i] * x[i];
  return f;
};

export const ellipsoid = (x: ArrayLike<number>): number => {
  const n = x.length;
  let f = 0;
  for (let i = 0; i < n; i++) f += 10 ** ((6 * i) / (n - 1)) * x[i] * x[i];
  return f;
};

export const rosenbrock = (x: ArrayLike<number>): number => {
  let f = 0;
  for (let i = 0; i < x.length - 1; i++) f += 100 * (x[i] * x[i] - x[i + 1]) ** 2 + (1 - x[i]) ** 2;
  return f;
};

/** Run ask/tell until f < target or the budget is spent; returns evaluations used and the best f. */
export function minimize(
  es: { ask(): Float64Array[]; tell(f: number[]): unknown },
  f: (x: Float64Array) => number,
  target: number,
  budget: number,
): { evaluations: number; best: number } {
  let evaluations = 0;
  let best = Infinity;
  while (evaluations < budget && best >= target) {
    const xs = es.ask();
    const fs = xs.map(f);
    evaluations += xs.length;
    best = Math.min(best, ...fs);
    es.tell(fs);
  }
  return { evaluations, best };
}

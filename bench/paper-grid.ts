// The grid of the TRPO paper's Figure 4 (Schulman et al., 2015): tasks × methods, with δ = 0.01 as in the paper
// and budgets scaled to a 2-core machine. Pure data and planning; bench/paper.ts runs it and writes the report.
//
// The paper's Cartpole is a swing-free cart-pole balancing task with a 10-D observation; the closest Gymnasium v5
// task is InvertedPendulum-v5 (the same cart-pole balancing, MuJoCo). Its hopper/walker/swimmer are the ancestors
// of Hopper-v5, Walker2d-v5 and Swimmer-v5 (different reward terms and limits, so absolute numbers differ).

export interface Method {
  id: string;
  label: string;
  /** Agent options on top of each env's tuned defaults (`algo` picks CEM / CMA-ES). */
  options: Record<string, unknown>;
  /** Tasks the paper runs it on (all when absent). */
  envs?: readonly string[];
}

const DELTA = 0.01;

export const METHODS: readonly Method[] = [
  { id: 'single-path', label: 'TRPO single path', options: { targetKl: DELTA } },
  { id: 'vine', label: 'TRPO vine', options: { targetKl: DELTA, sampling: 'vine' } },
  { id: 'natural-gradient', label: 'natural gradient', options: { targetKl: DELTA, stepRule: 'natural-gradient' } },
  { id: 'empirical-fim', label: 'TRPO, empirical FIM', options: { targetKl: DELTA, fisher: 'empirical' } },
  { id: 'max-kl', label: 'TRPO, max KL', options: { targetKl: DELTA, klConstraint: 'max' }, envs: ['InvertedPendulum-v5'] },
  { id: 'cem', label: 'CEM', options: { algo: 'cem' } },
  { id: 'cmaes', label: 'CMA-ES', options: { algo: 'cmaes' } },
];

export const ENVS = ['InvertedPendulum-v5', 'Swimmer-v5', 'Hopper-v5', 'Walker2d-v5'] as const;

/**
 * Env steps per run at --budget 1. Chosen so that the whole default grid (25 cells × 3 seeds, about 29M env
 * steps) fits in about an hour on 2 cores at the trainer's measured 12–14k env-steps/s (README); the paper itself
 * ran far longer (e.g. 1M+ steps per iteration batch on the locomotion tasks).
 */
export const DEFAULT_BUDGETS: Record<string, number> = {
  'InvertedPendulum-v5': 100_000,
  'Swimmer-v5': 500_000,
  'Hopper-v5': 500_000,
  'Walker2d-v5': 500_000,
};

export interface Cell {
  env: string;
  method: Method;
  timesteps: number;
}

/** Every (env, method) cell the paper has, with its scaled budget (at least one 2048-step iteration). */
export function planCells(envs: readonly string[], methods: readonly Method[], budgetScale: number): Cell[] {
  const cells: Cell[] = [];
  for (const env of envs) {
    const base = DEFAULT_BUDGETS[env];
    if (base === undefined) throw new Error(`bench:paper has no budget for ${env}; tasks: ${ENVS.join(', ')}`);
    for (const method of methods) {
      if (method.envs && !method.envs.includes(env)) continue;
      cells.push({ env, method, timesteps: Math.max(2048, Math.round(base * budgetScale)) });
    }
  }
  return cells;
}

/** Two-sided 95% Student-t quantiles for n − 1 degrees of freedom (n = 2 … 10); normal beyond. */
const T975 = [NaN, NaN, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262];

/** Half-width of the 95% confidence interval of a mean from n samples with sample std s. */
export function ciHalfWidth(sampleStd: number, n: number): number {
  if (n < 2) return 0;
  return ((T975[n] ?? 1.96) * sampleStd) / Math.sqrt(n);
}

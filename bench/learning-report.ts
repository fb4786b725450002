// The learning benchmark's report: per task, each seed's final deterministic return, the median and the
// interquartile mean with a bootstrap 95 % CI over seeds, the best periodic evaluation during training, beside
// the published TRPO figures (sources named in the table).
import { bootstrapCi, iqm, median, meanStd } from '../sdk/sweep/stats.js';

/** The nine MuJoCo tasks `--envs all` runs. */
export const MUJOCO_TASKS = [
  'Hopper-v5', 'Walker2d-v5', 'HalfCheetah-v5', 'Ant-v5', 'Humanoid-v5', 'Swimmer-v5',
  'InvertedPendulum-v5', 'InvertedDoublePendulum-v5', 'Reacher-v5',
] as const;

/** Issue 9's training budgets: 1M steps, Humanoid 2M. */
export function defaultTimesteps(env: string): number {
  return env === 'Humanoid-v5' ? 2_000_000 : 1_000_000;
}

/**
 * Published TRPO returns at 1M steps (v3/v4/v2 envs; no v5 table exists).
 * rl-baselines3-zoo and sb3-contrib (docs, 3 seeds): final deterministic evaluation, from the project's
 * reference sheet (shared specs README). Tianshou: thu-ml/tianshou examples/mujoco/README.md, TRPO table
 * "Tianshou (1M)": max over training of the average test return, mean ± std over 10 seeds — comparable with our
 * "best evaluation during training" column, not with the final return.
 */
const PUBLISHED: Record<string, { zoo?: string; sb3Contrib?: string; tianshou?: string; goal?: string }> = {
  'Hopper-v5': { zoo: '3618 ± 357', sb3Contrib: '3372 ± 215', tianshou: '2046 ± 1038', goal: '≥ 3300, no seed < 2500' },
  'Walker2d-v5': { zoo: '4933 ± 1453', sb3Contrib: '4502 ± 234', tianshou: '3827 ± 783', goal: '≥ 4500' },
  'HalfCheetah-v5': { zoo: '1785 ± 69', sb3Contrib: '1803 ± 46', tianshou: '4471 ± 805', goal: '≥ 2000' },
  'Ant-v5': { zoo: '4982 ± 664', sb3Contrib: '3554 ± 591', tianshou: '2867 ± 708', goal: '≥ 3000' },
  'Humanoid-v5': { tianshou: '810 ± 126', goal: '≥ 1000 (2M)' },
  'Swimmer-v5': { zoo: '366 ± 2', sb3Contrib: '359 ± 2', tianshou: '40.9 ± 19.6', goal: '≥ 350, ≤ 1 stuck seed' },
  'InvertedPendulum-v5': { tianshou: '1000 ± 0', goal: '1000' },
  'InvertedDoublePendulum-v5': { tianshou: '8435 ± 1073', goal: '≥ 9000' },
  'Reacher-v5': { tianshou: '-5.1 ± 0.8', goal: '≥ −5' },
};

export interface SeedResult {
  seed: number;
  /** Final deterministic evaluation, 10 episodes. */
  finalReturn: number;
  finalStd: number;
  /** Best eval/mean_reward of the periodic evaluations (null when none ran). */
  bestEval: number | null;
  timesteps: number;
  wallTimeS: number;
  envStepsPerS: number;
}

export interface TaskReport {
  env: string;
  timesteps: number;
  seeds: SeedResult[];
  median: number;
  iqm: number;
  /** Percentile bootstrap 95 % CI of the IQM over seeds. */
  iqmCi: { low: number; high: number };
  bestEval: { mean: number; std: number } | null;
  published: (typeof PUBLISHED)[string];
}

export function taskReport(env: string, timesteps: number, seeds: SeedResult[]): TaskReport {
  const finals = seeds.map((s) => s.finalReturn);
  const bests = seeds.flatMap((s) => (s.bestEval === null ? [] : [s.bestEval]));
  const best = meanStd(bests);
  return {
    env, timesteps, seeds,
    median: median(finals), iqm: iqm(finals), iqmCi: bootstrapCi(finals, iqm),
    bestEval: best ? { mean: best.mean, std: best.std } : null,
    published: PUBLISHED[env] ?? {},
  };
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return '—';
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1);
}

export function markdownTable(reports: TaskReport[], note: string): string {
  const lines = [
    note,
    '',
    '| env | steps | final return per seed (10 episodes) | median | IQM [95 % CI] | best eval during training (mean ± std over seeds) | rl-baselines3-zoo | sb3-contrib | Tianshou (best during training) | goal |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of reports) {
    const perSeed = r.seeds.map((s) => `${s.seed}: ${fmt(s.finalReturn)}`).join(', ');
    const best = r.bestEval ? `${fmt(r.bestEval.mean)} ± ${fmt(r.bestEval.std)}` : '—';
    const p = r.published;
    lines.push(
      `| ${r.env} | ${r.timesteps.toLocaleString('en-US')} | ${perSeed} | ${fmt(r.median)} | ${fmt(r.iqm)} [${fmt(r.iqmCi.low)}, ${fmt(r.iqmCi.high)}] | ` +
        `${best} | ${p.zoo ?? '–'} | ${p.sb3Contrib ?? '–'} | ${p.tianshou ?? '–'} | ${p.goal ?? '–'} |`,
    );
  }
  lines.push(
    '',
    'Sources: rl-baselines3-zoo and sb3-contrib docs (TRPO, 1M steps, final deterministic evaluation; v3/v4 envs);',
    'Tianshou: thu-ml/tianshou examples/mujoco/README.md, TRPO "Tianshou (1M)" (max average test return during',
    'training, 10 seeds; v3/v2 envs). No published TRPO table exists for the v5 envs.',
  );
  return lines.join('\n');
}

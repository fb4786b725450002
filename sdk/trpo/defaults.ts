// Tuned per-environment defaults, the one place they live. They follow the published TRPO settings of
// rl-baselines3-zoo / sb3-contrib for MuJoCo: normalized observations, 2 envs × 1024 steps per iteration,
// CG 25 steps with damping 0.1, 20 critic updates with lr 1e-3, batch 128, γ 0.99, λ 0.95 — with
// Swimmer's γ = 0.9999 and HalfCheetah's δ = 0.04. Classic control gets small, fast settings.
import type { TrpoOptionsInput } from './config.js';

const mujocoLocomotion: TrpoOptionsInput = {
  numEnvs: 2,
  nSteps: 1024,
  batchSize: 128,
  gamma: 0.99,
  gaeLambda: 0.95,
  cgMaxSteps: 25,
  cgDamping: 0.1,
  nCriticUpdates: 20,
  learningRate: 1e-3,
  normalizeObservations: true,
  normalizeReward: true,
};

const perEnv: Record<string, TrpoOptionsInput> = {
  'Hopper-v5': mujocoLocomotion,
  'Walker2d-v5': mujocoLocomotion,
  'Ant-v5': mujocoLocomotion,
  'Humanoid-v5': mujocoLocomotion,
  'HalfCheetah-v5': { ...mujocoLocomotion, targetKl: 0.04 },
  'Swimmer-v5': { ...mujocoLocomotion, gamma: 0.9999 },
  'InvertedPendulum-v5': { ...mujocoLocomotion, normalizeReward: false },
  'InvertedDoublePendulum-v5': { ...mujocoLocomotion, normalizeReward: false },
  'Reacher-v5': mujocoLocomotion,
  'CartPole-v1': {
    numEnvs: 4, nSteps: 512, gamma: 0.99, gaeLambda: 0.98, cgMaxSteps: 15, nCriticUpdates: 10,
    normalizeObservations: false, normalizeReward: false, policyHiddenSizes: [32, 32], valueHiddenSizes: [32, 32],
  },
  'Pendulum-v1': {
    numEnvs: 2, nSteps: 1024, gamma: 0.9, gaeLambda: 0.95, targetKl: 0.02, cgMaxSteps: 15, nCriticUpdates: 20,
    normalizeObservations: true, normalizeReward: false, learningRate: 1e-3,
  },
};

/** The tuned defaults for `env` (empty for an env without tuned settings). */
export function tunedDefaults(env: string): TrpoOptionsInput {
  return perEnv[env] ?? {};
}

/** Environment ids with tuned defaults. */
export function tunedEnvs(): string[] {
  return Object.keys(perEnv);
}

/** The training budget `trpo train` uses when --timesteps is not given. */
export function tunedTimesteps(env: string): number {
  if (env === 'CartPole-v1' || env === 'InvertedPendulum-v5') return 100_000;
  if (env === 'Pendulum-v1' || env === 'Reacher-v5' || env === 'InvertedDoublePendulum-v5') return 300_000;
  return 1_000_000;
}

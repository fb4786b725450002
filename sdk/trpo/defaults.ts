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

// MinAtar (10 × 10 × channels of 0/1): the TRPO paper's small CNN for policy and value, no observation
// normalization (the pixels are already 0/1), 8 envs × 256 steps per iteration.
const minAtar: TrpoOptionsInput = {
  policy: { kind: 'cnn', preset: 'paper' },
  activation: 'relu',
  numEnvs: 8,
  nSteps: 256,
  gamma: 0.99,
  gaeLambda: 0.95,
  targetKl: 0.01,
  cgMaxSteps: 10,
  nCriticUpdates: 5,
  batchSize: 256,
  learningRate: 1e-3,
  normalizeObservations: false,
  normalizeReward: false,
};

const perEnv: Record<string, TrpoOptionsInput> = {
  'Hopper-v5': mujocoLocomotion,
  'Walker2d-v5': mujocoLocomotion,
  // Ant: the published TRPO figures (rl-baselines3-zoo Ant-v4, sb3-contrib Ant-v3, Tianshou Ant-v4) come from
  // 27-number observations: Gymnasium v4 leaves the contact forces out by default (use_contact_forces=False) and
  // v3 under mujoco ≥ 2.0 reported them as zeros. v5 adds 78 clipped contact forces by default. Measured here
  // (seed 0, 1M steps, σ = 1, unclipped actions): 1323 with them, 1790 without. The reward (contact cost
  // included) stays v5's.
  // logStdInit −0.5 (σ = 0.61) is Tianshou's MuJoCo TRPO setting (examples/mujoco/mujoco_trpo.py). With σ = 1 a
  // random Ant pays a control cost of 2.06 per step (clipped actions; 4.0 unclipped) against a healthy reward of 1
  // and jumps out of healthyZRange within ~37 steps, so the first thing TRPO learns is to end episodes early; it
  // only escapes once σ ≲ 0.5, which took ~500k steps. Starting at 0.61 removes that phase
  // (seed 0, 1M steps, clipped actions: 3051 against 1323 before).
  'Ant-v5': { ...mujocoLocomotion, logStdInit: -0.5, envOptions: { includeCfrcExtInObservation: false } },
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
  'MinAtar/Breakout-v1': minAtar,
  'MinAtar/SpaceInvaders-v1': minAtar,
  'MinAtar/Freeway-v1': minAtar,
  'MinAtar/Asterix-v1': minAtar,
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

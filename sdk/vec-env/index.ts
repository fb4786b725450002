// The vector env: envs on worker threads, shared-memory steps, and rollout workers that run the policy.
export { makeVecEnv, VecEnv } from './vec-env.js';
export type { EpisodeStats, PolicyInfo, RolloutBatch, VecEnvInfo, VecResetResult, VecStepResult } from './vec-env.js';
export type { BranchOptions, CandidateOptions, CollectOptions, PolicyConfig, VecEnvOptions } from './options.js';
export { actionNoise, CANDIDATE_STREAMS, type EnvSlotState } from './env-group.js';
export type { BranchReport, CandidateReport } from './commands.js';
export type { PolicyShape, RolloutPolicy } from './policy-runner.js';

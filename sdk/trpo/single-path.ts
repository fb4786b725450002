// Single-path sampling (paper §5.1): run the current policy on every env for nSteps; the rollout buffer
// (rollout-buffer.ts) turns the batch into advantages and value targets.
import type { RolloutBatch, VecEnv } from '../vec-env/index.js';
import { processRollout, type PolicyData } from './rollout-buffer.js';
import type { TrainingState } from './training-state.js';

/** Start a rollout with the current policy and the current normalization statistics (the workers run it). */
export function startSinglePath(vec: VecEnv, s: TrainingState): Promise<RolloutBatch> {
  return vec.collect({ parameters: s.policy.getParameters(), nSteps: s.options.nSteps, ...s.normalization.rolloutObsNorm() });
}

/** Turn a finished rollout into the update's inputs, then fold its raw observations into the statistics. */
export function finishSinglePath(batch: RolloutBatch, s: TrainingState): PolicyData {
  s.recordEpisodes(batch);
  const data = processRollout(batch, s);
  s.normalization.updateObs(batch);
  return data;
}

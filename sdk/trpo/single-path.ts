// Single-path sampling (paper §5.1): run the current policy on every env for nSteps, then estimate
// advantages with GAE(γ, λ) and a learned value function. Bootstraps from V(final observation) where the
// time limit cut an episode, never where it terminated.
import type { RolloutBatch, VecEnv } from '../vec-env/index.js';
import type { TrainingState } from './training-state.js';
import { explainedVariance, normalizeInPlace, scaleRewards, truncatedRows } from './returns.js';

/** What one iteration of sampling hands to the update. */
export interface PolicyData {
  /** Rows of (observation the policy saw, action, advantage) for the policy step. */
  rows: number;
  obs: Float64Array;
  actions: Float64Array;
  advantages: Float64Array;
  /** The surrogate L(θ) at the current θ when it is not mean(ratio·Â) (vine's self-normalized estimator). */
  surrogate?: () => number;
  /** Rows of (observation, return) for the value fit. */
  valueRows: number;
  valueObs: Float64Array;
  valueTargets: Float64Array;
  explainedVariance: number;
  /** Env steps this iteration consumed (trunk and branches). */
  envSteps: number;
}

/** Start a rollout with the current policy and frozen normalization statistics (the workers run it). */
export function startSinglePath(vec: VecEnv, s: TrainingState): Promise<RolloutBatch> {
  return vec.collect({ parameters: s.policy.getParameters(), nSteps: s.options.nSteps, obsNorm: s.obsNormStats() });
}

/**
 * Turn a finished rollout into the update's inputs (copies: the batch's arrays are shared memory that the next
 * rollout overwrites), then fold its raw observations into the normalization statistics.
 */
export function finishSinglePath(batch: RolloutBatch, s: TrainingState): PolicyData {
  s.recordEpisodes(batch);
  const data = estimateAdvantages(batch, s);
  s.updateObsStats(batch.observations);
  return data;
}

/** GAE over the batch with the current value function (rewards scaled first when normalizeReward is on). */
export function estimateAdvantages(batch: RolloutBatch, s: TrainingState): PolicyData {
  const o = s.options;
  const { nSteps, numEnvs, obsDim } = batch;
  const rows = nSteps * numEnvs;
  const rewards = batch.rewards.slice();
  if (s.rewardScaler) scaleRewards(batch, rewards, s.rewardScaler, o);

  const obs = batch.normalizedObservations.slice();
  const values = s.value.predict(obs, rows);
  const lastValues = s.value.predict(batch.lastNormalizedObservations, numEnvs);
  const truncationValues = new Float64Array(rows);
  const cut = truncatedRows(batch);
  if (cut.length > 0) {
    const finals = new Float64Array(cut.length * obsDim);
    cut.forEach((row, k) => finals.set(batch.finalObservations.subarray(row * obsDim, (row + 1) * obsDim), k * obsDim));
    const v = s.value.predict(finals, cut.length);
    cut.forEach((row, k) => (truncationValues[row] = v[k]));
  }
  const { advantages, returns } = s.gae({
    rewards, values, terminated: batch.terminated, truncated: batch.truncated, truncationValues, lastValues,
    nSteps, numEnvs, gamma: o.gamma, lambda: o.gaeLambda,
  });
  const ev = explainedVariance(values, returns);
  if (o.normalizeAdvantage) normalizeInPlace(advantages);
  return {
    rows, obs, actions: batch.actions.slice(), advantages,
    valueRows: rows, valueObs: obs, valueTargets: returns, explainedVariance: ev, envSteps: rows,
  };
}

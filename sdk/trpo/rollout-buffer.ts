// Rollout post-processing, the one owner of what SB3's RolloutBuffer computes: from a collected batch to the
// update's inputs — rewards scaled (normalizeReward), values V(sₜ), the time-limit bootstrap, GAE(γ, λ)
// advantages and returns, the explained variance, and advantage normalization. Everything runs in time order,
// so the result is the same whatever number of workers collected the batch.
import type { RolloutBatch } from '../vec-env/index.js';
import type { TrainingState } from './training-state.js';

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

/**
 * GAE over the batch with the current value function, rewards scaled first when normalizeReward is on.
 * Bootstraps from V(final observation) where the time limit cut an episode, never where it terminated.
 * Copies what it keeps: the batch's arrays are shared memory that the next rollout overwrites.
 */
export function processRollout(batch: RolloutBatch, s: TrainingState): PolicyData {
  const o = s.options;
  const { nSteps, numEnvs, obsDim } = batch;
  const rows = nSteps * numEnvs;
  const rewards = batch.rewards.slice();
  s.normalization.scaleRewards(batch, rewards);

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
  if (o.normalizeAdvantage) normalizeAdvantages(advantages, { center: true });
  return {
    rows, obs, actions: batch.actions.slice(), advantages,
    valueRows: rows, valueObs: obs, valueTargets: returns, explainedVariance: ev, envSteps: rows,
  };
}

/**
 * Advantage normalization in place. center (SB3's): (A − mean) / (std + 1e-8). Without centering (vine, whose
 * per-state baselines are already in): A / std, left as it is when std is 0. Population std.
 */
export function normalizeAdvantages(a: Float64Array, { center }: { center: boolean }): void {
  let mean = 0;
  for (let i = 0; i < a.length; i++) mean += a[i];
  mean /= a.length;
  let variance = 0;
  for (let i = 0; i < a.length; i++) variance += (a[i] - mean) ** 2;
  const std = Math.sqrt(variance / a.length);
  if (center) {
    for (let i = 0; i < a.length; i++) a[i] = (a[i] - mean) / (std + 1e-8);
  } else if (std > 0) {
    for (let i = 0; i < a.length; i++) a[i] /= std;
  }
}

/** 1 − Var[returns − values] / Var[returns] (SB3's explained variance; NaN when returns are constant). */
export function explainedVariance(values: Float64Array, returns: Float64Array): number {
  const n = returns.length;
  let mr = 0, md = 0;
  for (let i = 0; i < n; i++) { mr += returns[i]; md += returns[i] - values[i]; }
  mr /= n; md /= n;
  let vr = 0, vd = 0;
  for (let i = 0; i < n; i++) {
    vr += (returns[i] - mr) ** 2;
    vd += (returns[i] - values[i] - md) ** 2;
  }
  return vr === 0 ? NaN : 1 - vd / vr;
}

/** Rows (t, e) whose step was cut by the time limit (they bootstrap from V(final observation)). */
export function truncatedRows(batch: Pick<RolloutBatch, 'truncated' | 'terminated'>): number[] {
  const rows: number[] = [];
  for (let i = 0; i < batch.truncated.length; i++) if (batch.truncated[i] && !batch.terminated[i]) rows.push(i);
  return rows;
}

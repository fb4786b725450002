// The trainer's normalization, as SB3's VecNormalize keeps it: running statistics of the observations (policy
// and value function see normalized observations) and of each env's discounted return (rewards are divided by
// its standard deviation). This object owns both statistics, when they move, the frozen copies handed to
// rollouts, evaluation and export, and their place in checkpoints.
//
// Observation statistics move either once per iteration (`obsStatsUpdate: 'iteration'`: a rollout runs with the
// statistics frozen at its start, its raw observations are folded in afterwards) or at every step, as SB3 does
// (`'step'`: the rollout workers fold step t's observations of all envs in before normalizing them, and
// `updateObs` replays exactly those updates here, so the trainer's copy equals the workers').
import type { RolloutBatch } from '../vec-env/index.js';
import { DEFAULT_NORMALIZE_EPSILON, ObsNormalizer, type ObsNormStats } from './obs-normalizer.js';
import { RunningMeanStd } from './running-mean-std.js';

export type ObsStatsUpdate = 'iteration' | 'step';

export interface NormalizationOptions {
  normalizeObservations: boolean;
  normalizeReward: boolean;
  clipObs: number;
  clipReward: number;
  gamma: number;
  numEnvs: number;
  obsStatsUpdate: ObsStatsUpdate;
}

/** Statistics for a rollout: frozen ones, plus their sample count when the rollout updates them per step. */
export interface RolloutObsNorm {
  obsNorm: ObsNormStats | undefined;
  obsNormCount: number | undefined;
}

/**
 * SB3's reward scaling: each env keeps its running discounted return; the returns of every step are folded
 * into one running variance, and the reward is divided by √(Var + ε) and clipped.
 */
export class RewardScaler {
  readonly returnStats = new RunningMeanStd(1);
  /** Running discounted return of each env's current episode. */
  readonly discountedReturns: Float64Array;

  constructor(numEnvs: number, private readonly o: { gamma: number; clipReward: number }) {
    this.discountedReturns = new Float64Array(numEnvs);
  }

  /** The factor rewards are multiplied by now: 1 / √(Var[discounted return] + ε). */
  factor(): number {
    return 1 / Math.sqrt(this.returnStats.var[0] + DEFAULT_NORMALIZE_EPSILON);
  }

  /**
   * Scale a batch's rewards in place, step by step in time order: update each env's discounted return, fold
   * the numEnvs returns of the step into the statistics, scale, clip; an ended episode restarts its return at 0.
   */
  scale(batch: Pick<RolloutBatch, 'nSteps' | 'numEnvs' | 'terminated' | 'truncated'>, rewards: Float64Array): void {
    const { nSteps, numEnvs } = batch;
    const ret = this.discountedReturns;
    const { gamma, clipReward } = this.o;
    for (let t = 0; t < nSteps; t++) {
      const row = t * numEnvs;
      for (let e = 0; e < numEnvs; e++) ret[e] = ret[e] * gamma + rewards[row + e];
      this.returnStats.update(ret);
      const scale = this.factor();
      for (let e = 0; e < numEnvs; e++) {
        const r = rewards[row + e] * scale;
        rewards[row + e] = r > clipReward ? clipReward : r < -clipReward ? -clipReward : r;
        if (batch.terminated[row + e] || batch.truncated[row + e]) ret[e] = 0;
      }
    }
  }
}

export class Normalization {
  /** Observation statistics (undefined when observations are not normalized). */
  readonly obs: RunningMeanStd | undefined;
  readonly reward: RewardScaler | undefined;
  private readonly normalizer: ObsNormalizer;

  constructor(readonly obsDim: number, private readonly o: NormalizationOptions) {
    this.obs = o.normalizeObservations ? new RunningMeanStd(obsDim) : undefined;
    this.reward = o.normalizeReward ? new RewardScaler(o.numEnvs, o) : undefined;
    this.normalizer = new ObsNormalizer(obsDim);
  }

  /** A frozen copy of the observation statistics (evaluation, export, vine branches). */
  obsStats(): ObsNormStats | undefined {
    if (!this.obs) return undefined;
    return { mean: this.obs.mean.slice(), var: this.obs.var.slice(), clip: this.o.clipObs, epsilon: DEFAULT_NORMALIZE_EPSILON };
  }

  /** What a training rollout needs: the statistics, and their count when the workers update them per step. */
  rolloutObsNorm(): RolloutObsNorm {
    const obsNorm = this.obsStats();
    return { obsNorm, obsNormCount: obsNorm && this.o.obsStatsUpdate === 'step' ? this.obs!.count : undefined };
  }

  /** Normalize raw observations (rows × obsDim) with the current statistics, exactly as the workers do. */
  normalizeObs(raw: ArrayLike<number>, out: Float64Array): Float64Array {
    const o = this.obs;
    this.normalizer.load(o && { mean: o.mean, var: o.var, clip: this.o.clipObs, epsilon: DEFAULT_NORMALIZE_EPSILON });
    return this.normalizer.apply(raw, out);
  }

  /**
   * Fold a finished training rollout's raw observations (what the policy acted on, time order) into the
   * statistics: all at once ('iteration'), or one step's row of numEnvs observations at a time ('step', the
   * same updates the workers made).
   */
  updateObs(batch: Pick<RolloutBatch, 'observations' | 'nSteps' | 'numEnvs'>): void {
    if (!this.obs) return;
    if (this.o.obsStatsUpdate === 'iteration') {
      this.obs.update(batch.observations);
      return;
    }
    const width = batch.numEnvs * this.obsDim;
    for (let t = 0; t < batch.nSteps; t++) this.obs.update(batch.observations.subarray(t * width, (t + 1) * width));
  }

  /** Scale a rollout's rewards in place (no-op without reward normalization). */
  scaleRewards(batch: Pick<RolloutBatch, 'nSteps' | 'numEnvs' | 'terminated' | 'truncated'>, rewards: Float64Array): void {
    this.reward?.scale(batch, rewards);
  }

  /** The factor rewards are scaled by now (1 without reward normalization); vine branch returns use it. */
  rewardFactor(): number {
    return this.reward ? this.reward.factor() : 1;
  }

  /** Checkpoint arrays: obs_rms, return_rms and discounted_returns (those in use). */
  serialize(): Record<string, Float64Array> {
    const arrays: Record<string, Float64Array> = {};
    if (this.obs) arrays.obs_rms = this.obs.toFloat64Array();
    if (this.reward) {
      arrays.return_rms = this.reward.returnStats.toFloat64Array();
      arrays.discounted_returns = this.reward.discountedReturns.slice();
    }
    return arrays;
  }

  restore(arrays: Record<string, Float64Array>): void {
    if (this.obs) copyStats(this.obs, RunningMeanStd.fromFloat64Array(required(arrays, 'obs_rms')));
    if (this.reward) {
      copyStats(this.reward.returnStats, RunningMeanStd.fromFloat64Array(required(arrays, 'return_rms')));
      this.reward.discountedReturns.set(required(arrays, 'discounted_returns'));
    }
  }
}

function copyStats(into: RunningMeanStd, from: RunningMeanStd): void {
  into.mean.set(from.mean);
  into.var.set(from.var);
  into.count = from.count;
}

function required(arrays: Record<string, Float64Array>, name: string): Float64Array {
  const a = arrays[name];
  if (!a) throw new Error(`checkpoint is missing the array "${name}"`);
  return a;
}

// Everything a training run learns or advances — networks, normalizer statistics, counters, random streams —
// in one object that the agent, the samplers and the checkpoints share. Checkpoints store exactly this (plus
// the envs' states), which is what makes a resumed run replay bit for bit.
import { RunningMeanStd } from '../run/running-mean-std.js';
import { Rng } from '../rng.js';
import type { RolloutBatch } from '../vec-env/index.js';
import type { TrpoOptions } from './config.js';
import { EpisodeWindow, type RewardScaler } from './returns.js';
import type { AgentPolicy, AgentValue, GaeInputs, Networks } from './networks.js';

export interface ObsNormStats {
  mean: Float64Array;
  var: Float64Array;
  clip: number;
  epsilon: number;
}

export const OBS_EPSILON = 1e-8;

export class TrainingState {
  numTimesteps = 0;
  iteration = 0;
  readonly episodes = new EpisodeWindow(100);
  readonly obsRms: RunningMeanStd | undefined;
  readonly rewardScaler: RewardScaler | undefined;
  /** The trainer's own stream (value-fit minibatches, vine choices); env and action noise live in the envs. */
  readonly rng: Rng;

  constructor(
    readonly options: TrpoOptions,
    readonly networks: Networks,
    readonly obsDim: number,
  ) {
    this.obsRms = options.normalizeObservations ? new RunningMeanStd(obsDim) : undefined;
    this.rewardScaler = options.normalizeReward
      ? { returnStats: new RunningMeanStd(1), discountedReturns: new Float64Array(options.numEnvs) }
      : undefined;
    this.rng = new Rng(options.seed, 1);
  }

  get policy(): AgentPolicy {
    return this.networks.policy;
  }

  get value(): AgentValue {
    return this.networks.value;
  }

  gae(x: GaeInputs): { advantages: Float64Array; returns: Float64Array } {
    return this.networks.gae(x);
  }

  /** Frozen statistics for this iteration's rollouts (undefined when observations are not normalized). */
  obsNormStats(): ObsNormStats | undefined {
    if (!this.obsRms) return undefined;
    return { mean: this.obsRms.mean.slice(), var: this.obsRms.var.slice(), clip: this.options.clipObs, epsilon: OBS_EPSILON };
  }

  /** Normalize raw observations (rows × obsDim) exactly as the rollout workers do. */
  normalizeObs(raw: ArrayLike<number>, out: Float64Array): Float64Array {
    if (!this.obsRms) {
      for (let i = 0; i < raw.length; i++) out[i] = raw[i];
      return out;
    }
    return this.obsRms.normalize(raw, out, { clip: this.options.clipObs, epsilon: OBS_EPSILON });
  }

  /** Fold this iteration's raw observations into the statistics (used from the next iteration on). */
  updateObsStats(rawObservations: Float64Array): void {
    this.obsRms?.update(rawObservations);
  }

  recordEpisodes(batch: RolloutBatch): void {
    const e = batch.episodes;
    for (let k = 0; k < e.returns.length; k++) this.episodes.add(e.returns[k], e.lengths[k]);
  }

  /** Flat arrays and JSON for a checkpoint (the env states are added by the agent). */
  serialize(): { json: Record<string, unknown>; arrays: Record<string, Float64Array> } {
    const arrays: Record<string, Float64Array> = {
      policy: this.policy.getParameters(),
      ...prefixed('value', this.value.getState()),
    };
    if (this.obsRms) arrays.obs_rms = this.obsRms.toFloat64Array();
    if (this.rewardScaler) {
      arrays.return_rms = this.rewardScaler.returnStats.toFloat64Array();
      arrays.discounted_returns = this.rewardScaler.discountedReturns.slice();
    }
    return {
      json: {
        counters: { numTimesteps: this.numTimesteps, iteration: this.iteration },
        episodes: this.episodes.toJSON(),
        rng: this.rng.getState(),
      },
      arrays,
    };
  }

  restore(json: Record<string, unknown>, arrays: Record<string, Float64Array>): void {
    const counters = json.counters as { numTimesteps: number; iteration: number };
    this.numTimesteps = counters.numTimesteps;
    this.iteration = counters.iteration;
    this.episodes.load(json.episodes as { returns: number[]; lengths: number[]; total: number });
    this.rng.setState(json.rng as number[]);
    this.policy.setParameters(required(arrays, 'policy'));
    this.value.setState(unprefixed('value', arrays));
    if (this.obsRms) copyStats(this.obsRms, RunningMeanStd.fromFloat64Array(required(arrays, 'obs_rms')));
    if (this.rewardScaler) {
      copyStats(this.rewardScaler.returnStats, RunningMeanStd.fromFloat64Array(required(arrays, 'return_rms')));
      this.rewardScaler.discountedReturns.set(required(arrays, 'discounted_returns'));
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

function prefixed(prefix: string, arrays: Record<string, Float64Array>): Record<string, Float64Array> {
  return Object.fromEntries(Object.entries(arrays).map(([k, v]) => [`${prefix}_${k}`, v]));
}

function unprefixed(prefix: string, arrays: Record<string, Float64Array>): Record<string, Float64Array> {
  const p = `${prefix}_`;
  return Object.fromEntries(Object.entries(arrays).filter(([k]) => k.startsWith(p)).map(([k, v]) => [k.slice(p.length), v]));
}

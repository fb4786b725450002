// Everything a training run learns or advances — networks, normalizer statistics, counters, random streams —
// in one object that the agent, the samplers and the checkpoints share. Checkpoints store exactly this (plus
// the envs' states), which is what makes a resumed run replay bit for bit.
import { Normalization } from '../normalization/normalization.js';
import { Rng } from '../rng.js';
import type { RolloutBatch } from '../vec-env/index.js';
import type { TrpoOptions } from './config.js';
import { EpisodeWindow } from './episode-window.js';
import type { AgentPolicy, AgentValue, GaeInputs, Networks } from './networks.js';

export class TrainingState {
  numTimesteps = 0;
  iteration = 0;
  /** Periodic evaluations done so far, and the best mean return among them (null before the first). */
  evaluations = 0;
  bestMeanReward: number | null = null;
  readonly episodes = new EpisodeWindow(100);
  /** Observation statistics and reward scaling (SB3's VecNormalize). */
  readonly normalization: Normalization;
  /** The trainer's own stream (value-fit minibatches, vine choices); env and action noise live in the envs. */
  readonly rng: Rng;

  constructor(
    readonly options: TrpoOptions,
    readonly networks: Networks,
    readonly obsDim: number,
  ) {
    this.normalization = new Normalization(obsDim, options);
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

  recordEpisodes(batch: RolloutBatch): void {
    const e = batch.episodes;
    for (let k = 0; k < e.returns.length; k++) this.episodes.add(e.returns[k], e.lengths[k]);
  }

  /** Flat arrays and JSON for a checkpoint (the env states are added by the agent). */
  serialize(): { json: Record<string, unknown>; arrays: Record<string, Float64Array> } {
    const arrays: Record<string, Float64Array> = {
      policy: this.policy.getParameters(),
      ...prefixed('value', this.value.getState()),
      ...this.normalization.serialize(),
    };
    return {
      json: {
        counters: { numTimesteps: this.numTimesteps, iteration: this.iteration },
        evaluation: { evaluations: this.evaluations, bestMeanReward: this.bestMeanReward },
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
    // Checkpoints written before periodic evaluation existed have no record: nothing evaluated yet.
    const evaluation = (json.evaluation ?? { evaluations: 0, bestMeanReward: null }) as { evaluations: number; bestMeanReward: number | null };
    this.evaluations = evaluation.evaluations;
    this.bestMeanReward = evaluation.bestMeanReward;
    this.episodes.load(json.episodes as { returns: number[]; lengths: number[]; total: number });
    this.rng.setState(json.rng as number[]);
    this.policy.setParameters(required(arrays, 'policy'));
    this.value.setState(unprefixed('value', arrays));
    this.normalization.restore(arrays);
  }
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

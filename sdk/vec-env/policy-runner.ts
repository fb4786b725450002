// The policy side of a rollout worker: the interface a policy must offer to be run inside a worker, how the
// worker builds one (the package's policy classes, or a custom module), and the frozen observation
// normalization applied before the policy sees an observation.
import { CategoricalMlpPolicy, GaussianMlpPolicy, type ActOptions, type Activation } from '../policies/index.js';
import type { ConvOptions } from '../policies/policy.js';
import type { Rng } from '../rng.js';

interface NetworkShape {
  obsDim: number;
  hiddenSizes: number[];
  activation: Activation;
  /** Element type of the policy kernels (the policy classes' default when absent). */
  precision?: 'f32' | 'f64';
  /** Conv layers in front (CNN policies). */
  conv?: ConvOptions;
}

/** Everything a worker needs to build the policy; derived from the env's spaces by `configurePolicy`. */
export type PolicyShape =
  | (NetworkShape & { kind: 'gaussian'; actionDim: number })
  | (NetworkShape & { kind: 'categorical'; numActions: number });

/**
 * What a rollout worker needs from a policy. The package's policy classes are adapted to it; a custom policy
 * module (PolicyConfig.module) exports `createRolloutPolicy(shape: PolicyShape): RolloutPolicy | Promise<…>`.
 */
export interface RolloutPolicy {
  readonly numParameters: number;
  setParameters(parameters: Float64Array): void;
  /**
   * Choose the action for one (normalized) observation and write it into `action` (Box: the action vector;
   * Discrete: the index at [0]). Returns log π(action | obs). Must draw its noise only from `rng`.
   */
  act(obs: Float64Array, action: Float64Array, deterministic: boolean, rng: Rng): number;
  /** Free what the policy holds (kernel memory); called when the worker's envs close or the policy is replaced. */
  dispose?(): void;
}

type RolloutPolicyFactory = (shape: PolicyShape) => RolloutPolicy | Promise<RolloutPolicy>;

/** Build the policy a worker runs: from `module` when given, else from the package's policy classes. */
export async function createRolloutPolicy(shape: PolicyShape, module: string | undefined): Promise<RolloutPolicy> {
  if (module === undefined) return builtinRolloutPolicy(shape);
  const mod = (await import(module)) as { createRolloutPolicy?: unknown };
  if (typeof mod.createRolloutPolicy !== 'function') {
    throw new TypeError(`policy module ${module} must export a function createRolloutPolicy(shape)`);
  }
  const policy = await (mod.createRolloutPolicy as RolloutPolicyFactory)(shape);
  if (!Number.isSafeInteger(policy?.numParameters) || typeof policy.act !== 'function') {
    throw new TypeError(`createRolloutPolicy of ${module} must return { numParameters, setParameters, act }`);
  }
  return policy;
}

/** GaussianMlpPolicy / CategoricalMlpPolicy acting on one observation at a time, without allocating. */
function builtinRolloutPolicy(shape: PolicyShape): RolloutPolicy {
  const network = { obsDim: shape.obsDim, hiddenSizes: shape.hiddenSizes, activation: shape.activation, precision: shape.precision, conv: shape.conv };
  const policy =
    shape.kind === 'gaussian'
      ? new GaussianMlpPolicy({ ...network, actionDim: shape.actionDim })
      : new CategoricalMlpPolicy({ ...network, numActions: shape.numActions });
  const out: { action: Float64Array; logProb: Float64Array } = { action: new Float64Array(0), logProb: new Float64Array(1) };
  const options: ActOptions<Float64Array> = { deterministic: false, rng: undefined, out };
  return {
    numParameters: policy.numParameters,
    setParameters: (parameters) => policy.setParameters(parameters),
    act(obs, action, deterministic, rng) {
      options.deterministic = deterministic;
      options.rng = rng;
      out.action = action;
      policy.act(obs, options);
      return out.logProb[0];
    },
    dispose: () => policy.dispose(),
  };
}

/** Frozen observation-normalization statistics: obs' = clip((obs − mean) / √(var + epsilon), ±clip). */
export interface ObsNormStats {
  readonly mean: ArrayLike<number>;
  readonly var: ArrayLike<number>;
  readonly clip: number;
  readonly epsilon: number;
}

/**
 * Applies ObsNormStats without allocating per call — the same arithmetic as RunningMeanStd.normalize (a division
 * by √(var + ε), not a multiplication by its reciprocal), so the workers and agent.predict agree to the bit.
 */
export class ObsNormalizer {
  private readonly mean: Float64Array;
  private readonly std: Float64Array;
  private clip = Infinity;
  private enabled = false;

  constructor(private readonly obsDim: number) {
    this.mean = new Float64Array(obsDim);
    this.std = new Float64Array(obsDim);
  }

  /** Freeze `stats` for the next calls of `apply`; `undefined` makes `apply` a copy. */
  load(stats: ObsNormStats | undefined): void {
    this.enabled = stats !== undefined;
    if (stats === undefined) return;
    for (let j = 0; j < this.obsDim; j++) {
      this.mean[j] = stats.mean[j];
      this.std[j] = Math.sqrt(stats.var[j] + stats.epsilon);
    }
    this.clip = stats.clip;
  }

  apply(obs: Float64Array, out: Float64Array): void {
    if (!this.enabled) {
      out.set(obs);
      return;
    }
    const clip = this.clip;
    for (let j = 0; j < this.obsDim; j++) {
      const z = (obs[j] - this.mean[j]) / this.std[j];
      out[j] = z > clip ? clip : z < -clip ? -clip : z;
    }
  }
}

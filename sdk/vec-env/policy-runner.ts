// The policy side of a rollout worker: the interface a policy must offer to be run inside a worker and how the
// worker builds one (the package's policy classes, or a custom module). Observations reach it normalized by
// sdk/normalization.
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

// Test-only modules that vec-env workers import: a linear stand-in policy (PolicyConfig.module) and an env
// module that can inject a worker failure (VecEnvOptions.envModule). Never shipped.
import { makeEnv as makeRegistryEnv } from '../envs/registry.js';
import type { Env } from '../envs/types.js';
import type { Rng } from '../sdk/rng.js';
import type { PolicyShape, RolloutPolicy } from '../sdk/vec-env/index.js';

export const FIXTURES_URL = import.meta.url;

const HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);

/**
 * Linear policy. Gaussian: a = W·obs + b + exp(logStd)·ε, parameters [W (actDim × obsDim), b, logStd].
 * Categorical: logits = W·obs + b, parameters [W (n × obsDim), b].
 */
export class LinearPolicy implements RolloutPolicy {
  readonly numParameters: number;
  private readonly outputs: number;
  private readonly obsDim: number;
  private readonly gaussian: boolean;
  private readonly head: Float64Array;
  private theta = new Float64Array(0);

  constructor(shape: PolicyShape) {
    this.gaussian = shape.kind === 'gaussian';
    this.outputs = shape.kind === 'gaussian' ? shape.actionDim : shape.numActions;
    this.obsDim = shape.obsDim;
    this.numParameters = this.outputs * (this.obsDim + 1) + (this.gaussian ? this.outputs : 0);
    this.head = new Float64Array(this.outputs);
  }

  setParameters(parameters: Float64Array): void {
    this.theta = parameters.slice();
  }

  act(obs: Float64Array, action: Float64Array, deterministic: boolean, rng: Rng): number {
    this.linearHead(obs);
    if (this.gaussian) {
      for (let k = 0; k < this.outputs; k++) {
        action[k] = this.head[k] + (deterministic ? 0 : Math.exp(this.logStd(k)) * rng.normal());
      }
      return this.logProb(obs, action);
    }
    const probs = this.softmax();
    let choice = 0;
    if (deterministic) {
      for (let k = 1; k < probs.length; k++) if (probs[k] > probs[choice]) choice = k;
    } else {
      let u = rng.uniform();
      while (choice < probs.length - 1 && u >= probs[choice]) u -= probs[choice++];
    }
    action[0] = choice;
    return Math.log(probs[choice]);
  }

  /** log π(action | obs), computed from scratch (the tests' reference). */
  logProb(obs: Float64Array, action: ArrayLike<number>): number {
    this.linearHead(obs);
    if (!this.gaussian) return Math.log(this.softmax()[action[0]]);
    let sum = 0;
    for (let k = 0; k < this.outputs; k++) {
      const logStd = this.logStd(k);
      const z = (action[k] - this.head[k]) / Math.exp(logStd);
      sum += -0.5 * z * z - logStd - HALF_LOG_TWO_PI;
    }
    return sum;
  }

  private logStd(k: number): number {
    return this.theta[this.outputs * (this.obsDim + 1) + k];
  }

  private linearHead(obs: Float64Array): void {
    for (let k = 0; k < this.outputs; k++) {
      let s = this.theta[this.outputs * this.obsDim + k];
      for (let j = 0; j < this.obsDim; j++) s += this.theta[k * this.obsDim + j] * obs[j];
      this.head[k] = s;
    }
  }

  private softmax(): Float64Array {
    const max = Math.max(...this.head);
    const p = this.head.map((v) => Math.exp(v - max));
    const total = p.reduce((a, b) => a + b, 0);
    return p.map((v) => v / total);
  }
}

export function createRolloutPolicy(shape: PolicyShape): RolloutPolicy {
  return new LinearPolicy(shape);
}

/**
 * The registry's envs, plus test-only options: `failAfterSteps` (n) makes the n+1-th step of every env fail,
 * `failBy` says how — 'throw' an exception or 'exit' the worker thread with code 3; `echoAction` makes the
 * reward report the action the env received: its first number when every number lies inside the Box action
 * space, NaN when one does not.
 */
export async function makeEnv(id: string, options: Record<string, unknown> = {}): Promise<Env> {
  const { failAfterSteps, failBy, echoAction, ...envOptions } = options;
  const env = await makeRegistryEnv(id, envOptions);
  if (echoAction === true) echoActions(env);
  if (typeof failAfterSteps !== 'number') return env;
  const step = env.stepInto.bind(env);
  let steps = 0;
  env.stepInto = (action, out) => {
    if (++steps > failAfterSteps) {
      if (failBy === 'exit') process.exit(3);
      throw new Error(`injected failure at step ${steps}`);
    }
    step(action, out);
  };
  return env;
}

function echoActions(env: Env): void {
  const space = env.actionSpace;
  if (space.type !== 'box') throw new TypeError('echoAction needs a Box action space');
  const step = env.stepInto.bind(env);
  env.stepInto = (action, out) => {
    step(action, out);
    let inside = true;
    for (let k = 0; k < action.length; k++) inside &&= action[k]! >= space.low[k]! && action[k]! <= space.high[k]!;
    out.reward = inside ? action[0]! : NaN;
  };
}

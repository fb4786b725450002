// Categorical policy for Discrete action spaces: an MLP maps the observation to logits over numActions actions.

import { z } from 'zod';
import { parseOrThrow } from '../validation.js';
import { GrowableArenaArray } from '../wasm/arena.js';
import { DIST_CATEGORICAL } from './batch.js';
import { MlpPolicy, meanOf, policyOptionsShape, type ActOptions, type ObsInput } from './policy.js';

const categoricalOptionsSchema = z
  .object({ ...policyOptionsShape, numActions: z.number().int().min(2) })
  .strict();

export type CategoricalMlpPolicyOptions = z.input<typeof categoricalOptionsSchema>;

/** Distribution parameters for a batch, row-major n × numActions. */
export interface CategoricalDistribution {
  logits: Float64Array;
  probs: Float64Array;
}

/**
 * π(a|s) = softmax(z_θ(s))_a with z_θ an MLP (tanh or relu hidden layers, linear output). θ = MLP weights and
 * biases (torch.nn.Linear layout). Initialization: orthogonal weights (gain √2 hidden, 0.01 output), zero biases;
 * deterministic given `seed`.
 */
export class CategoricalMlpPolicy extends MlpPolicy {
  readonly kind = DIST_CATEGORICAL;
  readonly name = 'CategoricalMlpPolicy';
  readonly numActions: number;
  private readonly indexScratch: GrowableArenaArray<'i32'>;
  private readonly logitScratch: GrowableArenaArray<'f32' | 'f64'>;

  constructor(options: CategoricalMlpPolicyOptions) {
    const o = parseOrThrow(categoricalOptionsSchema, options, 'CategoricalMlpPolicy options');
    super(o, o.numActions, 0);
    this.numActions = o.numActions;
    this.indexScratch = new GrowableArenaArray(this.net.kernels.arena, 'i32');
    this.logitScratch = new GrowableArenaArray(this.net.kernels.arena, o.precision);
    this.setParameters(this.initialNetworkParameters(o.seed));
  }

  /** Logits and probabilities for each of the n observations in `obs` (flat n × obsDim). */
  forward(obs: ObsInput): CategoricalDistribution {
    const n = this.rowsOf(obs, 'forward');
    const K = this.numActions;
    const logits = this.runNetwork(obs, n);
    const probs = this.logitScratch.ensure(n * K);
    this.net.k.softmax(logits.ptr, n, K, probs.ptr);
    return { logits: Float64Array.from(logits.view.subarray(0, n * K)), probs: Float64Array.from(probs.view.subarray(0, n * K)) };
  }

  /** log π(aᵢ|sᵢ) for n observations and n action indices. */
  logProb(obs: ObsInput, actions: ArrayLike<number>): Float64Array {
    const n = this.rowsOf(obs, 'logProb');
    const indices = this.indexScratch.ensure(n);
    this.copyActions(actions, n, indices.view, 'logProb');
    const logits = this.runNetwork(obs, n);
    const rows = this.rowScratch.ensure(n);
    this.net.k.categoricalLogProb(logits.ptr, indices.ptr, n, this.numActions, rows.ptr);
    return Float64Array.from(rows.view.subarray(0, n));
  }

  /** Mean entropy of π(·|sᵢ) over the n observations. */
  entropy(obs: ObsInput): number {
    const n = this.rowsOf(obs, 'entropy');
    const logits = this.runNetwork(obs, n);
    const rows = this.rowScratch.ensure(n);
    this.net.k.categoricalEntropy(logits.ptr, n, this.numActions, rows.ptr);
    return meanOf(rows.view, n);
  }

  /** Mean over the n observations of KL(old ‖ π_θ), `old` as returned by an earlier forward(obs). */
  kl(obs: ObsInput, old: Pick<CategoricalDistribution, 'logits'>): number {
    const n = this.rowsOf(obs, 'kl');
    const K = this.numActions;
    if (old.logits.length < n * K) throw new RangeError(`CategoricalMlpPolicy.kl: old.logits has ${old.logits.length} numbers, need ${n * K}`);
    const logits = this.runNetwork(obs, n);
    const oldLogits = this.logitScratch.ensure(n * K);
    oldLogits.view.set(old.logits.subarray(0, n * K));
    const rows = this.rowScratch.ensure(n);
    this.net.k.categoricalKl(oldLogits.ptr, logits.ptr, n, K, rows.ptr);
    return meanOf(rows.view, n);
  }

  /**
   * Actions for one observation or a flat batch: sampled from softmax(z) with one rng.uniform() per state (or
   * the most likely action when deterministic), and log π(a|s). Pass `out` to reuse arrays: it is filled and
   * returned, nothing is allocated.
   */
  act(obs: ObsInput, options: ActOptions<Int32Array | Float64Array | Float32Array> = {}): { action: Int32Array | Float64Array | Float32Array; logProb: Float64Array } {
    const n = this.rowsOf(obs, 'act');
    const K = this.numActions;
    const { deterministic = false, rng, out } = options;
    if (!deterministic && rng === undefined) throw new TypeError('CategoricalMlpPolicy.act: pass { rng } to sample, or { deterministic: true }');
    const action = out?.action ?? new Int32Array(n);
    const logProb = out?.logProb ?? new Float64Array(n);
    if (action.length < n || logProb.length < n) {
      throw new RangeError(`CategoricalMlpPolicy.act: out.action and out.logProb need ${n} entries, got ${action.length} and ${logProb.length}`);
    }
    const logits = this.runNetwork(obs, n).view;
    for (let i = 0; i < n; i++) {
      const row = i * K;
      let best = 0;
      let max = logits[row];
      for (let k = 1; k < K; k++) if (logits[row + k] > max) { max = logits[row + k]; best = k; }
      let sum = 0;
      for (let k = 0; k < K; k++) sum += Math.exp(logits[row + k] - max);
      let chosen = best;
      if (!deterministic) {
        // Inverse CDF: the first k whose cumulative probability exceeds u.
        const threshold = rng!.uniform() * sum;
        let cumulative = 0;
        chosen = K - 1;
        for (let k = 0; k < K; k++) {
          cumulative += Math.exp(logits[row + k] - max);
          if (cumulative > threshold) { chosen = k; break; }
        }
      }
      action[i] = chosen;
      logProb[i] = logits[row + chosen] - max - Math.log(sum);
    }
    return out ?? { action, logProb };
  }

  override dispose(): void {
    this.indexScratch.release();
    this.logitScratch.release();
    super.dispose();
  }

  private copyActions(actions: ArrayLike<number>, n: number, into: Int32Array, what: string): void {
    if (actions.length < n) throw new RangeError(`CategoricalMlpPolicy.${what}: actions has ${actions.length} entries, need ${n}`);
    for (let i = 0; i < n; i++) {
      const a = actions[i];
      if (!Number.isInteger(a) || a < 0 || a >= this.numActions) {
        throw new RangeError(`CategoricalMlpPolicy.${what}: actions[${i}] = ${a} is not an action index in [0, ${this.numActions})`);
      }
      into[i] = a;
    }
  }
}

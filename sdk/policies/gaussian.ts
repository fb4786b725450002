// Diagonal Gaussian policy for Box action spaces: an MLP maps the observation to the mean, and a
// state-independent log-std vector (part of θ, last) sets the spread — the TRPO paper's continuous policy.

import { z } from 'zod';
import { parseOrThrow } from '../validation.js';
import { GrowableArenaArray } from '../wasm/arena.js';
import { DIST_GAUSSIAN } from './batch.js';
import { MlpPolicy, meanOf, policyOptionsShape, type ActOptions, type ObsInput } from './policy.js';

const LOG_2PI = Math.log(2 * Math.PI);

const gaussianOptionsSchema = z
  .object({
    ...policyOptionsShape,
    actionDim: z.number().int().positive(),
    /** Initial log-std of every action dimension. Default 0 (σ = 1). */
    logStdInit: z.number().finite().default(0),
  })
  .strict();

export type GaussianMlpPolicyOptions = z.input<typeof gaussianOptionsSchema>;

/** Distribution parameters for a batch: mean row-major n × actionDim, log-std (actionDim) shared by all rows. */
export interface GaussianDistribution {
  mean: Float64Array;
  logStd: Float64Array;
}

/**
 * π(a|s) = N(a; μ_θ(s), diag(e^{2s})) with μ_θ an MLP (tanh or relu hidden layers, linear output) and s a
 * state-independent log-std. θ = [MLP weights and biases (torch.nn.Linear layout), s]. Initialization: orthogonal
 * weights (gain √2 hidden, 0.01 output), zero biases, s = logStdInit; deterministic given `seed`.
 */
export class GaussianMlpPolicy extends MlpPolicy {
  readonly kind = DIST_GAUSSIAN;
  readonly name = 'GaussianMlpPolicy';
  readonly actionDim: number;
  private readonly actionScratch: GrowableArenaArray<'f32' | 'f64'>;
  private readonly std: Float64Array;

  constructor(options: GaussianMlpPolicyOptions) {
    const o = parseOrThrow(gaussianOptionsSchema, options, 'GaussianMlpPolicy options');
    super(o, o.actionDim, o.actionDim);
    this.actionDim = o.actionDim;
    this.actionScratch = new GrowableArenaArray(this.net.kernels.arena, o.precision);
    this.std = new Float64Array(o.actionDim);
    const theta = this.initialNetworkParameters(o.seed);
    theta.fill(o.logStdInit, this.net.networkParameters);
    this.setParameters(theta);
  }

  /** The current log-std (a copy). */
  get logStd(): Float64Array {
    return Float64Array.from(this.logStdView());
  }

  /** Mean and log-std for each of the n observations in `obs` (flat n × obsDim). */
  forward(obs: ObsInput): GaussianDistribution {
    const n = this.rowsOf(obs, 'forward');
    const mean = Float64Array.from(this.runNetwork(obs, n).view.subarray(0, n * this.actionDim));
    return { mean, logStd: this.logStd };
  }

  /** log π(aᵢ|sᵢ) for n observations and actions (flat n × actionDim). */
  logProb(obs: ObsInput, actions: ArrayLike<number>): Float64Array {
    const n = this.rowsOf(obs, 'logProb');
    this.requireLength(actions, n * this.actionDim, 'logProb', 'actions');
    const net = this.net;
    const means = this.runNetwork(obs, n);
    const a = this.actionScratch.ensure(n * this.actionDim);
    a.view.set(actions);
    const rows = this.rowScratch.ensure(n);
    net.k.gaussianLogProb(means.ptr, this.logStdPtr(), a.ptr, n, this.actionDim, rows.ptr);
    return Float64Array.from(rows.view.subarray(0, n));
  }

  /** Entropy Σ s + (A/2)(1 + log 2π); the same for every state. */
  entropy(): number {
    return this.net.k.gaussianEntropy(this.logStdPtr(), this.actionDim);
  }

  /** Mean over the n observations of KL(old ‖ π_θ), `old` as returned by an earlier forward(obs). */
  kl(obs: ObsInput, old: GaussianDistribution): number {
    const n = this.rowsOf(obs, 'kl');
    this.requireLength(old.mean, n * this.actionDim, 'kl', 'old.mean');
    this.requireLength(old.logStd, this.actionDim, 'kl', 'old.logStd');
    const net = this.net;
    const means = this.runNetwork(obs, n);
    const oldParams = this.actionScratch.ensure((n + 1) * this.actionDim);
    oldParams.view.set(old.mean);
    oldParams.view.set(old.logStd, n * this.actionDim);
    const rows = this.rowScratch.ensure(n);
    const bytes = net.k.bytesPerElement;
    net.k.gaussianKl(oldParams.ptr, oldParams.ptr + n * this.actionDim * bytes, means.ptr, this.logStdPtr(), n, this.actionDim, rows.ptr);
    return meanOf(rows.view, n);
  }

  /**
   * Actions for one observation or a flat batch: a = μ + e^s ⊙ ε with ε ~ N(0, I) from `rng` (or a = μ when
   * deterministic), and log π(a|s). Pass `out` to reuse arrays: it is filled and returned, nothing is allocated.
   */
  act(obs: ObsInput, options: ActOptions<Float64Array | Float32Array> = {}): { action: Float64Array | Float32Array; logProb: Float64Array } {
    const n = this.rowsOf(obs, 'act');
    const A = this.actionDim;
    const { deterministic = false, rng, out } = options;
    if (!deterministic && rng === undefined) throw new TypeError('GaussianMlpPolicy.act: pass { rng } to sample, or { deterministic: true }');
    const action = out?.action ?? new Float64Array(n * A);
    const logProb = out?.logProb ?? new Float64Array(n);
    this.requireLength(action, n * A, 'act', 'out.action');
    this.requireLength(logProb, n, 'act', 'out.logProb');
    const means = this.runNetwork(obs, n).view;
    const params = this.net.params.view;
    const logStd0 = this.net.networkParameters;
    let logStdSum = 0;
    for (let j = 0; j < A; j++) {
      this.std[j] = Math.exp(params[logStd0 + j]);
      logStdSum += params[logStd0 + j];
    }
    for (let i = 0; i < n; i++) {
      let squares = 0;
      for (let j = 0; j < A; j++) {
        const eps = deterministic ? 0 : rng!.normal();
        action[i * A + j] = means[i * A + j] + this.std[j] * eps;
        squares += eps * eps;
      }
      logProb[i] = -0.5 * squares - logStdSum - 0.5 * A * LOG_2PI;
    }
    return out ?? { action, logProb };
  }

  override dispose(): void {
    this.actionScratch.release();
    super.dispose();
  }

  private logStdView(): Float32Array | Float64Array {
    return this.net.params.view.subarray(this.net.networkParameters);
  }

  private logStdPtr(): number {
    return this.net.params.ptr + this.net.networkParameters * this.net.k.bytesPerElement;
  }

  private requireLength(a: ArrayLike<number>, length: number, what: string, field: string): void {
    if (a.length < length) throw new RangeError(`GaussianMlpPolicy.${what}: ${field} has ${a.length} numbers, need ${length}`);
  }
}

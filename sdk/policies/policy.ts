// What the Gaussian and categorical MLP policies share: options, parameters, running the network on a batch of
// observations in scratch buffers that only grow, the convenience Fisher-vector product, and batches.

import { z } from 'zod';
import { Rng } from '../rng.js';
import { GrowableArenaArray, type ArenaArray } from '../wasm/arena.js';
import type { Precision } from '../wasm/loader.js';
import { PolicyBatch, type BatchHost, type BatchOptions, type FisherOptions, DIST_GAUSSIAN, DIST_CATEGORICAL } from './batch.js';
import { MlpNetwork, type Activation } from './mlp.js';

const positiveInt = z.number().int().positive();

/** Conv layers in front of the hidden layers, for observations that are images flattened in NHWC order. */
export const convOptionsSchema = z.object({
  image: z.object({ height: positiveInt, width: positiveInt, channels: positiveInt }).strict(),
  layers: z.array(z.object({
    filters: positiveInt, kernel: positiveInt, stride: positiveInt.default(1), padding: z.number().int().min(0).default(0),
  }).strict()).min(1),
}).strict();

export type ConvOptions = z.input<typeof convOptionsSchema>;

/** Options common to both policies (zod-validated; unknown keys are rejected). */
export const policyOptionsShape = {
  obsDim: positiveInt,
  /** Hidden layer widths. Default [64, 64]. */
  hiddenSizes: z.array(positiveInt).default([64, 64]),
  activation: z.enum(['tanh', 'relu']).default('tanh'),
  /** Seed of the parameter initialization. Default 0. */
  seed: z.number().int().min(0).default(0),
  /** Element type of the network kernels; reductions are f64 either way. Default 'f32' (≈2× faster). */
  precision: z.enum(['f32', 'f64']).default('f32'),
  /** Conv layers in front (a CNN policy); obsDim must equal height · width · channels. */
  conv: convOptionsSchema.optional(),
};

/** Rng stream of policy initialization, distinct from the value function's for the same seed. */
const POLICY_INIT_STREAM = 1;
/** Output-layer gain of the orthogonal init (SB3 uses 0.01 for the policy head). */
const POLICY_OUTPUT_GAIN = 0.01;

export type ObsInput = ArrayLike<number>;

export abstract class MlpPolicy implements BatchHost {
  readonly net: MlpNetwork;
  readonly obsDim: number;
  readonly hiddenSizes: readonly number[];
  readonly activation: Activation;
  readonly precision: Precision;
  abstract readonly kind: typeof DIST_GAUSSIAN | typeof DIST_CATEGORICAL;
  abstract readonly name: string;

  protected readonly obsScratch: GrowableArenaArray<Precision>;
  protected readonly outScratch: GrowableArenaArray<Precision>;
  protected readonly rowScratch: GrowableArenaArray<'f64'>;
  private convenienceBatch?: PolicyBatch;

  protected constructor(
    options: { obsDim: number; hiddenSizes: number[]; activation: Activation; seed: number; precision: Precision; conv?: z.output<typeof convOptionsSchema> },
    outputSize: number,
    extraParameters: number,
  ) {
    this.obsDim = options.obsDim;
    this.hiddenSizes = [...options.hiddenSizes];
    this.activation = options.activation;
    this.precision = options.precision;
    this.net = new MlpNetwork({
      inputSize: options.obsDim, hiddenSizes: options.hiddenSizes, outputSize, activation: options.activation,
      precision: options.precision, extraParameters, conv: options.conv,
    });
    const arena = this.net.kernels.arena;
    this.obsScratch = new GrowableArenaArray(arena, options.precision);
    this.outScratch = new GrowableArenaArray(arena, options.precision);
    this.rowScratch = new GrowableArenaArray(arena, 'f64');
  }

  /** Initial θ: orthogonal network weights (see MlpNetwork.initialize), extra parameters left to the subclass. */
  protected initialNetworkParameters(seed: number): Float64Array {
    return this.net.initialize(new Rng(seed, POLICY_INIT_STREAM), POLICY_OUTPUT_GAIN);
  }

  /** Length of θ. */
  get numParameters(): number {
    return this.net.numParameters;
  }

  /** A copy of θ (layout: see MlpNetwork; Gaussian log-std last). */
  getParameters(): Float64Array {
    return this.net.getParameters();
  }

  setParameters(p: ArrayLike<number>): void {
    this.net.setParameters(p, this.name);
  }

  /** Allocate a batch for up to `capacity` states (once; reuse it every iteration). */
  createBatch(capacity: number, options: BatchOptions = {}): PolicyBatch {
    return new PolicyBatch(this, capacity, options);
  }

  /**
   * F v + damping·v for the states `obs` (n × obsDim) at the current θ: the analytic Fisher of the policy,
   * = the Hessian of the mean KL(π_θ‖π_θ') at θ' = θ. Convenience form of batch.fisherVectorProduct.
   */
  fisherVectorProduct(obs: ObsInput, v: ArrayLike<number>, options: FisherOptions = {}): Float64Array {
    const n = this.rowsOf(obs, 'fisherVectorProduct');
    if (!this.convenienceBatch || this.convenienceBatch.capacity < n) {
      this.convenienceBatch?.dispose();
      this.convenienceBatch = this.createBatch(n);
    }
    // The analytic Fisher does not depend on the actions; any valid ones will do.
    this.convenienceBatch.load(obs, new Float64Array(this.kind === DIST_GAUSSIAN ? n * this.net.outputSize : n), n);
    this.convenienceBatch.forwardOld();
    const out = new Float64Array(this.numParameters);
    this.convenienceBatch.fisherVectorProduct(v, out, options);
    return out;
  }

  /** Return every buffer to the arena; the policy is unusable afterwards. */
  dispose(): void {
    this.convenienceBatch?.dispose();
    this.obsScratch.release();
    this.outScratch.release();
    this.rowScratch.release();
    this.net.dispose();
  }

  /** Number of observations in a flat batch; throws if the length is not a positive multiple of obsDim. */
  protected rowsOf(obs: ObsInput, what: string): number {
    const n = obs.length / this.obsDim;
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`${this.name}.${what}: obs has ${obs.length} numbers, not a positive multiple of obsDim = ${this.obsDim}`);
    }
    return n;
  }

  /**
   * Runs the network on n observations; returns the output scratch, rows 0..n−1 of width outputSize (it may be
   * longer; overwritten by the next call). No allocation once the scratch is large enough.
   */
  protected runNetwork(obs: ObsInput, n: number): ArenaArray<Precision> {
    const net = this.net;
    const x = this.obsScratch.ensure(n * this.obsDim);
    const out = this.outScratch.ensure(n * net.outputSize);
    const xView = x.view;
    if (ArrayBuffer.isView(obs)) xView.set(obs as Float64Array);
    else for (let i = 0; i < obs.length; i++) xView[i] = obs[i];
    net.k.mlpForward(net.ptr, x.ptr, n, 0, out.ptr, net.workspace.ptr);
    return out;
  }
}

/** Options of `act`. */
export interface ActOptions<A> {
  /** Take the mode (Gaussian mean, most likely action) instead of sampling. Default false. */
  deterministic?: boolean;
  /** Source of the sampling noise; required unless deterministic. */
  rng?: Rng;
  /** Caller-owned outputs (no allocation): action n·actionDim (Gaussian) or n (categorical), logProb n. */
  out?: { action: A; logProb: Float64Array };
}

/** Mean of the first n values. */
export function meanOf(values: ArrayLike<number>, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  return sum / n;
}

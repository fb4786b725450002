// State-value network V(s) fitted by minibatch regression on returns with Adam, the critic of TRPO as in
// Stable-Baselines3 (sb3-contrib TRPO: n_critic_updates epochs of shuffled minibatches, MSE loss, Adam).

import { z } from 'zod';
import { Rng } from '../rng.js';
import { parseOrThrow } from '../validation.js';
import { GrowableArenaArray, type ArenaArray } from '../wasm/arena.js';
import type { Precision } from '../wasm/loader.js';
import { MlpNetwork } from './mlp.js';
import { policyOptionsShape } from './policy.js';

/** Rng stream of value-function initialization (the policy uses stream 1). */
const VALUE_INIT_STREAM = 2;

const valueOptionsSchema = z
  .object({
    ...policyOptionsShape,
    /** Adam β₁, β₂, ε (PyTorch defaults). */
    beta1: z.number().min(0).lt(1).default(0.9),
    beta2: z.number().min(0).lt(1).default(0.999),
    epsilon: z.number().positive().default(1e-8),
  })
  .strict();

export type MlpValueFunctionOptions = z.input<typeof valueOptionsSchema>;

const fitOptionsSchema = z
  .object({
    /** Passes over the data. */
    epochs: z.number().int().positive(),
    /** Minibatch size (the last minibatch of an epoch may be smaller). */
    batchSize: z.number().int().positive(),
    learningRate: z.number().positive(),
    /** Shuffles the minibatches. */
    rng: z.instanceof(Rng),
  })
  .strict();

export type FitOptions = z.input<typeof fitOptionsSchema>;

/** Adam state, for checkpoints. */
export interface AdamState {
  step: number;
  m: Float64Array;
  v: Float64Array;
}

/**
 * V_φ(s): an MLP (tanh or relu hidden layers, scalar linear output). φ in the torch.nn.Linear layout.
 * Initialization: orthogonal weights (gain √2 hidden, 1 output), zero biases; deterministic given `seed`.
 */
export class MlpValueFunction {
  readonly obsDim: number;
  readonly net: MlpNetwork;
  private readonly adam: { beta1: number; beta2: number; epsilon: number };
  private step = 0;
  private readonly m: ArenaArray<'f64'>;
  private readonly v: ArenaArray<'f64'>;
  private readonly grad: ArenaArray<'f64'>;
  private readonly obs: GrowableArenaArray<Precision>;
  private readonly targets: GrowableArenaArray<'f64'>;
  private readonly batchObs: GrowableArenaArray<Precision>;
  private readonly batchTargets: GrowableArenaArray<'f64'>;
  private readonly batchHidden: GrowableArenaArray<Precision>;
  private readonly batchOut: GrowableArenaArray<Precision>;
  private readonly cotangent: GrowableArenaArray<Precision>;
  private readonly indices: GrowableArenaArray<'i32'>;

  constructor(options: MlpValueFunctionOptions) {
    const o = parseOrThrow(valueOptionsSchema, options, 'MlpValueFunction options');
    this.obsDim = o.obsDim;
    this.adam = { beta1: o.beta1, beta2: o.beta2, epsilon: o.epsilon };
    this.net = new MlpNetwork({
      inputSize: o.obsDim, hiddenSizes: o.hiddenSizes, outputSize: 1, activation: o.activation,
      precision: o.precision, extraParameters: 0, conv: o.conv,
    });
    const arena = this.net.kernels.arena;
    this.m = arena.array('f64', this.net.numParameters);
    this.v = arena.array('f64', this.net.numParameters);
    this.grad = arena.array('f64', this.net.numParameters);
    this.obs = new GrowableArenaArray(arena, o.precision);
    this.targets = new GrowableArenaArray(arena, 'f64');
    this.batchObs = new GrowableArenaArray(arena, o.precision);
    this.batchTargets = new GrowableArenaArray(arena, 'f64');
    this.batchHidden = new GrowableArenaArray(arena, o.precision);
    this.batchOut = new GrowableArenaArray(arena, o.precision);
    this.cotangent = new GrowableArenaArray(arena, o.precision);
    this.indices = new GrowableArenaArray(arena, 'i32');
    this.net.setParameters(this.net.initialize(new Rng(o.seed, VALUE_INIT_STREAM), 1), 'MlpValueFunction');
  }

  get numParameters(): number {
    return this.net.numParameters;
  }

  getParameters(): Float64Array {
    return this.net.getParameters();
  }

  setParameters(p: ArrayLike<number>): void {
    this.net.setParameters(p, 'MlpValueFunction');
  }

  /** V(sᵢ) for n observations (flat n × obsDim), into `out` (length ≥ n) if given. */
  forward(obs: ArrayLike<number>, out?: Float64Array): Float64Array {
    const n = this.rowsOf(obs, 'forward');
    const result = out ?? new Float64Array(n);
    if (result.length < n) throw new RangeError(`MlpValueFunction.forward: out has length ${result.length}, need ${n}`);
    const x = this.obs.ensure(n * this.obsDim);
    x.view.set(obs);
    const values = this.batchOut.ensure(n);
    this.net.k.mlpForward(this.net.ptr, x.ptr, n, 0, values.ptr, this.net.workspace.ptr);
    const view = values.view;
    for (let i = 0; i < n; i++) result[i] = view[i];
    return result;
  }

  /**
   * Fit V to `returns` (n) on `obs` (n × obsDim): `epochs` passes of shuffled minibatches, each an Adam step on
   * the mean squared error. Returns the mean minibatch loss over the whole fit (SB3's train/value_loss).
   */
  fit(obs: ArrayLike<number>, returns: ArrayLike<number>, options: FitOptions): { loss: number } {
    const o = parseOrThrow(fitOptionsSchema, options, 'MlpValueFunction.fit options');
    const n = this.rowsOf(obs, 'fit');
    if (returns.length !== n) throw new RangeError(`MlpValueFunction.fit: returns has ${returns.length} entries, obs has ${n} rows`);
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(returns[i])) throw new RangeError(`MlpValueFunction.fit: returns[${i}] is ${returns[i]} (must be finite)`);
    }
    const net = this.net;
    const k = net.k;
    const x = this.obs.ensure(n * this.obsDim);
    x.view.set(obs);
    const targets = this.targets.ensure(n);
    targets.view.set(returns);
    const B = Math.min(o.batchSize, n);
    const batchObs = this.batchObs.ensure(B * this.obsDim);
    const batchTargets = this.batchTargets.ensure(B);
    const hidden = this.batchHidden.ensure(Math.max(1, net.hiddenCount(B)));
    const values = this.batchOut.ensure(B);
    const cotangent = this.cotangent.ensure(B);
    const indices = this.indices.ensure(n);
    const order = Int32Array.from({ length: n }, (_, i) => i);
    const gather = net.kernels.common.gatherRows;
    let lossSum = 0;
    let minibatches = 0;
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      shuffle(order, o.rng);
      indices.view.set(order);
      for (let start = 0; start < n; start += B) {
        const rows = Math.min(B, n - start);
        const idx = indices.ptr + start * 4;
        gather(x.ptr, this.obsDim * k.bytesPerElement, idx, rows, batchObs.ptr);
        gather(targets.ptr, 8, idx, rows, batchTargets.ptr);
        k.mlpForward(net.ptr, batchObs.ptr, rows, hidden.ptr, values.ptr, net.workspace.ptr);
        lossSum += k.mseLoss(values.ptr, batchTargets.ptr, rows, cotangent.ptr);
        k.mlpVjp(net.ptr, batchObs.ptr, rows, hidden.ptr, cotangent.ptr, this.grad.ptr, net.workspace.ptr);
        this.step++;
        k.adamStep(net.params.ptr, this.grad.ptr, this.m.ptr, this.v.ptr, net.numParameters, o.learningRate,
          this.adam.beta1, this.adam.beta2, this.adam.epsilon, this.step);
        net.parametersChanged();
        minibatches++;
      }
    }
    return { loss: lossSum / minibatches };
  }

  /** A copy of the Adam state (step count and moments). */
  getOptimizerState(): AdamState {
    return { step: this.step, m: Float64Array.from(this.m.view), v: Float64Array.from(this.v.view) };
  }

  setOptimizerState(state: AdamState): void {
    const P = this.net.numParameters;
    if (!Number.isInteger(state.step) || state.step < 0) throw new RangeError(`MlpValueFunction.setOptimizerState: step must be an integer ≥ 0, got ${state.step}`);
    if (state.m.length !== P || state.v.length !== P) {
      throw new RangeError(`MlpValueFunction.setOptimizerState: m and v need ${P} entries, got ${state.m.length} and ${state.v.length}`);
    }
    this.step = state.step;
    this.m.view.set(state.m);
    this.v.view.set(state.v);
  }

  /** Return every buffer to the arena. */
  dispose(): void {
    for (const g of [this.obs, this.targets, this.batchObs, this.batchTargets, this.batchHidden, this.batchOut, this.cotangent, this.indices]) g.release();
    for (const a of [this.m, this.v, this.grad]) a.release();
    this.net.dispose();
  }

  private rowsOf(obs: ArrayLike<number>, what: string): number {
    const n = obs.length / this.obsDim;
    if (!Number.isInteger(n) || n < 1) {
      throw new RangeError(`MlpValueFunction.${what}: obs has ${obs.length} numbers, not a positive multiple of obsDim = ${this.obsDim}`);
    }
    return n;
  }
}

/** Fisher–Yates shuffle driven by rng. */
function shuffle(order: Int32Array, rng: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.integer(i + 1);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
}

// The trainer-facing batch: a fixed-capacity set of states and actions in the kernels' memory, the old policy
// cached on it, and the TRPO update's operations (surrogate gradient, Fisher-vector products, in-wasm conjugate
// gradient, line-search evaluation). Everything is allocated once by `policy.createBatch(capacity)`.

import type { ArenaArray } from '../wasm/arena.js';
import type { Precision } from '../wasm/loader.js';
import type { MlpNetwork } from './mlp.js';
import type { KernelHelper } from '../wasm/helper.js';

export const DIST_GAUSSIAN = 0;
export const DIST_CATEGORICAL = 1;

/**
 * PolicyBatch struct of assembly/policy.ts: n, kind, x, hidden, out, actions, oldLogStd, oldProbs, oldLogProb,
 * jacobian, jacobianScratch.
 */
const STRUCT_FIELDS = 11;
/** Largest Jacobian cache chosen automatically. */
const JACOBIAN_CACHE_LIMIT_BYTES = 512 * 2 ** 20;

export interface BatchOptions {
  /**
   * Cache the per-state Jacobians of the layers below the last hidden one at forwardOld (assembly/mlp-jacobian.ts),
   * so every later FVP skips the middle layers' second product. Default: on when the one-off cost is recovered
   * within 4 FVPs and the cache fits in 512 MiB (e.g. 64-wide networks with few actions, not 256-wide humanoids).
   */
  jacobianCache?: boolean;
  /**
   * Split every Fisher-vector product (and so every CG iteration) with this helper thread: about half the time
   * on two cores. Start one with `await KernelHelper.start()` on the same thread as the policy.
   */
  helper?: KernelHelper;
}

/**
 * Which states a Fisher-vector product averages over. A number in (0, 1] is a fraction of the batch, taken as
 * evenly spaced states; `{ stride, offset }` takes states offset, offset + stride, …; `{ indices }` lists them.
 */
export type Subsample = number | { stride: number; offset?: number } | { indices: ArrayLike<number> };

export interface FisherOptions {
  /** Adds damping·v (Tikhonov damping of F). Default 0. */
  damping?: number;
  subsample?: Subsample;
}

export interface CgOptions extends FisherOptions {
  /** Maximum CG iterations (each one FVP). Default 10. */
  maxSteps?: number;
  /** Stop once ‖r‖² ≤ residualTol. Default 1e-10. */
  residualTol?: number;
}

/** What a batch needs from its policy. */
export interface BatchHost {
  readonly net: MlpNetwork;
  readonly kind: typeof DIST_GAUSSIAN | typeof DIST_CATEGORICAL;
  /** Class name for error messages. */
  readonly name: string;
}

interface Cached {
  struct: ArenaArray<'i32'>;
  jacobian?: ArenaArray<Precision>;
  x: ArenaArray<Precision>;
  hidden: ArenaArray<Precision>;
  out: ArenaArray<Precision>;
  actions: ArenaArray<Precision> | ArenaArray<'i32'>;
  oldProbs?: ArenaArray<Precision>;
  oldLogProb: ArenaArray<'f64'>;
}

export class PolicyBatch {
  /** States currently loaded. */
  n = 0;
  private readonly main: Cached;
  private readonly oldLogStd?: ArenaArray<Precision>;
  private readonly advantages: ArenaArray<'f64'>;
  private readonly vectorIn: ArenaArray<'f64'>;
  private readonly vectorOut: ArenaArray<'f64'>;
  private readonly cgWork: ArenaArray<'f64'>;
  /** [cg residual, evaluate: surrogate, mean KL, max KL, entropy]. */
  private readonly results: ArenaArray<'f64'>;
  private sub?: Cached & { capacity: number; indices: ArenaArray<'i32'>; key: string };
  /** net.version when forwardOld last ran; −1 before. */
  private cachedVersion = -1;
  private readonly numParameters: number;
  private readonly jacobianScratch?: ArenaArray<Precision>;
  /** Helper struct (control, workspace, out) of assembly/fisher.ts and the helper's own buffers. */
  private readonly helperParts?: { helper: KernelHelper; struct: ArenaArray<'i32'>; workspace: ArenaArray<'u8'>; out: ArenaArray<'f64'> };
  /** Whether forwardOld builds the Jacobian cache (BatchOptions.jacobianCache). */
  readonly usesJacobianCache: boolean;

  constructor(private readonly host: BatchHost, readonly capacity: number, options: BatchOptions = {}) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) {
      throw new RangeError(`${host.name}.createBatch: capacity must be a positive integer, got ${capacity}`);
    }
    const arena = host.net.kernels.arena;
    this.numParameters = host.net.numParameters;
    const { common } = host.net.kernels;
    const cacheElements = common.mlpJacobianCount(host.net.ptr, capacity);
    this.usesJacobianCache = cacheElements > 0 &&
      (options.jacobianCache ?? jacobianCachePays(host.net.dims, cacheElements * host.net.k.bytesPerElement));
    if (this.usesJacobianCache) this.jacobianScratch = arena.array(host.net.shape.precision, common.mlpJacobianScratchCount(host.net.ptr));
    // Before allocate(): the batch structs point at it.
    if (host.kind === DIST_GAUSSIAN) this.oldLogStd = arena.array(host.net.shape.precision, host.net.outputSize);
    this.main = this.allocate(capacity);
    this.advantages = arena.array('f64', capacity);
    this.vectorIn = arena.array('f64', this.numParameters);
    this.vectorOut = arena.array('f64', this.numParameters);
    this.cgWork = arena.array('f64', 3 * this.numParameters);
    this.results = arena.array('f64', 5);
    if (options.helper) {
      const workspace = arena.array('u8', host.net.k.mlpWorkspaceBytes(host.net.ptr));
      const out = arena.array('f64', this.numParameters);
      const struct = arena.array('i32', 3);
      struct.view.set([options.helper.controlPtr, workspace.ptr, out.ptr]);
      this.helperParts = { helper: options.helper, struct, workspace, out };
    }
  }

  /**
   * Copy n states and actions in (row-major n × obsDim; Gaussian actions n × actionDim, categorical n indices).
   * Invalidates the cached old policy: call forwardOld() next.
   */
  load(obs: ArrayLike<number>, actions: ArrayLike<number>, n: number): void {
    const { net, name, kind } = this.host;
    if (!Number.isSafeInteger(n) || n < 1 || n > this.capacity) {
      throw new RangeError(`${name} batch.load: n must be an integer in [1, ${this.capacity}] (the capacity), got ${n}`);
    }
    const obsCount = n * net.inputSize;
    if (obs.length < obsCount) {
      throw new RangeError(`${name} batch.load: obs has ${obs.length} numbers, need n·obsDim = ${n}·${net.inputSize} = ${obsCount}`);
    }
    const actionCount = kind === DIST_GAUSSIAN ? n * net.outputSize : n;
    if (actions.length < actionCount) {
      throw new RangeError(`${name} batch.load: actions has ${actions.length} numbers, need ${actionCount}`);
    }
    if (kind === DIST_CATEGORICAL) {
      for (let i = 0; i < n; i++) {
        const a = actions[i];
        if (!Number.isInteger(a) || a < 0 || a >= net.outputSize) {
          throw new RangeError(`${name} batch.load: actions[${i}] = ${a} is not an action index in [0, ${net.outputSize})`);
        }
      }
    }
    copyInto(this.main.x.view, obs, obsCount);
    copyInto(this.main.actions.view, actions, actionCount);
    this.n = n;
    this.main.struct.view[0] = n;
    this.cachedVersion = -1;
  }

  /** Forward at the current θ: caches activations, old distribution parameters and old log-probs. */
  forwardOld(): void {
    this.requireLoaded('forwardOld');
    const { net } = this.host;
    net.k.policyForwardOld(net.ptr, this.main.struct.ptr, net.workspace.ptr);
    this.cachedVersion = net.version;
    if (this.sub) this.sub.key = '';
  }

  /**
   * The surrogate L(θ) = mean(π_θ(a|s)/π_old(a|s) · A) and its gradient at θ = θ_old (where L = mean(A)).
   * `advantages` has n entries. Requires forwardOld() at the current parameters.
   */
  surrogateGradient(advantages: ArrayLike<number>): { surrogate: number; grad: Float64Array } {
    this.requireFresh('surrogateGradient');
    this.loadAdvantages(advantages, 'surrogateGradient');
    const { net } = this.host;
    const grad = this.vectorOut;
    const surrogate = net.k.policySurrogateGradient(net.ptr, this.main.struct.ptr, this.advantages.ptr, grad.ptr, net.workspace.ptr);
    return { surrogate, grad: Float64Array.from(grad.view) };
  }

  /** out = F v + damping·v with the analytic Fisher at θ_old (see assembly/fisher.ts). */
  fisherVectorProduct(v: ArrayLike<number>, out: Float64Array, options: FisherOptions = {}): void {
    this.fisherProduct(v, out, options, false, 'fisherVectorProduct');
  }

  /** out = F̂ v + damping·v with the empirical Fisher: the covariance of per-sample score gradients. */
  empiricalFisherVectorProduct(v: ArrayLike<number>, out: Float64Array, options: FisherOptions = {}): void {
    this.fisherProduct(v, out, options, true, 'empiricalFisherVectorProduct');
  }

  /**
   * Solve (F + damping·I) x = b by conjugate gradient inside wasm from x = 0. `residual` is the final ‖r‖²,
   * `iterations` the number of Fisher-vector products used.
   */
  conjugateGradient(b: ArrayLike<number>, options: CgOptions = {}): { x: Float64Array; iterations: number; residual: number } {
    const { maxSteps = 10, residualTol = 1e-10, damping = 0 } = options;
    if (!Number.isInteger(maxSteps) || maxSteps < 0) throw new RangeError(`conjugateGradient: maxSteps must be an integer ≥ 0, got ${maxSteps}`);
    if (!(residualTol >= 0)) throw new RangeError(`conjugateGradient: residualTol must be ≥ 0, got ${residualTol}`);
    const struct = this.prepare(b, damping, options.subsample, 'conjugateGradient');
    const { net } = this.host;
    const iterations = this.withHelper((helper) => net.k.conjugateGradient(
      net.ptr, struct, this.vectorIn.ptr, this.vectorOut.ptr, maxSteps, residualTol, damping, false,
      net.workspace.ptr, this.cgWork.ptr, this.results.ptr, helper,
    ));
    return { x: Float64Array.from(this.vectorOut.view), iterations, residual: this.results.view[0] };
  }

  /**
   * At the current θ against the cached old policy: surrogate mean(ratio·A), mean and max KL(old‖θ), and the
   * mean entropy of π_θ. For the line search: set θ, evaluate, repeat; the old cache stays valid.
   */
  evaluate(advantages: ArrayLike<number>): { surrogate: number; meanKl: number; maxKl: number; entropy: number } {
    if (this.cachedVersion < 0) throw new Error(`${this.host.name} batch.evaluate: call forwardOld() first (evaluate compares against the old policy it caches)`);
    this.loadAdvantages(advantages, 'evaluate');
    const { net } = this.host;
    const result = this.results;
    net.k.policyEvaluate(net.ptr, this.main.struct.ptr, this.advantages.ptr, net.workspace.ptr, result.ptr + 8);
    const r = result.view;
    return { surrogate: r[1], meanKl: r[2], maxKl: r[3], entropy: r[4] };
  }

  /** Return every buffer to the arena. */
  dispose(): void {
    for (const part of [this.main, this.sub]) if (part) releaseCached(part);
    if (this.sub) this.sub.indices.release();
    for (const a of [this.oldLogStd, this.advantages, this.vectorIn, this.vectorOut, this.cgWork, this.results, this.jacobianScratch]) a?.release();
    if (this.helperParts) for (const a of [this.helperParts.struct, this.helperParts.workspace, this.helperParts.out]) a.release();
  }

  private fisherProduct(v: ArrayLike<number>, out: Float64Array, options: FisherOptions, empirical: boolean, what: string): void {
    if (out.length !== this.numParameters) {
      throw new RangeError(`${this.host.name} batch.${what}: out has length ${out.length}, expected ${this.numParameters}`);
    }
    const damping = options.damping ?? 0;
    const struct = this.prepare(v, damping, options.subsample, what);
    const { net } = this.host;
    this.withHelper((helper) => net.k.fisherVectorProduct(net.ptr, struct, this.vectorIn.ptr, this.vectorOut.ptr, damping, empirical, net.workspace.ptr, helper));
    out.set(this.vectorOut.view);
  }

  /** Run a kernel with the helper struct (or 0), turning a trap caused by a failed helper into its error. */
  private withHelper<R>(run: (helper: number) => R): R {
    const parts = this.helperParts;
    try {
      return run(parts ? parts.struct.ptr : 0);
    } catch (error) {
      const failure = parts?.helper.describeFailure();
      throw failure === undefined ? error : new Error(failure, { cause: error });
    }
  }

  /** Validate a parameter-sized vector and options, copy the vector in, and return the batch struct to use. */
  private prepare(v: ArrayLike<number>, damping: number, subsample: Subsample | undefined, what: string): number {
    this.requireFresh(what);
    if (v.length !== this.numParameters) {
      throw new RangeError(`${this.host.name} batch.${what}: vector has length ${v.length}, expected ${this.numParameters} (numParameters)`);
    }
    if (!(damping >= 0)) throw new RangeError(`${this.host.name} batch.${what}: damping must be ≥ 0, got ${damping}`);
    this.vectorIn.view.set(v);
    return subsample === undefined ? this.main.struct.ptr : this.subsampleStruct(subsample, what);
  }

  private loadAdvantages(advantages: ArrayLike<number>, what: string): void {
    if (advantages.length < this.n) {
      throw new RangeError(`${this.host.name} batch.${what}: advantages has ${advantages.length} entries, need n = ${this.n}`);
    }
    copyInto(this.advantages.view, advantages, this.n);
  }

  private requireLoaded(what: string): void {
    if (this.n === 0) throw new Error(`${this.host.name} batch.${what}: call load(obs, actions, n) first`);
  }

  private requireFresh(what: string): void {
    this.requireLoaded(what);
    if (this.cachedVersion !== this.host.net.version) {
      throw new Error(`${this.host.name} batch.${what}: the cached old policy is ${this.cachedVersion < 0 ? 'missing' : 'stale (parameters changed since)'}; call forwardOld() at θ_old first`);
    }
  }

  private allocate(capacity: number): Cached {
    const { net, kind } = this.host;
    const arena = net.kernels.arena;
    const precision = net.shape.precision;
    const K = net.outputSize;
    const cached: Cached = {
      struct: arena.array('i32', STRUCT_FIELDS),
      x: arena.array(precision, capacity * net.inputSize),
      hidden: arena.array(precision, Math.max(1, net.hiddenCount(capacity))),
      out: arena.array(precision, capacity * K),
      actions: kind === DIST_GAUSSIAN ? arena.array(precision, capacity * K) : arena.array('i32', capacity),
      oldProbs: kind === DIST_CATEGORICAL ? arena.array(precision, capacity * K) : undefined,
      oldLogProb: arena.array('f64', capacity),
      jacobian: this.usesJacobianCache ? arena.array(precision, net.kernels.common.mlpJacobianCount(net.ptr, capacity)) : undefined,
    };
    cached.struct.view.set([
      0, kind, cached.x.ptr, cached.hidden.ptr, cached.out.ptr, cached.actions.ptr,
      this.oldLogStd?.ptr ?? 0, cached.oldProbs?.ptr ?? 0, cached.oldLogProb.ptr,
      cached.jacobian?.ptr ?? 0, this.jacobianScratch?.ptr ?? 0,
    ]);
    return cached;
  }

  /** Gather the subsampled rows of every cached array into the sub-batch (reused while spec and θ_old hold). */
  private subsampleStruct(spec: Subsample, what: string): number {
    const indices = subsampleIndices(spec, this.n, `${this.host.name} batch.${what}`);
    const key = typeof spec === 'number' ? `fraction ${spec}` : 'stride' in spec ? `stride ${spec.stride} ${spec.offset ?? 0}` : '';
    if (this.sub && key !== '' && this.sub.key === `${key} @${this.cachedVersion}`) return this.sub.struct.ptr;
    const count = indices.length;
    if (!this.sub || this.sub.capacity < count) {
      if (this.sub) {
        releaseCached(this.sub);
        this.sub.indices.release();
      }
      const capacity = Math.max(count, this.sub?.capacity ?? 0);
      this.sub = { ...this.allocate(capacity), capacity, indices: this.host.net.kernels.arena.array('i32', capacity), key: '' };
      // allocate() wrote the main oldLogStd pointer: both batches share it.
    }
    const sub = this.sub;
    sub.indices.view.set(indices);
    const { net } = this.host;
    const gather = net.kernels.common.gatherRows;
    const bytes = net.k.bytesPerElement;
    const rows = (from: { ptr: number }, to: { ptr: number }, rowBytes: number) => gather(from.ptr, rowBytes, sub.indices.ptr, count, to.ptr);
    rows(this.main.x, sub.x, net.inputSize * bytes);
    rows(this.main.out, sub.out, net.outputSize * bytes);
    rows(this.main.actions, sub.actions, this.host.kind === DIST_GAUSSIAN ? net.outputSize * bytes : 4);
    if (this.main.oldProbs && sub.oldProbs) rows(this.main.oldProbs, sub.oldProbs, net.outputSize * bytes);
    rows(this.main.oldLogProb, sub.oldLogProb, 8);
    // Hidden layer l occupies n × d_{l+1} elements after the layers before it, for the batch's own n; a cached
    // Jacobian layer n·d_L rows of d_{l+1}, i.e. n rows of d_L·d_{l+1}.
    const layers = net.dims.length - 1, A = net.outputSize;
    let fromOffset = 0, toOffset = 0;
    for (let l = 1; l < layers; l++) {
      gather(this.main.hidden.ptr + fromOffset * bytes, net.dims[l] * bytes, sub.indices.ptr, count, sub.hidden.ptr + toOffset * bytes);
      fromOffset += this.n * net.dims[l];
      toOffset += count * net.dims[l];
    }
    fromOffset = 0;
    toOffset = 0;
    for (let l = 1; l < layers - 1 && this.main.jacobian && sub.jacobian; l++) {
      gather(this.main.jacobian.ptr + fromOffset * bytes, A * net.dims[l] * bytes, sub.indices.ptr, count, sub.jacobian.ptr + toOffset * bytes);
      fromOffset += this.n * A * net.dims[l];
      toOffset += count * A * net.dims[l];
    }
    sub.struct.view[0] = count;
    sub.key = key === '' ? '' : `${key} @${this.cachedVersion}`;
    return sub.struct.ptr;
  }
}

/** The state indices a Subsample selects from a batch of n. */
function subsampleIndices(spec: Subsample, n: number, what: string): Int32Array {
  if (typeof spec === 'number') {
    if (!(spec > 0 && spec <= 1)) throw new RangeError(`${what}: subsample fraction must be in (0, 1], got ${spec}`);
    const count = Math.max(1, Math.round(spec * n));
    return Int32Array.from({ length: count }, (_, i) => Math.floor((i * n) / count));
  }
  if ('stride' in spec) {
    const { stride, offset = 0 } = spec;
    if (!Number.isInteger(stride) || stride < 1) throw new RangeError(`${what}: subsample stride must be a positive integer, got ${stride}`);
    if (!Number.isInteger(offset) || offset < 0 || offset >= n) {
      throw new RangeError(`${what}: subsample offset must be an integer in [0, ${n}), got ${offset}`);
    }
    return Int32Array.from({ length: Math.ceil((n - offset) / stride) }, (_, i) => offset + i * stride);
  }
  const indices = Int32Array.from(spec.indices);
  if (indices.length === 0) throw new RangeError(`${what}: subsample indices must not be empty`);
  for (let i = 0; i < indices.length; i++) {
    if (indices[i] !== spec.indices[i] || indices[i] < 0 || indices[i] >= n) {
      throw new RangeError(`${what}: subsample indices[${i}] = ${spec.indices[i]} is not a state index in [0, ${n})`);
    }
  }
  return indices;
}

function copyInto(view: Float32Array | Float64Array | Int32Array, source: ArrayLike<number>, count: number): void {
  if (ArrayBuffer.isView(source)) view.set((source as unknown as Float64Array).subarray(0, count));
  else for (let i = 0; i < count; i++) view[i] = source[i];
}

function releaseCached(c: Cached): void {
  for (const a of [c.struct, c.x, c.hidden, c.out, c.actions, c.oldProbs, c.oldLogProb, c.jacobian]) a?.release();
}

/**
 * The automatic BatchOptions.jacobianCache rule. Per state, building the cache costs Σ_{l<L−2} d_L·d_{l+2}·d_{l+1}
 * multiply-adds; each FVP then saves the second product of layers 1 … L−2 in both JVP and VJP,
 * 2·Σ d_l·d_{l+1}, minus applying the cache, 2·d_L·Σ_{l<L−2} d_{l+1}.
 */
function jacobianCachePays(dims: readonly number[], cacheBytes: number): boolean {
  const L = dims.length - 1, A = dims[L];
  let build = 0, saved = 0;
  for (let l = 0; l < L - 2; l++) {
    build += A * dims[l + 2] * dims[l + 1];
    saved -= 2 * A * dims[l + 1];
  }
  for (let l = 1; l <= L - 2; l++) saved += 2 * dims[l] * dims[l + 1];
  return saved > 0 && build < 4 * saved && cacheBytes <= JACOBIAN_CACHE_LIMIT_BYTES;
}

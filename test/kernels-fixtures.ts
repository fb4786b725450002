// Shared fixtures of the kernel and policy tests: the table of network shapes, seeded random data, error
// measures, and thin wrappers that run one raw kernel on arena copies of plain arrays.

import { Rng } from '../sdk/rng.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../sdk/index.js';
import { MlpNetwork, type Activation } from '../sdk/policies/mlp.js';
import { kernels, type Precision } from '../sdk/wasm/loader.js';
import type { ArenaArray, ElementKind } from '../sdk/wasm/arena.js';

/**
 * Odd sizes on purpose: every SIMD tail (rows, columns, inner dimension) is exercised; the last shape has three
 * hidden layers (deeper recursions, two cached Jacobian layers).
 */
export const SHAPES: readonly (readonly number[])[] = [
  [3, 5, 7, 2],
  [17, 64, 64, 6],
  [376, 256, 256, 17],
  [5, 9, 11, 13, 3],
];
export const ACTIVATIONS: readonly Activation[] = ['tanh', 'relu'];
export const PRECISIONS: readonly Precision[] = ['f64', 'f32'];

/** Rows used with a shape: past one 128-row chunk for the small nets, fewer for the large one (reference speed). */
export function rowsFor(dims: readonly number[]): number {
  return dims[0] > 100 ? 9 : 131;
}

export function label(dims: readonly number[]): string {
  return dims.join('→');
}

export function normals(rng: Rng, length: number, scale = 1): Float64Array {
  const a = new Float64Array(length);
  rng.fillNormal(a);
  if (scale !== 1) for (let i = 0; i < length; i++) a[i] *= scale;
  return a;
}

/** ‖a − b‖ / ‖b‖ (normwise relative error; robust to entries near zero). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch ${a.length} vs ${b.length}`);
  let num = 0, den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-300));
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Values rounded to the precision, so a reference can use exactly what the kernels see. */
export function rounded(a: ArrayLike<number>, precision: Precision): Float64Array {
  return precision === 'f32' ? Float64Array.from(Float32Array.from(a)) : Float64Array.from(a);
}

/**
 * A network with random parameters of a useful scale: weights N(0, 1/in) so activations neither vanish nor
 * saturate, biases N(0, 0.3²) so relu units are on both sides of the kink.
 */
export function randomNetwork(dims: readonly number[], activation: Activation, precision: Precision, rng: Rng): { net: MlpNetwork; theta: Float64Array } {
  const net = new MlpNetwork({
    inputSize: dims[0], hiddenSizes: dims.slice(1, -1), outputSize: dims[dims.length - 1], activation, precision, extraParameters: 0,
  });
  const theta = new Float64Array(net.numParameters);
  for (const layer of net.layers) {
    const w = layer.outDim * layer.inDim;
    for (let i = 0; i < w; i++) theta[layer.weightOffset + i] = rng.normal() / Math.sqrt(layer.inDim);
    for (let o = 0; o < layer.outDim; o++) theta[layer.weightOffset + w + o] = 0.3 * rng.normal();
  }
  net.setParameters(theta, 'test');
  return { net, theta: net.getParameters() };
}

/** Runs one network kernel on arena copies of plain arrays and returns plain results. */
export class NetworkRunner {
  private readonly x;
  private readonly hidden;
  private readonly out;

  constructor(readonly net: MlpNetwork, x: ArrayLike<number>, readonly n: number) {
    const arena = net.kernels.arena;
    this.x = arena.array(net.shape.precision, n * net.inputSize);
    this.x.view.set(x);
    this.hidden = arena.array(net.shape.precision, Math.max(1, net.hiddenCount(n)));
    this.out = arena.array(net.shape.precision, n * net.outputSize);
  }

  /** The inputs as the kernels see them (rounded to the precision). */
  get inputs(): Float64Array {
    return Float64Array.from(this.x.view);
  }

  forward(): Float64Array {
    const { net } = this;
    net.k.mlpForward(net.ptr, this.x.ptr, this.n, this.hidden.ptr, this.out.ptr, net.workspace.ptr);
    return Float64Array.from(this.out.view);
  }

  /** The hidden-activation cache after forward(): layer blocks of n × width, back to back. */
  hiddenValues(): Float64Array {
    return Float64Array.from(this.hidden.view.subarray(0, this.net.hiddenCount(this.n)));
  }

  /** Forward without keeping activations (the path of act and evaluate). */
  forwardWithoutCache(): Float64Array {
    const { net } = this;
    const out = net.kernels.arena.array(net.shape.precision, this.n * net.outputSize);
    net.k.mlpForward(net.ptr, this.x.ptr, this.n, 0, out.ptr, net.workspace.ptr);
    const result = Float64Array.from(out.view);
    out.release();
    return result;
  }

  /** J v; needs forward() first. */
  jvp(v: ArrayLike<number>): Float64Array {
    const { net } = this;
    const arena = net.kernels.arena;
    const tangent = arena.array('f64', net.numParameters);
    tangent.view.set(v);
    const out = arena.array(net.shape.precision, this.n * net.outputSize);
    net.k.mlpJvp(net.ptr, this.x.ptr, this.n, this.hidden.ptr, tangent.ptr, out.ptr, net.workspace.ptr);
    const result = Float64Array.from(out.view);
    tangent.release();
    out.release();
    return result;
  }

  /** Σ_r J_rᵀ g_r; needs forward() first. */
  vjp(g: ArrayLike<number>): Float64Array {
    const { net } = this;
    const arena = net.kernels.arena;
    const cot = arena.array(net.shape.precision, this.n * net.outputSize);
    cot.view.set(g);
    const grad = arena.array('f64', net.numParameters);
    net.k.mlpVjp(net.ptr, this.x.ptr, this.n, this.hidden.ptr, cot.ptr, grad.ptr, net.workspace.ptr);
    const result = Float64Array.from(grad.view);
    cot.release();
    grad.release();
    return result;
  }

  release(): void {
    this.x.release();
    this.hidden.release();
    this.out.release();
  }
}

export function seeded(seed: number): Rng {
  return new Rng(seed);
}

/** Arena arrays for one test, released together. */
export class ArenaScope {
  private readonly arrays: { release(): void }[] = [];
  readonly k;

  constructor(readonly precision: Precision) {
    this.k = kernels()[precision];
  }

  /** An array of the working precision holding `values` (or `values` zeros when a number). */
  real(values: ArrayLike<number> | number): ArenaArray<Precision> {
    return this.track(fill(kernels().arena.array(this.precision, typeof values === 'number' ? values : values.length), values));
  }

  f64(values: ArrayLike<number> | number): ArenaArray<'f64'> {
    return this.track(fill(kernels().arena.array('f64', typeof values === 'number' ? values : values.length), values));
  }

  i32(values: ArrayLike<number> | number): ArenaArray<'i32'> {
    return this.track(fill(kernels().arena.array('i32', typeof values === 'number' ? values : values.length), values));
  }

  release(): void {
    for (const a of this.arrays.splice(0)) a.release();
  }

  private track<A extends { release(): void }>(a: A): A {
    this.arrays.push(a);
    return a;
  }
}

function fill<A extends ArenaArray<ElementKind>>(array: A, values: ArrayLike<number> | number): A {
  if (typeof values !== 'number') array.view.set(values);
  return array;
}

export function makePolicy(kind: 'gaussian' | 'categorical', dims: readonly number[], activation: Activation, precision: Precision, seed: number): GaussianMlpPolicy | CategoricalMlpPolicy {
  const common = { obsDim: dims[0], hiddenSizes: dims.slice(1, -1), activation, precision, seed };
  return kind === 'gaussian'
    ? new GaussianMlpPolicy({ ...common, actionDim: dims[dims.length - 1] })
    : new CategoricalMlpPolicy({ ...common, numActions: dims[dims.length - 1] });
}

/** θ with weights N(0, 1/in), biases N(0, 0.3²), log-std N(0, 0.3²): outputs of order 1, both relu sides used. */
export function randomTheta(policy: GaussianMlpPolicy | CategoricalMlpPolicy, rng: Rng): Float64Array {
  const theta = new Float64Array(policy.numParameters);
  for (const c of policy.net.convLayers) {
    const fanIn = c.kernel * c.kernel * c.inC;
    for (let i = 0; i < c.outC * fanIn; i++) theta[c.weightOffset + i] = rng.normal() / Math.sqrt(fanIn);
    for (let o = 0; o < c.outC; o++) theta[c.weightOffset + c.outC * fanIn + o] = 0.3 * rng.normal();
  }
  for (const layer of policy.net.layers) {
    const w = layer.outDim * layer.inDim;
    for (let i = 0; i < w; i++) theta[layer.weightOffset + i] = rng.normal() / Math.sqrt(layer.inDim);
    for (let o = 0; o < layer.outDim; o++) theta[layer.weightOffset + w + o] = 0.3 * rng.normal();
  }
  for (let i = policy.net.networkParameters; i < theta.length; i++) theta[i] = 0.3 * rng.normal();
  return theta;
}

export function randomActions(kind: 'gaussian' | 'categorical', rng: Rng, n: number, K: number): Float64Array {
  return kind === 'gaussian' ? normals(rng, n * K) : Float64Array.from({ length: n }, () => rng.integer(K));
}


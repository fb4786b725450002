// The JS side of one multilayer perceptron in the kernels' memory: its description (the Mlp struct of
// assembly/mlp.ts), parameters, packed weights and workspace, all allocated once from the thread's arena.
//
// Parameter layout (flat, shared with the kernels and with export): for each linear layer the weight matrix
// row-major [out][in] (y = W x + b, as torch.nn.Linear), then its bias; after the last layer any `extra`
// parameters of the owner (the Gaussian policy's log-std).

import { kernels, type Kernels, type Precision, type PrecisionKernels } from '../wasm/loader.js';
import type { ArenaArray } from '../wasm/arena.js';
import type { Rng } from '../rng.js';
import { orthogonal } from './init.js';

export type Activation = 'tanh' | 'relu';

const ACTIVATION_CODE: Record<Activation, number> = { tanh: 0, relu: 1 };
/** Mlp struct: layers, activation, dims, params, packed (5 × 4 bytes). */
const STRUCT_FIELDS = 5;

export interface MlpShape {
  inputSize: number;
  hiddenSizes: readonly number[];
  outputSize: number;
  activation: Activation;
  precision: Precision;
  /** Parameters stored after the network's (log-std); 0 if none. */
  extraParameters: number;
}

/** One layer's slice of the flat parameter vector. */
export interface LayerSlice {
  inDim: number;
  outDim: number;
  /** Offset of W (outDim × inDim); the bias follows at weightOffset + outDim·inDim. */
  weightOffset: number;
}

export class MlpNetwork {
  readonly shape: MlpShape;
  /** [input, ...hidden, output]. */
  readonly dims: readonly number[];
  readonly layers: readonly LayerSlice[];
  /** Weights and biases. */
  readonly networkParameters: number;
  /** Weights, biases and extra parameters. */
  readonly numParameters: number;
  readonly kernels: Kernels;
  readonly k: PrecisionKernels;
  /** Address of the Mlp struct, the first argument of every network kernel. */
  readonly ptr: number;
  /** θ in the working precision. */
  readonly params: ArenaArray<Precision>;
  /** Scratch of mlpWorkspaceBytes, shared by every batched call on this network. */
  readonly workspace: ArenaArray<'u8'>;
  /** Incremented on every parameter change, so caches of activations can tell they are stale. */
  version = 0;

  private readonly struct: ArenaArray<'i32'>;
  private readonly dimsArray: ArenaArray<'i32'>;
  private readonly packed: ArenaArray<Precision>;

  constructor(shape: MlpShape) {
    this.shape = shape;
    this.dims = [shape.inputSize, ...shape.hiddenSizes, shape.outputSize];
    const layers: LayerSlice[] = [];
    let offset = 0;
    for (let l = 0; l + 1 < this.dims.length; l++) {
      layers.push({ inDim: this.dims[l], outDim: this.dims[l + 1], weightOffset: offset });
      offset += this.dims[l + 1] * (this.dims[l] + 1);
    }
    this.layers = layers;
    this.networkParameters = offset;
    this.numParameters = offset + shape.extraParameters;
    this.kernels = kernels();
    this.k = this.kernels[shape.precision];
    const arena = this.kernels.arena;
    this.dimsArray = arena.array('i32', this.dims.length);
    this.dimsArray.view.set(this.dims);
    this.params = arena.array(shape.precision, this.numParameters);
    this.packed = arena.array(shape.precision, this.networkParameters);
    this.struct = arena.array('i32', STRUCT_FIELDS);
    this.struct.view.set([layers.length, ACTIVATION_CODE[shape.activation], this.dimsArray.ptr, this.params.ptr, this.packed.ptr]);
    this.ptr = this.struct.ptr;
    if (this.kernels.common.mlpParamCount(this.ptr) !== this.networkParameters) {
      throw new Error('MlpNetwork: parameter layout disagrees with the kernels (rebuild with `npm run build`)');
    }
    this.workspace = arena.array('u8', this.k.mlpWorkspaceBytes(this.ptr));
  }

  get inputSize(): number {
    return this.dims[0];
  }

  get outputSize(): number {
    return this.dims[this.dims.length - 1];
  }

  /** Elements of the hidden-activation cache for n rows. */
  hiddenCount(n: number): number {
    let count = 0;
    for (let l = 1; l + 1 < this.dims.length; l++) count += n * this.dims[l];
    return count;
  }

  /** A copy of θ in f64. */
  getParameters(): Float64Array {
    return Float64Array.from(this.params.view);
  }

  /** Replace θ (length numParameters, finite). `owner` names the caller in error messages. */
  setParameters(p: ArrayLike<number>, owner: string): void {
    if (p.length !== this.numParameters) {
      throw new RangeError(`${owner}.setParameters: expected ${this.numParameters} parameters, got ${p.length}`);
    }
    for (let i = 0; i < p.length; i++) {
      if (!Number.isFinite(p[i])) throw new RangeError(`${owner}.setParameters: parameter ${i} is ${p[i]} (must be finite)`);
    }
    this.params.view.set(p);
    this.parametersChanged();
  }

  /** Refresh the packed weights after θ changed in place (setParameters, Adam). */
  parametersChanged(): void {
    this.k.mlpPack(this.ptr);
    this.version++;
  }

  /**
   * Initialize like Stable-Baselines3: orthogonal weights (Saxe et al. 2014) with gain √2 on hidden layers and
   * `outputGain` on the last (0.01 for policies, 1 for value functions), zero biases. Extra parameters are left
   * for the owner. Deterministic given the rng state.
   */
  initialize(rng: Rng, outputGain: number): Float64Array {
    const theta = new Float64Array(this.numParameters);
    this.layers.forEach((layer, l) => {
      const gain = l === this.layers.length - 1 ? outputGain : Math.SQRT2;
      theta.set(orthogonal(layer.outDim, layer.inDim, gain, rng), layer.weightOffset);
    });
    return theta;
  }

  /** Return every buffer to the arena; the network is unusable afterwards. */
  dispose(): void {
    for (const array of [this.workspace, this.packed, this.params, this.struct, this.dimsArray]) array.release();
  }
}

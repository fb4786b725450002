// The JS side of one multilayer perceptron in the kernels' memory: its description (the Mlp struct of
// assembly/mlp.ts), parameters, packed weights and workspace, all allocated once from the thread's arena.
//
// Parameter layout (flat, shared with the kernels and with export): for each linear layer the weight matrix
// row-major [out][in] (y = W x + b, as torch.nn.Linear), then its bias; after the last layer any `extra`
// parameters of the owner (the Gaussian policy's log-std).
//
// With `conv` layers in front (a CNN, assembly/conv.ts) the input is an image flattened in NHWC order
// (height × width × channels, channels of a pixel contiguous), θ starts with each conv layer's filters
// [filters][kernel][kernel][inChannels] and biases, and the dense layers take the last conv output flattened in
// NHWC order.

import { kernels, type Kernels, type Precision, type PrecisionKernels } from '../wasm/loader.js';
import type { ArenaArray } from '../wasm/arena.js';
import type { Rng } from '../rng.js';
import { orthogonal } from './init.js';

export type Activation = 'tanh' | 'relu';

const ACTIVATION_CODE: Record<Activation, number> = { tanh: 0, relu: 1 };
/** Mlp struct: layers, activation, dims, params, packed, conv (6 × 4 bytes). */
const STRUCT_FIELDS = 6;
/** Per conv layer in the Conv struct's spec: inH, inW, inC, outH, outW, outC, kernel, stride, pad. */
const CONV_SPEC_FIELDS = 9;

/** One convolutional layer: `filters` output channels, a square `kernel`, `stride`, zero `padding` (default 0). */
export interface ConvLayerSpec {
  filters: number;
  kernel: number;
  stride: number;
  padding?: number;
}

/** Image observations, flattened in NHWC order. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** A conv layer with its input and output sizes resolved. */
export interface ConvLayerSlice {
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kernel: number;
  stride: number;
  padding: number;
  /** Offset of the filters (outC × kernel·kernel·inC); the biases follow. */
  weightOffset: number;
}

/** Resolve the output size of every layer; throws naming the layer when an image shrinks to nothing. */
export function convLayerSlices(image: ImageShape, layers: readonly ConvLayerSpec[]): ConvLayerSlice[] {
  let h = image.height, w = image.width, c = image.channels;
  let offset = 0;
  return layers.map((layer, i) => {
    const padding = layer.padding ?? 0;
    for (const [name, value, min] of [['filters', layer.filters, 1], ['kernel', layer.kernel, 1], ['stride', layer.stride, 1], ['padding', padding, 0]] as const) {
      if (!Number.isInteger(value) || value < min) throw new RangeError(`conv[${i}].${name} is ${value}; use an integer ≥ ${min}`);
    }
    const outH = Math.floor((h + 2 * padding - layer.kernel) / layer.stride) + 1;
    const outW = Math.floor((w + 2 * padding - layer.kernel) / layer.stride) + 1;
    if (outH < 1 || outW < 1) {
      throw new RangeError(`conv[${i}]: a ${layer.kernel}×${layer.kernel} kernel does not fit the ${h}×${w} input (padding ${padding}); use a smaller kernel or more padding`);
    }
    const slice = { inH: h, inW: w, inC: c, outH, outW, outC: layer.filters, kernel: layer.kernel, stride: layer.stride, padding, weightOffset: offset };
    offset += layer.filters * (layer.kernel * layer.kernel * c + 1);
    h = outH;
    w = outW;
    c = layer.filters;
    return slice;
  });
}

export interface MlpShape {
  /** Numbers per input row (for a CNN: height · width · channels). */
  inputSize: number;
  /** Conv layers in front of the dense ones, for image inputs of `image`'s shape. */
  conv?: { image: ImageShape; layers: readonly ConvLayerSpec[] };
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
  /** The conv layers in front (empty for a plain MLP). */
  readonly convLayers: readonly ConvLayerSlice[];
  /** [dense input (the flattened conv output for a CNN), ...hidden, output]. */
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
  /** The Conv struct (layers, spec pointer) followed by its spec; null for a plain MLP. */
  private readonly convArray: ArenaArray<'i32'> | null;
  private readonly packed: ArenaArray<Precision>;

  constructor(shape: MlpShape) {
    this.shape = shape;
    this.convLayers = shape.conv ? convLayerSlices(shape.conv.image, shape.conv.layers) : [];
    const lastConv = this.convLayers[this.convLayers.length - 1];
    if (shape.conv) {
      const { height, width, channels } = shape.conv.image;
      if (height * width * channels !== shape.inputSize) {
        throw new RangeError(`MlpNetwork: image ${height}×${width}×${channels} has ${height * width * channels} numbers but inputSize is ${shape.inputSize}`);
      }
    }
    const denseInput = lastConv ? lastConv.outH * lastConv.outW * lastConv.outC : shape.inputSize;
    this.dims = [denseInput, ...shape.hiddenSizes, shape.outputSize];
    const layers: LayerSlice[] = [];
    let offset = lastConv ? lastConv.weightOffset + lastConv.outC * (lastConv.kernel * lastConv.kernel * lastConv.inC + 1) : 0;
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
    this.convArray = null;
    if (this.convLayers.length > 0) {
      const conv = arena.array('i32', 2 + CONV_SPEC_FIELDS * this.convLayers.length);
      const spec = this.convLayers.flatMap((c) => [c.inH, c.inW, c.inC, c.outH, c.outW, c.outC, c.kernel, c.stride, c.padding]);
      conv.view.set([this.convLayers.length, conv.ptr + 8, ...spec]);
      this.convArray = conv;
    }
    this.struct = arena.array('i32', STRUCT_FIELDS);
    this.struct.view.set([layers.length, ACTIVATION_CODE[shape.activation], this.dimsArray.ptr, this.params.ptr, this.packed.ptr, this.convArray?.ptr ?? 0]);
    this.ptr = this.struct.ptr;
    if (this.kernels.common.mlpParamCount(this.ptr) !== this.networkParameters || this.kernels.common.mlpInputCount(this.ptr) !== shape.inputSize) {
      throw new Error('MlpNetwork: parameter layout disagrees with the kernels (rebuild with `npm run build`)');
    }
    this.workspace = arena.array('u8', this.k.mlpWorkspaceBytes(this.ptr));
  }

  /** Numbers per input row (the flattened image for a CNN). */
  get inputSize(): number {
    return this.shape.inputSize;
  }

  get outputSize(): number {
    return this.dims[this.dims.length - 1];
  }

  /** Elements of the hidden-activation cache for n rows. */
  hiddenCount(n: number): number {
    let count = this.convLayers.reduce((sum, c) => sum + n * c.outH * c.outW * c.outC, 0);
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
    for (const c of this.convLayers) {
      theta.set(orthogonal(c.outC, c.kernel * c.kernel * c.inC, Math.SQRT2, rng), c.weightOffset);
    }
    this.layers.forEach((layer, l) => {
      const gain = l === this.layers.length - 1 ? outputGain : Math.SQRT2;
      theta.set(orthogonal(layer.outDim, layer.inDim, gain, rng), layer.weightOffset);
    });
    return theta;
  }

  /** Return every buffer to the arena; the network is unusable afterwards. */
  dispose(): void {
    for (const array of [this.workspace, this.packed, this.params, this.struct, this.dimsArray]) array.release();
    this.convArray?.release();
  }
}

// The plain-data description of a trained policy that the ONNX export consumes. It depends on no policy or trainer
// class: anything that can list its layers, its log-std and its observation statistics can be exported.
//
// Forward pass described by a spec, for one observation x ∈ R^obsDim:
//   z = clip((x − obsNorm.mean) / sqrt(obsNorm.var + obsNorm.epsilon), −obsNorm.clip, obsNorm.clip)   (if obsNorm)
//   h_0 = z;  h_{i+1} = act(W_i h_i + b_i) for hidden layers, out = W_L h_L + b_L for the last (linear) layer
//   gaussian:    mean = out ∈ R^actDim; action = clamp(mean, actionLow, actionHigh); std = exp(logStd)
//   categorical: logits = out ∈ R^actDim; action = argmax(logits) (first index on ties)

import type { ObsNormStats } from '../normalization/obs-normalizer.js';

/** One affine layer y = W x + b; `weight` is row-major [outDim][inDim]. */
export interface DenseLayerSpec {
  weight: Float64Array | Float32Array;
  bias: Float64Array | Float32Array;
  inDim: number;
  outDim: number;
}

/** One conv layer; `weight` is [filters][kernel][kernel][inChannels] (the SDK's layout, NHWC taps). */
export interface ConvLayerExportSpec {
  filters: number;
  kernel: number;
  stride: number;
  padding: number;
  weight: Float64Array | Float32Array;
  bias: Float64Array | Float32Array;
}

/** Conv layers in front of the dense ones: observations are images flattened in NHWC order. */
export interface ConvExportSpec {
  image: { height: number; width: number; channels: number };
  layers: ConvLayerExportSpec[];
}

/** The observation statistics of sdk/normalization; `clip` Infinity = none. */
export type ObsNormSpec = ObsNormStats;

/** Provenance written to the file's metadata. Extra keys are copied as they are. */
export interface PolicyExportMetadata {
  envId: string;
  trainingTimesteps: number;
  configHash: string;
  [key: string]: string | number;
}

export interface PolicyExportSpec {
  kind: 'gaussian' | 'categorical';
  obsDim: number;
  /** Gaussian: action vector size. Categorical: number of actions. */
  actDim: number;
  /** Activation of every hidden layer; the last layer is linear. */
  activation: 'tanh' | 'relu';
  /** CNN policies: conv layers applied first; layers[0].inDim is then their flattened output size. */
  conv?: ConvExportSpec;
  /** Input layer first; layers[0].inDim = obsDim (or the conv output size), layers[i].inDim = layers[i−1].outDim, last outDim = actDim. */
  layers: DenseLayerSpec[];
  /** Gaussian only: state-independent log standard deviation, length actDim. */
  logStd?: Float64Array;
  obsNorm?: ObsNormSpec;
  /** Gaussian only: action bounds (±Infinity allowed for unbounded components). */
  actionLow?: Float64Array;
  actionHigh?: Float64Array;
  /** Control period in seconds (the env's dt: one action per dt). Written to metadata key `dt`. */
  dt?: number;
  /** What each observation index means, with its unit (length obsDim). Metadata key `observation_labels`. */
  observationLabels?: readonly string[];
  /** What each action index (Gaussian) or choice (categorical) means (length actDim). Key `action_labels`. */
  actionLabels?: readonly string[];
  /** sha256 (hex) of the MJCF model with its assets, for custom MuJoCo robots (metadata key model_sha256). */
  modelSha256?: string;
  metadata: PolicyExportMetadata;
}

/** Throws an Error naming the field, the value and the fix when `spec` is inconsistent or holds non-finite data. */
export function validatePolicySpec(spec: PolicyExportSpec): void {
  const fail = (message: string): never => {
    throw new Error(`invalid policy export spec: ${message}`);
  };
  if (spec.kind !== 'gaussian' && spec.kind !== 'categorical') {
    fail(`kind is ${JSON.stringify(spec.kind)}; use 'gaussian' (Box actions) or 'categorical' (Discrete actions)`);
  }
  if (spec.activation !== 'tanh' && spec.activation !== 'relu') {
    fail(`activation is ${JSON.stringify(spec.activation)}; use 'tanh' or 'relu'`);
  }
  checkPositiveInteger('obsDim', spec.obsDim, fail);
  checkPositiveInteger('actDim', spec.actDim, fail);
  if (spec.kind === 'categorical' && spec.actDim < 2) fail(`actDim is ${spec.actDim}; a categorical policy needs ≥ 2 actions`);
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) fail('layers is empty; give at least the output layer');

  let expectedIn = spec.conv ? checkConv(spec.conv, spec.obsDim, fail) : spec.obsDim;
  spec.layers.forEach((layer, i) => {
    const name = `layers[${i}]`;
    checkPositiveInteger(`${name}.inDim`, layer.inDim, fail);
    checkPositiveInteger(`${name}.outDim`, layer.outDim, fail);
    if (layer.inDim !== expectedIn) {
      fail(`${name}.inDim is ${layer.inDim} but the ${i === 0 ? 'observation' : 'previous layer'} has ${expectedIn} values`);
    }
    checkLength(`${name}.weight`, layer.weight, layer.outDim * layer.inDim, `outDim × inDim = ${layer.outDim} × ${layer.inDim}`, fail);
    checkLength(`${name}.bias`, layer.bias, layer.outDim, 'outDim', fail);
    checkFloat32Finite(`${name}.weight`, layer.weight, fail);
    checkFloat32Finite(`${name}.bias`, layer.bias, fail);
    expectedIn = layer.outDim;
  });
  if (expectedIn !== spec.actDim) fail(`the last layer has outDim ${expectedIn} but actDim is ${spec.actDim}`);

  if (spec.kind === 'categorical') {
    for (const field of ['logStd', 'actionLow', 'actionHigh'] as const) {
      if (spec[field] !== undefined) fail(`${field} is set but a categorical policy has no ${field}; remove it`);
    }
  } else {
    if (spec.logStd !== undefined) {
      checkLength('logStd', spec.logStd, spec.actDim, 'actDim', fail);
      checkFloat32Finite('logStd', spec.logStd, fail);
    }
    checkBounds(spec, fail);
  }
  if (spec.obsNorm !== undefined) checkObsNorm(spec.obsNorm, spec.obsDim, fail);
  if (spec.dt !== undefined && !(Number.isFinite(spec.dt) && spec.dt > 0)) fail(`dt is ${spec.dt}; give the control period in seconds (> 0)`);
  checkLabels('observationLabels', spec.observationLabels, spec.obsDim, 'obsDim', fail);
  checkLabels('actionLabels', spec.actionLabels, spec.actDim, 'actDim', fail);
  checkMetadata(spec.metadata, fail);
}

function checkLabels(field: string, labels: readonly string[] | undefined, expected: number, what: string, fail: Fail): void {
  if (labels === undefined) return;
  if (!Array.isArray(labels) || labels.some((label) => typeof label !== 'string')) fail(`${field} must be an array of strings`);
  if (labels.length !== expected) fail(`${field} has ${labels.length} labels; expected ${what} = ${expected}`);
}

type Fail = (message: string) => never;

/** Checks the conv layers; returns the size of their flattened output. */
function checkConv(conv: ConvExportSpec, obsDim: number, fail: Fail): number {
  let { height: h, width: w, channels: c } = conv.image;
  for (const [field, value] of [['height', h], ['width', w], ['channels', c]] as const) checkPositiveInteger(`conv.image.${field}`, value, fail);
  if (h * w * c !== obsDim) fail(`conv.image is ${h}×${w}×${c} = ${h * w * c} values but obsDim is ${obsDim}`);
  if (!Array.isArray(conv.layers) || conv.layers.length === 0) fail('conv.layers is empty; give at least one layer or drop conv');
  conv.layers.forEach((layer, i) => {
    const name = `conv.layers[${i}]`;
    for (const field of ['filters', 'kernel', 'stride'] as const) checkPositiveInteger(`${name}.${field}`, layer[field], fail);
    if (!Number.isSafeInteger(layer.padding) || layer.padding < 0) fail(`${name}.padding is ${layer.padding}; it must be an integer ≥ 0`);
    checkLength(`${name}.weight`, layer.weight, layer.filters * layer.kernel * layer.kernel * c, `filters × kernel² × channels = ${layer.filters} × ${layer.kernel}² × ${c}`, fail);
    checkLength(`${name}.bias`, layer.bias, layer.filters, 'filters', fail);
    checkFloat32Finite(`${name}.weight`, layer.weight, fail);
    checkFloat32Finite(`${name}.bias`, layer.bias, fail);
    h = Math.floor((h + 2 * layer.padding - layer.kernel) / layer.stride) + 1;
    w = Math.floor((w + 2 * layer.padding - layer.kernel) / layer.stride) + 1;
    if (h < 1 || w < 1) fail(`${name}: the kernel does not fit its input`);
    c = layer.filters;
  });
  return h * w * c;
}

function checkPositiveInteger(field: string, value: number, fail: Fail): void {
  if (!Number.isSafeInteger(value) || value < 1) fail(`${field} is ${value}; it must be a positive integer`);
}

function checkLength(field: string, array: ArrayLike<number> | undefined, expected: number, what: string, fail: Fail): void {
  if (!(array instanceof Float64Array || array instanceof Float32Array)) {
    fail(`${field} must be a Float64Array or Float32Array, got ${describe(array)}`);
  }
  if (array!.length !== expected) fail(`${field} has length ${array!.length}; expected ${what} = ${expected}`);
}

/** Parameters are stored as float32: a finite float64 that overflows float32 is refused too. */
function checkFloat32Finite(field: string, array: ArrayLike<number>, fail: Fail): void {
  for (let i = 0; i < array.length; i++) {
    const value = array[i];
    if (!Number.isFinite(value)) fail(`${field}[${i}] is ${value}; every parameter must be finite (the policy diverged?)`);
    if (!Number.isFinite(Math.fround(value))) fail(`${field}[${i}] is ${value}, which overflows float32 (the policy diverged?)`);
  }
}

function checkBounds(spec: PolicyExportSpec, fail: Fail): void {
  const { actionLow: low, actionHigh: high } = spec;
  if ((low === undefined) !== (high === undefined)) fail('give both actionLow and actionHigh, or neither');
  if (low === undefined || high === undefined) return;
  checkLength('actionLow', low, spec.actDim, 'actDim', fail);
  checkLength('actionHigh', high, spec.actDim, 'actDim', fail);
  for (let i = 0; i < spec.actDim; i++) {
    if (Number.isNaN(low[i]) || low[i] === Infinity) fail(`actionLow[${i}] is ${low[i]}; use a number or -Infinity`);
    if (Number.isNaN(high[i]) || high[i] === -Infinity) fail(`actionHigh[${i}] is ${high[i]}; use a number or Infinity`);
    if (low[i] > high[i]) fail(`actionLow[${i}] = ${low[i]} is above actionHigh[${i}] = ${high[i]}`);
  }
}

function checkObsNorm(norm: ObsNormSpec, obsDim: number, fail: Fail): void {
  checkLength('obsNorm.mean', norm.mean, obsDim, 'obsDim', fail);
  checkLength('obsNorm.var', norm.var, obsDim, 'obsDim', fail);
  checkFloat32Finite('obsNorm.mean', norm.mean, fail);
  checkFloat32Finite('obsNorm.var', norm.var, fail);
  if (!(Number.isFinite(norm.epsilon) && norm.epsilon >= 0)) {
    fail(`obsNorm.epsilon is ${norm.epsilon}; it must be a finite number ≥ 0 (typically 1e-8)`);
  }
  if (!(norm.clip > 0)) fail(`obsNorm.clip is ${norm.clip}; it must be > 0 (Infinity for no clipping)`);
  for (let i = 0; i < obsDim; i++) {
    if (norm.var[i] < 0) fail(`obsNorm.var[${i}] is ${norm.var[i]}; a variance cannot be negative`);
    if (!(Math.fround(Math.sqrt(norm.var[i] + norm.epsilon)) > 0)) {
      fail(`obsNorm.var[${i}] + epsilon is ${norm.var[i] + norm.epsilon}; the standard deviation must be > 0 in float32 (raise epsilon)`);
    }
  }
}

function checkMetadata(metadata: PolicyExportMetadata | undefined, fail: Fail): void {
  if (metadata === null || typeof metadata !== 'object') fail(`metadata is ${describe(metadata)}; give { envId, trainingTimesteps, configHash }`);
  if (typeof metadata!.envId !== 'string' || metadata!.envId === '') fail(`metadata.envId is ${describe(metadata!.envId)}; give the env id, e.g. 'Hopper-v5'`);
  const steps = metadata!.trainingTimesteps;
  if (!Number.isSafeInteger(steps) || steps < 0) fail(`metadata.trainingTimesteps is ${steps}; it must be an integer ≥ 0`);
  if (typeof metadata!.configHash !== 'string') fail(`metadata.configHash is ${describe(metadata!.configHash)}; it must be a string`);
  for (const [key, value] of Object.entries(metadata!)) {
    if (typeof value === 'number' ? !Number.isFinite(value) : typeof value !== 'string') {
      fail(`metadata.${key} is ${describe(value)}; extra metadata values must be strings or finite numbers`);
    }
  }
}

function describe(value: unknown): string {
  if (value === undefined || value === null || typeof value === 'number') return String(value);
  if (typeof value === 'object') return value.constructor?.name ?? 'object';
  return JSON.stringify(value);
}

// Policies, value function and the trainer-facing batch, backed by the wasm kernels.
export { GaussianMlpPolicy, type GaussianMlpPolicyOptions, type GaussianDistribution } from './gaussian.js';
export { CategoricalMlpPolicy, type CategoricalMlpPolicyOptions, type CategoricalDistribution } from './categorical.js';
export { MlpValueFunction, type MlpValueFunctionOptions, type FitOptions, type AdamState } from './value.js';
export { PolicyBatch, type BatchOptions, type Subsample, type FisherOptions, type CgOptions } from './batch.js';
export type { ActOptions, ConvOptions } from './policy.js';
export type { Activation, ConvLayerSpec } from './mlp.js';
export { computeGae, type GaeInput, type GaeResult } from './gae.js';

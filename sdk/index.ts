// Public API of trpo-wasm. Every export here is documented and typed.
export { version } from './version.js';
export * from './onnx/index.js';
export * from '../envs/index.js';
export { readMjcf, modelSha256 } from './envs/mjcf-files.js';
export { registerEnv, registeredEnvs, type EnvRef, type EnvSource, type ModuleEnvSpec } from './envs/source.js';
export * from './run/index.js';
export * from './normalization/index.js';
export * from './sweep/index.js';
export * from './policies/index.js';
export { cg, type CgResult } from './cg.js';
export { KernelHelper } from './wasm/helper.js';
export * from './vec-env/index.js';
export * from './trpo/index.js';
export * from './es/index.js';
export { createAgent, loadAgent, ALGOS, type Agent, type Algo } from './agents.js';

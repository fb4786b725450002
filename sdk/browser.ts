// trpo-wasm/browser: what runs in a web page — the environments (MuJoCo's WebAssembly build), the policies on
// our wasm kernels, and trained ONNX policies run by those kernels. Nothing here imports a Node built-in
// (test/browser-bundle.test.ts bundles this entry for the browser and fails on any); training, run folders and the
// CLI stay Node-only.
import { loadKernels, type KernelSource } from './wasm/loader.js';
import { setMujocoLoadOptions } from '../envs/mujoco-runtime.js';

export interface BrowserInitOptions {
  /** build/kernels.wasm of the package: its URL, a Response or its bytes. */
  kernelsWasm: KernelSource;
  /** @mujoco/mujoco's mujoco.wasm: its URL or its bytes. Default: next to the MuJoCo module (unbundled use). */
  mujocoWasm?: string | URL | ArrayBuffer;
}

/** Compiles our kernels and tells MuJoCo where its wasm is; call once before making envs or policies. */
export async function init(options: BrowserInitOptions): Promise<void> {
  const mujoco = options.mujocoWasm;
  if (mujoco instanceof ArrayBuffer) setMujocoLoadOptions({ wasmBinary: mujoco });
  else if (mujoco !== undefined) setMujocoLoadOptions({ locateFile: () => String(mujoco) });
  await loadKernels(options.kernelsWasm);
}

export { loadKernels, type KernelSource } from './wasm/loader.js';
export { makeEnv, listEnvs, isEnvId, type EnvId, type EnvOptionsById } from '../envs/registry.js';
export { MujocoEnv } from '../envs/mujoco-env.js';
export { loadMujocoRuntime, type Mujoco } from '../envs/mujoco-runtime.js';
export type {
  BoxSpace, DiscreteSpace, Env, EnvSnapshot, ResetArgs, ResetResult, Space, StepInfo, StepOutput, StepResult,
} from '../envs/types.js';
export { GaussianMlpPolicy, CategoricalMlpPolicy, MlpValueFunction } from './policies/index.js';
export { loadPolicyBytes, OnnxWeightsPolicy } from './onnx/weights-policy.js';
export type { PolicyWeights } from './onnx/policy-file.js';
export type { OnnxPolicyMetadata } from './onnx/metadata.js';
export { runEpisodes, type EvaluationResult } from './trpo/evaluate.js';
export { Rng } from './rng.js';

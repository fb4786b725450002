// The agent's view of its networks: the policy (with the batch operations of the update), the value
// function and GAE. Implemented on the wasm kernels' classes by createNetworks.
import type { Space } from '../../envs/types.js';
import type { ConvExportSpec } from '../onnx/spec.js';
import type { Rng } from '../rng.js';
import type { KernelHelper } from '../wasm/helper.js';
import type { ParameterOwner, PolicyBatchOps } from './update.js';

export interface AgentPolicy extends ParameterOwner {
  readonly kind: 'gaussian' | 'categorical';
  readonly numParameters: number;
  /** Distribution parameters for n (normalized) observations: Gaussian mean or categorical logits, n × actDim. */
  forwardHead(obs: Float64Array, n: number): Float64Array;
  /** log-std (Gaussian only). */
  logStd(): Float64Array;
  /** π(a|s) for every action of n observations (categorical only), n × numActions. */
  actionProbabilities(obs: Float64Array, n: number): Float64Array;
  /** Draw one action from π(·|obs) into `out`. */
  sampleAction(obs: Float64Array, out: Float64Array, rng: Rng): void;
  /** log π(aᵢ|sᵢ) for n pairs. */
  logProb(obs: Float64Array, actions: Float64Array, n: number): Float64Array;
  /**
   * Actions for n normalized observations: deterministic → Gaussian mean clipped to the bounds / argmax;
   * otherwise a sample drawn with `rng`.
   */
  actions(obs: Float64Array, n: number, space: Space, deterministic: boolean, rng?: Rng): Float64Array;
  /** Dense layers, row-major [out][in], for export. */
  layers(): { weight: Float64Array; bias: Float64Array; inDim: number; outDim: number }[];
  /** Conv layers in front (CNN policies), for export; undefined for an MLP. */
  conv(): ConvExportSpec | undefined;
}

export interface AgentValue {
  predict(obs: Float64Array, n: number): Float64Array;
  fit(obs: Float64Array, targets: Float64Array, n: number, o: { epochs: number; batchSize: number; learningRate: number; rng: Rng }): number;
  /** Parameters and optimizer state, for checkpoints. */
  getState(): Record<string, Float64Array>;
  setState(state: Record<string, Float64Array>): void;
}

export interface GaeInputs {
  rewards: Float64Array;
  values: Float64Array;
  terminated: Uint8Array;
  truncated: Uint8Array;
  truncationValues: Float64Array;
  lastValues: Float64Array;
  nSteps: number;
  numEnvs: number;
  gamma: number;
  lambda: number;
}

export interface PolicyBatch extends PolicyBatchOps {
  readonly capacity: number;
  load(obs: Float64Array, actions: Float64Array, n: number): void;
  /** Return the batch's buffers to the arena. */
  dispose(): void;
}

export interface Networks {
  readonly policy: AgentPolicy;
  readonly value: AgentValue;
  /** A batch for up to `capacity` states; with `helper`, Fisher-vector products are split over two threads. */
  createBatch(capacity: number, helper?: KernelHelper): PolicyBatch;
  gae(x: GaeInputs): { advantages: Float64Array; returns: Float64Array };
}

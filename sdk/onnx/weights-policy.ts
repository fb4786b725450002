// A trpo-wasm ONNX policy run by the SDK's own kernels instead of onnxruntime: the browser entry's policy runner.
// Why not onnxruntime-web: its wasm binaries alone are several MB against our 52 kB of kernels, and our files
// are a fixed graph (normalize → Gemm/activation MLP → clamp) whose weights we can read back. The forward pass is
// the graph's arithmetic in float32: (obs − mean) / std and the clip are element-wise float32 operations (exact in
// JS with Math.fround), the MLP runs in the f32 kernels, whose summation order differs from onnxruntime's Gemm
// by rounding only (checked against onnxruntime-node in test/onnx-weights-policy.test.ts).
import { CategoricalMlpPolicy } from '../policies/categorical.js';
import { GaussianMlpPolicy } from '../policies/gaussian.js';
import type { Rng } from '../rng.js';
import type { OnnxPolicyMetadata } from './metadata.js';
import { checkPolicyDigests, decodePolicyFile, policyWeights, type PolicyWeights } from './policy-file.js';

/** Reads a policy file's bytes (from fetch, a file input, or node:fs) into a runner; checks it as loadOnnxPolicy does. */
export async function loadPolicyBytes(bytes: Uint8Array, source = 'policy.onnx'): Promise<OnnxWeightsPolicy> {
  const file = decodePolicyFile(bytes, source);
  await checkPolicyDigests(file, source, async (data) => {
    const digest = new Uint8Array(await globalThis.crypto.subtle.digest('SHA-256', data as Uint8Array<ArrayBuffer>));
    return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  });
  return new OnnxWeightsPolicy(file.metadata, policyWeights(file, source));
}

export class OnnxWeightsPolicy {
  private readonly net: GaussianMlpPolicy | CategoricalMlpPolicy;
  private readonly x: Float32Array;

  constructor(readonly metadata: OnnxPolicyMetadata, readonly weights: PolicyWeights) {
    const m = metadata;
    const common = { obsDim: m.obsDim, hiddenSizes: m.hiddenSizes, activation: m.activation, precision: 'f32' as const };
    this.net = m.kind === 'gaussian'
      ? new GaussianMlpPolicy({ ...common, actionDim: m.actDim })
      : new CategoricalMlpPolicy({ ...common, numActions: m.actDim });
    // θ layout (sdk/policies/mlp.ts): per layer W [out][in] then b, then the Gaussian log-std.
    const theta = new Float64Array(this.net.numParameters);
    let k = 0;
    for (const layer of weights.layers) {
      theta.set(layer.weight, k);
      theta.set(layer.bias, k + layer.weight.length);
      k += layer.weight.length + layer.bias.length;
    }
    if (weights.logStd) theta.set(weights.logStd, k);
    this.net.setParameters(theta);
    this.x = new Float32Array(m.obsDim);
  }

  get obsDim(): number {
    return this.metadata.obsDim;
  }

  /** The network's output for one raw observation: the Gaussian mean (not clamped) or the logits. */
  head(obs: ArrayLike<number>): Float64Array {
    const m = this.metadata;
    if (obs.length !== m.obsDim) {
      throw new RangeError(`observation has ${obs.length} numbers but this policy (${m.envId}) takes obsDim = ${m.obsDim}`);
    }
    const { obsMean, obsStd } = this.weights;
    const clip = m.obsClip ?? Infinity;
    for (let i = 0; i < m.obsDim; i++) {
      let v = Math.fround(obs[i]);
      if (!Number.isFinite(v)) throw new RangeError(`observation[${i}] is ${obs[i]}; observations must be finite numbers`);
      if (obsMean && obsStd) {
        v = Math.fround(Math.fround(v - obsMean[i]) / obsStd[i]);
        v = v < -clip ? -clip : v > clip ? clip : v;
      }
      this.x[i] = v;
    }
    const out = this.net.forward(this.x);
    return 'mean' in out ? out.mean : out.logits;
  }

  /**
   * The action for one raw observation. Deterministic: what the file's `action` output gives (the mean clamped to
   * the bounds, or the argmax). Stochastic (needs a file exported with `stochastic: true` for Gaussians): a
   * sample from the distribution, clamped to the bounds as SB3's predict does.
   */
  act(obs: ArrayLike<number>, { deterministic = true, rng }: { deterministic?: boolean; rng?: Rng } = {}): Float64Array {
    const m = this.metadata;
    const out = this.head(obs);
    if (m.kind === 'categorical') {
      let best = 0;
      if (deterministic || !rng) {
        for (let i = 1; i < out.length; i++) if (out[i] > out[best]) best = i;
      } else {
        best = sampleLogits(out, rng);
      }
      return Float64Array.of(best);
    }
    const action = Float64Array.from(out, (v) => Math.fround(v));
    if (!deterministic) {
      const logStd = this.weights.logStd;
      if (!logStd || !rng) throw new Error(`${m.envId} policy: stochastic actions need a file exported with --stochastic and an rng`);
      for (let i = 0; i < action.length; i++) action[i] += Math.exp(logStd[i]) * rng.normal();
    }
    if ((m.clipInside || !deterministic) && m.actionLow && m.actionHigh) {
      for (let i = 0; i < action.length; i++) action[i] = Math.min(Math.max(action[i], m.actionLow[i]), m.actionHigh[i]);
      if (deterministic) for (let i = 0; i < action.length; i++) action[i] = Math.fround(action[i]);
    }
    return action;
  }

  /** Frees the kernels' buffers. */
  dispose(): void {
    this.net.dispose();
  }
}

function sampleLogits(logits: Float64Array, rng: Rng): number {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  let total = 0;
  for (const v of logits) total += Math.exp(v - max);
  let u = rng.uniform() * total;
  for (let i = 0; i < logits.length; i++) {
    u -= Math.exp(logits[i] - max);
    if (u <= 0) return i;
  }
  return logits.length - 1;
}

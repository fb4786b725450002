// ONNX export of CNN policies: the graph (Reshape → Transpose → Conv → Relu/Tanh … → Transpose → Flatten → Gemm …)
// run by onnxruntime-node gives the SDK's own forward pass (wasm kernels) on the same observations, for
// categorical and Gaussian heads, odd image sizes, strides and paddings; plus the graph's structure and the
// trainer's export path on a MinAtar game.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CategoricalMlpPolicy, GaussianMlpPolicy, TRPO } from '../sdk/index.js';
import { exportOnnx, policyToOnnxBytes } from '../sdk/onnx/export.js';
import { decodeModel } from '../sdk/onnx/onnx-schema.js';
import { loadOnnxPolicy } from '../sdk/onnx/runtime.js';
import type { PolicyExportSpec } from '../sdk/onnx/spec.js';
import { maxAbsDiff } from './onnx-fixtures.js';
import { normals, randomTheta, seeded } from './kernels-fixtures.js';

type Policy = CategoricalMlpPolicy | GaussianMlpPolicy;

/** The export spec of a policy, read from its parameter layout. */
function specOf(policy: Policy, envId: string): PolicyExportSpec {
  const theta = policy.getParameters();
  const net = policy.net;
  const gaussian = policy instanceof GaussianMlpPolicy;
  return {
    kind: gaussian ? 'gaussian' : 'categorical',
    obsDim: policy.obsDim,
    actDim: net.outputSize,
    activation: policy.activation,
    conv: {
      image: { ...net.shape.conv!.image },
      layers: net.convLayers.map((c) => {
        const size = c.outC * c.kernel * c.kernel * c.inC;
        return { filters: c.outC, kernel: c.kernel, stride: c.stride, padding: c.padding, weight: theta.slice(c.weightOffset, c.weightOffset + size), bias: theta.slice(c.weightOffset + size, c.weightOffset + size + c.outC) };
      }),
    },
    layers: net.layers.map((l) => ({
      inDim: l.inDim, outDim: l.outDim,
      weight: theta.slice(l.weightOffset, l.weightOffset + l.outDim * l.inDim),
      bias: theta.slice(l.weightOffset + l.outDim * l.inDim, l.weightOffset + l.outDim * (l.inDim + 1)),
    })),
    logStd: gaussian ? policy.logStd : undefined,
    metadata: { envId: 'cnn-test', trainingTimesteps: 0, configHash: envId },
  };
}

const CASES = [
  { kind: 'categorical', image: { height: 10, width: 10, channels: 4 }, conv: [{ filters: 16, kernel: 3, stride: 2, padding: 1 }, { filters: 16, kernel: 3, stride: 2, padding: 1 }], hidden: [20], activation: 'relu', out: 6 },
  { kind: 'gaussian', image: { height: 7, width: 5, channels: 3 }, conv: [{ filters: 5, kernel: 2, stride: 1, padding: 0 }, { filters: 4, kernel: 3, stride: 2, padding: 2 }], hidden: [8, 6], activation: 'tanh', out: 2 },
] as const;

describe('ONNX export of CNN policies', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'trpo-onnx-cnn-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const c of CASES) {
    it(`${c.kind} ${c.image.height}×${c.image.width}×${c.image.channels} ${c.activation}: onnxruntime matches the SDK forward`, async () => {
      const rng = seeded(c.out);
      const obsDim = c.image.height * c.image.width * c.image.channels;
      const options = { obsDim, hiddenSizes: [...c.hidden], activation: c.activation, conv: { image: c.image, layers: [...c.conv] }, seed: 2 };
      const policy = c.kind === 'gaussian' ? new GaussianMlpPolicy({ ...options, actionDim: c.out }) : new CategoricalMlpPolicy({ ...options, numActions: c.out });
      policy.setParameters(randomTheta(policy, rng));
      const path = join(dir, `${c.kind}.onnx`);
      await exportOnnx(specOf(policy, c.kind), path, { stochastic: true });
      const onnx = await loadOnnxPolicy(path);
      const n = 64;
      const obs = Float32Array.from(normals(rng, n * obsDim));
      const dist = await onnx.distribution(obs, { batch: n });
      const sdk = policy instanceof GaussianMlpPolicy ? policy.forward(obs).mean : (policy as CategoricalMlpPolicy).forward(obs).logits;
      const head = dist.kind === 'gaussian' ? dist.mean : dist.logits;
      expect(Math.max(...Array.from(sdk, Math.abs))).to.be.above(0.1); // a real signal, not the near-zero init
      expect(maxAbsDiff(head, sdk)).to.be.below(1e-4);
      await onnx.close?.();
      policy.dispose();
    });
  }

  it('has the conv structure and records the image and layers in the metadata', () => {
    const policy = new CategoricalMlpPolicy({ obsDim: 400, numActions: 3, hiddenSizes: [20], activation: 'relu', conv: { image: CASES[0].image, layers: [...CASES[0].conv] } });
    const model = decodeModel(policyToOnnxBytes(specOf(policy, 'structure')).bytes);
    expect(model.graph!.node.map((node) => node.op_type)).to.deep.equal([
      'Reshape', 'Transpose', 'Conv', 'Relu', 'Conv', 'Relu', 'Transpose', 'Flatten', 'Gemm', 'Relu', 'Gemm', 'ArgMax',
    ]);
    const weight = model.graph!.initializer.find((t) => t.name === 'conv1_weight');
    expect(weight?.dims).to.deep.equal([16, 16, 3, 3]); // OIHW
    const props = Object.fromEntries(model.metadata_props!.map((p) => [p.key, p.value]));
    expect(props).to.include({ observation_image: '10,10,4', conv_layers: '16k3s2p1,16k3s2p1' });
    policy.dispose();
  });

  it('a TRPO agent on MinAtar exports its CNN policy; the file gives the SDK\'s logits', async () => {
    const agent = new TRPO({ env: 'MinAtar/Breakout-v1', numWorkers: 0, numEnvs: 1 });
    const path = join(dir, 'breakout.onnx');
    await agent.exportOnnx(path, { stochastic: true });
    const onnx = await loadOnnxPolicy(path);
    const rng = seeded(9);
    const obs = Float64Array.from({ length: 32 * 400 }, () => (rng.uniform() < 0.1 ? 1 : 0));
    const sdk = (await agent.distribution(obs)) as { logits: Float64Array };
    const dist = await onnx.distribution(Float32Array.from(obs), { batch: 32 });
    expect(dist.kind).to.equal('categorical');
    expect(maxAbsDiff((dist as { logits: Float32Array }).logits, sdk.logits)).to.be.below(1e-5);
    await agent.close();
  });
});

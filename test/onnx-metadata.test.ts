// What the exported file contains: metadata round-trip, graph structure, versions, atomic and reproducible writes.

import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { version } from '../sdk/index.js';
import { exportOnnx, policyToOnnxBytes, type ExportOnnxOptions } from '../sdk/onnx/export.js';
import { makeEnv } from '../envs/registry.js';
import { metadataProps, parseMetadataProps } from '../sdk/onnx/metadata.js';
import { decodeModel } from '../sdk/onnx/onnx-schema.js';
import { TRPO } from '../sdk/trpo/trpo.js';
import { loadOnnxPolicy } from '../sdk/onnx/runtime.js';
import type { PolicyExportSpec } from '../sdk/onnx/spec.js';
import { randomSpec } from './onnx-fixtures.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trpo-onnx-meta-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('ONNX metadata', () => {
  it('round-trips everything a deployment needs (gaussian, normalized, bounded, stochastic)', async () => {
    const spec = randomSpec({ kind: 'gaussian', sizes: [11, 64, 32, 3], seed: 4 });
    const path = join(dir, 'hopper.onnx');
    await exportOnnx(spec, path, { stochastic: true, opset: 15 });
    const policy = await loadOnnxPolicy(path);
    const { graphSha256, ...rest } = policy.metadata;
    await policy.close();
    expect(graphSha256).to.match(/^[0-9a-f]{64}$/);
    expect(rest).to.deep.equal({
      producer: 'trpo-wasm',
      producerVersion: version,
      formatVersion: 1,
      kind: 'gaussian',
      envId: 'Test-11x64x32x3',
      obsDim: 11,
      actDim: 3,
      activation: 'tanh',
      hiddenSizes: [64, 32],
      actionLow: spec.actionLow,
      actionHigh: spec.actionHigh,
      normalizationInside: true,
      obsClip: 3,
      clipInside: true,
      stochastic: true,
      outputs: ['action', 'mean', 'log_std'],
      opset: 15,
      trainingTimesteps: 123_456,
      configHash: 'cafe0123',
      extra: { seed: 4, algorithm: 'TRPO' },
    });
    expect(policy.metadata.actionLow![1]).to.equal(-Infinity);
  });

  it('says when normalization and clipping are not inside (categorical, unnormalized)', async () => {
    const spec = randomSpec({ kind: 'categorical', sizes: [4, 2], obsNorm: false });
    const path = join(dir, 'cartpole.onnx');
    await exportOnnx(spec, path);
    const policy = await loadOnnxPolicy(path);
    await policy.close();
    const m = policy.metadata;
    expect([m.kind, m.normalizationInside, m.clipInside, m.stochastic, m.obsClip, m.actionLow]).to.deep.equal(['categorical', false, false, false, undefined, undefined]);
    expect(m.hiddenSizes).to.deep.equal([]);
  });

  it('gaussian with bounds but clipActions: false records clip_inside false and keeps the bounds for the runtime', async () => {
    const spec = randomSpec({ kind: 'gaussian', sizes: [3, 8, 1] });
    const path = join(dir, 'pendulum.onnx');
    await exportOnnx(spec, path, { clipActions: false });
    const policy = await loadOnnxPolicy(path);
    await policy.close();
    expect(policy.metadata.clipInside).to.equal(false);
    expect(policy.metadata.actionHigh).to.deep.equal(spec.actionHigh);
  });
});

describe('ONNX metadata for the robot: control period and labels', () => {
  it('an agent exports its env\'s dt and labels, and loadOnnxPolicy reads them back', async () => {
    const agent = new TRPO({ env: 'Hopper-v5', numWorkers: 0 });
    const path = join(dir, 'hopper.onnx');
    await agent.exportOnnx(path);
    await agent.close();
    const env = await makeEnv('Hopper-v5');
    const policy = await loadOnnxPolicy(path);
    await policy.close();
    expect(policy.metadata.dt).to.equal(0.008);
    expect(policy.metadata.observationLabels).to.deep.equal(env.observationLabels);
    expect(policy.metadata.actionLabels).to.deep.equal(env.actionLabels);
    env.close();
    const props = Object.fromEntries(decodeModel(await readFile(path)).metadata_props.map((p) => [p.key, p.value]));
    expect(props.dt).to.equal('0.008');
    expect(JSON.parse(props.observation_labels)[0]).to.equal('qpos[1] torso position along z, slide joint rootz (m)');
    expect(JSON.parse(props.action_labels)).to.have.length(3);
  });

  it('a spec without them exports no such keys (custom policies)', () => {
    const spec = randomSpec({ kind: 'gaussian', sizes: [3, 8, 1] });
    const keys = decodeModel(policyToOnnxBytes(spec).bytes).metadata_props.map((p) => p.key);
    expect(keys).to.not.include.members(['dt', 'observation_labels', 'action_labels']);
  });

  it('labels of the wrong length in a file are reported as corruption', () => {
    const spec = randomSpec({ kind: 'gaussian', sizes: [3, 8, 1] });
    const props = metadataProps({ ...spec, observationLabels: ['a', 'b', 'c'] }, {
      producerVersion: version, normalizationInside: true, clipInside: true, stochastic: false, outputs: ['action'], opset: 17, graphSha256: '0',
    });
    expect(parseMetadataProps(props, 'x.onnx').observationLabels).to.deep.equal(['a', 'b', 'c']);
    expect(() => parseMetadataProps({ ...props, observation_labels: '["a"]' }, 'x.onnx')).to.throw(/corrupt ONNX file x.onnx: metadata observation_labels = .* is not a JSON array of 3 strings/);
    expect(() => parseMetadataProps({ ...props, dt: '-1' }, 'x.onnx')).to.throw(/metadata dt = "-1" is not a control period/);
  });
});

describe('ONNX graph contents', () => {
  const cases: { name: string; spec: PolicyExportSpec; options: ExportOnnxOptions; ir: number; ops: string[]; outputs: string[] }[] = [
    {
      name: 'gaussian, normalized, bounded, stochastic, opset 17',
      spec: randomSpec({ kind: 'gaussian', sizes: [5, 16, 16, 2] }),
      options: { stochastic: true },
      ir: 8,
      ops: ['Sub', 'Div', 'Clip', 'Gemm', 'Tanh', 'Gemm', 'Tanh', 'Gemm', 'Max', 'Min', 'Identity'],
      outputs: ['action', 'mean', 'log_std'],
    },
    {
      name: 'gaussian relu, unnormalized, unbounded, opset 13',
      spec: randomSpec({ kind: 'gaussian', sizes: [5, 16, 2], activation: 'relu', obsNorm: false, bounds: false }),
      options: { opset: 13 },
      ir: 7,
      ops: ['Gemm', 'Relu', 'Gemm', 'Identity'],
      outputs: ['action'],
    },
    {
      name: 'gaussian, normalized without clip, unbounded, opset 26',
      spec: randomSpec({ kind: 'gaussian', sizes: [5, 2], obsClip: Infinity, bounds: false }),
      options: { opset: 26 },
      ir: 11,
      ops: ['Sub', 'Div', 'Gemm', 'Identity'],
      outputs: ['action'],
    },
    {
      name: 'categorical, normalized, stochastic, opset 9 (Clip with attributes)',
      spec: randomSpec({ kind: 'categorical', sizes: [4, 8, 3] }),
      options: { opset: 9, stochastic: true },
      ir: 4,
      ops: ['Sub', 'Div', 'Clip', 'Gemm', 'Tanh', 'Gemm', 'ArgMax'],
      outputs: ['action', 'logits'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const opset = c.options.opset ?? 17;
      const model = decodeModel(policyToOnnxBytes(c.spec, c.options).bytes);
      expect(model.ir_version).to.equal(c.ir);
      expect(model.producer_name).to.equal('trpo-wasm');
      expect(model.opset_import).to.deep.equal([{ domain: '', version: opset }]);
      expect(model.graph!.node.map((n) => n.op_type)).to.deep.equal(c.ops);
      expect(model.graph!.output.map((o) => o.name)).to.deep.equal(c.outputs);
      const [input] = model.graph!.input;
      expect(input.name).to.equal('obs');
      const dims = input.type.tensor_type.shape.dim;
      expect(dims).to.have.length(2);
      expect(dims[0]).to.include({ dim_param: 'batch' });
      expect(dims[1]).to.include({ dim_value: c.spec.obsDim });
      const clip = model.graph!.node.find((n) => n.op_type === 'Clip');
      if (clip) expect(clip.input, 'Clip bounds: attributes before opset 11, inputs after').to.have.length(opset >= 11 ? 3 : 1);
      const std = model.graph!.initializer.find((t) => t.name === 'obs_std');
      if (c.spec.obsNorm) expect(std?.dims).to.deep.equal([c.spec.obsDim]);
    });
  }
});

describe('ONNX file writing', () => {
  it('is reproducible: the same spec gives the same bytes', () => {
    const spec = randomSpec({ kind: 'gaussian', sizes: [11, 64, 64, 3] });
    const a = policyToOnnxBytes(spec, { stochastic: true }).bytes;
    const b = policyToOnnxBytes(randomSpec({ kind: 'gaussian', sizes: [11, 64, 64, 3] }), { stochastic: true }).bytes;
    expect(Buffer.from(a).equals(Buffer.from(b))).to.equal(true);
  });

  it('writes atomically: replaces the file, leaves no temp file, and a refused export keeps the old file', async () => {
    const path = join(dir, 'policy.onnx');
    await writeFile(path, 'old contents');
    const spec = randomSpec({ kind: 'gaussian', sizes: [4, 8, 1] });
    const result = await exportOnnx(spec, path);
    expect(await readdir(dir)).to.deep.equal(['policy.onnx']);
    expect((await readFile(path)).length).to.equal(result.bytes);

    const before = await readFile(path);
    spec.layers[0].bias[0] = NaN;
    let error: Error | undefined;
    await exportOnnx(spec, path).catch((e: Error) => (error = e));
    expect(error?.message).to.match(/layers\[0\]\.bias\[0\] is NaN/);
    expect(await readdir(dir)).to.deep.equal(['policy.onnx']);
    expect((await readFile(path)).equals(before)).to.equal(true);
  });
});

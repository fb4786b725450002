// Every refusal names the problem: bad specs and options at export, bad files and bad inputs at run time.

import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportOnnx, policyToOnnxBytes } from '../sdk/onnx/export.js';
import { buildPolicyGraph } from '../sdk/onnx/graph.js';
import { METADATA_SHA256_KEY, metadataDigestText, metadataProps } from '../sdk/onnx/metadata.js';
import { encodeGraph, encodeModel } from '../sdk/onnx/onnx-schema.js';
import { loadOnnxPolicy, type OnnxPolicy } from '../sdk/onnx/runtime.js';
import type { PolicyExportSpec } from '../sdk/onnx/spec.js';
import { randomSpec } from './onnx-fixtures.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trpo-onnx-errors-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

const hopper = () => randomSpec({ kind: 'gaussian', sizes: [11, 64, 64, 3] });

describe('exportOnnx refuses bad specs before writing', () => {
  const cases: { name: string; mutate: (spec: PolicyExportSpec) => void; message: RegExp }[] = [
    { name: 'NaN weight', mutate: (s) => (s.layers[1].weight[37] = NaN), message: /layers\[1\]\.weight\[37\] is NaN; every parameter must be finite/ },
    { name: 'infinite bias', mutate: (s) => (s.layers[2].bias[2] = -Infinity), message: /layers\[2\]\.bias\[2\] is -Infinity/ },
    { name: 'float32 overflow', mutate: (s) => (s.layers[0].weight[5] = 1e300), message: /layers\[0\]\.weight\[5\] is 1e\+300, which overflows float32/ },
    { name: 'NaN log-std', mutate: (s) => (s.logStd![1] = NaN), message: /logStd\[1\] is NaN/ },
    { name: 'infinite obs mean', mutate: (s) => (s.obsNorm!.mean[4] = Infinity), message: /obsNorm\.mean\[4\] is Infinity/ },
    { name: 'NaN obs variance', mutate: (s) => (s.obsNorm!.var[0] = NaN), message: /obsNorm\.var\[0\] is NaN/ },
    { name: 'negative variance', mutate: (s) => (s.obsNorm!.var[2] = -1), message: /obsNorm\.var\[2\] is -1; a variance cannot be negative/ },
    { name: 'zero std', mutate: (s) => ((s.obsNorm!.var[3] = 0), (s.obsNorm!.epsilon = 0)), message: /obsNorm\.var\[3\] \+ epsilon is 0/ },
    { name: 'NaN epsilon', mutate: (s) => (s.obsNorm!.epsilon = NaN), message: /obsNorm\.epsilon is NaN/ },
    { name: 'zero clip', mutate: (s) => (s.obsNorm!.clip = 0), message: /obsNorm\.clip is 0; it must be > 0/ },
    { name: 'NaN action bound', mutate: (s) => (s.actionLow![0] = NaN), message: /actionLow\[0\] is NaN/ },
    { name: 'crossed bounds', mutate: (s) => (s.actionLow![2] = 2), message: /actionLow\[2\] = 2 is above actionHigh\[2\]/ },
    { name: 'one bound missing', mutate: (s) => delete s.actionHigh, message: /give both actionLow and actionHigh/ },
    { name: 'layer chain broken', mutate: (s) => (s.layers[1].inDim = 32), message: /layers\[1\]\.inDim is 32 but the previous layer has 64 values/ },
    { name: 'weight length', mutate: (s) => (s.layers[0].weight = new Float64Array(10)), message: /layers\[0\]\.weight has length 10; expected outDim × inDim = 64 × 11 = 704/ },
    { name: 'actDim mismatch', mutate: (s) => (s.actDim = 4), message: /the last layer has outDim 3 but actDim is 4/ },
    { name: 'plain array weights', mutate: (s) => (s.layers[0].bias = [0] as unknown as Float64Array), message: /layers\[0\]\.bias must be a Float64Array or Float32Array, got Array/ },
    { name: 'unknown activation', mutate: (s) => (s.activation = 'gelu' as 'tanh'), message: /activation is "gelu"; use 'tanh' or 'relu'/ },
    { name: 'missing env id', mutate: (s) => (s.metadata.envId = ''), message: /metadata\.envId is ""/ },
    { name: 'fractional timesteps', mutate: (s) => (s.metadata.trainingTimesteps = 1.5), message: /metadata\.trainingTimesteps is 1\.5/ },
    { name: 'NaN extra metadata', mutate: (s) => (s.metadata.lr = NaN), message: /metadata\.lr is NaN/ },
    { name: 'zero control period', mutate: (s) => (s.dt = 0), message: /dt is 0; give the control period in seconds/ },
    { name: 'observation labels of the wrong length', mutate: (s) => (s.observationLabels = ['x (m)']), message: /observationLabels has 1 labels; expected obsDim = 11/ },
    { name: 'action labels that are not strings', mutate: (s) => (s.actionLabels = [1, 2, 3] as unknown as string[]), message: /actionLabels must be an array of strings/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const spec = hopper();
      c.mutate(spec);
      const path = join(dir, `refused-${c.name.replace(/\W/g, '_')}.onnx`);
      expect(await rejection(exportOnnx(spec, path))).to.match(c.message);
      expect((await readdir(dir)).filter((f) => f.startsWith('refused'))).to.deep.equal([]);
    });
  }

  it('categorical specs may not carry Gaussian fields; stochastic Gaussian export needs logStd', () => {
    const categorical = randomSpec({ kind: 'categorical', sizes: [4, 2] });
    categorical.logStd = new Float64Array(2);
    expect(() => policyToOnnxBytes(categorical)).to.throw(/logStd is set but a categorical policy has no logStd/);
    const gaussian = hopper();
    delete gaussian.logStd;
    expect(() => policyToOnnxBytes(gaussian)).to.not.throw();
    expect(() => policyToOnnxBytes(gaussian, { stochastic: true })).to.throw(/stochastic export of a gaussian policy needs logStd/);
  });
});

describe('exportOnnx refuses bad options naming the field', () => {
  const cases: { options: Record<string, unknown>; message: RegExp }[] = [
    { options: { opset: 8 }, message: /Invalid exportOnnx options:\n  - opset: got 8; .*>=9/ },
    { options: { opset: 27 }, message: /opset: got 27; .*<=26/ },
    { options: { opset: 17.5 }, message: /opset: got 17\.5; .*expected int/ },
    { options: { stochastic: 'yes' }, message: /stochastic: got "yes"; .*boolean/ },
    { options: { clipAction: false }, message: /clipAction: unknown option \(allowed: stochastic, clipActions, opset, overwrite\)/ },
  ];
  for (const c of cases) {
    it(JSON.stringify(c.options), () => {
      expect(() => policyToOnnxBytes(hopper(), c.options)).to.throw(c.message);
    });
  }
});

describe('loadOnnxPolicy refuses bad files', () => {
  let good: Buffer;
  before(async () => {
    const path = join(dir, 'good.onnx');
    await exportOnnx(hopper(), path);
    good = await readFile(path);
  });

  async function loadBytes(name: string, bytes: Uint8Array | string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, bytes);
    return rejection(loadOnnxPolicy(path));
  }

  it('a truncated file is corrupt', async () => {
    expect(await loadBytes('truncated.onnx', good.subarray(0, good.length - 100))).to.match(/^corrupt ONNX file .*truncated\.onnx \(or not an ONNX file at all\): it does not parse as an ONNX ModelProto/);
  });

  it('a flipped byte inside the weights is caught by the graph checksum', async () => {
    const damaged = Buffer.from(good);
    damaged[Math.floor(damaged.length / 2)] ^= 0x10;
    expect(await loadBytes('flipped.onnx', damaged)).to.match(/^corrupt ONNX file .*flipped\.onnx: the graph's SHA-256 [0-9a-f]{64} differs/);
  });

  it('an edited metadata value is caught by the metadata checksum (the graph checksum alone missed it)', async () => {
    const edited = Buffer.from(good.toString('latin1').replace('123456', '999999'), 'latin1');
    expect(edited.equals(good)).to.equal(false);
    expect(await loadBytes('edited.onnx', edited)).to.match(/^corrupt ONNX file .*edited\.onnx: its metadata's SHA-256 [0-9a-f]{64} differs from the [0-9a-f]{64} recorded at export/);
  });

  it('a text file is not ONNX', async () => {
    expect(await loadBytes('notes.onnx', 'these are not the weights you are looking for\n')).to.match(/^corrupt ONNX file .*notes\.onnx \(or not an ONNX file at all\)/);
  });

  it('an empty file is not an ONNX model', async () => {
    expect(await loadBytes('empty.onnx', new Uint8Array(0))).to.match(/empty\.onnx is not a trpo-wasm policy: it is not an ONNX model \(no graph\)/);
  });

  it('an ONNX model from another producer is not a trpo-wasm policy', async () => {
    const foreign = encodeModel({
      ir_version: 8,
      producer_name: 'pytorch',
      producer_version: '2.5',
      opset_import: [{ domain: '', version: 17 }],
      metadata_props: [],
      graph: { name: 'g', node: [{ name: 'n', op_type: 'Identity', input: ['x'], output: ['y'] }], initializer: [], input: [], output: [] },
    });
    expect(await loadBytes('foreign.onnx', foreign)).to.match(/foreign\.onnx is not a trpo-wasm policy: its metadata has producer null, expected "trpo-wasm"/);
  });

  it('a graph onnxruntime cannot load is corrupt, with its reason', async () => {
    const spec = hopper();
    const built = buildPolicyGraph(spec, { stochastic: false, clipActions: true, opset: 17 });
    built.graph.node[3].op_type = 'NoSuchOperator';
    const props = metadataProps(spec, {
      producerVersion: 'test',
      normalizationInside: true,
      clipInside: true,
      stochastic: false,
      outputs: built.outputs,
      opset: 17,
      graphSha256: createHash('sha256').update(encodeGraph(built.graph)).digest('hex'),
    });
    props[METADATA_SHA256_KEY] = createHash('sha256').update(metadataDigestText(props)).digest('hex');
    const bytes = encodeModel({
      ir_version: 8,
      producer_name: 'trpo-wasm',
      producer_version: 'test',
      opset_import: [{ domain: '', version: 17 }],
      metadata_props: Object.entries(props).map(([key, value]) => ({ key, value })),
      graph: built.graph,
    });
    expect(await loadBytes('bad-op.onnx', bytes)).to.match(/^corrupt ONNX file .*bad-op\.onnx: onnxruntime cannot load it \(.*NoSuchOperator/);
  });

  it('load options are checked by name', async () => {
    expect(await rejection(loadOnnxPolicy(join(dir, 'good.onnx'), { threads: 0 }))).to.match(/Invalid loadOnnxPolicy options:\n  - threads: got 0; .*>=1/);
    const typo = { thread: 2 } as unknown as { threads: number };
    expect(await rejection(loadOnnxPolicy(join(dir, 'good.onnx'), typo))).to.match(/thread: unknown option \(allowed: threads\)/);
  });
});

describe('OnnxPolicy checks its inputs', () => {
  let policy: OnnxPolicy;
  before(async () => {
    const path = join(dir, 'inputs.onnx');
    await exportOnnx(hopper(), path);
    policy = await loadOnnxPolicy(path);
  });
  after(() => policy.close());

  const cases: { name: string; call: () => Promise<unknown>; message: RegExp }[] = [
    { name: 'one observation too long', call: () => policy.act(new Float64Array(12)), message: /observation has 12 numbers but this policy \(Test-11x64x64x3\) takes obsDim = 11 \(for a flat batch pass \{ batch: n \}/ },
    { name: 'flat batch of the wrong size', call: () => policy.act(new Float32Array(30), { batch: 3 }), message: /observation has 30 numbers but this policy .* takes batch 3 × obsDim 11 = 33/ },
    { name: 'a short row', call: () => policy.act([new Array(11).fill(0), new Array(10).fill(0)]), message: /observation row 1 has 10 numbers but this policy .* takes obsDim = 11/ },
    { name: 'a NaN reading', call: () => policy.act(Float64Array.from({ length: 11 }, (_, i) => (i === 6 ? NaN : 0))), message: /observation\[6\] is NaN; observations must be finite/ },
    { name: 'an empty batch', call: () => policy.act([] as number[][]), message: /observation has 0 numbers/ },
    { name: 'batch zero', call: () => policy.act(new Float32Array(0), { batch: 0 }), message: /batch = 0 is invalid/ },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      expect(await rejection(c.call())).to.match(c.message);
    });
  }

  it('accepts number[], Float32Array, Float64Array and rows alike', async () => {
    const obs = Array.from({ length: 11 }, (_, i) => i / 10);
    const a = (await policy.act(obs)) as Float32Array;
    const b = (await policy.act(Float32Array.from(obs))) as Float32Array;
    const c = (await policy.act(Float64Array.from(obs))) as Float32Array;
    const [d, e] = (await policy.act([obs, obs])) as Float32Array[];
    expect(a).to.have.length(3);
    for (const other of [b, c, d, e]) expect(Array.from(other)).to.deep.equal(Array.from(a));
  });

  it('a closed policy refuses to run', async () => {
    const path = join(dir, 'closed.onnx');
    await exportOnnx(hopper(), path);
    const closed = await loadOnnxPolicy(path);
    await closed.close();
    expect(await rejection(closed.act(new Float32Array(11)))).to.match(/is closed/);
  });
});

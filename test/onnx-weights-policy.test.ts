// The browser entry's ONNX runner (the SDK's f32 kernels on the weights read back from the file) against
// onnxruntime-node on the same file, and against the independent float64 reference forward.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { policyToOnnxBytes } from '../sdk/onnx/export.js';
import { graphFieldBytes } from '../sdk/onnx/onnx-schema.js';
import { loadOnnxPolicy } from '../sdk/onnx/runtime.js';
import { loadPolicyBytes } from '../sdk/onnx/weights-policy.js';
import { Rng } from '../sdk/rng.js';
import { maxAbsDiff, randomObservations, randomSpec, referenceForward, type RandomSpecOptions } from './onnx-fixtures.js';

const TOLERANCE = 1e-5;
const N = 200;

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trpo-onnx-weights-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CASES: RandomSpecOptions[] = [
  { kind: 'gaussian', sizes: [11, 64, 64, 3], activation: 'tanh', obsNorm: true, obsClip: 3 },
  { kind: 'gaussian', sizes: [7, 32, 2], activation: 'relu', obsNorm: false },
  { kind: 'categorical', sizes: [4, 16, 16, 2], activation: 'tanh', obsNorm: true, obsClip: 10 },
];

describe('ONNX policy on the SDK kernels (browser runner)', () => {
  for (const options of CASES) {
    const name = `${options.kind} ${options.sizes.join('→')} ${options.activation}${options.obsNorm ? ' normalized' : ''}`;
    it(`${name}: actions equal onnxruntime's and the float64 reference's within ${TOLERANCE}`, async () => {
      const spec = randomSpec({ ...options, seed: 3 });
      const { bytes } = policyToOnnxBytes(spec, { stochastic: true });
      const path = join(dir, `${name.replace(/\W/g, '')}.onnx`);
      await writeFile(path, bytes);
      const ort = await loadOnnxPolicy(path);
      const ours = await loadPolicyBytes(bytes, path);
      try {
        const obs = randomObservations(spec, N, 5);
        const d = spec.obsDim;
        const reference = referenceForward(spec, obs, N);
        const ourActions: number[] = [];
        const ourHeads: number[] = [];
        const ortActions: number[] = [];
        for (let r = 0; r < N; r++) {
          const row = obs.subarray(r * d, (r + 1) * d);
          ourActions.push(...ours.act(row));
          ourHeads.push(...ours.head(row));
          const a = await ort.act(row);
          typeof a === 'number' ? ortActions.push(a) : ortActions.push(...a);
        }
        if (spec.kind === 'gaussian') {
          expect(maxAbsDiff(ourActions, ortActions)).to.be.below(TOLERANCE);
          expect(maxAbsDiff(ourActions, reference.action)).to.be.below(TOLERANCE);
        } else {
          expect(ourActions).to.deep.equal(ortActions);
        }
        expect(maxAbsDiff(ourHeads, reference.head)).to.be.below(TOLERANCE);
      } finally {
        ours.dispose();
        await ort.close();
      }
    });
  }

  it('samples Gaussian actions around the mean with the file\'s log-std, clamped to the bounds, reproducibly per seed', async () => {
    const spec = randomSpec({ kind: 'gaussian', sizes: [5, 16, 2], bounds: false, seed: 4 });
    const policy = await loadPolicyBytes(policyToOnnxBytes(spec, { stochastic: true }).bytes);
    const obs = randomObservations(spec, 1, 1);
    const mean = policy.act(obs);
    const rng = new Rng(1, 0);
    const samples = Array.from({ length: 4000 }, () => policy.act(obs, { deterministic: false, rng }));
    for (let i = 0; i < 2; i++) {
      const values = samples.map((s) => s[i]);
      const m = values.reduce((a, b) => a + b, 0) / values.length;
      const sd = Math.sqrt(values.reduce((a, b) => a + (b - m) ** 2, 0) / values.length);
      expect(m).to.be.closeTo(mean[i], 0.1);
      expect(sd).to.be.closeTo(Math.exp(spec.logStd![i]), 0.1 * Math.exp(spec.logStd![i]));
    }
    const again = new Rng(1, 0);
    expect(Array.from(policy.act(obs, { deterministic: false, rng: again }))).to.deep.equal(Array.from(samples[0]));
    policy.dispose();
  });

  it('refuses a file whose weights were changed after export, naming the digest', async () => {
    const spec = randomSpec({ kind: 'gaussian', sizes: [3, 4, 1], seed: 2 });
    const bytes = new Uint8Array(policyToOnnxBytes(spec, {}).bytes); // a copy (a Buffer's slice() would share)
    const graph = graphFieldBytes(bytes)!;
    bytes[graph.byteOffset - bytes.byteOffset + graph.length - 8] ^= 0x01; // inside the graph's last initializer
    await loadPolicyBytes(bytes, 'edited.onnx').then(
      () => expect.fail('an edited file was accepted'),
      (error: Error) => expect(error.message).to.match(/corrupt ONNX file edited\.onnx: the graph's SHA-256/),
    );
  });

  it('refuses stochastic actions from a file without the distribution outputs', async () => {
    const spec = randomSpec({ kind: 'gaussian', sizes: [3, 4, 1], seed: 2 });
    const policy = await loadPolicyBytes(policyToOnnxBytes(spec, {}).bytes);
    expect(() => policy.act(new Float64Array(3), { deterministic: false, rng: new Rng(0) })).to.throw(/--stochastic/);
    policy.dispose();
  });
});

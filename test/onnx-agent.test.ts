// The exported ONNX file behaves exactly like the SDK: deterministic actions and distribution parameters of a
// trained agent, on real observations from its env and on random ones, at batch 1 and 256.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeEnv } from '../envs/registry.js';
import { loadOnnxPolicy } from '../sdk/onnx/index.js';
import { Rng } from '../sdk/rng.js';
import { TRPO } from '../sdk/trpo/trpo.js';

/** `count` observations: half visited by a random-action rollout, half Gaussian noise at the same scale. */
async function observations(envId: string, count: number, seed: number): Promise<Float64Array[]> {
  const env = await makeEnv(envId as Parameters<typeof makeEnv>[0]);
  const rng = new Rng(seed);
  const real: Float64Array[] = [];
  let { obs } = env.reset({ seed });
  while (real.length < count / 2) {
    real.push(obs);
    const space = env.actionSpace;
    const action = space.type === 'box' ? Array.from(space.low, (lo, j) => rng.uniformRange(lo, space.high[j])) : rng.integer(space.n);
    const step = env.step(action);
    obs = step.terminated || step.truncated ? env.reset().obs : step.obs;
  }
  env.close();
  const random = Array.from({ length: count - real.length }, () => Float64Array.from(real[0], () => 3 * rng.normal()));
  return [...real, ...random];
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).to.equal(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('ONNX export of a trained agent', function () {
  this.timeout(120_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-onnx-agent-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const envId of ['Hopper-v5', 'InvertedDoublePendulum-v5', 'CartPole-v1']) {
    it(`${envId}: actions and distribution match the SDK to 1e-5 (batch 1 and 256)`, async () => {
      const agent = new TRPO({ env: envId, seed: 1, nSteps: 256, normalizeObservations: true });
      await agent.learn({ totalTimesteps: 3 * 256 * agent.options.numEnvs });
      await agent.close();
      const file = path.join(dir, `${envId}.onnx`);
      await agent.exportOnnx(file, { stochastic: true });
      const onnx = await loadOnnxPolicy(file);
      try {
        expect(onnx.metadata.envId).to.equal(envId);
        const obs = await observations(envId, 1024, 7);
        const d = obs[0].length;
        // Batch 1
        let worst = 0;
        for (const o of obs.slice(0, 200)) {
          const sdk = await agent.predict(o, { deterministic: true });
          const a = await onnx.act(o);
          worst = Math.max(worst, maxAbsDiff(sdk, typeof a === 'number' ? [a] : a));
        }
        // Batch 256
        for (let start = 0; start < obs.length; start += 256) {
          const flat = new Float64Array(256 * d);
          obs.slice(start, start + 256).forEach((o, i) => flat.set(o, i * d));
          const sdk = await agent.predict(flat, { deterministic: true });
          const actions = await onnx.act(flat, { batch: 256 });
          const onnxFlat = actions.flatMap((a) => (typeof a === 'number' ? [a] : Array.from(a)));
          worst = Math.max(worst, maxAbsDiff(sdk, onnxFlat));
          const sdkDist = await agent.distribution(flat);
          const onnxDist = await onnx.distribution(flat, { batch: 256 });
          if ('logits' in sdkDist) {
            expect('logits' in onnxDist).to.equal(true);
            worst = Math.max(worst, maxAbsDiff(sdkDist.logits, (onnxDist as { logits: Float32Array }).logits));
          } else {
            const g = onnxDist as { mean: Float32Array; logStd: Float32Array };
            worst = Math.max(worst, maxAbsDiff(sdkDist.mean, g.mean), maxAbsDiff(sdkDist.logStd, g.logStd));
          }
        }
        expect(worst).to.be.at.most(1e-5);
      } finally {
        await onnx.close();
      }
    });
  }
});

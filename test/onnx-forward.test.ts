// The exported graph computes the spec's forward pass: onnxruntime output vs an independent float64 TS forward.

import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportOnnx, type ExportOnnxOptions } from '../sdk/onnx/export.js';
import { loadOnnxPolicy, type OnnxAction, type OnnxPolicy } from '../sdk/onnx/runtime.js';
import type { PolicyExportSpec } from '../sdk/onnx/spec.js';
import { maxAbsDiff, randomObservations, randomSpec, referenceForward, type RandomSpecOptions } from './onnx-fixtures.js';

const TOLERANCE = 1e-5;
const OBSERVATIONS = 1024; // ≥ 1000, and a multiple of the 256 batch

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'trpo-onnx-forward-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function exportAndLoad(spec: PolicyExportSpec, options: ExportOnnxOptions): Promise<OnnxPolicy> {
  const path = join(dir, `${spec.metadata.envId}-${JSON.stringify(options).replace(/\W/g, '')}.onnx`);
  await exportOnnx(spec, path, options);
  return loadOnnxPolicy(path);
}

/** Runs all observations through the policy in batches of `batch`, returning flat actions and head outputs. */
async function runPolicy(policy: OnnxPolicy, obs: Float32Array, batch: number): Promise<{ action: number[]; head: number[]; logStd?: Float32Array }> {
  const action: number[] = [];
  const head: number[] = [];
  let logStd: Float32Array | undefined;
  const d = policy.obsDim;
  for (let start = 0; start < OBSERVATIONS; start += batch) {
    const rows = obs.subarray(start * d, (start + batch) * d);
    const actions: OnnxAction[] = batch === 1 ? [await policy.act(rows)] : await policy.act(rows, { batch });
    for (const a of actions) typeof a === 'number' ? action.push(a) : action.push(...a);
    const dist = await policy.distribution(rows, { batch });
    if (dist.kind === 'gaussian') {
      head.push(...dist.mean);
      logStd = dist.logStd;
    } else {
      head.push(...dist.logits);
    }
  }
  return { action, head, logStd };
}

/** Categorical argmax agrees wherever the reference's best logit leads the runner-up by more than the tolerance. */
function checkArgmax(spec: PolicyExportSpec, reference: Float64Array, refAction: Float64Array, action: number[]): void {
  const n = refAction.length;
  expect(action).to.have.length(n);
  let nearTies = 0;
  for (let r = 0; r < n; r++) {
    const logits = Array.from(reference.subarray(r * spec.actDim, (r + 1) * spec.actDim)).sort((a, b) => b - a);
    if (logits[0] - logits[1] <= 10 * TOLERANCE) nearTies++;
    else expect(action[r], `action of observation ${r}`).to.equal(refAction[r]);
  }
  expect(nearTies, 'near-tied logits would make the argmax check vacuous').to.be.at.most(n / 100);
}

const cases: (RandomSpecOptions & { name: string })[] = [
  { name: '4→8→1 gaussian tanh', kind: 'gaussian', sizes: [4, 8, 1] },
  { name: '11→64→64→3 gaussian tanh (Hopper)', kind: 'gaussian', sizes: [11, 64, 64, 3] },
  { name: '17→64→64→6 gaussian relu (Walker2d)', kind: 'gaussian', sizes: [17, 64, 64, 6], activation: 'relu' },
  { name: '376→256→256→17 gaussian tanh (Humanoid)', kind: 'gaussian', sizes: [376, 256, 256, 17] },
  { name: '8→2 gaussian, no normalization, no bounds', kind: 'gaussian', sizes: [8, 2], obsNorm: false, bounds: false },
  { name: '8→16→2 gaussian, normalization without clip', kind: 'gaussian', sizes: [8, 16, 2], obsClip: Infinity },
  { name: '4→64→64→2 categorical tanh (CartPole)', kind: 'categorical', sizes: [4, 64, 64, 2] },
  { name: '6→32→5 categorical relu, no normalization', kind: 'categorical', sizes: [6, 32, 5], activation: 'relu', obsNorm: false },
];

describe('ONNX export: forward pass matches the plain-TS reference', () => {
  for (const testCase of cases) {
    for (const batch of [1, 256]) {
      it(`${testCase.name}, batch ${batch}`, async () => {
        const spec = randomSpec({ ...testCase, seed: batch });
        const policy = await exportAndLoad(spec, { stochastic: true });
        const obs = randomObservations(spec, OBSERVATIONS, 7);
        const ref = referenceForward(spec, obs, OBSERVATIONS);
        const got = await runPolicy(policy, obs, batch);
        await policy.close();

        expect(maxAbsDiff(got.head, ref.head), 'mean/logits').to.be.at.most(TOLERANCE);
        if (spec.kind === 'gaussian') {
          expect(maxAbsDiff(got.action, ref.action), 'action').to.be.at.most(TOLERANCE);
          expect(maxAbsDiff(got.logStd!, spec.logStd!), 'log_std').to.be.at.most(TOLERANCE);
          if (spec.actionLow) expect(ref.clampedActions, 'some actions exercise the clamp').to.be.above(0);
        } else {
          checkArgmax(spec, ref.head, ref.action, got.action);
        }
        if (spec.obsNorm && spec.obsNorm.clip < Infinity) expect(ref.clippedObs, 'some observations exercise the clip').to.be.above(0);
      });
    }
  }
});

describe('ONNX export options', () => {
  it('clipActions: false outputs the raw mean, which leaves the bounds', async () => {
    const spec = randomSpec({ kind: 'gaussian', sizes: [11, 64, 64, 3] });
    const policy = await exportAndLoad(spec, { clipActions: false });
    const obs = randomObservations(spec, 256, 3);
    const ref = referenceForward(spec, obs, 256, false);
    const actions = (await policy.act(obs, { batch: 256 })).flatMap((a) => Array.from(a as Float32Array));
    await policy.close();
    expect(policy.metadata.clipInside).to.equal(false);
    expect(maxAbsDiff(actions, ref.action)).to.be.at.most(TOLERANCE);
    const clamped = referenceForward(spec, obs, 256, true);
    expect(clamped.clampedActions, 'the raw means do leave the bounds').to.be.above(0);
  });

  for (const opset of [9, 13, 17, 26]) {
    it(`opset ${opset} runs and matches the reference (gaussian and categorical)`, async () => {
      for (const kind of ['gaussian', 'categorical'] as const) {
        const spec = randomSpec({ kind, sizes: [17, 64, 64, 6], seed: opset });
        const policy = await exportAndLoad(spec, { opset, stochastic: true });
        const obs = randomObservations(spec, OBSERVATIONS, opset);
        const ref = referenceForward(spec, obs, OBSERVATIONS);
        const got = await runPolicy(policy, obs, 256);
        await policy.close();
        expect(policy.metadata.opset).to.equal(opset);
        expect(maxAbsDiff(got.head, ref.head), `${kind} head`).to.be.at.most(TOLERANCE);
        if (kind === 'gaussian') expect(maxAbsDiff(got.action, ref.action), 'action').to.be.at.most(TOLERANCE);
        else checkArgmax(spec, ref.head, ref.action, got.action);
      }
    });
  }

  it('a deterministic export has only the action output and refuses distribution()', async () => {
    const spec = randomSpec({ kind: 'categorical', sizes: [4, 16, 3] });
    const policy = await exportAndLoad(spec, {});
    const obs = randomObservations(spec, 256, 5);
    const ref = referenceForward(spec, obs, 256);
    const actions = await policy.act(obs, { batch: 256 });
    expect(policy.metadata.outputs).to.deep.equal(['action']);
    checkArgmax(spec, ref.head, ref.action, actions as number[]);
    let error: Error | undefined;
    await policy.distribution(obs.subarray(0, 4)).catch((e: Error) => (error = e));
    expect(error?.message).to.match(/no distribution outputs: export it with \{ stochastic: true \}/);
    await policy.close();
  });
});

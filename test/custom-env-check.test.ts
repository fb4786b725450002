// Broken envs: each way of breaking Gymnasium's contract gets its named error from checkEnv and from training,
// and a failure in the middle of training leaves θ finite and the last checkpoint good.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkEnv } from '../envs/custom/check.js';
import { makeEnv } from '../envs/registry.js';
import { readCheckpoint, resolveCheckpointDir } from '../sdk/run/checkpoint.js';
import { TRPO } from '../sdk/trpo/trpo.js';
import { createPointEnv, FIXTURE_URL, type Broken } from './custom-env-fixtures.js';

const FIXTURE_PATH = fileURLToPath(FIXTURE_URL);
const tiny = { seed: 1, numEnvs: 2, nSteps: 128, policyHiddenSizes: [8], valueHiddenSizes: [8], nCriticUpdates: 2 };

async function trainingError(options: Record<string, unknown>, checkpointDir?: string): Promise<{ error: Error; agent: TRPO }> {
  const agent = new TRPO({ ...tiny, ...options });
  try {
    await agent.learn({ totalTimesteps: 10 * 256, checkpointDir });
  } catch (error) {
    return { error: error as Error, agent };
  } finally {
    await agent.close();
  }
  throw new Error('training did not fail');
}

describe('checkEnv and the training guards', function () {
  this.timeout(120_000);

  it('passes a healthy env and the built-ins, with no problems', async () => {
    expect(checkEnv(createPointEnv()).problems).to.deep.equal([]);
    for (const id of ['Pendulum-v1', 'CartPole-v1', 'Hopper-v5']) {
      const report = checkEnv(await makeEnv(id), { steps: 50 });
      expect(report.problems, id).to.deep.equal([]);
    }
  });

  // [broken, the field checkEnv names, what it says]
  const table: Array<[Broken, string, RegExp]> = [
    ['wrong-length', 'reset().obs', /expected length 4 \(observationSpace.shape\), got Float64Array\(5\)/],
    ['nan-obs', 'step().obs[1]', /expected a finite number, got NaN/],
    ['nan-reward', 'step().reward', /expected a finite number, got NaN/],
    ['nondeterministic', 'reset({ seed })', /the same observations and rewards for the same seed/],
    ['bad-space', 'actionSpace.low[0]', /expected low ≤ high/],
    ['throws', 'step()', /expected no exception, got Error: motor driver not responding/],
    ['done-tuple', 'step()', /return an object, not a tuple/],
    ['replay', 'setState()', /replay the same trajectory/],
  ];
  for (const [broken, field, message] of table) {
    it(`${broken}: checkEnv names ${field}, and training refuses to start`, async () => {
      const report = checkEnv(createPointEnv({ broken }), { id: broken });
      expect(report.ok).to.equal(false);
      expect(report.problems.map((p) => p.field)).to.include(field);
      const problem = report.problems.find((p) => p.field === field)!;
      expect(`${field}: expected ${problem.expected}, got ${problem.got}. Fix: ${problem.fix}`).to.match(message);
      expect(problem.fix.length).to.be.greaterThan(10);

      const { error } = await trainingError({ env: { module: FIXTURE_PATH, export: 'createPointEnv', options: { broken } }, numWorkers: 0 });
      expect(error.message).to.include('failed checkEnv');
      expect(error.message).to.include(field);
    });
  }

  for (const broken of ['late-nan', 'throws'] as const) {
    it(`${broken} after checkEnv's horizon: training stops naming env, step and field; θ and the checkpoint stay good`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-broken-'));
      try {
        const env = { module: FIXTURE_PATH, export: 'createPointEnv', options: { broken, breakAt: 300 } };
        const { error, agent } = await trainingError({ env, numWorkers: 1, checkpointEvery: 1 }, dir);
        const field = broken === 'late-nan' ? /step\(\)\.obs\[2\]: expected a finite number, got Infinity/ : /step\(\): expected no exception, got Error: motor driver/;
        expect(error.message).to.match(/env 0 \(custom-env-fixtures#createPointEnv\) at its step 300 /);
        expect(error.message).to.match(field);
        const theta = (await agent.setup()).policy.getParameters();
        expect(theta.every(Number.isFinite)).to.equal(true);
        const latest = await resolveCheckpointDir(dir);
        const checkpoint = await readCheckpoint(latest!);
        expect(checkpoint.manifest.iteration).to.equal(2);
        const resumed = await TRPO.load(dir, { numWorkers: 0 });
        expect(resumed.iteration).to.equal(2);
        expect((await resumed.setup()).policy.getParameters().every(Number.isFinite)).to.equal(true);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

// Rollouts send Box actions to the env clipped to the action space, as SB3's collect_rollouts does, while the
// batch keeps the unclipped sample and its log-probability (what the update's likelihood ratio needs). The
// env here is Hopper-v5 (3 actions in [−1, 1]) from the test env module with `echoAction`: its reward is the
// first number of the action it received, or NaN when any number was outside the bounds. The policy is the
// test's linear module with log-std 3 (std ≈ 20), so nearly every sampled action leaves the bounds.
import { expect } from 'chai';
import { Rng } from '../sdk/rng.js';
import { makeVecEnv, type RolloutBatch } from '../sdk/vec-env/index.js';
import { FIXTURES_URL, LinearPolicy } from './vec-env-fixtures.js';
import { row } from './vec-env-helpers.js';

const ENV = 'Hopper-v5';
const LOG_STD = 3;

async function wideVecEnv(numWorkers: number) {
  const vec = await makeVecEnv(ENV, {
    numEnvs: 3, numWorkers, seed: 5, envModule: FIXTURES_URL, envOptions: { echoAction: true, maxEpisodeSteps: 25 },
  });
  const info = await vec.configurePolicy({ hiddenSizes: [], module: FIXTURES_URL });
  const rng = new Rng(2);
  const parameters = Float64Array.from({ length: info.numParameters }, () => 0.1 * rng.normal());
  parameters.fill(LOG_STD, info.numParameters - vec.actDim); // the linear policy's log-std comes last
  const policy = new LinearPolicy(info.shape);
  policy.setParameters(parameters);
  return { vec, parameters, policy };
}

const clamp = (a: number) => Math.min(1, Math.max(-1, a));

function copyBatch(b: RolloutBatch) {
  return { actions: Array.from(b.actions), logProbs: Array.from(b.logProbs), rewards: Array.from(b.rewards), obs: Array.from(b.observations) };
}

describe('rollouts clip Box actions for the env, keep the unclipped sample', () => {
  it('collect: the env receives only in-bound actions; the batch holds the unclipped ones and their log-probs', async () => {
    const { vec, parameters, policy } = await wideVecEnv(2);
    try {
      const batch = await vec.collect({ parameters, nSteps: 40 });
      const { actDim, obsDim } = vec;
      let outside = 0;
      for (let r = 0; r < batch.rewards.length; r++) {
        const action = row(batch.actions, r, actDim);
        outside += action.filter((a) => Math.abs(a) > 1).length;
        expect(batch.rewards[r], `row ${r}: the env received ${clamp(action[0]!)} for the sample ${action[0]}`).to.equal(clamp(action[0]!));
        const logProb = policy.logProb(row(batch.normalizedObservations, r, obsDim), action);
        expect(batch.logProbs[r]).to.be.closeTo(logProb, 1e-9);
      }
      expect(outside, 'sampled action numbers outside [−1, 1]').to.be.greaterThan(batch.actions.length / 2);
    } finally {
      await vec.close();
    }
  });

  it('collect: batches stay identical for 0, 1 and 2 workers', async () => {
    const batches = [];
    for (const numWorkers of [0, 1, 2]) {
      const { vec, parameters } = await wideVecEnv(numWorkers);
      try {
        batches.push(copyBatch(await vec.collect({ parameters, nSteps: 30 })));
      } finally {
        await vec.close();
      }
    }
    expect(batches[1]).to.deep.equal(batches[0]);
    expect(batches[2]).to.deep.equal(batches[0]);
  });

  it('vine branches: first actions and the policy actions that follow reach the env clipped', async () => {
    const { vec, parameters } = await wideVecEnv(2);
    try {
      const trunk = await vec.collect({ parameters, nSteps: 8, snapshotAt: [1, 5, 12] });
      const k = 2;
      const total = trunk.snapshots.length * k;
      const firstActions = Float64Array.from({ length: total * vec.actDim }, (_, i) => (i % 2 === 0 ? 3.5 : -0.25) * (1 + (i % 3)));
      const branch = (horizon: number) => vec.evaluateBranches({
        snapshots: trunk.snapshots, branchesPerState: k, firstActions, horizon, gamma: 1, seeds: [7, 8, 9], parameters,
      });
      const oneStep = await branch(1);
      for (let b = 0; b < total; b++) {
        expect(oneStep.returns[b], `branch ${b}`).to.equal(clamp(firstActions[b * vec.actDim]!));
      }
      // Longer branches follow the wide policy: a single out-of-bounds action would make the return NaN.
      const long = await branch(6);
      for (let b = 0; b < total; b++) {
        expect(Number.isFinite(long.returns[b]), `branch ${b} return ${long.returns[b]}`).to.equal(true);
        expect(Math.abs(long.returns[b]!)).to.be.at.most(long.steps[b]!);
      }
    } finally {
      await vec.close();
    }
  });
});

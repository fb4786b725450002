import { expect } from 'chai';
import { makeEnv } from '../envs/registry.js';
import type { EnvSnapshot } from '../envs/types.js';
import { Rng } from '../sdk/rng.js';
import { makeVecEnv, type VecEnv } from '../sdk/vec-env/index.js';
import { ObsNormalizer } from '../sdk/normalization/obs-normalizer.js';
import { createRolloutPolicy, type RolloutPolicy } from '../sdk/vec-env/policy-runner.js';
import { envAction, expectRejection } from './vec-env-helpers.js';

async function setup(id: string, numWorkers: number, envOptions: Record<string, unknown> = {}) {
  const vec = await makeVecEnv(id, { numEnvs: 2, numWorkers, seed: 8, envOptions });
  const info = await vec.configurePolicy({ hiddenSizes: [16, 16] });
  const rng = new Rng(5);
  const parameters = Float64Array.from({ length: info.numParameters }, () => 0.3 * rng.normal());
  // The workers' policy, acting in the main thread for the reference rollouts.
  const policy = await createRolloutPolicy(info.shape, undefined);
  policy.setParameters(parameters);
  return { vec, policy, parameters };
}

const obsNormOf = (obsDim: number) => ({
  mean: new Float64Array(obsDim).fill(0.1),
  var: new Float64Array(obsDim).fill(2),
  clip: 5,
  epsilon: 1e-8,
});

/**
 * The branch rollout written out on a single env in the test: the reference for evaluateBranches. It normalizes
 * with the workers' ObsNormalizer (checked against an independent formula in vec-env-collect) so that the
 * policy sees bit-identical inputs and returns can be compared exactly.
 */
async function referenceBranch(
  vec: VecEnv, envOptions: Record<string, unknown>, policy: RolloutPolicy, snapshot: EnvSnapshot,
  firstAction: Float64Array, horizon: number, gamma: number, seed: number,
) {
  const env = await makeEnv(vec.id, envOptions);
  const normalizer = new ObsNormalizer(vec.obsDim);
  normalizer.load(obsNormOf(vec.obsDim));
  const normalized = new Float64Array(vec.obsDim);
  env.setState(snapshot);
  const noise = new Rng(seed);
  let step = env.step(envAction(env.actionSpace, firstAction));
  let value = step.reward;
  let discount = gamma;
  let steps = 1;
  const action = new Float64Array(vec.actDim);
  for (; steps < horizon && !step.terminated && !step.truncated; steps++) {
    normalizer.apply(step.obs, normalized);
    policy.act(normalized, action, false, noise);
    step = env.step(envAction(env.actionSpace, action));
    value += discount * step.reward;
    discount *= gamma;
  }
  env.close();
  normalizer.apply(step.obs, normalized);
  return { value, endDiscount: step.terminated ? 0 : discount, endObs: Array.from(normalized), steps };
}

const cases = [
  // Hopper: a random policy falls (terminated); Pendulum: the time limit cuts the branch (truncated, bootstrapped).
  { id: 'Hopper-v5', envOptions: {}, horizon: 60 },
  { id: 'Pendulum-v1', envOptions: { maxEpisodeSteps: 30 }, horizon: 40 },
];

describe('VecEnv vine hooks: evaluateBranches, getStates/setStates', () => {
  for (const { id, envOptions, horizon } of cases) {
    it(`${id}: branch returns match the branch rollout written out on a single env`, async () => {
      const { vec, policy, parameters } = await setup(id, 2, envOptions);
      try {
        const obsNorm = obsNormOf(vec.obsDim);
        const trunk = await vec.collect({ parameters, nSteps: 12, obsNorm, snapshotAt: [2, 9, 14, 23] });
        const snapshots = trunk.snapshots;
        const k = 3;
        const rng = new Rng(1);
        const firstActions = Float64Array.from({ length: snapshots.length * k * vec.actDim }, () => rng.uniformRange(-1, 1));
        const seeds = [101, 102, 103, 104];
        const gamma = 0.97;
        const report = await vec.evaluateBranches({ snapshots, branchesPerState: k, firstActions, horizon, gamma, seeds, parameters, obsNorm });
        expect(report.returns).to.have.length(snapshots.length * k);
        let bootstrapped = 0;
        let ended = 0;
        for (let b = 0; b < snapshots.length * k; b++) {
          const s = Math.floor(b / k);
          const a = firstActions.subarray(b * vec.actDim, (b + 1) * vec.actDim);
          const expected = await referenceBranch(vec, envOptions, policy, snapshots[s], a, horizon, gamma, seeds[s]);
          expect(report.returns[b], `branch ${b}`).to.equal(expected.value);
          expect(report.endDiscount[b]).to.equal(expected.endDiscount);
          expect(report.steps[b]).to.equal(expected.steps);
          const endObs = report.endObs.subarray(b * vec.obsDim, (b + 1) * vec.obsDim);
          expect(Array.from(endObs)).to.deep.equal(expected.endObs);
          if (expected.endDiscount === 0) ended++;
          else if (expected.endDiscount > gamma ** horizon) bootstrapped++;
        }
        if (id === 'Hopper-v5') expect(ended, 'some branches must terminate').to.be.greaterThan(0);
        else expect(bootstrapped, 'some branches must hit the time limit').to.be.greaterThan(0);
      } finally {
        await vec.close();
      }
    });
  }

  it('uses common random numbers per snapshot, is independent of numWorkers and leaves the running envs alone', async () => {
    const results = [];
    for (const numWorkers of [0, 2]) {
      const { vec, parameters } = await setup('Hopper-v5', numWorkers);
      const trunk = await vec.collect({ parameters, nSteps: 6, snapshotAt: [3, 4, 8] });
      const snapshots = trunk.snapshots;
      const same = new Float64Array(vec.actDim).fill(0.25);
      // Branches 0 and 1 of each snapshot start with the same action: with shared noise they must agree.
      const firstActions = new Float64Array(snapshots.length * 3 * vec.actDim);
      for (let s = 0; s < snapshots.length; s++) {
        firstActions.set(same, (s * 3) * vec.actDim);
        firstActions.set(same, (s * 3 + 1) * vec.actDim);
        firstActions.fill(-0.5, (s * 3 + 2) * vec.actDim, (s * 3 + 3) * vec.actDim);
      }
      const report = await vec.evaluateBranches({
        snapshots, branchesPerState: 3, firstActions, horizon: 30, gamma: 0.99, seeds: [1, 2, 3], parameters,
      });
      const next = await vec.collect({ parameters, nSteps: 6 });
      results.push({ returns: Array.from(report.returns), next: Array.from(next.observations) });
      await vec.close();
    }
    const [inline, threaded] = results;
    expect(threaded).to.deep.equal(inline);
    for (let s = 0; s < 3; s++) {
      expect(inline.returns[s * 3]).to.equal(inline.returns[s * 3 + 1]);
      expect(inline.returns[s * 3]).to.not.equal(inline.returns[s * 3 + 2]);
    }
    // The running envs continued as if no branch had been evaluated.
    const { vec, parameters } = await setup('Hopper-v5', 2);
    await vec.collect({ parameters, nSteps: 6 });
    expect(Array.from((await vec.collect({ parameters, nSteps: 6 })).observations)).to.deep.equal(inline.next);
    await vec.close();
  });

  it('setStates(getStates()) puts every slot back: the next batch repeats exactly, across worker counts', async () => {
    const a = await setup('CartPole-v1', 2);
    const b = await setup('CartPole-v1', 1);
    try {
      await a.vec.collect({ parameters: a.parameters, nSteps: 15 });
      const states = await a.vec.getStates();
      const first = await a.vec.collect({ parameters: a.parameters, nSteps: 30 });
      const expected = { obs: Array.from(first.observations), actions: Array.from(first.actions), returns: Array.from(first.episodes.returns) };
      expect(expected.returns.length, 'episodes straddle the snapshot').to.be.greaterThan(0);
      for (const vec of [a.vec, b.vec]) {
        await vec.setStates(states);
        const again = await vec.collect({ parameters: a.parameters, nSteps: 30 });
        expect({ obs: Array.from(again.observations), actions: Array.from(again.actions), returns: Array.from(again.episodes.returns) })
          .to.deep.equal(expected);
      }
    } finally {
      await a.vec.close();
      await b.vec.close();
    }
  });

  it('rejects bad branch requests and states', async () => {
    const { vec, parameters } = await setup('Pendulum-v1', 1);
    try {
      await expectRejection(vec.getStates(), /getStates\(\) before reset\(\)/);
      const { snapshots } = await vec.collect({ parameters, nSteps: 2, snapshotAt: [0] });
      const ok = { snapshots, branchesPerState: 2, firstActions: new Float64Array(2), horizon: 5, gamma: 0.9, seeds: [1], parameters };
      await expectRejection(vec.evaluateBranches({ ...ok, firstActions: new Float64Array(3) }), /firstActions: .*must have length 2 \(snapshots × branchesPerState × actDim\), got 3/);
      await expectRejection(vec.evaluateBranches({ ...ok, seeds: [] }), /seeds: .*must have length 1 \(one per snapshot\), got 0/);
      await expectRejection(vec.evaluateBranches({ ...ok, gamma: 1.5 }), /gamma: got 1.5/);
      await expectRejection(vec.evaluateBranches({ ...ok, snapshots: [{}] as never }), /snapshots.0: .*must be an EnvSnapshot/);
      await expectRejection(vec.setStates([]), /must hold one state per env \(2\)/);
      expect((await vec.evaluateBranches(ok)).returns).to.have.length(2);
    } finally {
      await vec.close();
    }
  });
});

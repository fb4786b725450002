// Vine sampling (paper §5.2): the advantage weights and the self-normalized surrogate on hand-made cases, the
// branches of a real iteration replayed on a single env from their snapshots, and learning: vine solves
// InvertedPendulum-v5 (Gaussian, K sampled actions) and CartPole-v1 (categorical, every action).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { makeEnv } from '../envs/registry.js';
import type { Env, EnvSnapshot } from '../envs/types.js';
import { GaussianMlpPolicy } from '../sdk/policies/index.js';
import { Rng } from '../sdk/rng.js';
import { resolveTrpoOptions, type TrpoOptionsInput } from '../sdk/trpo/config.js';
import { createNetworks } from '../sdk/trpo/create-networks.js';
import { TrainingState } from '../sdk/trpo/training-state.js';
import { readCheckpoint } from '../sdk/run/checkpoint.js';
import { TRPO, type IterationMetrics } from '../sdk/trpo/trpo.js';
import { trpoUpdate, type PolicyBatchOps } from '../sdk/trpo/update.js';
import { branchesDiffer, branchValues, chooseRows, collectVine, selfNormalizedMean, vineAdvantages } from '../sdk/trpo/vine.js';
import { makeVecEnv } from '../sdk/vec-env/index.js';
import { ObsNormalizer, type ObsNormStats } from '../sdk/normalization/obs-normalizer.js';
import { createRolloutPolicy, type RolloutPolicy } from '../sdk/vec-env/policy-runner.js';
import { envAction } from './vec-env-helpers.js';
import { resolveArchitecture } from '../sdk/trpo/architecture.js';

/** Row i of a flat [rows][width] array, as a plain array for deep equality. */
const rowOf = (a: Float64Array, i: number, width: number) => Array.from(a.subarray(i * width, (i + 1) * width));

/** A training state for `options` (networks built for the env's spaces) and a probe env of the same id. */
async function trainingState(options: TrpoOptionsInput) {
  const o = resolveTrpoOptions(options);
  const probe = await makeEnv(o.env);
  const networks = await createNetworks(o, resolveArchitecture(o, probe.observationImage, probe.observationSpace.shape[0]), probe.observationSpace, probe.actionSpace);
  return { o, probe, s: new TrainingState(o, networks, probe.observationSpace.shape[0]) };
}

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol = 1e-12) =>
  a.length === b.length && Array.prototype.every.call(a, (x: number, i: number) => Math.abs(x - b[i]) <= tol * (1 + Math.abs(b[i])));

describe('vine advantage construction', () => {
  it('continuous: Â = Q̂ − the mean Q̂ of the state', () => {
    const cases = [
      { q: [1, 2, 3, 5, 5, 5], n: 2, k: 3, expected: [-1, 0, 1, 0, 0, 0] },
      { q: [10, -2], n: 1, k: 2, expected: [6, -6] },
      { q: [0.5, 1.5, 4, 4, 7, 9, -3, 11], n: 2, k: 4, expected: [-2, -1, 1.5, 1.5, 1, 3, -9, 5] },
    ];
    for (const c of cases) expect(Array.from(vineAdvantages(Float64Array.from(c.q), c.n, c.k))).to.deep.equal(c.expected);
  });

  it('discrete: mean(ratio·Â) over the K actions is the paper\'s Σₖ πθ(aₖ|s)(Q̂ₖ − b) for any πθ', () => {
    // One state, 3 actions. π_old = (0.2, 0.5, 0.3), Q̂ = (10, 4, 1): b = Σ π_old Q̂ = 2 + 2 + 0.3 = 4.3.
    const q = Float64Array.of(10, 4, 1);
    const oldProbs = Float64Array.of(0.2, 0.5, 0.3);
    const a = vineAdvantages(q, 1, 3, oldProbs);
    expect(close(a, [3 * 0.2 * 5.7, 3 * 0.5 * -0.3, 3 * 0.3 * -3.3])).to.equal(true);
    for (const probs of [[0.2, 0.5, 0.3], [0.6, 0.3, 0.1], [0.01, 0.01, 0.98]]) {
      const surrogate = probs.reduce((sum, p, j) => sum + (p / oldProbs[j]) * a[j], 0) / 3;
      const paper = probs.reduce((sum, p, j) => sum + p * (q[j] - 4.3), 0);
      expect(surrogate).to.be.closeTo(paper, 1e-12);
    }
  });

  it('Q̂: the scaled discounted return plus γ^steps·V(end state), no bootstrap after a termination', () => {
    const report = { returns: Float64Array.of(1, 2, 0.5, 3), endDiscount: Float64Array.of(0.9, 0.25, 0, 0.9) };
    const q = branchValues(report, Float64Array.of(10, 20, 99, -4), 2);
    expect(Array.from(q)).to.deep.equal([2 + 9, 4 + 5, 1, 6 - 3.6]);
  });

  it('the evidence guard: some state\'s branches must differ in return or ending', () => {
    const cases = [
      // Two states × two branches: identical everywhere (all survived with the same rewards) → no evidence.
      { returns: [5, 5, 7, 7], endDiscount: [0.5, 0.5, 0.5, 0.5], differ: false },
      { returns: [5, 5, 7, 7.000001], endDiscount: [0.5, 0.5, 0.5, 0.5], differ: true },
      // Same return, but one branch terminated on its last step and the other was not.
      { returns: [5, 5, 7, 7], endDiscount: [0.5, 0.5, 0.5, 0], differ: true },
      // A time-limit cut versus the horizon.
      { returns: [5, 5, 7, 7], endDiscount: [0.25, 0.5, 0.5, 0.5], differ: true },
      // Different states differing from each other is not evidence about actions.
      { returns: [1, 1, 9, 9], endDiscount: [0, 0, 0.5, 0.5], differ: false },
    ];
    for (const c of cases) {
      const report = { returns: Float64Array.from(c.returns), endDiscount: Float64Array.from(c.endDiscount) };
      expect(branchesDiffer(report, 2, 2), JSON.stringify(c)).to.equal(c.differ);
    }
  });

  it('self-normalized: Σₖ rₖÂₖ / Σₖ rₖ per state; its gradient at θ_old is the plain one with the state-mean baseline', () => {
    // Hand case: ratios (2, 1), Â = (1, −1) → (2 − 1) / 3.
    expect(selfNormalizedMean(Float64Array.of(Math.log(2), 0), Float64Array.of(0, 0), Float64Array.of(1, -1), 1, 2)).to.be.closeTo(1 / 3, 1e-15);

    // d/dℓ of both estimators at ℓ = ℓ_old by central differences on the log-probabilities ℓ.
    const rng = new Rng(4);
    const n = 3;
    const k = 4;
    const q = Float64Array.from({ length: n * k }, () => 5 * rng.normal());
    const advantages = vineAdvantages(q, n, k);
    const old = Float64Array.from({ length: n * k }, () => rng.normal());
    const plain = (l: Float64Array) => advantages.reduce((sum, a, b) => sum + Math.exp(l[b] - old[b]) * a, 0) / (n * k);
    const selfNormalized = (l: Float64Array) => selfNormalizedMean(l, old, advantages, n, k);
    const h = 1e-6;
    for (let b = 0; b < n * k; b++) {
      const up = old.slice();
      const down = old.slice();
      up[b] += h;
      down[b] -= h;
      const gradSelf = (selfNormalized(up) - selfNormalized(down)) / (2 * h);
      const gradPlain = (plain(up) - plain(down)) / (2 * h);
      expect(gradSelf).to.be.closeTo(gradPlain, 1e-8);
      expect(gradPlain).to.be.closeTo(advantages[b] / (n * k), 1e-8);
    }
    // Away from θ_old they differ, and the self-normalized one ignores a per-state shift of Q̂.
    const moved = old.map((l, b) => l + 0.3 * Math.sin(b));
    expect(Math.abs(selfNormalized(moved) - plain(moved))).to.be.greaterThan(1e-4);
    const shifted = Float64Array.from(q, (x, b) => x + 100 * Math.floor(b / k));
    expect(selfNormalizedMean(moved, old, shifted, n, k) - selfNormalizedMean(moved, old, q, n, k)).to.be.closeTo(100, 1e-9);
  });

  it('the rollout set: distinct increasing rows, every row reachable, same seed → same rows', () => {
    const seen = new Set<number>();
    for (let seed = 0; seed < 200; seed++) {
      const rows = chooseRows(20, 5, new Rng(seed));
      expect(rows).to.have.length(5);
      rows.forEach((r, i) => {
        expect(r).to.be.within(0, 19);
        if (i > 0) expect(r).to.be.greaterThan(rows[i - 1]);
        seen.add(r);
      });
      expect(chooseRows(20, 5, new Rng(seed))).to.deep.equal(rows);
    }
    expect(seen.size).to.equal(20);
    expect(chooseRows(7, 7, new Rng(1))).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
  });

  it('the update judges the line search by the surrogate hook when one is given', () => {
    const obsDim = 3;
    const n = 64;
    const rng = new Rng(2);
    const policy = new GaussianMlpPolicy({ obsDim, actionDim: 1, hiddenSizes: [8], seed: 2 });
    const obs = Float64Array.from({ length: n * obsDim }, () => rng.normal());
    const actions = Float64Array.from(policy.act(obs, { rng }).action);
    const advantages = Float64Array.from(actions);
    const batch = policy.createBatch(n);
    batch.load(obs, actions, n);
    const thetaOld = policy.getParameters();
    const o = resolveTrpoOptions({ env: 'InvertedPendulum-v5' });
    const inputs = {
      policy, batch: batch as unknown as PolicyBatchOps, advantages, valueObs: obs, valueTargets: new Float64Array(n), valueRows: n, rng,
      value: { fit: () => 0 },
    };
    // A hook that calls every move away from θ_old a loss: the batch's surrogate would accept, this must not.
    const distance = () => -policy.getParameters().reduce((sum, x, i) => sum + (x - thetaOld[i]) ** 2, 0);
    const refused = trpoUpdate({ ...inputs, surrogate: distance }, o);
    expect(refused.accepted).to.equal(false);
    expect(refused.skipReason).to.match(/line search/);
    expect(Array.from(policy.getParameters())).to.deep.equal(Array.from(thetaOld));
    const accepted = trpoUpdate(inputs, o);
    expect(accepted.accepted, accepted.skipReason).to.equal(true);
    batch.dispose();
    policy.dispose();
  });
});

/** One branch written out on a single env: restore, act, then the workers' policy with Rng(seed) noise. */
function replayBranch(
  env: Env, policy: RolloutPolicy, normalizer: ObsNormalizer, snapshot: EnvSnapshot, firstAction: Float64Array,
  horizon: number, gamma: number, seed: number,
) {
  env.setState(snapshot);
  const noise = new Rng(seed);
  const normalized = new Float64Array(env.observationSpace.shape[0]);
  const action = new Float64Array(firstAction.length);
  let step = env.step(envAction(env.actionSpace, firstAction));
  let value = step.reward;
  let discount = gamma;
  let steps = 1;
  for (; steps < horizon && !step.terminated && !step.truncated; steps++) {
    normalizer.apply(step.obs, normalized);
    policy.act(normalized, action, false, noise);
    step = env.step(envAction(env.actionSpace, action));
    value += discount * step.reward;
    discount *= gamma;
  }
  return { value, endDiscount: step.terminated ? 0 : discount, steps };
}

describe('vine branches of a training iteration, replayed on a single env', function () {
  this.timeout(60_000);
  const cases = [
    { env: 'InvertedPendulum-v5', vine: { rolloutStates: 6, branchActions: 3, branchLength: 6 } },
    { env: 'CartPole-v1', vine: { rolloutStates: 6, branchActions: 1, branchLength: 12 } },
  ];
  for (const c of cases) {
    it(`${c.env}: snapshots sit at their trunk rows, Q̂'s returns and step counts replay exactly (CRN per state)`, async () => {
      const { o, probe, s } = await trainingState({ env: c.env, sampling: 'vine', seed: 3, numEnvs: 2, numWorkers: 2, nSteps: 40, vine: c.vine });
      const vec = await makeVecEnv(c.env, { numEnvs: o.numEnvs, numWorkers: o.numWorkers, seed: o.seed });
      try {
        const info = await vec.configurePolicy({ hiddenSizes: o.policyHiddenSizes, activation: o.activation });
        await vec.reset();
        await collectVine(vec, s); // a first iteration, so that the observation statistics are not the identity
        const obsNorm = s.normalization.obsStats() as ObsNormStats;
        const policy = await createRolloutPolicy(info.shape, undefined);
        policy.setParameters(s.policy.getParameters());
        const normalizer = new ObsNormalizer(vec.obsDim);
        normalizer.load(obsNorm);

        const { data, branches, batch } = await collectVine(vec, s);
        const { states: n, actionsPerState: k, rows } = branches;
        const { obsDim, actDim, numEnvs } = vec;
        expect(n).to.equal(c.vine.rolloutStates);
        expect(k).to.equal(probe.actionSpace.type === 'discrete' ? probe.actionSpace.n : c.vine.branchActions);
        expect(branches.snapshots).to.have.length(n);

        let branchSteps = 0;
        let terminated = 0;
        let survived = 0;
        for (let i = 0; i < n; i++) {
          const row = rows[i];
          expect(rowOf(branches.stateObs, i, obsDim)).to.deep.equal(rowOf(batch.normalizedObservations, row, obsDim));
          // The snapshot is the env before acting at `row`: the trunk's own action replays the trunk's step.
          probe.setState(branches.snapshots[i]);
          const trunkStep = probe.step(envAction(probe.actionSpace, rowOf(batch.actions, row, actDim)));
          expect(trunkStep.reward, `reward at row ${row}`).to.equal(batch.rewards[row]);
          if (!trunkStep.terminated && !trunkStep.truncated && row + numEnvs < batch.nSteps * numEnvs) {
            expect(Array.from(trunkStep.obs)).to.deep.equal(rowOf(batch.observations, row + numEnvs, obsDim));
          }
          for (let j = 0; j < k; j++) {
            const b = i * k + j;
            const first = branches.firstActions.subarray(b * actDim, (b + 1) * actDim);
            if (probe.actionSpace.type === 'discrete') expect(first[0]).to.equal(j);
            const replay = replayBranch(probe, policy, normalizer, branches.snapshots[i], first, o.vine.branchLength, o.gamma, branches.seeds[i]);
            expect(branches.report.returns[b], `branch ${b}`).to.equal(replay.value);
            expect(branches.report.endDiscount[b]).to.equal(replay.endDiscount);
            expect(branches.report.steps[b]).to.equal(replay.steps);
            branchSteps += replay.steps;
            if (replay.endDiscount === 0) terminated++;
            else survived++;
            // The policy step's pair b is (state i, first action b).
            expect(rowOf(data.obs, b, obsDim)).to.deep.equal(rowOf(branches.stateObs, i, obsDim));
            expect(rowOf(data.actions, b, actDim)).to.deep.equal(Array.from(first));
          }
        }
        expect(data.advantages.some((a) => a !== 0), 'branches that differ give advantages').to.equal(true);
        expect(terminated, 'some branches terminate').to.be.greaterThan(0);
        expect(survived, 'some branches survive the horizon').to.be.greaterThan(0);
        // Exact env-step accounting: the trunk plus what the branches really took.
        expect(data.envSteps).to.equal(o.nSteps * numEnvs + branchSteps);
        expect(branchSteps).to.be.lessThan(n * k * o.vine.branchLength);
        policy.dispose?.();
      } finally {
        await vec.close();
        probe.close();
      }
    });
  }

  it('the evidence guard: branches that all earn the same leave θ alone even though V tells their ends apart', async () => {
    // CartPole, one-step branches: both actions earn 1 and survive, so only V(next state) differs between them.
    const { o, probe, s } = await trainingState({
      env: 'CartPole-v1', sampling: 'vine', seed: 0, numEnvs: 2, numWorkers: 0, nSteps: 16, vine: { rolloutStates: 4, branchLength: 1 },
    });
    const vec = await makeVecEnv(o.env, { numEnvs: o.numEnvs, numWorkers: 0, seed: o.seed });
    try {
      await vec.configurePolicy({ hiddenSizes: o.policyHiddenSizes, activation: o.activation });
      await vec.reset();
      const { data, branches } = await collectVine(vec, s);
      expect(branchesDiffer(branches.report, branches.states, branches.actionsPerState)).to.equal(false);
      expect(branches.q.some((q, b) => q !== branches.q[b - (b % 2)]), 'V differs between the end states').to.equal(true);
      expect(data.advantages.every((a) => a === 0)).to.equal(true);
      const batch = s.networks.createBatch(data.rows);
      batch.load(data.obs, data.actions, data.rows);
      const before = s.policy.getParameters();
      const update = trpoUpdate({
        policy: s.policy, batch, advantages: data.advantages, value: s.value, valueObs: data.valueObs,
        valueTargets: data.valueTargets, valueRows: data.valueRows, rng: s.rng,
      }, o);
      expect(update.accepted).to.equal(false);
      expect(update.skipReason).to.match(/zero surrogate gradient/);
      expect(Array.from(s.policy.getParameters())).to.deep.equal(Array.from(before));
    } finally {
      await vec.close();
      probe.close();
    }
  });

  it('selfNormalized hands the update the self-normalized surrogate at the current θ', async () => {
    const { o, probe, s } = await trainingState({
      env: 'InvertedPendulum-v5', sampling: 'vine', seed: 5, numEnvs: 2, nSteps: 32, numWorkers: 0,
      vine: { rolloutStates: 5, branchActions: 4, branchLength: 5, selfNormalized: true },
    });
    const vec = await makeVecEnv(o.env, { numEnvs: o.numEnvs, numWorkers: 0, seed: o.seed });
    try {
      await vec.configurePolicy({ hiddenSizes: o.policyHiddenSizes, activation: o.activation });
      await vec.reset();
      const { data } = await collectVine(vec, s);
      expect(data.surrogate).to.be.a('function');
      expect(data.advantages.some((a) => a !== 0), 'the branches carry a signal').to.equal(true);
      // log π(a|s) of the 1-D Gaussian, written out here (independent of the policy's logProb kernel).
      const logDensity = () => {
        const mean = s.policy.forwardHead(data.obs, data.rows);
        const logStd = s.policy.logStd()[0];
        const z = (m: number, b: number) => (data.actions[b] - m) / Math.exp(logStd);
        return Float64Array.from(mean, (m, b) => -0.5 * z(m, b) ** 2 - logStd - 0.5 * Math.log(2 * Math.PI));
      };
      const old = logDensity();
      expect(data.surrogate!()).to.be.closeTo(selfNormalizedMean(old, old, data.advantages, 5, 4), 1e-12);
      const rng = new Rng(9);
      s.policy.setParameters(s.policy.getParameters().map((x) => x + 0.05 * rng.normal()));
      const moved = selfNormalizedMean(logDensity(), old, data.advantages, 5, 4);
      expect(data.surrogate!()).to.be.closeTo(moved, 1e-9);
      const now = logDensity();
      const plain = data.advantages.reduce((sum, a, b) => sum + Math.exp(now[b] - old[b]) * a, 0) / data.rows;
      expect(Math.abs(moved - plain)).to.be.greaterThan(1e-6);

      const plainRun = await trainingState({ ...o, vine: { ...o.vine, selfNormalized: false } });
      expect((await collectVine(vec, plainRun.s)).data.surrogate).to.equal(undefined);
      plainRun.probe.close();
    } finally {
      await vec.close();
      probe.close();
    }
  });
});

describe('vine resume', function () {
  this.timeout(60_000);
  it('2 iterations, checkpoint, load, 2 more equal 4 straight, bit for bit (rollout set, first actions, CRN seeds)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-vine-resume-'));
    const options: TrpoOptionsInput = {
      env: 'InvertedPendulum-v5', sampling: 'vine', seed: 4, numEnvs: 2, numWorkers: 2, nSteps: 64,
      vine: { rolloutStates: 16, branchActions: 4, branchLength: 20 },
    };
    const until = (iterations: number) => ({ onIteration: (m: IterationMetrics) => (m['time/iterations'] as number) < iterations });
    try {
      const straight = new TRPO(options);
      await straight.learn({ totalTimesteps: 1e9, callbacks: until(4) });
      await straight.save(path.join(dir, 'straight'));
      await straight.close();

      const first = new TRPO(options);
      await first.learn({ totalTimesteps: 1e9, callbacks: until(2), checkpointDir: path.join(dir, 'ckpt') });
      await first.close();
      const resumed = await TRPO.load(path.join(dir, 'ckpt'));
      expect(resumed.iteration).to.equal(2);
      await resumed.learn({ totalTimesteps: 1e9, callbacks: until(4) });
      await resumed.save(path.join(dir, 'resumed'));
      await resumed.close();

      const a = await readCheckpoint(path.join(dir, 'straight'));
      const b = await readCheckpoint(path.join(dir, 'resumed'));
      for (const name of Object.keys(a.arrays)) {
        expect(Array.from(b.arrays[name]), `array ${name}`).to.deep.equal(Array.from(a.arrays[name]));
      }
      expect(b.json.trainer).to.deep.equal(a.json.trainer);
      expect(straight.numTimesteps).to.equal(resumed.numTimesteps);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('vine learning', function () {
  this.timeout(120_000);
  const cases: { env: string; timesteps: number; threshold: number; options?: TrpoOptionsInput }[] = [
    { env: 'InvertedPendulum-v5', timesteps: 150_000, threshold: 950 },
    { env: 'InvertedPendulum-v5', timesteps: 150_000, threshold: 950, options: { vine: { selfNormalized: true } } },
    { env: 'CartPole-v1', timesteps: 150_000, threshold: 475 },
  ];
  for (const c of cases) {
    const variant = c.options ? ` ${JSON.stringify(c.options)}` : '';
    it(`${c.env}${variant} reaches ${c.threshold} within ${c.timesteps} env steps (trunk and branches)`, async () => {
      const agent = new TRPO({ env: c.env, sampling: 'vine', seed: 0, ...c.options });
      try {
        const result = await agent.learn({ totalTimesteps: c.timesteps });
        expect(result.timesteps).to.be.at.least(c.timesteps);
        const evaluation = await agent.evaluate({ episodes: 10, deterministic: true });
        expect(evaluation.meanReturn, `mean return ${evaluation.meanReturn}`).to.be.at.least(c.threshold);
      } finally {
        await agent.close();
      }
    });
  }
});

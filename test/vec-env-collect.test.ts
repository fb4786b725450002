import { expect } from 'chai';
import { makeEnv } from '../envs/registry.js';
import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../sdk/policies/index.js';
import { Rng } from '../sdk/rng.js';
import { actionNoise, makeVecEnv, type PolicyShape, type RolloutBatch, type VecEnv } from '../sdk/vec-env/index.js';
import { createRolloutPolicy } from '../sdk/vec-env/policy-runner.js';
import { FIXTURES_URL, LinearPolicy } from './vec-env-fixtures.js';
import { envAction, expectRejection, normalizeReference, row } from './vec-env-helpers.js';

const SEED = 21;

/** The policy the test replays with, and an independent log π(a|s) to check the stored log-probs against. */
interface ReferencePolicy {
  act(obs: Float64Array, action: Float64Array, deterministic: boolean, rng: Rng): number;
  logProb(obs: Float64Array, action: Float64Array): number;
}

/** The package's policy class for `shape` (f64, so log-probs agree to rounding), with random-ish parameters. */
async function builtinReference(shape: PolicyShape, parameters: Float64Array): Promise<ReferencePolicy> {
  const network = { obsDim: shape.obsDim, hiddenSizes: shape.hiddenSizes, activation: shape.activation, precision: 'f64' as const };
  const policy =
    shape.kind === 'gaussian'
      ? new GaussianMlpPolicy({ ...network, actionDim: shape.actionDim })
      : new CategoricalMlpPolicy({ ...network, numActions: shape.numActions });
  policy.setParameters(parameters);
  const acting = await createRolloutPolicy(shape, undefined);
  acting.setParameters(parameters);
  return { act: (...args) => acting.act(...args), logProb: (obs, action) => policy.logProb(obs, action)[0] };
}

/** A vec env running the package's MLP policy (or the test's linear one), parameters large enough to matter. */
async function policyVecEnv(
  id: string, numEnvs: number, numWorkers: number, envOptions: Record<string, unknown> = {}, linear = false,
) {
  const vec = await makeVecEnv(id, { numEnvs, numWorkers, seed: SEED, envOptions });
  const info = linear
    ? await vec.configurePolicy({ hiddenSizes: [], module: FIXTURES_URL })
    : await vec.configurePolicy({ hiddenSizes: [16, 8], activation: 'tanh', precision: 'f64' });
  const rng = new Rng(99);
  const parameters = Float64Array.from({ length: info.numParameters }, () => 0.3 * rng.normal());
  const policy: ReferencePolicy = linear ? linearReference(info.shape, parameters) : await builtinReference(info.shape, parameters);
  return { vec, policy, parameters };
}

function linearReference(shape: PolicyShape, parameters: Float64Array): ReferencePolicy {
  const policy = new LinearPolicy(shape);
  policy.setParameters(parameters);
  return policy;
}

function obsNormFor(obsDim: number) {
  const rng = new Rng(7);
  return {
    mean: Float64Array.from({ length: obsDim }, () => 0.2 * rng.normal()),
    var: Float64Array.from({ length: obsDim }, () => 0.5 + rng.uniform()),
    clip: 1.5,
    epsilon: 1e-8,
  };
}

/** Copy every array of a batch (its views are overwritten by the next collect). */
function snapshotBatch(b: RolloutBatch) {
  return {
    observations: b.observations.slice(), normalizedObservations: b.normalizedObservations.slice(),
    actions: b.actions.slice(), logProbs: b.logProbs.slice(), rewards: b.rewards.slice(),
    terminated: b.terminated.slice(), truncated: b.truncated.slice(), finalObservations: b.finalObservations.slice(),
    lastObservations: b.lastObservations.slice(), lastNormalizedObservations: b.lastNormalizedObservations.slice(),
    episodes: b.episodes, snapshots: b.snapshots,
  };
}

/**
 * Replay env i of the batch on its own: same reset (seed, stream i), same policy noise (actionNoise), same
 * normalization. Checks every stored entry and returns the episodes it saw end.
 */
async function replayAndCheck(
  vec: VecEnv, batch: RolloutBatch, i: number, policy: ReferencePolicy, obsNorm: ReturnType<typeof obsNormFor> | undefined,
  envOptions: Record<string, unknown>,
) {
  const { numEnvs, obsDim, actDim } = batch;
  const env = await makeEnv(vec.id, envOptions);
  let obs = env.reset({ seed: SEED, stream: i }).obs;
  const noise = actionNoise(SEED, i);
  const normalize = (x: Float64Array) => (obsNorm ? normalizeReference(x, obsNorm) : Array.from(x));
  const episodes: Array<{ env: number; endStep: number; return: number; length: number }> = [];
  let episodeReturn = 0;
  let episodeLength = 0;
  for (let t = 0; t < batch.nSteps; t++) {
    const r = t * numEnvs + i;
    expect(Array.from(row(batch.observations, r, obsDim)), `obs (t ${t}, env ${i})`).to.deep.equal(Array.from(obs));
    const seen = row(batch.normalizedObservations, r, obsDim);
    normalize(obs).forEach((v, j) => expect(seen[j]).to.be.closeTo(v, 1e-12));
    const action = new Float64Array(actDim);
    const logProb = policy.act(seen, action, false, noise);
    expect(Array.from(row(batch.actions, r, actDim)), `action (t ${t}, env ${i})`).to.deep.equal(Array.from(action));
    expect(batch.logProbs[r]).to.equal(logProb);
    expect(batch.logProbs[r]).to.be.closeTo(policy.logProb(seen, action), 1e-9);

    const step = env.step(envAction(env.actionSpace, action));
    expect(batch.rewards[r]).to.equal(step.reward);
    expect(batch.terminated[r]).to.equal(step.terminated ? 1 : 0);
    expect(batch.truncated[r]).to.equal(step.truncated ? 1 : 0);
    episodeReturn += step.reward;
    episodeLength++;
    obs = step.obs;
    if (step.terminated || step.truncated) {
      const final = row(batch.finalObservations, r, obsDim);
      normalize(step.obs).forEach((v, j) => expect(final[j]).to.be.closeTo(v, 1e-12));
      episodes.push({ env: i, endStep: t, return: episodeReturn, length: episodeLength });
      episodeReturn = 0;
      episodeLength = 0;
      obs = env.reset().obs;
    }
  }
  expect(Array.from(row(batch.lastObservations, i, obsDim))).to.deep.equal(Array.from(obs));
  const lastSeen = row(batch.lastNormalizedObservations, i, obsDim);
  normalize(obs).forEach((v, j) => expect(lastSeen[j]).to.be.closeTo(v, 1e-12));
  env.close();
  return episodes;
}

function episodeList(batch: RolloutBatch) {
  const e = batch.episodes;
  return Array.from(e.env, (env, k) => ({ env, endStep: e.endStep[k], return: e.returns[k], length: e.lengths[k] }));
}

const cases = [
  { id: 'CartPole-v1', envOptions: {}, obsNorm: false, linear: false },
  { id: 'Pendulum-v1', envOptions: { maxEpisodeSteps: 17 }, obsNorm: true, linear: false },
  { id: 'Hopper-v5', envOptions: { maxEpisodeSteps: 30 }, obsNorm: true, linear: false },
  { id: 'Pendulum-v1', envOptions: { maxEpisodeSteps: 17 }, obsNorm: true, linear: true },
  { id: 'CartPole-v1', envOptions: {}, obsNorm: false, linear: true },
];

describe('VecEnv.collect', () => {
  for (const { id, envOptions, obsNorm, linear } of cases) {
    const what = linear ? 'a custom policy module' : 'the MLP policy';
    it(`${id} with ${what}: every entry of the batch replays on a single env; episodes add up the rewards`, async () => {
      const { vec, policy, parameters } = await policyVecEnv(id, 3, 2, envOptions, linear);
      try {
        const norm = obsNorm ? obsNormFor(vec.obsDim) : undefined;
        const batch = await vec.collect({ parameters, nSteps: 40, obsNorm: norm });
        expect(batch).to.include({ nSteps: 40, numEnvs: 3, obsDim: vec.obsDim, actDim: vec.actDim });
        const expected = [];
        for (let i = 0; i < 3; i++) expected.push(...(await replayAndCheck(vec, batch, i, policy, norm, envOptions)));
        expected.sort((a, b) => a.endStep - b.endStep || a.env - b.env);
        expect(expected.length, 'the batch must cross episode ends').to.be.greaterThan(1);
        expect(episodeList(batch)).to.deep.equal(expected);
      } finally {
        await vec.close();
      }
    });
  }

  it('trainer flow with default (f32) kernels: stored log-probs are policy.logProb of the stored obs and actions', async () => {
    for (const id of ['Hopper-v5', 'CartPole-v1']) {
      const vec = await makeVecEnv(id, { numEnvs: 2, numWorkers: 2, seed: 1 });
      try {
        const options = { obsDim: vec.obsDim, hiddenSizes: [64, 64], seed: 4 };
        const policy = vec.actionSpace.type === 'box'
          ? new GaussianMlpPolicy({ ...options, actionDim: vec.actDim, logStdInit: -0.5 })
          : new CategoricalMlpPolicy({ ...options, numActions: vec.actionSpace.n });
        await vec.configurePolicy({ hiddenSizes: [64, 64] });
        const batch = await vec.collect({ parameters: policy.getParameters(), nSteps: 50, obsNorm: obsNormFor(vec.obsDim) });
        const expected = policy.logProb(batch.normalizedObservations, batch.actions);
        expected.forEach((v, r) => expect(batch.logProbs[r], `${id} row ${r}`).to.be.closeTo(v, 1e-4 * (1 + Math.abs(v))));
        policy.dispose();
      } finally {
        await vec.close();
      }
    }
  });

  it('gives bit-identical batches with 0, 1 and 2 workers', async () => {
    const runs = [];
    for (const numWorkers of [0, 1, 2]) {
      const { vec, parameters } = await policyVecEnv('Hopper-v5', 3, numWorkers, { maxEpisodeSteps: 25 });
      const obsNorm = obsNormFor(vec.obsDim);
      const first = snapshotBatch(await vec.collect({ parameters, nSteps: 30, obsNorm, snapshotAt: [4, 50] }));
      const second = snapshotBatch(await vec.collect({ parameters, nSteps: 30, obsNorm }));
      runs.push({ first, second });
      await vec.close();
    }
    expect(runs[0].first.episodes.env.length).to.be.greaterThan(0);
    expect(runs[1]).to.deep.equal(runs[0]);
    expect(runs[2]).to.deep.equal(runs[0]);
  });

  it('keeps episodes running across collects: 2 × 20 steps equal 1 × 40 steps', async () => {
    const whole = await policyVecEnv('CartPole-v1', 2, 2);
    const split = await policyVecEnv('CartPole-v1', 2, 2);
    try {
      const all = snapshotBatch(await whole.vec.collect({ parameters: whole.parameters, nSteps: 40 }));
      const a = snapshotBatch(await split.vec.collect({ parameters: split.parameters, nSteps: 20 }));
      const b = snapshotBatch(await split.vec.collect({ parameters: split.parameters, nSteps: 20 }));
      const half = 20 * 2;
      expect([...a.rewards, ...b.rewards]).to.deep.equal([...all.rewards]);
      expect([...a.actions, ...b.actions]).to.deep.equal([...all.actions]);
      expect([...a.observations, ...b.observations]).to.deep.equal([...all.observations]);
      expect(a.lastObservations).to.deep.equal(all.observations.slice(half * 4, half * 4 + 8));
      // An episode that straddles the two batches reports its whole return in the second one.
      const returnsAll = Array.from(all.episodes.returns);
      expect([...a.episodes.returns, ...b.episodes.returns]).to.deep.equal(returnsAll);
      const straddling = Array.from(b.episodes.lengths).some((length, k) => length > b.episodes.endStep[k] + 1);
      expect(straddling, 'an episode must cross the batch boundary').to.equal(true);
    } finally {
      await whole.vec.close();
      await split.vec.close();
    }
  });

  it('deterministic collect takes the policy mode', async () => {
    const { vec, policy, parameters } = await policyVecEnv('Pendulum-v1', 2, 1);
    try {
      const batch = await vec.collect({ parameters, nSteps: 5, deterministic: true });
      for (let r = 0; r < 10; r++) {
        const mode = new Float64Array(1);
        policy.act(row(batch.normalizedObservations, r, 3), mode, true, new Rng(0));
        expect(batch.actions[r]).to.equal(mode[0]);
      }
    } finally {
      await vec.close();
    }
  });

  it('snapshots the env states at the requested rows, before acting', async () => {
    const { vec, parameters } = await policyVecEnv('Hopper-v5', 3, 2, { maxEpisodeSteps: 50 });
    try {
      const rows = [1, 5, 9, 10, 35];
      const batch = await vec.collect({ parameters, nSteps: 20, snapshotAt: rows });
      expect(batch.snapshots).to.have.length(rows.length);
      const env = await makeEnv('Hopper-v5', { maxEpisodeSteps: 50 });
      for (const [k, r] of rows.entries()) {
        env.setState(batch.snapshots[k]);
        const step = env.step(envAction(env.actionSpace, row(batch.actions, r, 3)));
        expect(step.reward, `row ${r}`).to.equal(batch.rewards[r]);
        if (!step.terminated && !step.truncated) {
          expect(Array.from(step.obs)).to.deep.equal(Array.from(row(batch.observations, r + 3, 11)));
        }
      }
      env.close();
    } finally {
      await vec.close();
    }
  });

  it('rejects bad collect() calls without breaking the env', async () => {
    const vec = await makeVecEnv('Pendulum-v1', { numEnvs: 2, numWorkers: 2 });
    try {
      await expectRejection(vec.collect({ parameters: new Float64Array(3), nSteps: 4 }), /call configurePolicy\(\) first/);
      const { numParameters } = await vec.configurePolicy({ hiddenSizes: [], module: FIXTURES_URL });
      const parameters = new Float64Array(numParameters);
      const bad: Array<[Record<string, unknown>, RegExp]> = [
        [{ parameters: new Float64Array(2), nSteps: 4 }, /parameters: .*must have length 5 \(the configured policy\), got 2/],
        [{ parameters: [0, 0, 0, 0, 0], nSteps: 4 }, /parameters: .*must be a Float64Array/],
        [{ parameters: Float64Array.of(0, 0, NaN, 0, 0), nSteps: 4 }, /entry 2 is NaN/],
        [{ parameters, nSteps: 0 }, /nSteps: got 0/],
        [{ parameters, nSteps: 4, obsNorm: { mean: [0], var: [1, 1, 1] } }, /obsNorm.mean: .*must have length 3/],
        [{ parameters, nSteps: 4, obsNorm: { mean: [0, 0, 0], var: [1, -1, 1] } }, /obsNorm.var: .*must be ≥ 0/],
        [{ parameters, nSteps: 4, snapshotAt: [3, 2] }, /snapshotAt.1: got 2; rows must be strictly increasing/],
        [{ parameters, nSteps: 4, snapshotAt: [8] }, /below nSteps·numEnvs = 8, got 8/],
        [{ parameters, nSteps: 4, seed: 1 }, /seed: unknown option/],
      ];
      for (const [options, message] of bad) await expectRejection(vec.collect(options as never), message);
      const batch = await vec.collect({ parameters, nSteps: 4 });
      expect(batch.rewards).to.have.length(8);
    } finally {
      await vec.close();
    }
  });
});

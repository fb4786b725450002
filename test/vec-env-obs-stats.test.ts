// Observation statistics updated at every step inside collect() (obsNormCount, the trainer's
// obsStatsUpdate: 'step'): each step's observations of all envs are folded in before they are normalized, the
// batches are identical for 0, 1 and 2 workers, and the trainer's Normalization replays the same updates.
import { expect } from 'chai';
import { Normalization } from '../sdk/normalization/normalization.js';
import { RunningMeanStd } from '../sdk/normalization/running-mean-std.js';
import { Rng } from '../sdk/rng.js';
import { TRPO } from '../sdk/trpo/trpo.js';
import { makeVecEnv, type RolloutBatch } from '../sdk/vec-env/index.js';
import { FIXTURES_URL } from './vec-env-fixtures.js';
import { expectRejection, normalizeReference, row } from './vec-env-helpers.js';

const ENV = 'Hopper-v5';
const NUM_ENVS = 3;
const N_STEPS = 16;
const CLIP = 5;

/** Statistics of some earlier observations: far enough from this rollout's that every step moves them. */
function initialStats(obsDim: number): RunningMeanStd {
  const rms = new RunningMeanStd(obsDim);
  const rng = new Rng(4);
  rms.update(Float64Array.from({ length: 40 * obsDim }, () => 0.3 * rng.normal() + 0.5));
  return rms;
}

async function collectPerStep(numWorkers: number, envOptions: Record<string, unknown> = {}) {
  const vec = await makeVecEnv(ENV, { numEnvs: NUM_ENVS, numWorkers, seed: 8, envModule: FIXTURES_URL, envOptions });
  const info = await vec.configurePolicy({ hiddenSizes: [8], activation: 'tanh' });
  const rng = new Rng(3);
  const parameters = Float64Array.from({ length: info.numParameters }, () => 0.2 * rng.normal());
  const stats = initialStats(vec.obsDim);
  const obsNorm = { mean: stats.mean.slice(), var: stats.var.slice(), clip: CLIP, epsilon: 1e-8 };
  return { vec, run: () => vec.collect({ parameters, nSteps: N_STEPS, obsNorm, obsNormCount: stats.count }), stats };
}

function copy(b: RolloutBatch) {
  return {
    obs: Array.from(b.observations), seen: Array.from(b.normalizedObservations), actions: Array.from(b.actions),
    rewards: Array.from(b.rewards), last: Array.from(b.lastNormalizedObservations), final: Array.from(b.finalObservations),
  };
}

describe('VecEnv.collect with observation statistics updated per step', () => {
  it('normalizes step t with the statistics that include step t; the trainer replays the same statistics', async () => {
    const { vec, run, stats } = await collectPerStep(2);
    try {
      const batch = await run();
      const { obsDim } = vec;
      const width = NUM_ENVS * obsDim;
      const frozen = { mean: stats.mean.slice(), var: stats.var.slice(), clip: CLIP, epsilon: 1e-8 };
      let moved = 0;
      for (let t = 0; t < N_STEPS; t++) {
        stats.update(batch.observations.subarray(t * width, (t + 1) * width));
        for (let i = 0; i < NUM_ENVS; i++) {
          const r = t * NUM_ENVS + i;
          const raw = row(batch.observations, r, obsDim);
          const seen = row(batch.normalizedObservations, r, obsDim);
          const want = normalizeReference(raw, { mean: stats.mean, var: stats.var, clip: CLIP, epsilon: 1e-8 });
          want.forEach((v, j) => expect(seen[j], `t ${t} env ${i} [${j}]`).to.be.closeTo(v, 1e-12));
          const stale = normalizeReference(raw, frozen);
          if (stale.some((v, j) => Math.abs(v - seen[j]!) > 1e-6)) moved++;
        }
      }
      expect(moved, 'rows whose normalization differs from the frozen statistics').to.be.greaterThan(N_STEPS * NUM_ENVS / 2);

      // The trainer's copy, replaying the rollout's updates, normalizes exactly as the workers did at the end.
      const trainer = new Normalization(obsDim, {
        normalizeObservations: true, normalizeReward: false, clipObs: CLIP, clipReward: 10, gamma: 0.99, numEnvs: NUM_ENVS,
        obsStatsUpdate: 'step',
      });
      trainer.restore({ obs_rms: initialStats(obsDim).toFloat64Array() });
      trainer.updateObs(batch);
      expect(trainer.obs!.toJSON()).to.deep.equal(stats.toJSON());
      const last = trainer.normalizeObs(batch.lastObservations, new Float64Array(NUM_ENVS * obsDim));
      expect(Array.from(batch.lastNormalizedObservations)).to.deep.equal(Array.from(last));
    } finally {
      await vec.close();
    }
  });

  it('gives bit-identical batches with 0, 1 and 2 workers, over consecutive collects', async () => {
    const results = [];
    for (const numWorkers of [0, 1, 2]) {
      const { vec, run } = await collectPerStep(numWorkers);
      try {
        results.push([copy(await run()), copy(await run())]);
      } finally {
        await vec.close();
      }
    }
    expect(results[1]).to.deep.equal(results[0]);
    expect(results[2]).to.deep.equal(results[0]);
  });

  it('a worker that fails during a per-step collect rejects it; the other worker does not hang at the barrier', async () => {
    const { vec, run } = await collectPerStep(2, { failAfterSteps: 5 });
    try {
      await expectRejection(run(), /injected failure at step 6/);
    } finally {
      await vec.close();
    }
  });

  it('rejects obsNormCount without obsNorm, naming the field', async () => {
    const vec = await makeVecEnv(ENV, { numEnvs: 1, numWorkers: 0, seed: 1 });
    try {
      const info = await vec.configurePolicy({ hiddenSizes: [4] });
      const parameters = new Float64Array(info.numParameters);
      await expectRejection(vec.collect({ parameters, nSteps: 2, obsNormCount: 10 }), /obsNormCount.*needs obsNorm/);
    } finally {
      await vec.close();
    }
  });
});

describe("TRPO with obsStatsUpdate: 'step'", function () {
  this.timeout(120_000);
  // 1 and 2 workers: with 0 the update has no second thread for its Fisher-vector products, which sums in
  // another order (a difference of the update, not of the rollouts: those agree for 0 workers too, above).
  it('trains to the same bits with 1 and 2 workers', async () => {
    const states = [];
    for (const numWorkers of [1, 2]) {
      const agent = new TRPO({ env: 'Pendulum-v1', seed: 2, numEnvs: 2, numWorkers, nSteps: 64, obsStatsUpdate: 'step' });
      try {
        await agent.learn({ totalTimesteps: 3 * 128 });
        const s = await agent.setup();
        states.push({ theta: Array.from(s.policy.getParameters()), stats: s.normalization.obs!.toJSON() });
      } finally {
        await agent.close();
      }
    }
    expect(states[1]).to.deep.equal(states[0]);
    expect(states[0]!.stats.count).to.be.closeTo(3 * 128, 1e-3);
  });
});

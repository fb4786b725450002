// The trainer's normalization (sdk/normalization/normalization.ts): when observation statistics move, the reward
// scaler against a reference written out here, and checkpoints.
import { expect } from 'chai';
import { Normalization, type NormalizationOptions } from '../sdk/normalization/normalization.js';
import { RunningMeanStd } from '../sdk/normalization/running-mean-std.js';
import { Rng } from '../sdk/rng.js';

const OBS_DIM = 3;
const NUM_ENVS = 2;
const N_STEPS = 9;

function options(over: Partial<NormalizationOptions> = {}): NormalizationOptions {
  return {
    normalizeObservations: true, normalizeReward: true, clipObs: 10, clipReward: 10, gamma: 0.9, numEnvs: NUM_ENVS,
    obsStatsUpdate: 'iteration', ...over,
  };
}

function fakeBatch(seed: number) {
  const rng = new Rng(seed);
  const rows = N_STEPS * NUM_ENVS;
  const terminated = new Uint8Array(rows);
  const truncated = new Uint8Array(rows);
  terminated[5] = 1;
  truncated[12] = 1;
  return {
    nSteps: N_STEPS, numEnvs: NUM_ENVS, terminated, truncated,
    observations: Float64Array.from({ length: rows * OBS_DIM }, (_, i) => 5 * rng.normal() + (i % OBS_DIM)),
    rewards: Float64Array.from({ length: rows }, () => 30 * rng.normal() + 4),
  };
}

/** SB3's VecNormalize reward scaling written out: per step, returns → variance → scale and clip → reset on done. */
function referenceScaledRewards(batches: ReturnType<typeof fakeBatch>[], gamma: number, clip: number): number[][] {
  const returns = new Array<number>(NUM_ENVS).fill(0);
  const seen: number[] = [];
  const out: number[][] = [];
  for (const b of batches) {
    const scaled: number[] = [];
    for (let t = 0; t < b.nSteps; t++) {
      for (let e = 0; e < NUM_ENVS; e++) returns[e] = returns[e]! * gamma + b.rewards[t * NUM_ENVS + e]!;
      seen.push(...returns);
      // Variance of everything seen with the 1e-4-weight prior (mean 0, variance 1), as RunningMeanStd keeps it.
      const c0 = 1e-4;
      const n = seen.length + c0;
      const mean = seen.reduce((a, v) => a + v, 0) / n;
      const second = (seen.reduce((a, v) => a + v * v, 0) + c0 * 1) / n;
      const variance = second - mean * mean;
      for (let e = 0; e < NUM_ENVS; e++) {
        const r = b.rewards[t * NUM_ENVS + e]! / Math.sqrt(variance + 1e-8);
        scaled.push(Math.min(clip, Math.max(-clip, r)));
        if (b.terminated[t * NUM_ENVS + e] || b.truncated[t * NUM_ENVS + e]) returns[e] = 0;
      }
    }
    out.push(scaled);
  }
  return out;
}

describe('Normalization', () => {
  it("'iteration' folds a rollout in as one batch; 'step' as one update per step's row, in time order", () => {
    const batch = fakeBatch(1);
    const perIteration = new Normalization(OBS_DIM, options({ obsStatsUpdate: 'iteration' }));
    const perStep = new Normalization(OBS_DIM, options({ obsStatsUpdate: 'step' }));
    perIteration.updateObs(batch);
    perStep.updateObs(batch);

    const once = new RunningMeanStd(OBS_DIM);
    once.update(batch.observations);
    const rowByRow = new RunningMeanStd(OBS_DIM);
    for (let t = 0; t < N_STEPS; t++) rowByRow.update(batch.observations.subarray(t * NUM_ENVS * OBS_DIM, (t + 1) * NUM_ENVS * OBS_DIM));
    expect(perIteration.obs!.toJSON()).to.deep.equal(once.toJSON());
    expect(perStep.obs!.toJSON()).to.deep.equal(rowByRow.toJSON());
    // Same statistics up to rounding, but not the same numbers: the two modes are really different paths.
    expect(perStep.obs!.mean[0]).to.be.closeTo(once.mean[0]!, 1e-9);
    expect(perStep.obs!.toJSON()).to.not.deep.equal(once.toJSON());
  });

  it('hands rollouts the statistics, and their count only when they are updated per step', () => {
    const perIteration = new Normalization(OBS_DIM, options());
    const perStep = new Normalization(OBS_DIM, options({ obsStatsUpdate: 'step' }));
    perStep.updateObs(fakeBatch(2));
    expect(perIteration.rolloutObsNorm().obsNormCount).to.equal(undefined);
    expect(perStep.rolloutObsNorm().obsNormCount).to.be.closeTo(N_STEPS * NUM_ENVS, 1e-3);
    expect(perStep.rolloutObsNorm().obsNorm!.mean).to.deep.equal(perStep.obs!.mean);
    const off = new Normalization(OBS_DIM, options({ normalizeObservations: false, obsStatsUpdate: 'step' }));
    expect(off.rolloutObsNorm()).to.deep.equal({ obsNorm: undefined, obsNormCount: undefined });
  });

  it('normalizes like the frozen statistics it hands out, and copies when observations are not normalized', () => {
    const n = new Normalization(OBS_DIM, options({ clipObs: 0.5 }));
    n.updateObs(fakeBatch(3));
    const raw = Float64Array.of(0.1, 7, -3, 1, 1, 1);
    const stats = n.obsStats()!;
    const expected = Array.from(raw, (x, i) => {
      const j = i % OBS_DIM;
      return Math.min(0.5, Math.max(-0.5, (x - stats.mean[j]!) / Math.sqrt(stats.var[j]! + stats.epsilon)));
    });
    expect(Array.from(n.normalizeObs(raw, new Float64Array(raw.length)))).to.deep.equal(expected);
    const off = new Normalization(OBS_DIM, options({ normalizeObservations: false }));
    expect(Array.from(off.normalizeObs(raw, new Float64Array(raw.length)))).to.deep.equal(Array.from(raw));
    expect(off.obsStats()).to.equal(undefined);
  });

  it('scales rewards as SB3 does, across rollouts, and reports the current factor', () => {
    const batches = [fakeBatch(4), fakeBatch(5)];
    const n = new Normalization(OBS_DIM, options({ clipReward: 1.5 }));
    const want = referenceScaledRewards(batches, 0.9, 1.5);
    batches.forEach((b, k) => {
      const rewards = b.rewards.slice();
      n.scaleRewards(b, rewards);
      rewards.forEach((r, i) => expect(r, `rollout ${k} row ${i}`).to.be.closeTo(want[k]![i]!, 1e-9));
    });
    expect(want.flat().some((r) => Math.abs(r) === 1.5), 'some rewards are clipped').to.equal(true);
    expect(n.rewardFactor()).to.equal(1 / Math.sqrt(n.reward!.returnStats.var[0]! + 1e-8));
    const off = new Normalization(OBS_DIM, options({ normalizeReward: false }));
    const rewards = batches[0]!.rewards.slice();
    off.scaleRewards(batches[0]!, rewards);
    expect(rewards).to.deep.equal(batches[0]!.rewards);
    expect(off.rewardFactor()).to.equal(1);
  });

  it('restores from its checkpoint arrays exactly, and names a missing array', () => {
    const a = new Normalization(OBS_DIM, options());
    a.updateObs(fakeBatch(6));
    a.scaleRewards(fakeBatch(6), fakeBatch(6).rewards.slice());
    const arrays = a.serialize();
    expect(Object.keys(arrays)).to.deep.equal(['obs_rms', 'return_rms', 'discounted_returns']);
    const b = new Normalization(OBS_DIM, options());
    b.restore(arrays);
    expect(b.serialize()).to.deep.equal(arrays);
    const { obs_rms: _dropped, ...missing } = arrays;
    expect(() => new Normalization(OBS_DIM, options()).restore(missing)).to.throw(/missing the array "obs_rms"/);
  });
});

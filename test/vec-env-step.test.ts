import { expect } from 'chai';
import { makeEnv } from '../envs/registry.js';
import type { Space } from '../envs/types.js';
import { makeVecEnv, type VecEnv } from '../sdk/vec-env/index.js';
import { expectRejection } from './vec-env-helpers.js';

/** A fixed, env- and time-dependent action sequence (no RNG: the same for the vector and the single envs). */
function actionFor(space: Space, t: number, i: number): number[] {
  if (space.type === 'discrete') return [Math.floor(t / 4 + i) % space.n];
  return Array.from({ length: space.shape[0] }, (_, k) => space.high[k] * Math.sin(1.3 * t + 2.1 * i + k));
}

interface StepRecord {
  obs: number[];
  reward: number;
  terminated: boolean;
  truncated: boolean;
  terms: Record<string, number>;
  finalObs?: number[];
  episode?: { return: number; length: number };
}

/** Env i on its own, reset with (seed, stream i), auto-reset by the SB3 rule by hand. */
async function singleEnvRecords(id: string, envOptions: Record<string, unknown>, seed: number, i: number, steps: number) {
  const env = await makeEnv(id, envOptions);
  const first = env.reset({ seed, stream: i });
  const records: StepRecord[] = [];
  let episodeReturn = 0;
  let episodeLength = 0;
  for (let t = 0; t < steps; t++) {
    const r = env.step(actionFor(env.actionSpace, t, i));
    episodeReturn += r.reward;
    episodeLength++;
    const record: StepRecord = { obs: Array.from(r.obs), reward: r.reward, terminated: r.terminated, truncated: r.truncated, terms: r.info };
    if (r.terminated || r.truncated) {
      record.finalObs = Array.from(r.obs);
      record.episode = { return: episodeReturn, length: episodeLength };
      record.obs = Array.from(env.reset().obs);
      episodeReturn = 0;
      episodeLength = 0;
    }
    records.push(record);
  }
  env.close();
  return { firstObs: Array.from(first.obs), records };
}

async function vecEnvRecords(vec: VecEnv, steps: number) {
  const { obsDim, actDim, numEnvs } = vec;
  const reset = await vec.reset();
  const firstObs = Array.from({ length: numEnvs }, (_, i) => Array.from(reset.obs.subarray(i * obsDim, (i + 1) * obsDim)));
  const records: StepRecord[][] = Array.from({ length: numEnvs }, () => []);
  const actions = new Float64Array(numEnvs * actDim);
  for (let t = 0; t < steps; t++) {
    for (let i = 0; i < numEnvs; i++) actions.set(actionFor(vec.actionSpace, t, i), i * actDim);
    const r = await vec.step(actions);
    for (let i = 0; i < numEnvs; i++) {
      const info = r.infos[i];
      const record: StepRecord = {
        obs: Array.from(r.obs.subarray(i * obsDim, (i + 1) * obsDim)),
        reward: r.rewards[i],
        terminated: r.terminated[i] === 1,
        truncated: r.truncated[i] === 1,
        terms: info.terms,
      };
      if (info.final_observation) record.finalObs = Array.from(info.final_observation);
      if (info.episode) record.episode = info.episode;
      records[i].push(record);
    }
  }
  return { firstObs, records };
}

const cases = [
  { id: 'CartPole-v1', envOptions: { maxEpisodeSteps: 30 } },
  { id: 'Pendulum-v1', envOptions: { maxEpisodeSteps: 15 } },
  { id: 'Hopper-v5', envOptions: { maxEpisodeSteps: 25 } },
];

describe('VecEnv reset/step', () => {
  for (const { id, envOptions } of cases) {
    it(`${id}: env i replays exactly like a single env reset with (seed, stream i), SB3 auto-reset rule`, async () => {
      const seed = 11;
      const steps = 60;
      const vec = await makeVecEnv(id, { numEnvs: 3, numWorkers: 2, seed, envOptions });
      try {
        const got = await vecEnvRecords(vec, steps);
        let ends = 0;
        for (let i = 0; i < 3; i++) {
          const expected = await singleEnvRecords(id, envOptions, seed, i, steps);
          expect(got.firstObs[i], `env ${i} first obs`).to.deep.equal(expected.firstObs);
          expect(got.records[i], `env ${i}`).to.deep.equal(expected.records);
          ends += expected.records.filter((r) => r.episode).length;
        }
        expect(ends, 'the run must cross episode ends').to.be.greaterThan(2);
        expect(got.firstObs[0], 'envs get different streams').to.not.deep.equal(got.firstObs[1]);
      } finally {
        await vec.close();
      }
    });
  }

  it('reports the episode return and length at the end and keeps the final observation', async () => {
    const vec = await makeVecEnv('CartPole-v1', { numEnvs: 2, numWorkers: 1, seed: 5 });
    try {
      const { records } = await vecEnvRecords(vec, 80);
      for (const envRecords of records) {
        let sum = 0;
        let length = 0;
        let ended = 0;
        for (const r of envRecords) {
          sum += r.reward;
          length++;
          expect(r.episode !== undefined, 'episode info exactly at episode ends').to.equal(r.terminated || r.truncated);
          if (r.episode) {
            expect(r.episode).to.deep.equal({ return: sum, length });
            expect(r.finalObs).to.have.length(4);
            expect(r.finalObs, 'the returned obs already starts the next episode').to.not.deep.equal(r.obs);
            sum = 0;
            length = 0;
            ended++;
          } else {
            expect(r.finalObs).to.equal(undefined);
          }
        }
        expect(ended).to.be.greaterThan(1);
      }
    } finally {
      await vec.close();
    }
  });

  it('gives identical results with 0, 1 and 2 workers', async () => {
    const runs = [];
    for (const numWorkers of [0, 1, 2]) {
      const vec = await makeVecEnv('Hopper-v5', { numEnvs: 3, numWorkers, seed: 2, envOptions: { maxEpisodeSteps: 20 } });
      runs.push(await vecEnvRecords(vec, 30));
      await vec.close();
    }
    expect(runs[1]).to.deep.equal(runs[0]);
    expect(runs[2]).to.deep.equal(runs[0]);
  });

  it('a second reset() continues each env stream instead of reseeding', async () => {
    const vec = await makeVecEnv('Pendulum-v1', { numEnvs: 2, numWorkers: 2, seed: 4 });
    const single = await makeEnv('Pendulum-v1');
    try {
      const first = (await vec.reset()).obs.slice();
      const second = (await vec.reset()).obs.slice();
      expect(second).to.not.deep.equal(first);
      single.reset({ seed: 4, stream: 1 });
      expect(Array.from(second.subarray(3, 6))).to.deep.equal(Array.from(single.reset().obs));
    } finally {
      single.close();
      await vec.close();
    }
  });

  it('rejects bad options, naming the field, the value and what is allowed', async () => {
    const bad: Array<[Record<string, unknown>, RegExp]> = [
      [{ numEnvs: 2, numWorkers: 3 }, /numWorkers: got 3; must be at most numEnvs/],
      [{ numEnvs: 0 }, /numEnvs: got 0/],
      [{ numEnvs: 2, workers: 1 }, /workers: unknown option \(allowed: numEnvs, numWorkers, seed, envOptions, envModule\)/],
      [{ numEnvs: 1.5 }, /numEnvs: got 1.5/],
      [{ numEnvs: 1, envModule: 'relative/path.js' }, /envModule: got "relative\/path.js"; must be an absolute path or a URL/],
    ];
    for (const [options, message] of bad) {
      let error: unknown;
      await makeVecEnv('CartPole-v1', options as never).catch((e: unknown) => (error = e));
      expect(error, JSON.stringify(options)).to.be.instanceOf(Error);
      expect((error as Error).message).to.match(message);
    }
  });

  it('rejects an unknown id before starting workers, and surfaces env errors from the workers', async () => {
    const unknown = await makeVecEnv('Hoper-v5', { numEnvs: 2, numWorkers: 2 }).catch((e: Error) => e);
    expect(unknown).to.be.instanceOf(Error);
    expect((unknown as Error).message).to.match(/^unknown env "Hoper-v5"; built-in ids: .*Hopper-v5/);
    const badOption = await makeVecEnv('Hopper-v5', { numEnvs: 1, numWorkers: 0, envOptions: { frameSkip: -1 } }).catch((e: Error) => e);
    expect((badOption as Error).message).to.match(/frameSkip/);
  });

  it('checks actions and call order before anything reaches a worker', async () => {
    const vec = await makeVecEnv('CartPole-v1', { numEnvs: 2, numWorkers: 1 });
    try {
      await expectRejection(vec.step([0, 1]), /step\(\) before reset\(\)/);
      await vec.reset();
      await expectRejection(vec.step([0]), /expected 2 numbers \(numEnvs 2 × 1\), got length 1/);
      await expectRejection(vec.step([0, 2]), /actions\[1\] \(env 1\) is 2; must be an integer in \[0, 1\]/);
      await expectRejection(vec.step([NaN, 0]), /actions\[0\] \(env 0\) is NaN/);
      const pending = vec.step([0, 1]);
      await expectRejection(vec.step([0, 1]), /while step\(\) is still running/);
      await pending;
      expect((await vec.step([1, 1])).rewards).to.have.length(2); // still usable after rejected calls
    } finally {
      await vec.close();
    }
  });
});

// Custom envs named by a module: TRPO, makeEnv/makeVecEnv and registerEnv with 0, 1 and 2 worker threads,
// relative and absolute paths, and the errors for a missing module or export.
import { expect } from 'chai';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeEnv } from '../envs/registry.js';
import { registerEnv } from '../sdk/envs/source.js';
import { TRPO } from '../sdk/trpo/trpo.js';
import { makeVecEnv } from '../sdk/vec-env/index.js';
import { FIXTURE_URL } from './custom-env-fixtures.js';

const FIXTURE_PATH = fileURLToPath(FIXTURE_URL);
const tiny = { seed: 5, numEnvs: 2, nSteps: 64, policyHiddenSizes: [8], valueHiddenSizes: [8], nCriticUpdates: 2, checkpointEvery: 0 };

async function trainedParameters(options: Record<string, unknown>): Promise<Float64Array> {
  const agent = new TRPO({ ...tiny, ...options });
  try {
    await agent.learn({ totalTimesteps: 3 * 128 });
    return (await agent.setup()).policy.getParameters().slice();
  } finally {
    await agent.close();
  }
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('custom envs from a module', function () {
  this.timeout(120_000);

  // With worker threads the trainer also splits Fisher-vector products over a helper thread (another summation
  // order), so 0 workers agrees with 1 and 2 to rounding, and 1 and 2 workers agree bit for bit.
  it('trains to the same numbers with 0, 1 and 2 workers', async () => {
    const env = { module: FIXTURE_PATH, export: 'createPointEnv', options: { horizon: 40 } };
    const [p0, p1, p2] = [
      await trainedParameters({ env, numWorkers: 0 }),
      await trainedParameters({ env, numWorkers: 1 }),
      await trainedParameters({ env, numWorkers: 2 }),
    ];
    const initial = (await new TRPO({ ...tiny, env, numWorkers: 0 }).setup()).policy.getParameters();
    expect(p0.some((x, i) => x !== initial[i]), 'training moved θ').to.equal(true);
    expect(Array.from(p2)).to.deep.equal(Array.from(p1));
    p0.forEach((x, i) => expect(x).to.be.closeTo(p1[i], 1e-5));
  });

  it('collects the same rollouts with 0, 1 and 2 workers', async () => {
    const batches: number[][] = [];
    for (const numWorkers of [0, 1, 2]) {
      const vec = await makeVecEnv({ module: FIXTURE_PATH, export: 'createPointEnv', options: { horizon: 30 } }, { numEnvs: 2, numWorkers, seed: 4 });
      try {
        const { numParameters } = await vec.configurePolicy({ hiddenSizes: [4] });
        await vec.reset();
        const parameters = Float64Array.from({ length: numParameters }, (_, i) => Math.sin(i) * 0.3);
        const b = await vec.collect({ parameters, nSteps: 50 });
        batches.push([...b.observations, ...b.actions, ...b.rewards, ...b.truncated, ...b.episodes.returns]);
      } finally {
        await vec.close();
      }
    }
    expect(batches[0].every(Number.isFinite)).to.equal(true);
    expect(batches[1]).to.deep.equal(batches[0]);
    expect(batches[2]).to.deep.equal(batches[0]);
  });

  it('takes a relative path with #export, a class default export and an async factory alike', async () => {
    const relative = path.relative(process.cwd(), FIXTURE_PATH);
    const byString = new TRPO({ ...tiny, env: `./${relative}#createPointEnv`, numWorkers: 0 });
    expect(byString.options.env).to.equal('custom-env-fixtures#createPointEnv');
    expect(byString.options.envSource?.module).to.equal(FIXTURE_URL);
    for (const exported of ['default', 'createPointEnvAsync']) {
      const agent = new TRPO({ ...tiny, env: { module: relative, export: exported }, numWorkers: 1 });
      const result = await agent.learn({ totalTimesteps: 128 });
      await agent.close();
      expect(result.timesteps).to.equal(128);
    }
  });

  it('registerEnv makes an id usable by makeEnv, makeVecEnv workers and TRPO', async () => {
    registerEnv('PointMass-v0', { module: FIXTURE_PATH, export: 'createPointEnv', maxEpisodeSteps: 7 });
    const env = await makeEnv('PointMass-v0');
    env.reset({ seed: 1 });
    let steps = 1;
    while (!env.step([0.1]).truncated) steps++;
    expect(steps).to.equal(7);
    expect(env.observationLabels).to.deep.equal(['x', 'v', 'target', 'error']);

    const vec = await makeVecEnv('PointMass-v0', { numEnvs: 2, numWorkers: 2, seed: 0 });
    try {
      expect(vec.obsDim).to.equal(4);
      await vec.reset();
      const r = await vec.step([0.5, 0.5]);
      expect(r.infos[0].terms.distance).to.be.a('number');
      expect(r.infos[0].terms.near).to.be.oneOf([0, 1]);
    } finally {
      await vec.close();
    }
    const agent = new TRPO({ ...tiny, env: 'PointMass-v0', numWorkers: 2 });
    expect(agent.options.envSource?.maxEpisodeSteps).to.equal(7);
    await agent.learn({ totalTimesteps: 128 });
    await agent.close();
  });

  const missing: Array<[string, { module: string; export?: string }, RegExp]> = [
    ['a missing module', { module: './no/such-env.js' }, /module not found: .*no\/such-env\.js/],
    ['a missing export', { module: FIXTURE_PATH, export: 'createRobot' }, /has no export "createRobot"; it exports .*createPointEnv/],
    ['an export that is no factory', { module: FIXTURE_PATH, export: 'notAFactory' }, /export "notAFactory" .* expected a factory/],
  ];
  for (const [what, env, message] of missing) {
    it(`names ${what}`, async () => {
      const error = await rejection(new TRPO({ ...tiny, env, numWorkers: 0 }).setup());
      expect(error.message).to.match(message);
    });
  }

  it('rejects an unknown id, naming the built-in and registered ones', () => {
    expect(() => new TRPO({ env: 'MyRobot-v9' })).to.throw(/unknown env "MyRobot-v9"; built-in ids: .*Hopper-v5.*registered: PointMass-v0/);
  });
});

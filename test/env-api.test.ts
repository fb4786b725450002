// makeEnv/listEnvs, option validation, input checks and the allocation-free API's contract.
import { expect } from 'chai';
import { createStepOutput, listEnvs, makeEnv } from '../sdk/index.js';
import type { Env } from '../envs/types.js';

const ALL_IDS = [
  'Swimmer-v5', 'Hopper-v5', 'Walker2d-v5', 'HalfCheetah-v5', 'Ant-v5', 'Humanoid-v5', 'InvertedPendulum-v5',
  'InvertedDoublePendulum-v5', 'Reacher-v5', 'Pendulum-v1', 'CartPole-v1',
  'MinAtar/Breakout-v1', 'MinAtar/SpaceInvaders-v1', 'MinAtar/Freeway-v1', 'MinAtar/Asterix-v1',
];

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('env registry', () => {
  it('lists every env id', () => {
    expect(listEnvs().sort()).to.deep.equal([...ALL_IDS].sort());
  });

  it('rejects an unknown id, listing the known ones', async () => {
    const error = await rejection(makeEnv('Hopper-v4'));
    expect(error.message).to.include('"Hopper-v4"');
    for (const id of ALL_IDS) expect(error.message).to.include(id);
  });

  const OPTION_ERRORS: [string, Record<string, unknown>, string[]][] = [
    // id, options, fragments the message must contain (field, value, what is allowed)
    ['Hopper-v5', { healthyZrange: [0.5, 2] }, ['healthyZrange', 'unknown option', 'healthyZRange']],
    ['Hopper-v5', { ctrlCostWeight: 'small' }, ['ctrlCostWeight', '"small"', 'expected number']],
    ['Hopper-v5', { healthyAngleRange: [0.2, -0.2] }, ['healthyAngleRange', '[0.2,-0.2]', 'low < high']],
    ['Hopper-v5', { healthyStateRange: [-100] }, ['healthyStateRange', '[-100]']],
    ['Walker2d-v5', { resetNoiseScale: -0.1 }, ['resetNoiseScale', '-0.1', '>=0']],
    ['HalfCheetah-v5', { frameSkip: 2.5 }, ['frameSkip', '2.5', 'int']],
    ['Ant-v5', { maxEpisodeSteps: 0 }, ['maxEpisodeSteps', '0', '>0']],
    ['Ant-v5', { contactForceRange: [-1, NaN] }, ['contactForceRange', 'number']],
    ['Humanoid-v5', { includeCvelInObservation: 'yes' }, ['includeCvelInObservation', '"yes"', 'boolean']],
    ['Reacher-v5', { resetNoiseScale: 0.1 }, ['resetNoiseScale', 'unknown option', 'rewardDistWeight']],
    ['Swimmer-v5', { forwardRewardWeight: Infinity }, ['forwardRewardWeight', 'Infinity']],
    ['InvertedPendulum-v5', { resetNoiseScale: null }, ['resetNoiseScale', 'null']],
    ['Pendulum-v1', { g: '10' }, ['g', '"10"']],
    ['CartPole-v1', { suttonBartoReward: 1 }, ['suttonBartoReward', 'boolean']],
  ];
  for (const [id, options, fragments] of OPTION_ERRORS) {
    it(`${id}: invalid option ${JSON.stringify(options)} → error naming it`, async () => {
      const error = await rejection(makeEnv(id, options));
      expect(error.message).to.include(`${id} options`);
      for (const fragment of fragments) expect(error.message).to.include(fragment);
    });
  }

  it('accepts ±Infinity as a range bound and an Ant main body given by name', async () => {
    const hopper = await makeEnv('Hopper-v5', { healthyZRange: [-Infinity, Infinity] });
    hopper.close();
    const ant = await makeEnv('Ant-v5', { mainBody: 'torso' });
    ant.close();
    const error = await rejection(makeEnv('Ant-v5', { mainBody: 'tail' }));
    expect(error.message).to.include('tail');
    expect((await rejection(makeEnv('Ant-v5', { mainBody: 99 }))).message).to.include('mainBody 99');
  });
});

describe('env input checks', () => {
  let hopper: Env;
  let cartPole: Env;
  before(async () => {
    hopper = await makeEnv('Hopper-v5');
    cartPole = await makeEnv('CartPole-v1');
  });
  after(() => {
    hopper.close();
    cartPole.close();
  });

  it('requires reset() before step() and getState()', async () => {
    const env = await makeEnv('Swimmer-v5');
    expect(thrown(() => env.step([0, 0])).message).to.include('reset() before step()');
    expect(thrown(() => env.getState()).message).to.include('reset() before getState()');
    env.close();
  });

  const BAD_BOX_ACTIONS: [string, unknown, string[]][] = [
    ['too short', [0.1, 0.2], ['Hopper-v5 action', 'Array of length 2', 'array of 3 numbers']],
    ['too long', new Float32Array(4), ['Float32Array of length 4', 'array of 3 numbers']],
    ['a number for a 3-d action', 0.5, ['number 0.5', 'array of 3 numbers']],
    ['a string', 'abc', ['"abc"', 'array of 3 numbers']],
    ['undefined', undefined, ['undefined']],
    ['NaN entry', [0, NaN, 0], ['action[1]', 'NaN', 'finite']],
    ['Infinity entry', [0, 0, -Infinity], ['action[2]', '-Infinity', 'finite']],
    ['string entry', [0, '1', 0], ['action[1]', '"1"', 'string']],
  ];
  for (const [name, action, fragments] of BAD_BOX_ACTIONS) {
    it(`rejects a box action: ${name}`, () => {
      hopper.reset({ seed: 0 });
      const error = thrown(() => hopper.step(action as number[]));
      for (const fragment of fragments) expect(error.message).to.include(fragment);
    });
  }

  const BAD_DISCRETE_ACTIONS: [unknown, string][] = [
    [2, 'integer in 0..1'], [-1, 'integer in 0..1'], [0.5, 'integer in 0..1'], [[0, 1], 'length 2'], [NaN, 'finite'],
  ];
  for (const [action, fragment] of BAD_DISCRETE_ACTIONS) {
    it(`rejects the discrete action ${JSON.stringify(action)}`, () => {
      cartPole.reset({ seed: 0 });
      expect(thrown(() => cartPole.step(action as number)).message).to.include(fragment);
    });
  }

  it('rejects unknown reset options and a stream without a seed', () => {
    expect(thrown(() => hopper.reset({ options: { noise: 1 } })).message).to.include('Hopper-v5 reset options');
    expect(thrown(() => cartPole.reset({ options: { low: 1, high: 0 } })).message).to.include('low < high');
    expect(thrown(() => hopper.reset({ stream: 2 })).message).to.include('without a seed');
    expect(thrown(() => hopper.reset({ seed: 1.5 })).message).to.include('safe integer');
  });

  it('rejects snapshots of another env or of the wrong shape, naming the field', async () => {
    hopper.reset({ seed: 0 });
    const snapshot = hopper.getState();
    const walker = await makeEnv('Walker2d-v5');
    walker.reset({ seed: 0 });
    expect(thrown(() => walker.setState(snapshot)).message).to.include('snapshot.envId');
    walker.close();
    const CASES: [object, string][] = [
      [{ physics: snapshot.physics.slice(1) }, 'snapshot.physics'],
      [{ elapsedSteps: -1 }, 'snapshot.elapsedSteps'],
      [{ rng: [1, 2, 3] }, 'snapshot.rng'],
      [{ extra: [1] }, 'snapshot.extra'],
    ];
    for (const [change, fragment] of CASES) {
      expect(thrown(() => hopper.setState({ ...snapshot, ...change })).message).to.include(fragment);
    }
  });

  it('refuses every call after close()', async () => {
    for (const id of ['Hopper-v5', 'Pendulum-v1'] as const) {
      const env = await makeEnv(id);
      env.reset({ seed: 0 });
      const snapshot = env.getState();
      env.close();
      env.close(); // closing twice is harmless
      const zero = new Array(env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : 1).fill(0);
      expect(thrown(() => env.step(zero)).message).to.include('step() after close()');
      expect(thrown(() => env.reset()).message).to.include('reset() after close()');
      expect(thrown(() => env.getState()).message).to.include('after close()');
      expect(thrown(() => env.setState(snapshot)).message).to.include('after close()');
    }
  });
});

describe('allocation-free API', () => {
  for (const id of ['Ant-v5', 'Reacher-v5', 'CartPole-v1'] as const) {
    it(`${id}: stepInto/resetInto give what step/reset give, into the same objects`, async () => {
      const [a, b] = [await makeEnv(id), await makeEnv(id)];
      const out = createStepOutput(a);
      const { obs, info } = out;
      const keys = Object.keys(info);
      const reset = b.reset({ seed: 5 });
      a.resetInto({ seed: 5 }, out);
      expect(Array.from(out.obs)).to.deep.equal(Array.from(reset.obs));
      for (const [key, value] of Object.entries(reset.info)) expect(out.info[key]).to.equal(value);
      const action = a.actionSpace.type === 'box' ? Array.from(a.actionSpace.high, (h) => 0.3 * h) : [1];
      for (let t = 0; t < 5; t++) {
        const r = b.step(action);
        a.stepInto(action, out);
        expect(Array.from(out.obs)).to.deep.equal(Array.from(r.obs));
        expect([out.reward, out.terminated, out.truncated]).to.deep.equal([r.reward, r.terminated, r.truncated]);
        expect(out.info).to.deep.equal(r.info);
      }
      expect(out.obs).to.equal(obs);
      expect(out.info).to.equal(info);
      expect(Object.keys(out.info)).to.deep.equal(keys);
      a.close();
      b.close();
    });
  }

  it('step() and reset() return fresh arrays each call', async () => {
    const env = await makeEnv('Hopper-v5');
    const r0 = env.reset({ seed: 0 });
    const r1 = env.step([0, 0, 0]);
    const r2 = env.step([0, 0, 0]);
    expect(r1.obs).to.not.equal(r2.obs);
    expect(r1.info).to.not.equal(r2.info);
    const copy = Array.from(r1.obs);
    r2.obs.fill(7);
    expect(Array.from(r1.obs)).to.deep.equal(copy);
    expect(Object.keys(r0.info)).to.deep.equal(['x_position', 'z_distance_from_origin']);
    const tooShort = { ...createStepOutput(env), obs: new Float64Array(3) };
    expect(() => env.resetInto(undefined, tooShort)).to.throw('out.obs has length 3');
    env.close();
  });
});

// The MuJoCo envs' spaces, reset noise laws, termination boundaries, time limit, seeding and snapshots.
// (Observation contents and reward terms step by step: env-mujoco-reference.test.ts.)
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { makeEnv, type EnvId } from '../envs/registry.js';
import type { ModelName } from '../envs/models/index.js';
import type { Env, StepResult } from '../envs/types.js';
import { Rng } from '../sdk/rng.js';
import { ReferenceSim } from './env-reference.js';

const MODEL_OF: Record<string, ModelName> = {
  'Swimmer-v5': 'swimmer', 'Hopper-v5': 'hopper', 'Walker2d-v5': 'walker2d_v5', 'HalfCheetah-v5': 'half_cheetah',
  'Ant-v5': 'ant', 'Humanoid-v5': 'humanoid', 'InvertedPendulum-v5': 'inverted_pendulum',
  'InvertedDoublePendulum-v5': 'inverted_double_pendulum', 'Reacher-v5': 'reacher',
};
const MUJOCO_IDS = Object.keys(MODEL_OF) as EnvId[];

/** The bits of a list of numbers, so that comparisons tell −0 from 0 and NaN payloads apart. */
function bits(values: ArrayLike<number>): string[] {
  return Array.from(new BigUint64Array(Float64Array.from(values).buffer), (b) => b.toString(16));
}

function randomActions(env: Env, count: number, seed: number): number[][] {
  if (env.actionSpace.type !== 'box') throw new Error('box actions expected');
  const { low, high } = env.actionSpace;
  const rng = new Rng(seed);
  return Array.from({ length: count }, () => Array.from(low, (lo, i) => rng.uniformRange(lo, high[i])));
}

/** Step through `actions`, resetting (without a seed) whenever an episode ends; the results as bits. */
function rollout(env: Env, actions: number[][]): string[] {
  const out: string[] = [];
  for (const a of actions) {
    const r: StepResult = env.step(a);
    out.push(bits(r.obs).join(), bits([r.reward, ...Object.values(r.info)]).join(), `${r.terminated},${r.truncated}`);
    if (r.terminated || r.truncated) out.push(bits(env.reset().obs).join());
  }
  return out;
}

/** qpos and qvel of the env's current state, read through an independent simulation. */
function positionsOf(env: Env, ref: ReferenceSim): { qpos: number[]; qvel: number[] } {
  ref.load(env.getState().physics);
  const s = ref.read();
  return { qpos: s.qpos, qvel: s.qvel };
}

describe('MuJoCo env spaces', () => {
  const TABLE: [EnvId, Record<string, unknown>, number, number, number, number][] = [
    // id, options, obs dim, action dim, dt, max episode steps
    ['Swimmer-v5', {}, 8, 2, 0.04, 1000],
    ['Swimmer-v5', { excludeCurrentPositionsFromObservation: false }, 10, 2, 0.04, 1000],
    ['Hopper-v5', {}, 11, 3, 0.008, 1000],
    ['Hopper-v5', { excludeCurrentPositionsFromObservation: false, frameSkip: 2 }, 12, 3, 0.004, 1000],
    ['Walker2d-v5', {}, 17, 6, 0.008, 1000],
    ['Walker2d-v5', { excludeCurrentPositionsFromObservation: false }, 18, 6, 0.008, 1000],
    ['HalfCheetah-v5', {}, 17, 6, 0.05, 1000],
    ['HalfCheetah-v5', { excludeCurrentPositionsFromObservation: false }, 18, 6, 0.05, 1000],
    ['Ant-v5', {}, 105, 8, 0.05, 1000],
    ['Ant-v5', { excludeCurrentPositionsFromObservation: false }, 107, 8, 0.05, 1000],
    ['Ant-v5', { includeCfrcExtInObservation: false }, 27, 8, 0.05, 1000],
    ['Humanoid-v5', {}, 348, 17, 0.015, 1000],
    ['Humanoid-v5', { excludeCurrentPositionsFromObservation: false }, 350, 17, 0.015, 1000],
    ['Humanoid-v5', { includeCinertInObservation: false, includeCvelInObservation: false,
      includeQfrcActuatorInObservation: false, includeCfrcExtInObservation: false }, 45, 17, 0.015, 1000],
    ['InvertedPendulum-v5', {}, 4, 1, 0.04, 1000],
    ['InvertedDoublePendulum-v5', {}, 9, 1, 0.05, 1000],
    ['Reacher-v5', {}, 10, 2, 0.02, 50],
    ['Reacher-v5', { maxEpisodeSteps: 7 }, 10, 2, 0.02, 7],
  ];
  for (const [id, options, obsDim, actDim, dt, maxSteps] of TABLE) {
    it(`${id} ${JSON.stringify(options)}: obs ${obsDim}, action ${actDim}, dt ${dt}, ${maxSteps} steps`, async () => {
      const env = await makeEnv(id, options);
      try {
        expect(env.observationSpace.shape).to.deep.equal([obsDim]);
        expect(env.reset({ seed: 0 }).obs.length).to.equal(obsDim);
        expect(env.observationSpace.low.every((x) => x === -Infinity)).to.equal(true);
        expect(env.observationSpace.high.every((x) => x === Infinity)).to.equal(true);
        expect(env.dt).to.be.closeTo(dt, 1e-15);
        expect(env.maxEpisodeSteps).to.equal(maxSteps);
        // The action box is the actuators' ctrlrange of the reference figures.
        const fixtureUrl = new URL(`../../test/fixtures/gymnasium-v5/${MODEL_OF[id]}.json`, import.meta.url);
        const fixture = JSON.parse(readFileSync(fixtureUrl, 'utf8'));
        const ranges: [number, number][] = fixture.actuators.map((a: { ctrlrange: [number, number] }) => a.ctrlrange);
        expect(env.actionSpace.type).to.equal('box');
        if (env.actionSpace.type !== 'box') return;
        expect(env.actionSpace.shape).to.deep.equal([actDim]);
        expect(Array.from(env.actionSpace.low)).to.deep.equal(ranges.map((r) => r[0]));
        expect(Array.from(env.actionSpace.high)).to.deep.equal(ranges.map((r) => r[1]));
      } finally {
        env.close();
      }
    });
  }
});

describe('MuJoCo reset noise', () => {
  const RESETS = 120;
  // id, qpos law, qvel law, default scale
  const TABLE: [EnvId, 'uniform', 'uniform' | 'normal', number][] = [
    ['Swimmer-v5', 'uniform', 'uniform', 0.1],
    ['Hopper-v5', 'uniform', 'uniform', 5e-3],
    ['Walker2d-v5', 'uniform', 'uniform', 5e-3],
    ['HalfCheetah-v5', 'uniform', 'normal', 0.1],
    ['Ant-v5', 'uniform', 'normal', 0.1],
    ['Humanoid-v5', 'uniform', 'uniform', 1e-2],
    ['InvertedPendulum-v5', 'uniform', 'uniform', 0.01],
    ['InvertedDoublePendulum-v5', 'uniform', 'normal', 0.1],
  ];

  function checkLaw(law: 'uniform' | 'normal', samples: number[], scale: number, what: string): void {
    const n = samples.length;
    const rms = Math.sqrt(samples.reduce((a, x) => a + x * x, 0) / n);
    const maxAbs = Math.max(...samples.map(Math.abs));
    if (law === 'uniform') {
      expect(maxAbs, `${what}: |noise| ≤ scale`).to.be.at.most(scale);
      expect(maxAbs, `${what}: the noise fills its range`).to.be.above(0.9 * scale);
      expect(rms, `${what}: rms of U(±s) is s/√3`).to.be.closeTo(scale / Math.sqrt(3), 0.15 * scale);
    } else {
      expect(maxAbs, `${what}: a normal exceeds its scale now and then`).to.be.above(1.5 * scale);
      expect(rms, `${what}: rms of s·N(0,1) is s`).to.be.closeTo(scale, 0.15 * scale);
    }
  }

  for (const [id, qposLaw, qvelLaw, defaultScale] of TABLE) {
    it(`${id}: qpos0 + ${qposLaw}, qvel ${qvelLaw}, scale ${defaultScale} (and exactly qpos0 with scale 0)`, async () => {
      const ref = await ReferenceSim.create(MODEL_OF[id]);
      const qpos0 = ref.qpos0();
      for (const scale of [defaultScale, 3 * defaultScale]) {
        const env = await makeEnv(id, scale === defaultScale ? {} : { resetNoiseScale: scale });
        env.reset({ seed: 1 });
        const dq: number[] = [], dv: number[] = [];
        for (let k = 0; k < RESETS; k++) {
          env.reset();
          const { qpos, qvel } = positionsOf(env, ref);
          dq.push(...qpos.map((x, i) => x - qpos0[i]));
          dv.push(...qvel);
        }
        checkLaw(qposLaw, dq, scale, `${id} qpos (scale ${scale})`);
        checkLaw(qvelLaw, dv, scale, `${id} qvel (scale ${scale})`);
        env.close();
      }
      const still = await makeEnv(id, { resetNoiseScale: 0 });
      still.reset({ seed: 2 });
      const { qpos, qvel } = positionsOf(still, ref);
      expect(bits(qpos)).to.deep.equal(bits(qpos0));
      expect(qvel.every((v) => v === 0)).to.equal(true);
      still.close();
      ref.close();
    });
  }

  it('Reacher-v5: arm qpos0 ± 0.1, goal uniform in the disc of radius 0.2, arm qvel ± 0.005, target at rest', async () => {
    const ref = await ReferenceSim.create('reacher');
    const env = await makeEnv('Reacher-v5');
    env.reset({ seed: 3 });
    const arm: number[] = [], goals: number[][] = [], armVel: number[] = [];
    for (let k = 0; k < RESETS; k++) {
      env.reset();
      const { qpos, qvel } = positionsOf(env, ref);
      arm.push(qpos[0], qpos[1]);
      goals.push([qpos[2], qpos[3]]);
      armVel.push(qvel[0], qvel[1]);
      expect([qvel[2], qvel[3]]).to.deep.equal([0, 0]);
    }
    expect(Math.max(...arm.map(Math.abs))).to.be.within(0.09, 0.1);
    expect(Math.max(...armVel.map(Math.abs))).to.be.within(0.0045, 0.005);
    const norms = goals.map(([x, y]) => Math.hypot(x, y));
    expect(Math.max(...norms)).to.be.below(0.2);
    expect(Math.max(...norms), 'goals reach out to the rim').to.be.above(0.18);
    // Uniform in the disc: P(norm < 0.1) = 1/4.
    expect(norms.filter((r) => r < 0.1).length / RESETS).to.be.within(0.12, 0.38);
    env.close();
    ref.close();
  });
});

describe('MuJoCo termination boundaries', () => {
  const EPS = 1e-9;
  // id, options, [qpos index | 'v' + qvel index, value, healthy?][]
  const TABLE: [EnvId, Record<string, unknown>, [number | string, number, boolean][]][] = [
    ['Hopper-v5', {}, [
      [1, 0.7 + EPS, true], [1, 0.7, false], [1, 50, true],
      [2, 0.2 - EPS, true], [2, 0.2, false], [2, -0.2, false], [2, -0.2 + EPS, true],
      [3, 100 - EPS, true], [3, 100, false], ['v5', -100, false], ['v0', 150, false], [0, 1000, true],
    ]],
    ['Hopper-v5', { healthyZRange: [1, 1.3], healthyStateRange: [-2, 2] }, [
      [1, 1.3 - EPS, true], [1, 1.3, false], [1, 1 + EPS, true], [4, 2, false], [4, 1.9, true], ['v1', -2, false],
    ]],
    ['Walker2d-v5', {}, [
      [1, 0.8, false], [1, 0.8 + EPS, true], [1, 2, false], [1, 2 - EPS, true],
      [2, 1, false], [2, 1 - EPS, true], [2, -1, false], [2, -1 + EPS, true], ['v0', 1000, true],
    ]],
    ['Ant-v5', {}, [
      [2, 0.2, true], [2, 0.2 - EPS, false], [2, 1, true], [2, 1 + EPS, false], ['v3', Infinity, false],
    ]],
    ['Humanoid-v5', {}, [
      [2, 1, false], [2, 1 + EPS, true], [2, 2, false], [2, 2 - EPS, true],
    ]],
  ];
  for (const [id, options, cases] of TABLE) {
    it(`${id} ${JSON.stringify(options)}: healthy exactly inside the ranges`, async () => {
      const env = await makeEnv(id, options);
      const ref = await ReferenceSim.create(MODEL_OF[id]);
      env.reset({ seed: 0, options: {} });
      const snapshot = env.getState();
      const qpos0 = ref.qpos0();
      for (const [where, value, healthy] of cases) {
        const qpos = [...qpos0];
        const qvel = new Array<number>(ref.read().qvel.length).fill(0);
        if (typeof where === 'number') qpos[where] = value;
        else qvel[Number(where.slice(1))] = value;
        env.setState({ ...snapshot, physics: ref.stateWith(snapshot.physics, qpos, qvel) });
        const isHealthy = (env as unknown as { isHealthy(): boolean }).isHealthy();
        expect(isHealthy, `${where} = ${value}`).to.equal(healthy);
      }
      env.close();
      ref.close();
    });
  }

  async function stepFrom(id: EnvId, options: Record<string, unknown>, set: (qpos: number[]) => void): Promise<StepResult> {
    const env = await makeEnv(id, options);
    const ref = await ReferenceSim.create(MODEL_OF[id]);
    env.reset({ seed: 0 });
    const snapshot = env.getState();
    const qpos = ref.qpos0();
    set(qpos);
    env.setState({ ...snapshot, physics: ref.stateWith(snapshot.physics, qpos, new Array(ref.read().qvel.length).fill(0)) });
    const result = env.step(new Array(env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : 1).fill(0));
    env.close();
    ref.close();
    return result;
  }

  it('an unhealthy Hopper terminates and earns no survive reward; with terminateWhenUnhealthy: false it goes on', async () => {
    const fallen = await stepFrom('Hopper-v5', {}, (q) => { q[1] = 0.5; });
    expect([fallen.terminated, fallen.info.reward_survive]).to.deep.equal([true, 0]);
    const upright = await stepFrom('Hopper-v5', {}, () => {});
    expect([upright.terminated, upright.info.reward_survive]).to.deep.equal([false, 1]);
    const going = await stepFrom('Hopper-v5', { terminateWhenUnhealthy: false }, (q) => { q[1] = 0.5; });
    expect([going.terminated, going.info.reward_survive]).to.deep.equal([false, 0]);
  });

  it('InvertedPendulum ends when |pole angle| > 0.2 and InvertedDoublePendulum when the tip is at y ≤ 1', async () => {
    const tilted = await stepFrom('InvertedPendulum-v5', {}, (q) => { q[1] = 0.25; });
    expect([tilted.terminated, tilted.reward]).to.deep.equal([true, 0]);
    const upright = await stepFrom('InvertedPendulum-v5', {}, (q) => { q[1] = 0.1; });
    expect([upright.terminated, upright.reward]).to.deep.equal([false, 1]);
    const folded = await stepFrom('InvertedDoublePendulum-v5', {}, (q) => { q[1] = 1.5; });
    expect([folded.terminated, folded.info.reward_survive]).to.deep.equal([true, 0]);
    const balanced = await stepFrom('InvertedDoublePendulum-v5', {}, () => {});
    expect([balanced.terminated, balanced.info.reward_survive]).to.deep.equal([false, 10]);
  });
});

describe('MuJoCo time limit', () => {
  const TABLE: [EnvId, Record<string, unknown>, number][] = [
    ['Swimmer-v5', { maxEpisodeSteps: 3 }, 3],
    ['HalfCheetah-v5', { maxEpisodeSteps: 4 }, 4],
    ['Hopper-v5', { maxEpisodeSteps: 5, resetNoiseScale: 0 }, 5],
    ['Reacher-v5', {}, 50],
  ];
  for (const [id, options, limit] of TABLE) {
    it(`${id}: truncated exactly from step ${limit} on, never terminated`, async () => {
      const env = await makeEnv(id, options);
      const zero = new Array(env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : 1).fill(0);
      for (const seed of [0, 1]) {
        env.reset({ seed });
        for (let t = 1; t <= limit + 1; t++) {
          const r = env.step(zero);
          expect(r.terminated, `step ${t}`).to.equal(false);
          expect(r.truncated, `step ${t}`).to.equal(t >= limit);
        }
      }
      env.close();
    });
  }
});

describe('MuJoCo seeding', () => {
  for (const id of MUJOCO_IDS) {
    it(`${id}: same seed → same trajectory; other seeds/streams differ; reset without seed continues`, async () => {
      const [a, b] = [await makeEnv(id), await makeEnv(id)];
      const actions = randomActions(a, 25, 9);
      const run = (env: Env, seed?: number, stream?: number) => [
        bits(env.reset({ seed, stream }).obs).join(), ...rollout(env, actions),
      ];
      expect(run(a, 3)).to.deep.equal(run(b, 3));
      const first = bits(a.reset({ seed: 3 }).obs);
      expect(bits(a.reset({ seed: 4 }).obs)).to.not.deep.equal(first);
      expect(bits(a.reset({ seed: 3, stream: 1 }).obs)).to.not.deep.equal(first);
      a.reset({ seed: 3 });
      b.reset({ seed: 3 });
      const next = bits(a.reset().obs);
      expect(next).to.not.deep.equal(first);
      expect(bits(b.reset().obs)).to.deep.equal(next);
      // An env never seeded behaves as seed 0, so runs are reproducible by default.
      const fresh = await makeEnv(id);
      expect(bits(fresh.reset().obs)).to.deep.equal(bits(a.reset({ seed: 0 }).obs));
      for (const env of [a, b, fresh]) env.close();
    });
  }
});

describe('MuJoCo snapshots', () => {
  for (const id of MUJOCO_IDS) {
    it(`${id}: getState → setState replays bit-identically (same env and a fresh one)`, async () => {
      const env = await makeEnv(id, { maxEpisodeSteps: 20 });
      const actions = randomActions(env, 30, 4);
      env.reset({ seed: 8 });
      rollout(env, actions.slice(0, 7));
      const snapshot = env.getState();
      expect(snapshot.envId).to.equal(id);
      expect(snapshot.elapsedSteps).to.be.within(0, 7);
      const original = rollout(env, actions.slice(7)); // crosses the time limit: elapsedSteps matters
      env.setState(snapshot);
      expect(rollout(env, actions.slice(7))).to.deep.equal(original);
      const other = await makeEnv(id, { maxEpisodeSteps: 20 });
      other.reset({ seed: 99 });
      other.step(actions[0]);
      other.setState(snapshot);
      expect(rollout(other, actions.slice(7))).to.deep.equal(original);
      env.close();
      other.close();
    });
  }

  it('typed views survive wasm heap growth caused by other envs', async () => {
    const env = await makeEnv('Hopper-v5');
    const actions = randomActions(env, 6, 1);
    env.reset({ seed: 1 });
    const snapshot = env.getState();
    const before = rollout(env, actions);
    const probe = await ReferenceSim.create('hopper');
    const staleView = probe.data.qpos as Float64Array;
    const others: Env[] = [];
    for (let i = 0; i < 8 && staleView.length > 0; i++) others.push(await makeEnv('Ant-v5'));
    expect(staleView.length, 'the heap grew (old views detached)').to.equal(0);
    env.setState(snapshot);
    expect(rollout(env, actions)).to.deep.equal(before);
    for (const o of others) o.close();
    probe.close();
    env.close();
  });
});

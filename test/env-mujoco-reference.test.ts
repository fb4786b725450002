// Every MuJoCo env against an independent re-implementation of the Gymnasium v5 rules (the table in
// shared/specs/README.md), run in lockstep on its own MjData: same start state (taken from the env's snapshot
// after a seeded reset), same random actions (beyond ctrlrange, to check that costs use the unclipped action),
// then observation, reward, terminated and every info term compared at every step, across episode ends.
import { expect } from 'chai';
import { makeEnv, type EnvId } from '../envs/registry.js';
import type { ModelName } from '../envs/models/index.js';
import { Rng } from '../sdk/rng.js';
import { ReferenceSim, type Readout } from './env-reference.js';

type Info = Record<string, number>;
interface ModelConstants { dt: number; bodyMass: number[] }
interface Expected { reward: number; terminated: boolean; info: Info }

interface Case {
  id: EnvId;
  model: ModelName;
  options: Record<string, unknown>;
  frameSkip: number;
  contactForces: boolean;
  /** Whether random actions end episodes within the test's steps (so the termination rule gets exercised). */
  terminates: boolean;
  obs(s: Readout): number[];
  resetInfo(s: Readout): Info;
  /** `before`: the reference data before the step (as MuJoCo left it), `s` after. */
  step(before: Readout, s: Readout, action: number[], model: ModelConstants): Expected;
}

const clip = (x: number, lo: number, hi: number) => Math.min(Math.max(x, lo), hi);
const sumSq = (v: number[]) => v.reduce((acc, x) => acc + x * x, 0);
const openInside = (x: number, [lo, hi]: number[]) => lo < x && x < hi;
const rows = (v: number[], width: number, from: number) => v.slice(width * from);
const planarDistance = (q: number[]) => Math.sqrt(q[0] * q[0] + q[1] * q[1]);
const planarPosition = (s: Readout) =>
  ({ x_position: s.qpos[0], y_position: s.qpos[1], distance_from_origin: planarDistance(s.qpos) });

function planarWalker(
  id: 'Hopper-v5' | 'Walker2d-v5',
  options: Record<string, unknown>,
  p: { fw: number; cw: number; hr: number; term: boolean; z: number[]; angle: number[]; state?: number[]; exclude: boolean },
): Case {
  const z0 = 1.25;
  const healthy = (s: Readout) =>
    openInside(s.qpos[1], p.z) && openInside(s.qpos[2], p.angle) &&
    (p.state === undefined || [...s.qpos.slice(2), ...s.qvel].every((v) => openInside(v, p.state!)));
  return {
    id, options, model: id === 'Hopper-v5' ? 'hopper' : 'walker2d_v5', frameSkip: 4, contactForces: false, terminates: p.term,
    obs: (s) => [...s.qpos.slice(p.exclude ? 1 : 0), ...s.qvel.map((v) => clip(v, -10, 10))],
    resetInfo: (s) => ({ x_position: s.qpos[0], z_distance_from_origin: s.qpos[1] - z0 }),
    step: (b, s, a, { dt }) => {
      const xv = (s.qpos[0] - b.qpos[0]) / dt;
      const ok = healthy(s);
      const fwd = p.fw * xv, surv = ok ? p.hr : 0, ctrl = p.cw * sumSq(a);
      return {
        reward: fwd + surv - ctrl,
        terminated: !ok && p.term,
        info: { x_position: s.qpos[0], z_distance_from_origin: s.qpos[1] - z0, x_velocity: xv,
          reward_forward: fwd, reward_ctrl: -ctrl, reward_survive: surv },
      };
    },
  };
}

function swimmer(options: Record<string, unknown>, p: { fw: number; cw: number; exclude: boolean }): Case {
  return {
    id: 'Swimmer-v5', model: 'swimmer', options, frameSkip: 4, contactForces: false, terminates: false,
    obs: (s) => [...s.qpos.slice(p.exclude ? 2 : 0), ...s.qvel],
    resetInfo: planarPosition,
    step: (b, s, a, { dt }) => {
      const xv = (s.qpos[0] - b.qpos[0]) / dt, yv = (s.qpos[1] - b.qpos[1]) / dt;
      const fwd = p.fw * xv, ctrl = p.cw * sumSq(a);
      return { reward: fwd - ctrl, terminated: false,
        info: { ...planarPosition(s), x_velocity: xv, y_velocity: yv, reward_forward: fwd, reward_ctrl: -ctrl } };
    },
  };
}

function halfCheetah(options: Record<string, unknown>, p: { frameSkip: number; exclude: boolean }): Case {
  return {
    id: 'HalfCheetah-v5', model: 'half_cheetah', options, frameSkip: p.frameSkip, contactForces: false, terminates: false,
    obs: (s) => [...s.qpos.slice(p.exclude ? 1 : 0), ...s.qvel],
    resetInfo: (s) => ({ x_position: s.qpos[0] }),
    step: (b, s, a, { dt }) => {
      const xv = (s.qpos[0] - b.qpos[0]) / dt;
      const ctrl = 0.1 * sumSq(a);
      return { reward: xv - ctrl, terminated: false,
        info: { x_position: s.qpos[0], x_velocity: xv, reward_forward: xv, reward_ctrl: -ctrl } };
    },
  };
}

function ant(
  options: Record<string, unknown>,
  p: { exclude: boolean; cfrc: boolean; force: number[]; mainBody: number },
): Case {
  const forces = (s: Readout) => s.cfrc_ext.map((f) => clip(f, p.force[0], p.force[1]));
  return {
    id: 'Ant-v5', model: 'ant', options, frameSkip: 5, contactForces: true, terminates: true,
    obs: (s) => [...s.qpos.slice(p.exclude ? 2 : 0), ...s.qvel, ...(p.cfrc ? rows(forces(s), 6, 1) : [])],
    resetInfo: planarPosition,
    step: (b, s, a, { dt }) => {
      const m = 3 * p.mainBody;
      const xv = (s.xpos[m] - b.xpos[m]) / dt, yv = (s.xpos[m + 1] - b.xpos[m + 1]) / dt;
      const ok = [...s.qpos, ...s.qvel].every(Number.isFinite) && 0.2 <= s.qpos[2] && s.qpos[2] <= 1;
      const surv = ok ? 1 : 0, ctrl = 0.5 * sumSq(a), contact = 5e-4 * sumSq(forces(s));
      return { reward: xv + surv - (ctrl + contact), terminated: !ok,
        info: { ...planarPosition(s), x_velocity: xv, y_velocity: yv, reward_forward: xv, reward_ctrl: -ctrl,
          reward_contact: -contact, reward_survive: surv } };
    },
  };
}

function humanoid(
  options: Record<string, unknown>,
  p: { cinert: boolean; cvel: boolean; qfrc: boolean; cfrc: boolean; costRange: number[] },
): Case {
  const centre = (s: Readout, m: number[]) => {
    const total = m.reduce((x, y) => x + y, 0);
    const c = [0, 1].map((axis) => m.reduce((acc, mass, b) => acc + mass * s.xipos[3 * b + axis], 0) / total);
    return c;
  };
  const position = (s: Readout) => ({
    x_position: s.qpos[0], y_position: s.qpos[1],
    tendon_length_0: s.ten_length[0], tendon_velocity_0: s.ten_velocity[0],
    tendon_length_1: s.ten_length[1], tendon_velocity_1: s.ten_velocity[1],
    distance_from_origin: planarDistance(s.qpos),
  });
  return {
    id: 'Humanoid-v5', model: 'humanoid', options, frameSkip: 5, contactForces: true, terminates: true,
    obs: (s) => [
      ...s.qpos.slice(2), ...s.qvel,
      ...(p.cinert ? rows(s.cinert, 10, 1) : []), ...(p.cvel ? rows(s.cvel, 6, 1) : []),
      ...(p.qfrc ? s.qfrc_actuator.slice(6) : []), ...(p.cfrc ? rows(s.cfrc_ext, 6, 1) : []),
    ],
    resetInfo: position,
    step: (b, s, a, { dt, bodyMass }) => {
      const [x0, y0] = centre(b, bodyMass), [x1, y1] = centre(s, bodyMass);
      const xv = (x1 - x0) / dt, yv = (y1 - y0) / dt;
      const ok = 1 < s.qpos[2] && s.qpos[2] < 2;
      const surv = ok ? 5 : 0, fwd = 1.25 * xv;
      const ctrl = 0.1 * sumSq(s.ctrl), contact = clip(5e-7 * sumSq(s.cfrc_ext), p.costRange[0], p.costRange[1]);
      expect(s.ctrl).to.deep.equal(a); // ctrl is the action, unclipped
      return { reward: fwd + surv - (ctrl + contact), terminated: !ok,
        info: { ...position(s), x_velocity: xv, y_velocity: yv, reward_survive: surv, reward_forward: fwd,
          reward_ctrl: -ctrl, reward_contact: -contact } };
    },
  };
}

const invertedPendulum: Case = {
  id: 'InvertedPendulum-v5', model: 'inverted_pendulum', options: {}, frameSkip: 2, contactForces: false, terminates: true,
  obs: (s) => [...s.qpos, ...s.qvel],
  resetInfo: () => ({}),
  step: (_b, s) => {
    const obs = [...s.qpos, ...s.qvel];
    const terminated = !obs.every(Number.isFinite) || Math.abs(obs[1]) > 0.2;
    return { reward: terminated ? 0 : 1, terminated, info: { reward_survive: terminated ? 0 : 1 } };
  },
};

function invertedDoublePendulum(options: Record<string, unknown>, healthyReward: number): Case {
  return {
    id: 'InvertedDoublePendulum-v5', model: 'inverted_double_pendulum', options, frameSkip: 5, contactForces: false,
    terminates: true,
    obs: (s) => [s.qpos[0], Math.sin(s.qpos[1]), Math.sin(s.qpos[2]), Math.cos(s.qpos[1]), Math.cos(s.qpos[2]),
      ...s.qvel.map((v) => clip(v, -10, 10)), clip(s.qfrc_constraint[0], -10, 10)],
    resetInfo: () => ({}),
    step: (_b, s) => {
      const [x, , y] = s.site_xpos;
      const terminated = y <= 1;
      const dist = 0.01 * x ** 2 + (y - 2) ** 2, vel = 1e-3 * s.qvel[1] ** 2 + 5e-3 * s.qvel[2] ** 2;
      const alive = terminated ? 0 : healthyReward;
      return { reward: alive - dist - vel, terminated,
        info: { reward_survive: alive, distance_penalty: -dist, velocity_penalty: -vel } };
    },
  };
}

function reacher(options: Record<string, unknown>, p: { dist: number; control: number }): Case {
  const FINGERTIP = 3, TARGET = 4; // body ids: world, body0, body1, fingertip, target
  const toTarget = (s: Readout) => [0, 1, 2].map((i) => s.xpos[3 * FINGERTIP + i] - s.xpos[3 * TARGET + i]);
  return {
    id: 'Reacher-v5', model: 'reacher', options, frameSkip: 2, contactForces: false, terminates: false,
    obs: (s) => [Math.cos(s.qpos[0]), Math.cos(s.qpos[1]), Math.sin(s.qpos[0]), Math.sin(s.qpos[1]),
      s.qpos[2], s.qpos[3], s.qvel[0], s.qvel[1], ...toTarget(s).slice(0, 2)],
    resetInfo: () => ({}),
    step: (b, _s, a) => {
      // Gymnasium computes Reacher's reward before the physics step.
      const dist = -Math.sqrt(sumSq(toTarget(b))) * p.dist, ctrl = -sumSq(a) * p.control;
      return { reward: dist + ctrl, terminated: false, info: { reward_dist: dist, reward_ctrl: ctrl } };
    },
  };
}

const CASES: Case[] = [
  swimmer({}, { fw: 1, cw: 1e-4, exclude: true }),
  swimmer({ forwardRewardWeight: 0.5, ctrlCostWeight: 1e-2, excludeCurrentPositionsFromObservation: false },
    { fw: 0.5, cw: 1e-2, exclude: false }),
  planarWalker('Hopper-v5', {},
    { fw: 1, cw: 1e-3, hr: 1, term: true, z: [0.7, Infinity], angle: [-0.2, 0.2], state: [-100, 100], exclude: true }),
  planarWalker('Hopper-v5',
    { forwardRewardWeight: 2, ctrlCostWeight: 0.01, healthyReward: 0.5, terminateWhenUnhealthy: false,
      healthyAngleRange: [-0.05, 0.05], healthyStateRange: [-5, 5], excludeCurrentPositionsFromObservation: false },
    { fw: 2, cw: 0.01, hr: 0.5, term: false, z: [0.7, Infinity], angle: [-0.05, 0.05], state: [-5, 5], exclude: false }),
  planarWalker('Walker2d-v5', {}, { fw: 1, cw: 1e-3, hr: 1, term: true, z: [0.8, 2], angle: [-1, 1], exclude: true }),
  planarWalker('Walker2d-v5', { healthyZRange: [1.1, 1.3], healthyReward: 2 },
    { fw: 1, cw: 1e-3, hr: 2, term: true, z: [1.1, 1.3], angle: [-1, 1], exclude: true }),
  halfCheetah({}, { frameSkip: 5, exclude: true }),
  halfCheetah({ frameSkip: 2, excludeCurrentPositionsFromObservation: false }, { frameSkip: 2, exclude: false }),
  ant({}, { exclude: true, cfrc: true, force: [-1, 1], mainBody: 1 }),
  ant({ includeCfrcExtInObservation: false, excludeCurrentPositionsFromObservation: false, mainBody: 'torso',
    contactForceRange: [-0.5, 0.5] }, { exclude: false, cfrc: false, force: [-0.5, 0.5], mainBody: 1 }),
  humanoid({}, { cinert: true, cvel: true, qfrc: true, cfrc: true, costRange: [-Infinity, 10] }),
  humanoid({ includeCinertInObservation: false, includeQfrcActuatorInObservation: false, contactCostRange: [0, 1e-4] },
    { cinert: false, cvel: true, qfrc: false, cfrc: true, costRange: [0, 1e-4] }),
  invertedPendulum,
  invertedDoublePendulum({}, 10),
  invertedDoublePendulum({ healthyReward: 3 }, 3),
  reacher({}, { dist: 1, control: 1 }),
  reacher({ rewardDistWeight: 2, rewardControlWeight: 0.5 }, { dist: 2, control: 0.5 }),
];

function expectClose(actual: number, expected: number, what: string): void {
  expect(actual, what).to.be.closeTo(expected, 1e-11 * (1 + Math.abs(expected)));
}

function expectInfo(actual: Info, expected: Info, what: string): void {
  expect(Object.keys(actual).sort(), `${what} info keys`).to.deep.equal(Object.keys(expected).sort());
  for (const key of Object.keys(expected)) expectClose(actual[key], expected[key], `${what} info.${key}`);
}

describe('MuJoCo envs follow the Gymnasium v5 rules (lockstep with an independent reference)', () => {
  const STEPS = 60;

  for (const c of CASES) {
    it(`${c.id} ${JSON.stringify(c.options)}`, async () => {
      const env = await makeEnv(c.id, c.options);
      const ref = await ReferenceSim.create(c.model);
      const rng = new Rng(11);
      const low = env.actionSpace.type === 'box' ? env.actionSpace.low : new Float64Array();
      const high = env.actionSpace.type === 'box' ? env.actionSpace.high : new Float64Array();
      try {
        const option = ref.model.opt;
        const constants: ModelConstants = { dt: option.timestep * c.frameSkip, bodyMass: ref.bodyMass() };
        option.delete();
        expect(env.dt).to.equal(constants.dt);
        let elapsed = 0;
        let terminations = 0;
        const startEpisode = (seed?: number) => {
          const r = env.reset(seed === undefined ? undefined : { seed });
          ref.load(env.getState().physics);
          const s = ref.read();
          expect(Array.from(r.obs), 'reset obs').to.deep.equal(c.obs(s));
          expectInfo(r.info, c.resetInfo(s), 'reset');
          elapsed = 0;
        };
        startEpisode(5);
        for (let t = 0; t < STEPS; t++) {
          // Up to 1.5× the ctrlrange: the model clamps, the cost does not.
          const action = Array.from(low, (lo, i) => 1.5 * rng.uniformRange(lo, high[i]));
          const before = ref.read();
          const r = env.step(action);
          ref.step(action, c.frameSkip, c.contactForces);
          const s = ref.read();
          const e = c.step(before, s, action, constants);
          const what = `step ${t}`;
          elapsed++;
          expect(Array.from(r.obs), `${what} obs`).to.deep.equal(c.obs(s));
          expectClose(r.reward, e.reward, `${what} reward`);
          expect(r.terminated, `${what} terminated`).to.equal(e.terminated);
          expect(r.truncated, `${what} truncated`).to.equal(elapsed === env.maxEpisodeSteps);
          expectInfo(r.info, e.info, what);
          if (r.terminated) terminations++;
          if (r.terminated || r.truncated) startEpisode();
        }
        expect(terminations > 0, `episodes ended by termination: ${terminations}`).to.equal(c.terminates);
      } finally {
        env.close();
        ref.close();
      }
    });
  }
});

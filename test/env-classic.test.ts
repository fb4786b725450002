// Pendulum-v1 and CartPole-v1 against hand-computed steps, at their boundaries, and their seeding/snapshots.
import { expect } from 'chai';
import { makeEnv } from '../envs/registry.js';
import type { Env, EnvSnapshot } from '../envs/types.js';

/** Put a classic-control env into a chosen state through a snapshot of itself. */
function place(env: Env, state: number[], extra?: number[], elapsedSteps = 0): void {
  const s: EnvSnapshot = env.getState();
  env.setState({ ...s, physics: Float64Array.from(state), elapsedSteps, extra: extra ?? [...s.extra] });
}

/** Observations are float32 values within float32 rounding of the float64 state. */
function expectFloat32Close(actual: Float64Array, expected: number[]): void {
  expect(actual.length).to.equal(expected.length);
  expected.forEach((e, i) => {
    expect(actual[i], `obs[${i}] is a float32`).to.equal(Math.fround(actual[i]));
    expect(actual[i], `obs[${i}]`).to.be.closeTo(e, 1e-6 * (1 + Math.abs(e)));
  });
}

const f32 = (values: number[]) => values.map(Math.fround);

describe('Pendulum-v1', () => {
  /** One step written from the Gymnasium equations, independently of the env. */
  function pendulumStep(theta: number, thetaDot: number, action: number, g = 10) {
    const u = Math.max(-2, Math.min(2, action));
    const wrapped = ((((theta + Math.PI) % (2 * Math.PI)) + 2 * Math.PI) % (2 * Math.PI)) - Math.PI;
    const reward = -(wrapped ** 2 + 0.1 * thetaDot ** 2 + 0.001 * u ** 2);
    const newThetaDot = Math.max(-8, Math.min(8, thetaDot + (1.5 * g * Math.sin(theta) + 3 * u) * 0.05));
    const newTheta = theta + newThetaDot * 0.05;
    return { obs: [Math.cos(newTheta), Math.sin(newTheta), newThetaDot], reward };
  }

  it('matches a hand-computed step from rest with full torque', async () => {
    const env = await makeEnv('Pendulum-v1');
    env.reset({ seed: 0 });
    place(env, [0, 0]);
    const r = env.step([2]);
    // θ̇' = 3·u·dt = 0.3, θ' = 0.015, cost = 0.001·4.
    expect(Array.from(r.obs)).to.deep.equal(f32([Math.cos(0.015), Math.sin(0.015), 0.3]));
    expect(r.reward).to.be.closeTo(-0.004, 1e-15);
    expect([r.terminated, r.truncated]).to.deep.equal([false, false]);
  });

  const TABLE: [string, number, number, number, Record<string, unknown>][] = [
    ['hanging down, pushed', Math.PI, 0.5, 1.3, {}],
    ['torque beyond ±2 is clipped', 0.7, -1, 5, {}],
    ['negative torque beyond ±2 is clipped', -0.7, 1, -9, {}],
    ['speed clipped to ±8', 1.2, 7.9, 2, {}],
    ['angle wrapped below −π', -Math.PI - 0.3, 0, 0, {}],
    ['angle wrapped above π', 3 * Math.PI + 0.2, -2, 0.4, {}],
    ['other gravity', 2, 1, -1, { g: 9.81 }],
  ];
  for (const [name, theta, thetaDot, action, options] of TABLE) {
    it(`step: ${name}`, async () => {
      const env = await makeEnv('Pendulum-v1', options);
      env.reset({ seed: 0 });
      place(env, [theta, thetaDot]);
      const r = env.step([action]);
      const e = pendulumStep(theta, thetaDot, action, (options.g as number | undefined) ?? 10);
      expectFloat32Close(r.obs, e.obs);
      expect(r.reward).to.be.closeTo(e.reward, 1e-12);
    });
  }

  it('accepts a plain number as the action and rounds observations to float32', async () => {
    const env = await makeEnv('Pendulum-v1');
    env.reset({ seed: 4 });
    place(env, [0.3, -0.2]);
    const a = env.step(1.25);
    place(env, [0.3, -0.2]);
    const b = env.step([1.25]);
    expect(Array.from(a.obs)).to.deep.equal(Array.from(b.obs));
    expect(Array.from(a.obs).every((x) => x === Math.fround(x))).to.equal(true);
  });

  it('resets uniformly in [−π, π] × [−1, 1], or within xInit/yInit from reset options', async () => {
    const env = await makeEnv('Pendulum-v1');
    env.reset({ seed: 1 });
    const states = Array.from({ length: 200 }, () => (env.reset(), Array.from(env.getState().physics)));
    expect(Math.max(...states.map((s) => Math.abs(s[0])))).to.be.within(0.9 * Math.PI, Math.PI);
    expect(Math.max(...states.map((s) => Math.abs(s[1])))).to.be.within(0.9, 1);
    expect(Array.from(env.reset({ options: { xInit: 0, yInit: 0 } }).obs)).to.deep.equal([1, 0, 0]);
    env.reset({ options: { xInit: 0.1, yInit: 0.2 } });
    const [th, thDot] = env.getState().physics;
    expect(Math.abs(th)).to.be.at.most(0.1);
    expect(Math.abs(thDot)).to.be.at.most(0.2);
  });

  it('never terminates and truncates at 200 steps', async () => {
    const env = await makeEnv('Pendulum-v1');
    env.reset({ seed: 2 });
    for (let t = 1; t <= 200; t++) {
      const r = env.step([0]);
      expect(r.terminated).to.equal(false);
      expect(r.truncated, `step ${t}`).to.equal(t === 200);
    }
  });
});

describe('CartPole-v1', () => {
  /** One explicit-Euler step written from the cart-pole equations, independently of the env. */
  function cartPoleStep([x, xDot, th, thDot]: number[], action: number): number[] {
    const g = 9.8, mc = 1, mp = 0.1, l = 0.5, total = mc + mp;
    const force = action === 1 ? 10 : -10;
    const temp = (force + mp * l * thDot ** 2 * Math.sin(th)) / total;
    const thAcc = (g * Math.sin(th) - Math.cos(th) * temp) / (l * (4 / 3 - (mp * Math.cos(th) ** 2) / total));
    const xAcc = temp - (mp * l * thAcc * Math.cos(th)) / total;
    return [x + 0.02 * xDot, xDot + 0.02 * xAcc, th + 0.02 * thDot, thDot + 0.02 * thAcc];
  }
  const THETA_LIMIT = (12 * 2 * Math.PI) / 360;

  it('matches a hand-computed push from rest', async () => {
    const env = await makeEnv('CartPole-v1');
    env.reset({ seed: 0 });
    place(env, [0, 0, 0, 0]);
    const r = env.step([1]);
    // temp = 10/1.1; θ̈ = −temp / (0.5·(4/3 − 0.1/1.1)) ≈ −14.634; ẍ = temp − 0.05·θ̈/1.1 ≈ 9.7561
    expect(r.obs[0]).to.equal(0);
    expect(r.obs[1]).to.be.closeTo(0.02 * 9.7561, 1e-5);
    expect(r.obs[2]).to.equal(0);
    expect(r.obs[3]).to.be.closeTo(0.02 * -14.6341, 1e-5);
    expect(r.reward).to.equal(1);
  });

  const STATES: number[][] = [[0.1, -0.3, 0.05, 0.4], [-1.5, 1.2, -0.15, -1.1], [2.0, 0.0, 0.2, 2.5]];
  for (const state of STATES) {
    for (const action of [0, 1]) {
      it(`step from [${state}] with action ${action}`, async () => {
        const env = await makeEnv('CartPole-v1');
        env.reset({ seed: 0 });
        place(env, state);
        const r = env.step(action);
        const next = cartPoleStep(state, action);
        expectFloat32Close(r.obs, next);
        Array.from(env.getState().physics).forEach((v, i) => expect(v, `state[${i}]`).to.be.closeTo(next[i], 1e-12));
      });
    }
  }

  const BOUNDARIES: [string, number[], boolean][] = [
    ['x exactly at 2.4', [2.4, 0, 0, 0], false],
    ['x just beyond 2.4', [2.4 + 1e-9, 0, 0, 0], true],
    ['x just beyond −2.4', [-2.4 - 1e-9, 0, 0, 0], true],
    ['θ exactly at 12°', [0, 0, THETA_LIMIT, 0], false],
    ['θ just beyond 12°', [0, 0, THETA_LIMIT + 1e-9, 0], true],
    ['θ just beyond −12°', [0, 0, -THETA_LIMIT - 1e-9, 0], true],
  ];
  for (const [name, state, terminated] of BOUNDARIES) {
    it(`terminates only beyond the limits: ${name}`, async () => {
      const env = await makeEnv('CartPole-v1');
      env.reset({ seed: 0 });
      // With zero velocities the Euler step leaves x and θ unchanged.
      place(env, state);
      expect(env.step(0).terminated).to.equal(terminated);
    });
  }

  it('rewards 1 up to and including the terminating step, 0 after; Sutton–Barto variant 0 / −1', async () => {
    const env = await makeEnv('CartPole-v1');
    env.reset({ seed: 0 });
    place(env, [0, 0, THETA_LIMIT - 1e-3, 1]);
    const rewards = [0, 1, 2].map(() => env.step(1)).map((r) => [r.reward, r.terminated]);
    expect(rewards).to.deep.equal([[1, true], [0, true], [0, true]]);
    const sb = await makeEnv('CartPole-v1', { suttonBartoReward: true });
    sb.reset({ seed: 0 });
    expect(sb.step(1).reward).to.equal(0);
    place(sb, [0, 0, THETA_LIMIT - 1e-3, 1], [-1]);
    expect([sb.step(1).reward, sb.step(1).reward]).to.deep.equal([-1, -1]);
  });

  it('restores the steps-beyond-terminated counter from snapshots', async () => {
    const env = await makeEnv('CartPole-v1');
    env.reset({ seed: 0 });
    place(env, [0, 0, THETA_LIMIT + 0.1, 0]);
    expect(env.step(0).reward).to.equal(1);
    const after = env.getState();
    expect(after.extra).to.deep.equal([0]);
    expect(env.step(0).reward).to.equal(0);
    place(env, [0, 0, THETA_LIMIT + 0.1, 0], [-1]);
    expect(env.step(0).reward, 'fresh counter: the fall counts once more').to.equal(1);
  });

  it('resets uniformly in ±0.05 (or [low, high] from reset options) and truncates at 500 steps', async () => {
    const env = await makeEnv('CartPole-v1');
    const obs = Array.from({ length: 100 }, (_, i) => Array.from(env.reset({ seed: i }).obs)).flat();
    expect(Math.max(...obs.map(Math.abs))).to.be.within(0.045, 0.05);
    const shifted = Array.from(env.reset({ options: { low: 0.1, high: 0.2 } }).obs);
    expect(shifted.every((v) => v >= Math.fround(0.1) && v <= Math.fround(0.2))).to.equal(true);
    env.reset({ seed: 0 });
    for (let t = 1; t <= 500; t++) {
      place(env, [0, 0, 0, 0], [-1], t - 1); // keep the pole up; only the step counter moves on
      const r = env.step(t % 2);
      expect(r.truncated, `step ${t}`).to.equal(t === 500);
      expect(r.terminated).to.equal(false);
    }
  });

  it('same seed → same episode; snapshot replays bit-identically', async () => {
    const [a, b] = [await makeEnv('CartPole-v1'), await makeEnv('CartPole-v1')];
    const run = (env: Env) => {
      const out = [Array.from(env.reset({ seed: 7 }).obs)];
      for (let t = 0; t < 30; t++) {
        const r = env.step(t % 3 === 0 ? 1 : 0);
        out.push([...r.obs, r.reward, Number(r.terminated)]);
        if (r.terminated) out.push(Array.from(env.reset().obs));
      }
      return out;
    };
    expect(run(a)).to.deep.equal(run(b));
    a.reset({ seed: 3 });
    a.step(1);
    const snap = a.getState();
    const tail = () => Array.from({ length: 20 }, (_, t) => {
      const r = a.step(t % 2);
      return [...r.obs, r.reward, Number(r.terminated), ...(r.terminated ? a.reset().obs : [])];
    });
    const first = tail();
    a.setState(snap);
    expect(tail()).to.deep.equal(first);
  });
});

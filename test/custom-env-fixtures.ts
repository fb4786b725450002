// Test-only env modules written the way a user would: Gymnasium's contract in plain JavaScript objects, no
// imports from the SDK. `createPointEnv` is a healthy task; `broken` selects one way of breaking the contract.

export const FIXTURE_URL = import.meta.url;

/** A small deterministic generator (the env's own: users bring theirs). */
class Lcg {
  constructor(public state = 1) {}
  next(): number {
    this.state = (Math.imul(this.state, 1664525) + 1013904223) >>> 0;
    return this.state / 2 ** 32;
  }
}

export type Broken =
  | 'nan-obs' | 'nan-reward' | 'wrong-length' | 'nondeterministic' | 'bad-space' | 'throws' | 'late-nan'
  | 'done-tuple' | 'replay';

export interface PointOptions {
  /** Steps before the env cuts the episode itself. */
  horizon?: number;
  broken?: Broken;
  /** For 'late-nan' and 'throws': the env's own step count (over its life) at which it breaks. */
  breakAt?: number;
}

/**
 * A point mass on a line pulled towards a target: obs [x, v, target, x − target], action a force in [−1, 1],
 * reward −|x − target| − 0.01·a². Ends (terminated) when |x| > 3, truncated after `horizon` steps.
 */
export function createPointEnv(options: PointOptions = {}) {
  const horizon = options.horizon ?? 100;
  const broken = options.broken;
  const breakAt = options.breakAt ?? 1;
  const rng = new Lcg();
  let x = 0;
  let v = 0;
  let target = 0;
  let t = 0;
  let life = 0;
  const observe = () => {
    const obs = [x, v, target, x - target];
    if (broken === 'wrong-length') obs.push(0);
    if (broken === 'nan-obs' && t >= 3) obs[1] = NaN;
    if (broken === 'late-nan' && life >= breakAt) obs[2] = Infinity;
    return obs;
  };
  return {
    observationSpace: { type: 'box' as const, shape: [4], low: -Infinity, high: Infinity },
    actionSpace: broken === 'bad-space'
      ? { type: 'box' as const, shape: [1], low: [1], high: [-1] }
      : { type: 'box' as const, shape: [1], low: new Float32Array([-1]), high: new Float32Array([1]) },
    dt: 0.05,
    observationLabels: ['x', 'v', 'target', 'error'],
    actionLabels: ['force'],
    reset({ seed }: { seed?: number; options?: Record<string, unknown> } = {}) {
      if (seed !== undefined) rng.state = seed + 1;
      x = rng.next() - 0.5;
      v = 0;
      target = broken === 'nondeterministic' ? Math.random() : 2 * rng.next() - 1;
      t = 0;
      return { obs: new Float64Array(observe()), info: {} };
    },
    step(action: Float64Array | number) {
      life++;
      if (broken === 'throws' && life >= breakAt) throw new Error('motor driver not responding');
      const a = Math.max(-1, Math.min(1, typeof action === 'number' ? action : action[0]));
      v = 0.9 * v + 0.1 * a;
      x += v;
      t++;
      const error = Math.abs(x - target);
      const reward = broken === 'nan-reward' && t >= 2 ? NaN : -error - 0.01 * a * a;
      if (broken === 'done-tuple') return [observe(), reward, false, {}] as unknown as never;
      return {
        obs: observe(),
        reward,
        terminated: Math.abs(x) > 3,
        truncated: t >= horizon,
        info: { distance: error, near: error < 0.1 },
      };
    },
    getState() {
      return [x, v, target, t, broken === 'replay' ? 0 : rng.state];
    },
    setState(s: Float64Array) {
      [x, v, target, t] = [s[0], s[1], s[2], s[3]];
      rng.state = s[4];
      if (broken === 'replay') v += 1e-3;
    },
  };
}

/** The same task as a class (the other shape a module may export). */
export default class PointEnvClass {
  constructor(options: PointOptions) {
    Object.assign(this, createPointEnv(options));
  }
}

/** A factory that returns a Promise (async setup, e.g. loading a model). */
export async function createPointEnvAsync(options: PointOptions = {}) {
  await new Promise((resolve) => setTimeout(resolve, 1));
  return createPointEnv(options);
}

/** Not a factory: what a user might export by mistake. */
export const notAFactory = { answer: 42 };

/** A broken env as a module export of its own (what `trpo check-env file#createNanRewardEnv` examines). */
export function createNanRewardEnv() {
  return createPointEnv({ broken: 'nan-reward' });
}

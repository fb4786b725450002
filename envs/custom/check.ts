// checkEnv: does an env keep Gymnasium's contract? Like Gymnasium's utils.env_checker — spaces, the reset/step
// contract, finite observations inside the space, terminated vs truncated, determinism under a seed, and exact
// getState/setState replay when the env has them. Every problem says what was expected, what came, and the fix.
// It runs the env for a few hundred steps at most, so it is cheap enough to run before every training.
import { Rng } from '../../sdk/rng.js';
import type { Env, Space } from '../types.js';
import { adaptEnv, isNativeEnv } from './adapter.js';
import { describe, EnvContractError, formatProblem, type EnvProblem, type UserEnv } from './contract.js';

export interface CheckEnvOptions {
  /** The name used in messages. */
  id?: string;
  /** Steps per trajectory (the determinism check runs two). Default 100. */
  steps?: number;
  /** Seed of the trajectories. Default 0. */
  seed?: number;
}

export interface EnvCheckReport {
  readonly ok: boolean;
  /** Broken promises: training would fail or learn from garbage. */
  readonly problems: EnvProblem[];
  /** Allowed but suspicious (e.g. every seed gives the same start). */
  readonly warnings: EnvProblem[];
}

/** A trajectory: observations (reset's, then each step's) and rewards/flags per step, in order. */
interface Trace {
  values: number[];
  /** Problems found while running it (the run stops at the first broken step). */
  problems: EnvProblem[];
}

/** Check `env` (a user env, or any of ours) and report every problem found. */
export function checkEnv(env: UserEnv | Env, options: CheckEnvOptions = {}): EnvCheckReport {
  const id = options.id ?? (typeof (env as Env).id === 'string' ? (env as Env).id : 'env');
  const steps = options.steps ?? 100;
  const seed = options.seed ?? 0;
  const problems: EnvProblem[] = [];
  const warnings: EnvProblem[] = [];
  let adapted: Env;
  try {
    adapted = adaptEnv(env as UserEnv, { id });
  } catch (error) {
    return { ok: false, problems: problemsOf(error, '(env)'), warnings };
  }
  if (!isNativeEnv(env)) problems.push(...optionalFields(env as UserEnv, adapted));

  const first = run(adapted, seed, steps);
  problems.push(...first.problems);
  if (first.problems.length === 0) {
    const second = run(adapted, seed, steps);
    problems.push(...second.problems);
    const at = firstDifference(first.values, second.values);
    if (second.problems.length === 0 && at >= 0) {
      problems.push({
        field: 'reset({ seed })',
        expected: 'the same observations and rewards for the same seed and the same actions',
        got: `value ${at} of the trajectory was ${first.values[at]}, then ${second.values[at]}`,
        fix: 'draw all randomness from a generator seeded in reset({ seed }) (not Math.random() or Date.now())',
      });
    }
    const other = run(adapted, seed + 1, 0);
    const obsDim = adapted.observationSpace.shape[0];
    if (other.problems.length === 0 && firstDifference(first.values.slice(0, obsDim), other.values) < 0) {
      warnings.push({
        field: 'reset({ seed })', expected: 'different start states for different seeds', got: 'the same first observation for seeds ' + `${seed} and ${seed + 1}`,
        fix: 'ignore this if the task has a fixed start; otherwise add reset noise drawn from the seeded generator',
      });
    }
    problems.push(...replay(env as UserEnv, adapted, seed));
  }
  try {
    adapted.close();
  } catch (error) {
    problems.push(...problemsOf(error, 'close()'));
  }
  return { ok: problems.length === 0, problems, warnings };
}

/** checkEnv, throwing an EnvContractError that lists the problems. */
export function assertValidEnv(env: UserEnv | Env, options: CheckEnvOptions = {}): EnvCheckReport {
  const report = checkEnv(env, options);
  if (!report.ok) throw new EnvContractError(options.id ?? 'env', report.problems, ' failed checkEnv');
  return report;
}

export function formatReport(id: string, report: EnvCheckReport): string {
  const lines = [report.ok ? `${id}: checkEnv found no problems` : `${id}: checkEnv found ${report.problems.length} problem(s)`];
  for (const p of report.problems) lines.push(`  ✗ ${formatProblem(p)}`);
  for (const w of report.warnings) lines.push(`  ! ${formatProblem(w)}`);
  return lines.join('\n');
}

function optionalFields(user: UserEnv, env: Env): EnvProblem[] {
  const problems: EnvProblem[] = [];
  const obsDim = env.observationSpace.shape[0];
  const actDim = env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : 1;
  const labels = (field: 'observationLabels' | 'actionLabels', n: number) => {
    const v = user[field];
    if (v !== undefined && !(Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'string'))) {
      problems.push({ field, expected: `${n} strings`, got: describe(v), fix: `give one name per entry (or leave ${field} out)` });
    }
  };
  labels('observationLabels', obsDim);
  labels('actionLabels', actDim);
  if (user.dt !== undefined && !(typeof user.dt === 'number' && user.dt > 0 && Number.isFinite(user.dt))) {
    problems.push({ field: 'dt', expected: 'seconds per step, a positive number', got: describe(user.dt), fix: 'set dt to the control period (or leave it out)' });
  }
  if (user.maxEpisodeSteps !== undefined && !(Number.isSafeInteger(user.maxEpisodeSteps) && user.maxEpisodeSteps >= 1)) {
    problems.push({ field: 'maxEpisodeSteps', expected: 'a positive integer', got: describe(user.maxEpisodeSteps), fix: 'set the time limit in steps (or leave it out)' });
  }
  if ((typeof user.getState === 'function') !== (typeof user.setState === 'function')) {
    problems.push({
      field: typeof user.getState === 'function' ? 'setState()' : 'getState()', expected: 'both getState() and setState()', got: 'only one of them',
      fix: 'add the missing method, or remove both (vine sampling and exact resume need both)',
    });
  }
  if (user.close !== undefined && typeof user.close !== 'function') {
    problems.push({ field: 'close', expected: 'a method', got: describe(user.close), fix: 'make close a method, or leave it out' });
  }
  return problems;
}

/** Reset with `seed`, then `steps` actions drawn from a generator of that seed; resets after episode ends. */
function run(env: Env, seed: number, steps: number): Trace {
  const values: number[] = [];
  const rng = new Rng(seed, 7);
  const action = new Float64Array(env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : 1);
  const trace: Trace = { values, problems: [] };
  let phase = 'reset()';
  try {
    let obs = env.reset({ seed }).obs;
    trace.problems.push(...outsideSpace(env, obs, 'reset().obs'));
    values.push(...obs);
    for (let t = 0; t < steps && trace.problems.length === 0; t++) {
      phase = 'step()';
      sampleAction(env.actionSpace, rng, action);
      const r = env.step(action);
      trace.problems.push(...outsideSpace(env, r.obs, `step().obs (step ${t + 1})`));
      values.push(...r.obs, r.reward, r.terminated ? 1 : 0, r.truncated ? 1 : 0);
      if (r.terminated || r.truncated) {
        phase = 'reset() after an episode ended';
        obs = env.reset().obs;
        values.push(...obs);
      }
    }
  } catch (error) {
    trace.problems.push(...problemsOf(error, phase));
  }
  return trace;
}

/** From a state after a few steps, the same actions must give the same trajectory after setState(getState()). */
function replay(user: UserEnv, env: Env, seed: number): EnvProblem[] {
  if (!isNativeEnv(user) && (typeof user.getState !== 'function' || typeof user.setState !== 'function')) return [];
  try {
    const rng = new Rng(seed, 8);
    const actions = Array.from({ length: 20 }, () => sampleAction(env.actionSpace, rng, new Float64Array(env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : 1)));
    env.reset({ seed });
    for (let t = 0; t < 5; t++) if (env.step(actions[t]).terminated) env.reset();
    const snapshot = env.getState();
    const roll = () => {
      const out: number[] = [];
      for (let t = 5; t < actions.length; t++) {
        const r = env.step(actions[t]);
        out.push(...r.obs, r.reward);
        if (r.terminated || r.truncated) break;
      }
      return out;
    };
    const a = roll();
    env.setState(snapshot);
    const b = roll();
    const at = firstDifference(a, b);
    if (at < 0) return [];
    return [{
      field: 'setState()', expected: 'setState(getState()) then the same actions to replay the same trajectory',
      got: `value ${at} of the replay was ${b[at]} instead of ${a[at]}`,
      fix: 'getState() must return everything the next step depends on (positions, velocities, counters, RNG state)',
    }];
  } catch (error) {
    return problemsOf(error, 'getState()/setState()');
  }
}

function outsideSpace(env: Env, obs: ArrayLike<number>, field: string): EnvProblem[] {
  const { low, high } = env.observationSpace;
  for (let i = 0; i < obs.length; i++) {
    if (!(obs[i] >= low[i] && obs[i] <= high[i])) {
      return [{
        field: `${field}[${i}]`, expected: `a value inside observationSpace [${low[i]}, ${high[i]}]`, got: String(obs[i]),
        fix: 'widen the bounds of observationSpace (±Infinity is allowed) or keep the observation inside them',
      }];
    }
  }
  return [];
}

function sampleAction(space: Space, rng: Rng, out: Float64Array): Float64Array {
  if (space.type === 'discrete') out[0] = rng.integer(space.n);
  else {
    for (let i = 0; i < out.length; i++) {
      const lo = Number.isFinite(space.low[i]) ? space.low[i] : -1;
      const hi = Number.isFinite(space.high[i]) ? space.high[i] : 1;
      out[i] = rng.uniformRange(lo, hi);
    }
  }
  return out;
}

function firstDifference(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!Object.is(a[i], b[i])) return i;
  return a.length === b.length ? -1 : n;
}

function problemsOf(error: unknown, phase: string): EnvProblem[] {
  if (error instanceof EnvContractError) return [...error.problems];
  const got = error instanceof Error ? `${error.name}: ${error.message}` : describe(error);
  return [{ field: phase, expected: 'no exception', got, fix: `see the stack trace; ${phase} must not throw` }];
}

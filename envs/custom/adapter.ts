// A user's Gymnasium-style env (envs/custom/contract.ts) behind our Env interface (envs/types.ts): spaces
// normalized, seeds per vector-env stream, the time limit, the allocation-free path, snapshots — and guards, so
// that a NaN, a wrong length or a thrown exception stops training with the field named instead of poisoning θ.
import { actionLength } from '../spaces.js';
import type { BoxSpace, Env, EnvSnapshot, ResetArgs, ResetResult, Space, StepInfo, StepOutput, StepResult } from '../types.js';
import { describe, EnvContractError, normalizeSpace, type EnvProblem, type UserEnv, type UserInfo, type UserStepOutput } from './contract.js';

export interface AdaptOptions {
  /** The name the env goes by in messages, snapshots and run folders. */
  id: string;
  /** Time limit (steps); overrides the env's own `maxEpisodeSteps`. Without either, episodes end only by the env. */
  maxEpisodeSteps?: number;
}

/**
 * Marks the snapshot of an env without getState/setState (checkpoints of such envs restart their episodes on
 * resume: see isRestartSnapshot).
 */
const RESTART = -1;

/** True for the snapshot of an env that cannot save its state: restoring it means starting a new episode. */
export function isRestartSnapshot(s: EnvSnapshot): boolean {
  return s.physics.length === 0 && s.extra.length === 1 && s.extra[0] === RESTART;
}

/** The spaces of a user env, or an EnvContractError listing what is wrong with them. */
export function userSpaces(user: UserEnv, id: string): { observationSpace: BoxSpace; actionSpace: Space } {
  const obs = normalizeSpace(user.observationSpace, 'observationSpace');
  const act = normalizeSpace(user.actionSpace, 'actionSpace');
  const problems = [...obs.problems, ...act.problems];
  if (obs.space?.type === 'discrete') {
    problems.push({
      field: 'observationSpace.type', expected: "'box' (the policy reads vectors)", got: "'discrete'",
      fix: 'return a one-hot vector in a box space of shape [n]',
    });
  }
  if (problems.length > 0) throw new EnvContractError(id, problems);
  return { observationSpace: obs.space as BoxSpace, actionSpace: act.space as Space };
}

/**
 * True for an env that already implements our Env interface (built-ins, MJCF tasks of envs/custom/mjcf-task.ts):
 * it is used as it is, at full speed.
 */
export function isNativeEnv(env: unknown): env is Env {
  const e = env as Env;
  return typeof e === 'object' && e !== null && typeof e.resetInto === 'function' && typeof e.stepInto === 'function' &&
    typeof e.getState === 'function' && e.observationSpace?.low instanceof Float64Array;
}

/** `user` behind our Env interface (a native env is returned as it is, with the time limit it has). */
export function adaptEnv(user: UserEnv | Env, options: AdaptOptions): Env {
  return isNativeEnv(user) ? user : new AdaptedEnv(user, options);
}

class AdaptedEnv implements Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  readonly dt: number;
  readonly maxEpisodeSteps: number;
  readonly observationLabels?: readonly string[];
  readonly actionLabels?: readonly string[];
  private readonly obsDim: number;
  private readonly discrete: boolean;
  /** The action handed to the user's step (a copy: the caller's row lives in shared memory). */
  private readonly action: Float64Array;
  private readonly scratch: StepOutput;
  private elapsedSteps = 0;
  private needsReset = true;
  private closed = false;

  constructor(private readonly user: UserEnv, o: AdaptOptions) {
    if (typeof user !== 'object' || user === null) {
      throw new EnvContractError(o.id, [{ field: '(env)', expected: 'an env object', got: describe(user), fix: 'return the env from the factory' }]);
    }
    const missing = (['reset', 'step'] as const).filter((m) => typeof user[m] !== 'function');
    if (missing.length > 0) {
      throw new EnvContractError(o.id, missing.map((m) => ({
        field: `${m}()`, expected: 'a method', got: describe(user[m]), fix: `implement ${m}() (Gymnasium's contract)`,
      })));
    }
    this.id = o.id;
    const spaces = userSpaces(user, o.id);
    this.observationSpace = spaces.observationSpace;
    this.actionSpace = spaces.actionSpace;
    this.dt = typeof user.dt === 'number' && user.dt > 0 ? user.dt : 0;
    this.maxEpisodeSteps = o.maxEpisodeSteps ?? user.maxEpisodeSteps ?? Infinity;
    if (user.observationLabels) this.observationLabels = [...user.observationLabels];
    if (user.actionLabels) this.actionLabels = [...user.actionLabels];
    this.obsDim = this.observationSpace.shape[0];
    this.discrete = this.actionSpace.type === 'discrete';
    this.action = new Float64Array(actionLength(this.actionSpace));
    this.scratch = { obs: new Float64Array(this.obsDim), reward: 0, terminated: false, truncated: false, info: {} };
  }

  reset(args?: ResetArgs): ResetResult {
    this.resetInto(args, this.scratch);
    return { obs: this.scratch.obs.slice(), info: { ...this.scratch.info } };
  }

  resetInto(args: ResetArgs | undefined, out: StepOutput): void {
    this.checkOpen('reset');
    // Vector env i is seeded with seed + i, as in Gymnasium's and SB3's vector envs.
    const seed = args?.seed === undefined ? undefined : args.seed + (args.stream ?? 0);
    const userArgs = seed === undefined && args?.options === undefined ? undefined : { seed, options: args?.options };
    let result: { obs: ArrayLike<number>; info?: UserInfo };
    try {
      result = this.user.reset(userArgs);
    } catch (error) {
      throw this.thrown('reset()', error);
    }
    if (typeof result !== 'object' || result === null) {
      this.fail('reset()', '{ obs, info }', result, 'return { obs, info } from reset (Gymnasium ≥ 0.26)');
    }
    this.copyObs(result.obs, out.obs, 'reset().obs');
    copyInfo(result.info, out.info);
    out.reward = 0;
    out.terminated = false;
    out.truncated = false;
    this.elapsedSteps = 0;
    this.needsReset = false;
  }

  step(action: ArrayLike<number> | number): StepResult {
    this.stepInto(typeof action === 'number' ? [action] : action, this.scratch);
    const { obs, reward, terminated, truncated, info } = this.scratch;
    return { obs: obs.slice(), reward, terminated, truncated, info: { ...info } };
  }

  stepInto(action: ArrayLike<number>, out: StepOutput): void {
    this.checkOpen('step');
    if (this.needsReset) throw new Error(`${this.id}: call reset() before step()`);
    const a = this.userAction(action);
    const user = this.user;
    try {
      if (user.stepInto) user.stepInto(a, out as UserStepOutput);
      else this.copyStep(user.step(a), out);
    } catch (error) {
      throw error instanceof EnvContractError ? error : this.thrown('step()', error);
    }
    if (user.stepInto) this.checkOutput(out);
    this.elapsedSteps++;
    if (this.elapsedSteps >= this.maxEpisodeSteps) out.truncated = true;
  }

  getState(): EnvSnapshot {
    this.checkOpen('getState');
    if (this.needsReset) throw new Error(`${this.id}: call reset() before getState()`);
    const base = { envId: this.id, elapsedSteps: this.elapsedSteps, rng: [] };
    if (!this.user.getState) return { ...base, physics: new Float64Array(0), extra: [RESTART] };
    let state: ArrayLike<number>;
    try {
      state = this.user.getState();
    } catch (error) {
      throw this.thrown('getState()', error);
    }
    if (!isNumberArray(state)) this.fail('getState()', 'an array or typed array of numbers', state, 'return the exact state as numbers');
    return { ...base, physics: Float64Array.from(state), extra: [] };
  }

  setState(snapshot: EnvSnapshot): void {
    this.checkOpen('setState');
    if (!this.user.setState || isRestartSnapshot(snapshot)) {
      throw new EnvContractError(this.id, [{
        field: 'setState()', expected: 'getState()/setState(state) methods', got: 'none',
        fix: 'vine sampling and exact resume restore env states: add getState() returning numbers and setState(numbers)',
      }]);
    }
    try {
      this.user.setState(Float64Array.from(snapshot.physics));
    } catch (error) {
      throw this.thrown('setState()', error);
    }
    this.elapsedSteps = snapshot.elapsedSteps;
    this.needsReset = false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.user.close?.();
  }

  private userAction(action: ArrayLike<number>): Float64Array | number {
    if (action.length !== this.action.length) {
      throw new TypeError(`${this.id} action: got ${describe(action)}; expected ${this.action.length} number(s)`);
    }
    if (this.discrete) return action[0];
    this.action.set(action);
    return this.action;
  }

  private copyStep(r: unknown, out: StepOutput): void {
    if (Array.isArray(r)) {
      this.fail('step()', '{ obs, reward, terminated, truncated, info }', r, 'return an object, not a tuple (the old gym API)');
    }
    if (typeof r !== 'object' || r === null) this.fail('step()', '{ obs, reward, terminated, truncated, info }', r, 'return an object from step');
    const s = r as Record<string, unknown>;
    if ('done' in s && !('terminated' in s)) {
      this.fail('step().terminated', 'a boolean (with truncated: the old `done` is split in two)', undefined,
        'return terminated (the task ended) and truncated (cut short, e.g. a time limit) instead of done');
    }
    this.copyObs(s.obs as ArrayLike<number>, out.obs, 'step().obs');
    out.reward = s.reward as number;
    out.terminated = s.terminated as boolean;
    out.truncated = s.truncated as boolean;
    copyInfo(s.info as UserInfo | undefined, out.info);
    this.checkScalars(out);
  }

  /** The allocation-free path wrote `out` itself: check the same things. */
  private checkOutput(out: StepOutput): void {
    const bad = firstNonFinite(out.obs);
    if (bad >= 0) this.fail(`stepInto().obs[${bad}]`, 'a finite number', out.obs[bad], 'find where the observation becomes non-finite (division by zero, log of 0, exploding state)');
    this.checkScalars(out);
  }

  private checkScalars(out: StepOutput): void {
    if (typeof out.reward !== 'number' || !Number.isFinite(out.reward)) {
      this.fail('step().reward', 'a finite number', out.reward, 'find where the reward becomes non-finite (or not a number) and guard it');
    }
    for (const key of ['terminated', 'truncated'] as const) {
      if (typeof out[key] !== 'boolean') this.fail(`step().${key}`, 'a boolean', out[key], `return ${key} as true/false`);
    }
  }

  private copyObs(obs: ArrayLike<number> | undefined, into: Float64Array, field: string): void {
    if (!isNumberArray(obs)) this.fail(field, `an array or typed array of ${this.obsDim} numbers`, obs, 'return the observation as an array');
    if (obs.length !== this.obsDim) {
      this.fail(field, `length ${this.obsDim} (observationSpace.shape)`, obs, 'make the observation match observationSpace.shape, or fix the shape');
    }
    for (let i = 0; i < this.obsDim; i++) {
      const v = obs[i];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        this.fail(`${field}[${i}]`, 'a finite number', v, 'find where the observation becomes non-finite (division by zero, log of 0, exploding state)');
      }
      into[i] = v;
    }
  }

  private fail(field: string, expected: string, got: unknown, fix: string): never {
    throw new EnvContractError(this.id, [{ field, expected, got: describe(got), fix }]);
  }

  private thrown(field: string, error: unknown): EnvContractError {
    const got = error instanceof Error ? `${error.name}: ${error.message}` : describe(error);
    const problem: EnvProblem = { field, expected: 'no exception', got, fix: `see the stack trace of the cause; ${field} must not throw` };
    const wrapped = new EnvContractError(this.id, [problem]);
    (wrapped as { cause?: unknown }).cause = error;
    return wrapped;
  }

  private checkOpen(operation: string): void {
    if (this.closed) throw new Error(`${this.id}: ${operation}() after close()`);
  }
}

function isNumberArray(v: unknown): v is ArrayLike<number> {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

function firstNonFinite(a: ArrayLike<number>): number {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return i;
  return -1;
}

/** Numeric info values (booleans as 0/1) into `into`, whose other keys are removed; the rest is not kept. */
function copyInfo(from: UserInfo | undefined, into: StepInfo): void {
  for (const key in into) if (from === undefined || !(key in from)) delete into[key];
  if (from === undefined) return;
  for (const key in from) {
    const v = from[key];
    if (typeof v === 'number') into[key] = v;
    else if (typeof v === 'boolean') into[key] = v ? 1 : 0;
    else delete into[key];
  }
}

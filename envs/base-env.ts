// What every env shares, whatever simulates it: the time limit, seeding, input checks, the allocating
// `step`/`reset` wrappers around the allocation-free `stepInto`/`resetInto`, and the snapshot envelope.
// Subclasses implement the task itself (resetTask, advance) and the state they keep (captureState, restoreState).
import { Rng } from '../sdk/rng.js';
import { actionLength } from './spaces.js';
import type {
  BoxSpace, Env, EnvSnapshot, ResetArgs, ResetResult, Space, StepInfo, StepOutput, StepResult,
} from './types.js';

export interface EnvConfig {
  id: string;
  observationSpace: BoxSpace;
  actionSpace: Space;
  dt: number;
  maxEpisodeSteps: number;
  /** Keys of `info` after a step; the same object is reused, so the key set is fixed. */
  stepInfoKeys: readonly string[];
  /** Keys Gymnasium returns from reset (a subset of, or equal to, the step keys). */
  resetInfoKeys: readonly string[];
  /** Fixed labels (classic envs); MuJoCo envs derive theirs from the model in describeObservation/describeAction. */
  observationLabels?: readonly string[];
  actionLabels?: readonly string[];
}

/** The part of a snapshot a subclass owns. */
export interface TaskState {
  physics: Float64Array;
  extra: number[];
}

/** A StepOutput sized for `env`, with its info keys in place so the hot loop never changes the object shape. */
export function createStepOutput(env: Env): StepOutput {
  const info: StepInfo = {};
  if (env instanceof BaseEnv) for (const key of env.stepInfoKeys) info[key] = 0;
  return { obs: new Float64Array(env.observationSpace.shape[0]), reward: 0, terminated: false, truncated: false, info };
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value !== 'object' || value === null) return String(value);
  const name = value.constructor?.name ?? 'object';
  return 'length' in value ? `${name} of length ${(value as ArrayLike<unknown>).length}` : name;
}

export abstract class BaseEnv implements Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  readonly dt: number;
  readonly maxEpisodeSteps: number;
  readonly stepInfoKeys: readonly string[];
  readonly resetInfoKeys: readonly string[];

  /** All env noise comes from here. Unseeded envs start from seed 0 so that runs are reproducible. */
  protected readonly rng = new Rng(0, 0);
  private elapsedSteps = 0;
  private closed = false;
  private needsReset = true;
  private readonly actionLength: number;
  /** Output of the allocating wrappers, and the box for a scalar action passed to `step`. */
  private readonly scratch: StepOutput;
  private readonly scalarAction = new Float64Array(1);
  private obsLabels: readonly string[] | undefined;
  private actLabels: readonly string[] | undefined;

  protected constructor(config: EnvConfig) {
    this.id = config.id;
    this.observationSpace = config.observationSpace;
    this.actionSpace = config.actionSpace;
    this.dt = config.dt;
    this.maxEpisodeSteps = config.maxEpisodeSteps;
    this.stepInfoKeys = config.stepInfoKeys;
    this.resetInfoKeys = config.resetInfoKeys;
    this.actionLength = actionLength(config.actionSpace);
    this.scratch = createStepOutput(this);
    this.obsLabels = config.observationLabels;
    this.actLabels = config.actionLabels;
  }

  /** See Env.observationLabels; built on first read (the hot path never needs them). */
  get observationLabels(): readonly string[] | undefined {
    this.obsLabels ??= this.describeObservation();
    return this.obsLabels;
  }

  /** See Env.actionLabels. */
  get actionLabels(): readonly string[] | undefined {
    this.actLabels ??= this.describeAction();
    return this.actLabels;
  }

  /** Observation labels in the order the observation is written (override; default: none). */
  protected describeObservation(): readonly string[] | undefined {
    return undefined;
  }

  protected describeAction(): readonly string[] | undefined {
    return undefined;
  }

  /** Draw the initial state (from `this.rng`), then write the first observation and the reset info. */
  protected abstract resetTask(options: Record<string, unknown> | undefined, obs: Float64Array, info: StepInfo): void;
  /** Apply a checked action: write obs, reward, terminated and info (the time limit is handled here). */
  protected abstract advance(action: ArrayLike<number>, out: StepOutput): void;
  protected abstract captureState(): TaskState;
  /** Restore what captureState returned; lengths are checked against `snapshotShape` beforehand. */
  protected abstract restoreState(physics: Float64Array, extra: readonly number[]): void;
  /** Number of entries of `physics` and `extra` in a snapshot of this env. */
  protected abstract snapshotShape(): { physics: number; extra: number };
  protected abstract release(): void;

  reset(args?: ResetArgs): ResetResult {
    const out = this.scratch;
    this.resetInto(args, out);
    const info: StepInfo = {};
    for (const key of this.resetInfoKeys) info[key] = out.info[key];
    return { obs: out.obs.slice(), info };
  }

  resetInto(args: ResetArgs | undefined, out: StepOutput): void {
    this.checkOpen('reset');
    this.checkOutput(out);
    if (args?.seed !== undefined) this.rng.seed(args.seed, args.stream ?? 0);
    else if (args?.stream !== undefined) {
      throw new RangeError(`${this.id} reset: stream ${args.stream} was given without a seed; pass { seed, stream }`);
    }
    const info = out.info;
    for (const key of this.stepInfoKeys) info[key] = 0; // reward terms are 0 at reset; Gymnasium omits them
    this.resetTask(args?.options, out.obs, info);
    out.reward = 0;
    out.terminated = false;
    out.truncated = false;
    this.elapsedSteps = 0;
    this.needsReset = false;
  }

  step(action: ArrayLike<number> | number): StepResult {
    let input: ArrayLike<number>;
    if (typeof action === 'number') {
      if (this.actionLength !== 1) {
        throw new TypeError(`${this.id} action: got the number ${action}; expected an array of ${this.actionLength} numbers`);
      }
      this.scalarAction[0] = action;
      input = this.scalarAction;
    } else input = action;
    const out = this.scratch;
    this.stepInto(input, out);
    const { reward, terminated, truncated } = out;
    return { obs: out.obs.slice(), reward, terminated, truncated, info: { ...out.info } };
  }

  stepInto(action: ArrayLike<number>, out: StepOutput): void {
    this.checkOpen('step');
    if (this.needsReset) throw new Error(`${this.id}: call reset() before step()`);
    this.checkOutput(out);
    this.checkAction(action);
    this.advance(action, out);
    this.elapsedSteps++;
    out.truncated = this.elapsedSteps >= this.maxEpisodeSteps;
  }

  getState(): EnvSnapshot {
    this.checkOpen('getState');
    if (this.needsReset) throw new Error(`${this.id}: call reset() before getState()`);
    const { physics, extra } = this.captureState();
    return { envId: this.id, physics, elapsedSteps: this.elapsedSteps, rng: this.rng.getState(), extra };
  }

  setState(snapshot: EnvSnapshot): void {
    this.checkOpen('setState');
    this.checkSnapshot(snapshot);
    this.restoreState(Float64Array.from(snapshot.physics), snapshot.extra);
    this.rng.setState(snapshot.rng);
    this.elapsedSteps = snapshot.elapsedSteps;
    this.needsReset = false;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.release();
  }

  private checkOpen(operation: string): void {
    if (this.closed) throw new Error(`${this.id}: ${operation}() after close(); create a new env with makeEnv()`);
  }

  private checkOutput(out: StepOutput): void {
    if (out.obs.length !== this.observationSpace.shape[0]) {
      throw new RangeError(`${this.id}: out.obs has length ${out.obs.length}, expected ${this.observationSpace.shape[0]}`);
    }
  }

  private checkAction(action: ArrayLike<number>): void {
    const n = this.actionLength;
    if (typeof action !== 'object' || action === null || action.length !== n) {
      const expected = this.actionSpace.type === 'discrete'
        ? `[i] with an integer 0 ≤ i < ${this.actionSpace.n} (or the number i in step())`
        : `an array of ${n} numbers`;
      throw new TypeError(`${this.id} action: got ${describeValue(action)}; expected ${expected}`);
    }
    for (let i = 0; i < n; i++) {
      const a = action[i];
      if (!Number.isFinite(a)) {
        throw new RangeError(`${this.id} action[${i}]: got ${describeValue(a)} (${typeof a}); actions must be finite numbers`);
      }
    }
    if (this.actionSpace.type === 'discrete') {
      const a = action[0];
      if (!(Number.isInteger(a) && a >= 0 && a < this.actionSpace.n)) {
        throw new RangeError(`${this.id} action: got ${a}; expected an integer in 0..${this.actionSpace.n - 1}`);
      }
    }
  }

  private checkSnapshot(s: EnvSnapshot): void {
    const fail = (field: string, got: unknown, expected: string): never => {
      throw new TypeError(`${this.id} setState: snapshot.${field} is ${describeValue(got)}; expected ${expected}`);
    };
    if (typeof s !== 'object' || s === null) fail('(root)', s, 'an object from getState()');
    if (s.envId !== this.id) fail('envId', s.envId, `"${this.id}" (snapshots only restore into the same env id)`);
    const shape = this.snapshotShape();
    if (s.physics?.length !== shape.physics) fail('physics', s.physics, `${shape.physics} numbers`);
    if (!Number.isSafeInteger(s.elapsedSteps) || s.elapsedSteps < 0) fail('elapsedSteps', s.elapsedSteps, 'an integer ≥ 0');
    if (s.rng?.length !== 6) fail('rng', s.rng, '6 numbers (Rng.getState())');
    if (s.extra?.length !== shape.extra) fail('extra', s.extra, `${shape.extra} numbers`);
  }
}

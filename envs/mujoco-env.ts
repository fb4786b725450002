// The MuJoCo part shared by the Gymnasium v5 tasks (rules table: shared/specs/README.md):
//   step:  ctrl ← action (no clipping: the model's ctrllimited clamps), frameSkip × mj_step, and
//          mj_rnePostConstraint when the task reads cfrc_ext;
//   reset: mj_resetData, noise added to qpos0 / zero velocity by the task, mj_forward;
//   state: mjSTATE_INTEGRATION (restores bit-exactly) plus what the task caches between steps.
// Typed views into the wasm heap are created once and re-created only after the heap has grown (growth
// detaches the old ArrayBuffer, so its byteLength drops to 0): the hot path allocates nothing.
import type { DoubleBuffer, MjData, MjModel } from '@mujoco/mujoco';
import { BaseEnv, type TaskState } from './base-env.js';
import { modelLabels, type ModelLabels } from './labels.js';
import { integrationStateFlag, type CompiledModel, type Mujoco } from './mujoco-runtime.js';
import { noResetOptions, parseResetOptions } from './options.js';
import { boxSpace, unboundedBox } from './spaces.js';
import type { StepInfo, StepOutput } from './types.js';

export interface MujocoEnvConfig {
  id: string;
  compiled: CompiledModel;
  frameSkip: number;
  maxEpisodeSteps: number;
  obsDim: number;
  stepInfoKeys: readonly string[];
  resetInfoKeys: readonly string[];
  /** Run mj_rnePostConstraint after stepping: needed by tasks that read cfrc_ext (Ant, Humanoid). */
  needsContactForces?: boolean;
  /** Numbers the task keeps between steps and must snapshot (see extraState). */
  extraStateLength?: number;
}

const DETACHED: Float64Array = new Float64Array(0);

export abstract class MujocoEnv extends BaseEnv {
  protected readonly mj: Mujoco;
  protected readonly model: MjModel;
  protected readonly data: MjData;
  protected readonly compiled: CompiledModel;
  protected readonly frameSkip: number;
  protected readonly nq: number;
  protected readonly nv: number;
  protected readonly nu: number;
  /** qpos0 of the model: Gymnasium's init_qpos (init_qvel is zero). */
  protected readonly initQpos: Float64Array;

  protected qpos = DETACHED;
  protected qvel = DETACHED;
  protected ctrl = DETACHED;

  private readonly needsContactForces: boolean;
  private readonly extraStateLength: number;
  private readonly stateBuffer: DoubleBuffer;
  private readonly stateFlag: number;
  /** The heap the views were taken from; byteLength 0 once the heap has grown. */
  private heap: ArrayBufferLike = DETACHED.buffer;

  protected constructor(config: MujocoEnvConfig) {
    const c = config.compiled;
    const low = new Float64Array(c.nu);
    const high = new Float64Array(c.nu);
    for (let i = 0; i < c.nu; i++) {
      low[i] = c.ctrlRange[2 * i];
      high[i] = c.ctrlRange[2 * i + 1];
    }
    super({
      id: config.id,
      observationSpace: unboundedBox(config.obsDim),
      actionSpace: boxSpace(low, high),
      dt: c.timestep * config.frameSkip,
      maxEpisodeSteps: config.maxEpisodeSteps,
      stepInfoKeys: config.stepInfoKeys,
      resetInfoKeys: config.resetInfoKeys,
    });
    this.compiled = c;
    this.mj = c.mj;
    this.model = c.model;
    this.frameSkip = config.frameSkip;
    this.nq = c.nq;
    this.nv = c.nv;
    this.nu = c.nu;
    this.initQpos = c.qpos0;
    this.needsContactForces = config.needsContactForces ?? false;
    this.extraStateLength = config.extraStateLength ?? 0;
    this.stateFlag = integrationStateFlag(c.mj);
    this.data = new c.mj.MjData(c.model);
    this.stateBuffer = new c.mj.DoubleBuffer(c.integrationStateSize);
  }

  /** The MuJoCo runtime, model and data of this env, for viewers to read (stepping them breaks the env's state). */
  physics(): { mj: Mujoco; model: MjModel; data: MjData } {
    return { mj: this.mj, model: this.model, data: this.data };
  }

  /** Add the task's reset noise: on entry qpos = qpos0 and qvel = 0. */
  protected abstract randomizeInitialState(qpos: Float64Array, qvel: Float64Array): void;
  /** One env step of the task (call `simulate(action)`); the views are fresh on entry. */
  protected abstract stepTask(action: ArrayLike<number>, out: StepOutput): void;
  protected abstract writeObservation(obs: Float64Array): void;
  protected writeResetInfo(_info: StepInfo): void {}
  /** After reset's mj_forward: cache what the next step needs from the start state. */
  protected afterReset(): void {}
  /** Values cached between steps (read before the physics advances), saved in the snapshot's `extra`. */
  protected extraState(): number[] {
    return [];
  }
  protected restoreExtraState(_extra: readonly number[]): void {}

  /** Names and units of the model's qpos, qvel, bodies and actuators (for describeObservation). */
  protected labels(): ModelLabels {
    return modelLabels(this.compiled);
  }

  protected override describeAction(): readonly string[] {
    return this.labels().actuators;
  }

  /** Fetch the typed views (subclasses add theirs and call super). Called only after heap growth. */
  protected bindViews(): void {
    this.qpos = this.data.qpos as Float64Array;
    this.qvel = this.data.qvel as Float64Array;
    this.ctrl = this.data.ctrl as Float64Array;
  }

  protected ensureViews(): void {
    if (this.heap.byteLength === 0) {
      this.bindViews();
      this.heap = this.qpos.buffer;
    }
  }

  /** ctrl ← action, frameSkip physics steps, then the post-constraint forces if the task reads them. */
  protected simulate(action: ArrayLike<number>): void {
    const ctrl = this.ctrl;
    for (let i = 0; i < this.nu; i++) ctrl[i] = action[i];
    const { mj, model, data } = this;
    for (let k = 0; k < this.frameSkip; k++) mj.mj_step(model, data);
    if (this.needsContactForces) mj.mj_rnePostConstraint(model, data);
    this.ensureViews();
  }

  /** target[i] += U(−scale, scale), in index order. */
  protected addUniformNoise(target: Float64Array, scale: number): void {
    for (let i = 0; i < target.length; i++) target[i] += this.rng.uniformRange(-scale, scale);
  }

  /** target[i] += scale · N(0, 1), in index order. */
  protected addNormalNoise(target: Float64Array, scale: number): void {
    for (let i = 0; i < target.length; i++) target[i] += scale * this.rng.normal();
  }

  /** info.x_position, y_position (qpos[0], qpos[1]) and distance_from_origin (from the initial qpos). */
  protected writePlanarPositionInfo(info: StepInfo): void {
    const q = this.qpos;
    const dx = q[0] - this.initQpos[0];
    const dy = q[1] - this.initQpos[1];
    info.x_position = q[0];
    info.y_position = q[1];
    info.distance_from_origin = Math.sqrt(dx * dx + dy * dy);
  }

  protected resetTask(options: Record<string, unknown> | undefined, obs: Float64Array, info: StepInfo): void {
    if (options !== undefined) parseResetOptions(noResetOptions, options, this.id);
    const { mj, model, data } = this;
    mj.mj_resetData(model, data);
    this.ensureViews();
    this.randomizeInitialState(this.qpos, this.qvel);
    mj.mj_forward(model, data);
    this.ensureViews();
    this.afterReset();
    this.writeObservation(obs);
    this.writeResetInfo(info);
  }

  protected advance(action: ArrayLike<number>, out: StepOutput): void {
    this.ensureViews();
    this.stepTask(action, out);
  }

  protected captureState(): TaskState {
    this.mj.mj_getState(this.model, this.data, this.stateBuffer, this.stateFlag);
    const physics = (this.stateBuffer.GetView() as Float64Array).slice();
    return { physics, extra: this.extraState() };
  }

  protected restoreState(physics: Float64Array, extra: readonly number[]): void {
    const { mj, model, data } = this;
    mj.mj_setState(model, data, physics as unknown as number[], this.stateFlag);
    // Derived quantities (xpos, cfrc_ext, …) become consistent with the restored state; mj_forward leaves the
    // integration state untouched, so replay stays bit-exact. Values the task read from the previous step's
    // derived quantities come back through restoreExtraState.
    mj.mj_forward(model, data);
    this.ensureViews();
    this.restoreExtraState(extra);
  }

  protected snapshotShape(): { physics: number; extra: number } {
    return { physics: this.compiled.integrationStateSize, extra: this.extraStateLength };
  }

  protected release(): void {
    this.stateBuffer.delete();
    this.data.delete();
    this.qpos = this.qvel = this.ctrl = DETACHED;
  }
}

export function sumOfSquares(values: ArrayLike<number>, n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i] * values[i];
  return sum;
}

/** out[k…] = from[start…]; returns the next free index of out. Observation layouts are runs of such copies. */
export function copyTail(from: Float64Array, start: number, out: Float64Array, k: number): number {
  for (let i = start; i < from.length; i++) out[k++] = from[i];
  return k;
}

export function clip(x: number, low: number, high: number): number {
  return x < low ? low : x > high ? high : x;
}

// Ranges are read by index, not destructured: destructuring the option tuples allocated on every step.

/** low < x < high; false for NaN. */
export function insideOpen(x: number, range: readonly [number, number]): boolean {
  return range[0] < x && x < range[1];
}

/** low ≤ x ≤ high; false for NaN. */
export function insideClosed(x: number, range: readonly [number, number]): boolean {
  return range[0] <= x && x <= range[1];
}

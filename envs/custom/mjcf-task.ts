// Your own MuJoCo robot as an env: you write the model (MJCF text plus the files it names) and the task — the
// observation, the reward with its named terms, termination and reset noise — and MjcfEnv does the rest the way
// the built-in Gymnasium v5 envs do it (ctrl ← action, frameSkip × mj_step, mjSTATE_INTEGRATION snapshots, typed
// views re-fetched only after heap growth). No Node built-ins here: the model arrives as text + an asset map, so
// the same task runs in a browser; reading the files from disk is sdk/envs/mjcf-files.ts (Node).
//
// The task functions get `sim`, whose arrays are views into MuJoCo's memory: read them inside the call, do not
// keep them (they are replaced when the wasm heap grows), and allocate nothing per step for built-in speed.
import type { MjData, MjModel } from '@mujoco/mujoco';
import { compileMjcf, type MjcfSource } from '../mujoco-runtime.js';
import { MujocoEnv } from '../mujoco-env.js';
import type { StepInfo, StepOutput } from '../types.js';
import { EnvContractError } from './contract.js';

export type { MjcfSource };

/** What the task functions can read. Arrays are live views: valid during the call only. */
export interface MjcfSim {
  qpos: Float64Array;
  qvel: Float64Array;
  /** The control applied in the last step (the action; MuJoCo clamps it to ctrlrange when ctrllimited). */
  ctrl: Float64Array;
  /** All sensor readings; sensorAddress(name) gives where one sensor's values start. */
  sensordata: Float64Array;
  /** Body positions in the world frame, nbody × 3 (body 0 is the world). */
  xpos: Float64Array;
  /** Body orientations as quaternions (w, x, y, z), nbody × 4. */
  xquat: Float64Array;
  /** External (contact) forces per body, nbody × 6; filled only with `contactForces: true`. */
  cfrc_ext: Float64Array;
  /** qpos at the start of every episode (the model's qpos0). */
  readonly initQpos: Float64Array;
  /** Seconds per env step (timestep × frameSkip). */
  readonly dt: number;
  readonly nq: number;
  readonly nv: number;
  readonly nu: number;
  /** Number of active contacts after the last step. */
  readonly ncon: number;
  /** The raw MuJoCo objects, for anything else (reading struct fields may allocate: keep it out of the hot path). */
  readonly model: MjModel;
  readonly data: MjData;
  /** Name → index; throws naming the missing element. Look names up once, in `setup`. */
  bodyId(name: string): number;
  jointId(name: string): number;
  geomId(name: string): number;
  /** Where sensor `name` starts in sensordata, and how many numbers it has. */
  sensorAddress(name: string): { address: number; dim: number };
  /** Where joint `name` starts in qpos and in qvel. */
  jointAddress(name: string): { qpos: number; qvel: number };
  /** The env's seeded noise: uniform in [low, high), and standard normal. */
  uniform(low: number, high: number): number;
  normal(): number;
}

export interface MjcfTask {
  /** The env's id (messages, run folders, ONNX metadata). */
  id: string;
  model: MjcfSource;
  /** Physics steps per env step (default 5). */
  frameSkip?: number;
  /** Time limit in env steps (default 1000); it only sets `truncated`. */
  maxEpisodeSteps?: number;
  /** Length of the observation vector. */
  observationSize: number;
  /** Called once after the model is compiled: look names up here. */
  setup?(sim: MjcfSim): void;
  /** Write the observation into `obs` (observationSize numbers). */
  observation(sim: MjcfSim, obs: Float64Array): void;
  /** The reward after a step; write its named terms into `info` (keys listed in `rewardTerms`). */
  reward(sim: MjcfSim, action: ArrayLike<number>, info: StepInfo): number;
  /** Keys the reward writes into info (a fixed set keeps the step allocation-free). */
  rewardTerms?: readonly string[];
  /** True when the task has ended (fell over, reached the goal…). Default: never. */
  terminated?(sim: MjcfSim): boolean;
  /** Add noise to the start state (qpos = qpos0, qvel = 0 on entry). Default: U(±0.1) on both. */
  resetNoise?(sim: MjcfSim, qpos: Float64Array, qvel: Float64Array): void;
  /** Run mj_rnePostConstraint after stepping so cfrc_ext holds contact forces. */
  contactForces?: boolean;
  observationLabels?: readonly string[];
  /** Default: the actuators' names from the model. */
  actionLabels?: readonly string[];
}

const EMPTY = new Float64Array(0);

/** An env of an MJCF task: same step path and speed as the built-in MuJoCo envs. */
export class MjcfEnv extends MujocoEnv {
  /** The model this env was compiled from (its hash goes into the ONNX metadata). */
  readonly modelSource: MjcfSource;
  private readonly task: MjcfTask;
  private readonly sim: MjcfSim;

  /** Compile the task's model (once per thread) and make an env of it. */
  static async create(task: MjcfTask): Promise<MjcfEnv> {
    return new MjcfEnv(task, await compileMjcf(task.id, task.model));
  }

  private constructor(task: MjcfTask, compiled: Awaited<ReturnType<typeof compileMjcf>>) {
    const frameSkip = task.frameSkip ?? 5;
    if (!(Number.isSafeInteger(task.observationSize) && task.observationSize >= 1)) {
      throw new RangeError(`${task.id}: observationSize must be a positive integer, got ${task.observationSize}`);
    }
    super({
      id: task.id,
      compiled,
      frameSkip,
      maxEpisodeSteps: task.maxEpisodeSteps ?? 1000,
      obsDim: task.observationSize,
      stepInfoKeys: task.rewardTerms ?? [],
      resetInfoKeys: [],
      needsContactForces: task.contactForces ?? false,
    });
    this.task = task;
    this.modelSource = task.model;
    this.sim = this.createSim();
    this.ensureViews();
    task.setup?.(this.sim);
  }

  protected override describeObservation(): readonly string[] | undefined {
    return this.task.observationLabels;
  }

  /** The task's action labels, else the model's actuators (name, joint, gear, control range). */
  protected override describeAction(): readonly string[] {
    return this.task.actionLabels ?? super.describeAction();
  }

  protected override bindViews(): void {
    super.bindViews();
    if (this.sim === undefined) return; // before the constructor made `sim`
    const s = this.sim, d = this.data;
    s.qpos = this.qpos;
    s.qvel = this.qvel;
    s.ctrl = this.ctrl;
    s.sensordata = d.sensordata as Float64Array;
    s.xpos = d.xpos as Float64Array;
    s.xquat = d.xquat as Float64Array;
    s.cfrc_ext = d.cfrc_ext as Float64Array;
  }

  protected randomizeInitialState(qpos: Float64Array, qvel: Float64Array): void {
    if (this.task.resetNoise) this.task.resetNoise(this.sim, qpos, qvel);
    else {
      this.addUniformNoise(qpos, 0.1);
      this.addUniformNoise(qvel, 0.1);
    }
  }

  protected stepTask(action: ArrayLike<number>, out: StepOutput): void {
    this.simulate(action);
    const sim = this.sim;
    out.reward = this.task.reward(sim, action, out.info);
    out.terminated = this.task.terminated?.(sim) ?? false;
    this.task.observation(sim, out.obs);
    this.checkFinite(out, 'step');
  }

  protected writeObservation(obs: Float64Array): void {
    this.task.observation(this.sim, obs);
    for (let i = 0; i < obs.length; i++) if (!Number.isFinite(obs[i])) this.notFinite(`reset observation()[${i}]`, obs[i]);
  }

  /** A diverging simulation or a bad task function must stop training, not poison it. */
  private checkFinite(out: StepOutput, when: string): void {
    const obs = out.obs;
    for (let i = 0; i < obs.length; i++) if (!Number.isFinite(obs[i])) this.notFinite(`${when} observation()[${i}]`, obs[i]);
    if (!Number.isFinite(out.reward)) this.notFinite(`${when} reward()`, out.reward);
  }

  private notFinite(field: string, got: number): never {
    throw new EnvContractError(this.id, [{
      field, expected: 'a finite number', got: String(got),
      fix: 'check the task function; if the simulation diverged, lower the timestep, add damping or limit the actuator forces',
    }]);
  }

  private createSim(): MjcfSim {
    const env = this;
    const { mj, model, data, compiled } = this;
    const obj = mj.mjtObj;
    const id = (type: number, kind: string, name: string) => {
      const i = mj.mj_name2id(model, type, name);
      if (i < 0) throw new Error(`${env.id}: the model has no ${kind} named "${name}"`);
      return i;
    };
    const sim: MjcfSim = {
      qpos: EMPTY, qvel: EMPTY, ctrl: EMPTY, sensordata: EMPTY, xpos: EMPTY, xquat: EMPTY, cfrc_ext: EMPTY,
      initQpos: this.initQpos,
      dt: compiled.timestep * this.frameSkip,
      nq: this.nq,
      nv: this.nv,
      nu: this.nu,
      get ncon() {
        return data.ncon;
      },
      model,
      data,
      bodyId: (name) => id(obj.mjOBJ_BODY.value, 'body', name),
      jointId: (name) => id(obj.mjOBJ_JOINT.value, 'joint', name),
      geomId: (name) => id(obj.mjOBJ_GEOM.value, 'geom', name),
      sensorAddress: (name) => {
        const i = id(obj.mjOBJ_SENSOR.value, 'sensor', name);
        return { address: (model.sensor_adr as Int32Array)[i], dim: (model.sensor_dim as Int32Array)[i] };
      },
      jointAddress: (name) => {
        const i = id(obj.mjOBJ_JOINT.value, 'joint', name);
        return { qpos: (model.jnt_qposadr as Int32Array)[i], qvel: (model.jnt_dofadr as Int32Array)[i] };
      },
      uniform: (low, high) => env.rng.uniformRange(low, high),
      normal: () => env.rng.normal(),
    };
    return sim; // its views are bound by the constructor's ensureViews()
  }
}

/** `MjcfEnv.create(task)` as a factory function (what an env module exports). */
export function createMjcfEnv(task: MjcfTask): Promise<MjcfEnv> {
  return MjcfEnv.create(task);
}

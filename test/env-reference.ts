// An independent MuJoCo simulation for checking the envs: its own MjModel compiled from the same MJCF and
// its own MjData, driven with plain mj_* calls. Fields are read as copies (plain arrays) so that the test
// formulas stay simple and views can never go stale.
import type { DoubleBuffer, MjData, MjModel } from '@mujoco/mujoco';
import { loadMujocoRuntime, type Mujoco } from '../envs/mujoco-runtime.js';
import { loadModelXml, type ModelName } from '../envs/models/index.js';

export type DataField =
  | 'qpos' | 'qvel' | 'ctrl' | 'xpos' | 'xipos' | 'cfrc_ext' | 'cinert' | 'cvel' | 'qfrc_actuator'
  | 'qfrc_constraint' | 'site_xpos' | 'ten_length' | 'ten_velocity';

/** Copies of the data fields the v5 rules read. */
export type Readout = Record<DataField, number[]>;

const FIELDS: readonly DataField[] = [
  'qpos', 'qvel', 'ctrl', 'xpos', 'xipos', 'cfrc_ext', 'cinert', 'cvel', 'qfrc_actuator', 'qfrc_constraint',
  'site_xpos', 'ten_length', 'ten_velocity',
];

export class ReferenceSim {
  private constructor(
    readonly mj: Mujoco,
    readonly model: MjModel,
    readonly data: MjData,
    private readonly buffer: DoubleBuffer,
  ) {}

  static async create(name: ModelName): Promise<ReferenceSim> {
    const mj = await loadMujocoRuntime();
    const model = mj.MjModel.from_xml_string(loadModelXml(name));
    const data = new mj.MjData(model);
    const buffer = new mj.DoubleBuffer(mj.mj_stateSize(model, mj.mjtState.mjSTATE_INTEGRATION.value));
    return new ReferenceSim(mj, model, data, buffer);
  }

  read(): Readout {
    const out = {} as Readout;
    const data = this.data as unknown as Record<DataField, Float64Array>;
    for (const f of FIELDS) out[f] = Array.from(data[f]);
    return out;
  }

  bodyMass(): number[] {
    return Array.from(this.model.body_mass as Float64Array);
  }

  qpos0(): number[] {
    return Array.from(this.model.qpos0 as Float64Array);
  }

  /**
   * Load an integration state (e.g. an env snapshot's physics) the way a reset does: mj_resetData first (so the
   * quantities mj_forward does not compute, like cfrc_ext, are zero), then the state, then mj_forward.
   */
  load(physics: ArrayLike<number>): void {
    this.mj.mj_resetData(this.model, this.data);
    this.mj.mj_setState(this.model, this.data, Array.from(physics), this.mj.mjtState.mjSTATE_INTEGRATION.value);
    this.mj.mj_forward(this.model, this.data);
  }

  /** The integration state of the current data with qpos/qvel replaced (for building snapshots by hand). */
  stateWith(physics: ArrayLike<number>, qpos: ArrayLike<number>, qvel: ArrayLike<number>): Float64Array {
    this.load(physics);
    (this.data.qpos as Float64Array).set(qpos);
    (this.data.qvel as Float64Array).set(qvel);
    this.mj.mj_forward(this.model, this.data);
    this.mj.mj_getState(this.model, this.data, this.buffer, this.mj.mjtState.mjSTATE_INTEGRATION.value);
    return Float64Array.from(this.buffer.GetView() as Float64Array);
  }

  step(action: ArrayLike<number>, frameSkip: number, contactForces: boolean): void {
    (this.data.ctrl as Float64Array).set(action);
    for (let k = 0; k < frameSkip; k++) this.mj.mj_step(this.model, this.data);
    if (contactForces) this.mj.mj_rnePostConstraint(this.model, this.data);
  }

  close(): void {
    this.buffer.delete();
    this.data.delete();
    this.model.delete();
  }
}

// Humanoid-v5: a 3D biped on a free joint (qpos[0:7] = torso position and quaternion), 17 actuators.
//   obs    = qpos[2:] (all of qpos with excludeCurrentPositionsFromObservation: false), qvel, and each when
//            included: cinert[1:] (10 per body), cvel[1:] (6 per body), qfrc_actuator[6:], cfrc_ext[1:] (6 per body)
//   reward = healthyReward·[healthy] + forwardRewardWeight·ẋ − ctrlCostWeight·‖ctrl‖²
//            − clip(contactCostWeight·Σ cfrc_ext², contactCostRange)
// ẋ, ẏ: displacement over dt of the mass-weighted centre of the bodies' xipos; "before" is the value from the
// end of the previous step (cached, and saved in snapshots). healthy: z = qpos[2] strictly inside healthyZRange.
// Reset: qpos0 and zero velocity plus U(±resetNoiseScale).
import { z } from 'zod';
import { compileModel, type CompiledModel } from './mujoco-runtime.js';
import { dofForceLabels, perBodyLabels } from './labels.js';
import { MujocoEnv, clip, copyTail, insideOpen, sumOfSquares } from './mujoco-env.js';
import { flag, mujocoCommon, nonNegative, parseEnvOptions, range, weight } from './options.js';
import type { StepInfo, StepOutput } from './types.js';

const FREE_JOINT_DOFS = 6;

export const humanoidOptionsSchema = z.strictObject({
  forwardRewardWeight: weight(1.25),
  ctrlCostWeight: weight(0.1),
  contactCostWeight: weight(5e-7),
  contactCostRange: range([-Infinity, 10]),
  healthyReward: weight(5),
  terminateWhenUnhealthy: flag(true),
  healthyZRange: range([1, 2]),
  resetNoiseScale: nonNegative(1e-2),
  excludeCurrentPositionsFromObservation: flag(true),
  includeCinertInObservation: flag(true),
  includeCvelInObservation: flag(true),
  includeQfrcActuatorInObservation: flag(true),
  includeCfrcExtInObservation: flag(true),
  ...mujocoCommon(5, 1000),
});
export type HumanoidOptions = z.input<typeof humanoidOptionsSchema>;
type Settings = z.output<typeof humanoidOptionsSchema>;

/** out[k…] = from[start…]; returns the next free index of out. */
/**
 * Gymnasium's info arrays tendon_length / tendon_velocity of the model's two tendons, flattened into named
 * keys. The names are spelled out because keyed stores (info[key]) boxed a fresh number on every step.
 */
const TENDON_KEYS = ['tendon_length_0', 'tendon_velocity_0', 'tendon_length_1', 'tendon_velocity_1'];

export class HumanoidEnv extends MujocoEnv {
  private readonly s: Settings;
  private readonly firstPosition: number;
  private readonly totalMass: number;
  private xipos: Float64Array = new Float64Array(0);
  private cinert: Float64Array = new Float64Array(0);
  private cvel: Float64Array = new Float64Array(0);
  private qfrcActuator: Float64Array = new Float64Array(0);
  private cfrcExt: Float64Array = new Float64Array(0);
  private tenLength: Float64Array = new Float64Array(0);
  private tenVelocity: Float64Array = new Float64Array(0);
  /** Centre of mass (x, y) at the end of the previous step or reset. */
  private readonly xyBefore = new Float64Array(2);

  static async create(options?: HumanoidOptions): Promise<HumanoidEnv> {
    const settings = parseEnvOptions(humanoidOptionsSchema, options, 'Humanoid-v5');
    return new HumanoidEnv(await compileModel('humanoid'), settings);
  }

  private constructor(compiled: CompiledModel, settings: Settings) {
    const firstPosition = settings.excludeCurrentPositionsFromObservation ? 2 : 0;
    const bodies = compiled.nbody - 1;
    const obsDim = compiled.nq - firstPosition + compiled.nv
      + (settings.includeCinertInObservation ? 10 * bodies : 0)
      + (settings.includeCvelInObservation ? 6 * bodies : 0)
      + (settings.includeQfrcActuatorInObservation ? compiled.nv - FREE_JOINT_DOFS : 0)
      + (settings.includeCfrcExtInObservation ? 6 * bodies : 0);
    if (compiled.model.ntendon !== 2) {
      throw new Error(`Humanoid-v5: model "${compiled.name}" has ${compiled.model.ntendon} tendons, expected 2`);
    }
    super({
      id: 'Humanoid-v5',
      compiled,
      frameSkip: settings.frameSkip,
      maxEpisodeSteps: settings.maxEpisodeSteps,
      obsDim,
      stepInfoKeys: [
        'x_position', 'y_position', ...TENDON_KEYS, 'distance_from_origin', 'x_velocity', 'y_velocity',
        'reward_survive', 'reward_forward', 'reward_ctrl', 'reward_contact',
      ],
      resetInfoKeys: ['x_position', 'y_position', ...TENDON_KEYS, 'distance_from_origin'],
      needsContactForces: true,
      extraStateLength: 2,
    });
    this.s = settings;
    this.firstPosition = firstPosition;
    this.totalMass = compiled.bodyMass.reduce((a, b) => a + b, 0);
  }

  protected override bindViews(): void {
    super.bindViews();
    const d = this.data;
    this.xipos = d.xipos as Float64Array;
    this.cinert = d.cinert as Float64Array;
    this.cvel = d.cvel as Float64Array;
    this.qfrcActuator = d.qfrc_actuator as Float64Array;
    this.cfrcExt = d.cfrc_ext as Float64Array;
    this.tenLength = d.ten_length as Float64Array;
    this.tenVelocity = d.ten_velocity as Float64Array;
  }

  /** Gymnasium's is_healthy for the current state. */
  isHealthy(): boolean {
    this.ensureViews();
    return insideOpen(this.qpos[2], this.s.healthyZRange);
  }

  protected randomizeInitialState(qpos: Float64Array, qvel: Float64Array): void {
    this.addUniformNoise(qpos, this.s.resetNoiseScale);
    this.addUniformNoise(qvel, this.s.resetNoiseScale);
  }

  /** Mass-weighted mean of the bodies' centres of mass (xipos), x and y into `out`. */
  private massCenterXY(out: Float64Array): void {
    const mass = this.compiled.bodyMass;
    const p = this.xipos;
    let x = 0, y = 0;
    for (let b = 0; b < mass.length; b++) {
      x += mass[b] * p[3 * b];
      y += mass[b] * p[3 * b + 1];
    }
    out[0] = x / this.totalMass;
    out[1] = y / this.totalMass;
  }

  protected override afterReset(): void {
    this.massCenterXY(this.xyBefore);
  }

  protected stepTask(action: ArrayLike<number>, out: StepOutput): void {
    const xBefore = this.xyBefore[0];
    const yBefore = this.xyBefore[1];
    this.simulate(action);
    this.massCenterXY(this.xyBefore);
    const xVelocity = (this.xyBefore[0] - xBefore) / this.dt;
    const yVelocity = (this.xyBefore[1] - yBefore) / this.dt;

    const healthy = this.isHealthy();
    const forwardReward = this.s.forwardRewardWeight * xVelocity;
    const surviveReward = healthy ? this.s.healthyReward : 0;
    const ctrlCost = this.s.ctrlCostWeight * sumOfSquares(this.ctrl, this.nu);
    const costRange = this.s.contactCostRange;
    const rawContactCost = this.s.contactCostWeight * sumOfSquares(this.cfrcExt, this.cfrcExt.length);
    const contactCost = clip(rawContactCost, costRange[0], costRange[1]);
    out.reward = forwardReward + surviveReward - (ctrlCost + contactCost);
    out.terminated = !healthy && this.s.terminateWhenUnhealthy;
    this.writeObservation(out.obs);
    const info = out.info;
    this.writeResetInfo(info);
    info.x_velocity = xVelocity;
    info.y_velocity = yVelocity;
    info.reward_survive = surviveReward;
    info.reward_forward = forwardReward;
    info.reward_ctrl = -ctrlCost;
    info.reward_contact = -contactCost;
  }

  protected writeObservation(obs: Float64Array): void {
    let k = copyTail(this.qpos, this.firstPosition, obs, 0);
    k = copyTail(this.qvel, 0, obs, k);
    // The per-body quantities skip body 0, the world.
    if (this.s.includeCinertInObservation) k = copyTail(this.cinert, 10, obs, k);
    if (this.s.includeCvelInObservation) k = copyTail(this.cvel, 6, obs, k);
    if (this.s.includeQfrcActuatorInObservation) k = copyTail(this.qfrcActuator, FREE_JOINT_DOFS, obs, k);
    if (this.s.includeCfrcExtInObservation) copyTail(this.cfrcExt, 6, obs, k);
  }
  protected override describeObservation(): string[] {
    const labels = this.labels();
    const s = this.s;
    return [
      ...labels.qpos.slice(this.firstPosition),
      ...labels.qvel,
      ...(s.includeCinertInObservation ? perBodyLabels(labels, 'cinert') : []),
      ...(s.includeCvelInObservation ? perBodyLabels(labels, 'cvel') : []),
      ...(s.includeQfrcActuatorInObservation ? dofForceLabels(labels, 'qfrc_actuator', FREE_JOINT_DOFS) : []),
      ...(s.includeCfrcExtInObservation ? perBodyLabels(labels, 'cfrc_ext') : []),
    ];
  }


  /** Position, tendons and distance from the start (also part of every step's info). */
  protected override writeResetInfo(info: StepInfo): void {
    const q = this.qpos;
    const dx = q[0] - this.initQpos[0];
    const dy = q[1] - this.initQpos[1];
    info.x_position = q[0];
    info.y_position = q[1];
    info.tendon_length_0 = this.tenLength[0];
    info.tendon_velocity_0 = this.tenVelocity[0];
    info.tendon_length_1 = this.tenLength[1];
    info.tendon_velocity_1 = this.tenVelocity[1];
    info.distance_from_origin = Math.sqrt(dx * dx + dy * dy);
  }

  protected override extraState(): number[] {
    return [this.xyBefore[0], this.xyBefore[1]];
  }

  protected override restoreExtraState(extra: readonly number[]): void {
    this.xyBefore[0] = extra[0];
    this.xyBefore[1] = extra[1];
  }
}

// Hopper-v5 and Walker2d-v5: planar walkers whose root is (x slide, z slide, pitch hinge) = qpos[0:3].
//   obs    = qpos[1:] (qpos with excludeCurrentPositionsFromObservation: false), clip(qvel, ±10)
//   reward = forwardRewardWeight·ẋ + healthyReward·[healthy] − ctrlCostWeight·‖a‖², ẋ = Δqpos[0] / dt
//   terminated = terminateWhenUnhealthy and not healthy
// healthy: z = qpos[1] and pitch = qpos[2] strictly inside their ranges, and for Hopper also every entry of
// (qpos[2:], qvel) strictly inside healthyStateRange. Reset: qpos0 and zero velocity plus U(±resetNoiseScale).
import { z } from 'zod';
import { compileModel, type CompiledModel } from './mujoco-runtime.js';
import { withNote } from './labels.js';
import { MujocoEnv, clip, insideOpen, sumOfSquares } from './mujoco-env.js';
import { flag, mujocoCommon, nonNegative, parseEnvOptions, range, weight } from './options.js';
import type { StepInfo, StepOutput } from './types.js';

const VELOCITY_CLIP = 10;

export const hopperOptionsSchema = z.strictObject({
  forwardRewardWeight: weight(1),
  ctrlCostWeight: weight(1e-3),
  healthyReward: weight(1),
  terminateWhenUnhealthy: flag(true),
  healthyStateRange: range([-100, 100]),
  healthyZRange: range([0.7, Infinity]),
  healthyAngleRange: range([-0.2, 0.2]),
  resetNoiseScale: nonNegative(5e-3),
  excludeCurrentPositionsFromObservation: flag(true),
  ...mujocoCommon(4, 1000),
});
export type HopperOptions = z.input<typeof hopperOptionsSchema>;

export const walker2dOptionsSchema = z.strictObject({
  forwardRewardWeight: weight(1),
  ctrlCostWeight: weight(1e-3),
  healthyReward: weight(1),
  terminateWhenUnhealthy: flag(true),
  healthyZRange: range([0.8, 2]),
  healthyAngleRange: range([-1, 1]),
  resetNoiseScale: nonNegative(5e-3),
  excludeCurrentPositionsFromObservation: flag(true),
  ...mujocoCommon(4, 1000),
});
export type Walker2dOptions = z.input<typeof walker2dOptionsSchema>;

type WalkerSettings = z.output<typeof walker2dOptionsSchema> & { healthyStateRange?: [number, number] };

const STEP_INFO_KEYS = [
  'x_position', 'z_distance_from_origin', 'x_velocity', 'reward_forward', 'reward_ctrl', 'reward_survive',
] as const;
const RESET_INFO_KEYS = ['x_position', 'z_distance_from_origin'] as const;

class PlanarWalkerEnv extends MujocoEnv {
  private readonly s: WalkerSettings;
  private readonly firstPosition: number;

  constructor(id: string, compiled: CompiledModel, settings: WalkerSettings) {
    const firstPosition = settings.excludeCurrentPositionsFromObservation ? 1 : 0;
    super({
      id,
      compiled,
      frameSkip: settings.frameSkip,
      maxEpisodeSteps: settings.maxEpisodeSteps,
      obsDim: compiled.nq - firstPosition + compiled.nv,
      stepInfoKeys: STEP_INFO_KEYS,
      resetInfoKeys: RESET_INFO_KEYS,
    });
    this.s = settings;
    this.firstPosition = firstPosition;
  }

  /** Gymnasium's is_healthy for the current state. */
  isHealthy(): boolean {
    this.ensureViews();
    const q = this.qpos;
    if (!(insideOpen(q[1], this.s.healthyZRange) && insideOpen(q[2], this.s.healthyAngleRange))) return false;
    const stateRange = this.s.healthyStateRange;
    if (stateRange === undefined) return true;
    for (let i = 2; i < this.nq; i++) if (!insideOpen(q[i], stateRange)) return false;
    const v = this.qvel;
    for (let i = 0; i < this.nv; i++) if (!insideOpen(v[i], stateRange)) return false;
    return true;
  }

  protected randomizeInitialState(qpos: Float64Array, qvel: Float64Array): void {
    this.addUniformNoise(qpos, this.s.resetNoiseScale);
    this.addUniformNoise(qvel, this.s.resetNoiseScale);
  }

  protected stepTask(action: ArrayLike<number>, out: StepOutput): void {
    const xBefore = this.qpos[0];
    this.simulate(action);
    const q = this.qpos;
    const xAfter = q[0];
    const xVelocity = (xAfter - xBefore) / this.dt;
    const healthy = this.isHealthy();
    const forwardReward = this.s.forwardRewardWeight * xVelocity;
    const surviveReward = healthy ? this.s.healthyReward : 0;
    const ctrlCost = this.s.ctrlCostWeight * sumOfSquares(action, this.nu);
    out.reward = forwardReward + surviveReward - ctrlCost;
    out.terminated = !healthy && this.s.terminateWhenUnhealthy;
    this.writeObservation(out.obs);
    const info = out.info;
    info.x_position = xAfter;
    info.z_distance_from_origin = q[1] - this.initQpos[1];
    info.x_velocity = xVelocity;
    info.reward_forward = forwardReward;
    info.reward_ctrl = -ctrlCost;
    info.reward_survive = surviveReward;
  }

  protected writeObservation(obs: Float64Array): void {
    const q = this.qpos;
    const v = this.qvel;
    let k = 0;
    for (let i = this.firstPosition; i < this.nq; i++) obs[k++] = q[i];
    for (let i = 0; i < this.nv; i++) obs[k++] = clip(v[i], -VELOCITY_CLIP, VELOCITY_CLIP);
  }

  protected override describeObservation(): string[] {
    const { qpos, qvel } = this.labels();
    return [...qpos.slice(this.firstPosition), ...withNote(qvel, `, clipped to ±${VELOCITY_CLIP}`)];
  }

  protected override writeResetInfo(info: StepInfo): void {
    info.x_position = this.qpos[0];
    info.z_distance_from_origin = this.qpos[1] - this.initQpos[1];
  }
}

export class HopperEnv extends PlanarWalkerEnv {
  static async create(options?: HopperOptions): Promise<HopperEnv> {
    const settings = parseEnvOptions(hopperOptionsSchema, options, 'Hopper-v5');
    return new HopperEnv('Hopper-v5', await compileModel('hopper'), settings);
  }
}

export class Walker2dEnv extends PlanarWalkerEnv {
  static async create(options?: Walker2dOptions): Promise<Walker2dEnv> {
    const settings = parseEnvOptions(walker2dOptionsSchema, options, 'Walker2d-v5');
    return new Walker2dEnv('Walker2d-v5', await compileModel('walker2d_v5'), settings);
  }
}

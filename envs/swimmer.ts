// Swimmer-v5: a three-link swimmer in viscous fluid, rewarded for speed along x (it never terminates).
//   obs    = qpos[2:] (all of qpos with excludeCurrentPositionsFromObservation: false), qvel
//   reward = forwardRewardWeight·ẋ − ctrlCostWeight·‖a‖², (ẋ, ẏ) = Δqpos[0:2] / dt
// Reset: qpos0 and zero velocity plus U(±resetNoiseScale).
import { z } from 'zod';
import { compileModel, type CompiledModel } from './mujoco-runtime.js';
import { MujocoEnv, copyTail, sumOfSquares } from './mujoco-env.js';
import { flag, mujocoCommon, nonNegative, parseEnvOptions, weight } from './options.js';
import type { StepInfo, StepOutput } from './types.js';

export const swimmerOptionsSchema = z.strictObject({
  forwardRewardWeight: weight(1),
  ctrlCostWeight: weight(1e-4),
  resetNoiseScale: nonNegative(0.1),
  excludeCurrentPositionsFromObservation: flag(true),
  ...mujocoCommon(4, 1000),
});
export type SwimmerOptions = z.input<typeof swimmerOptionsSchema>;
type Settings = z.output<typeof swimmerOptionsSchema>;

export class SwimmerEnv extends MujocoEnv {
  private readonly s: Settings;
  private readonly firstPosition: number;

  static async create(options?: SwimmerOptions): Promise<SwimmerEnv> {
    const settings = parseEnvOptions(swimmerOptionsSchema, options, 'Swimmer-v5');
    return new SwimmerEnv(await compileModel('swimmer'), settings);
  }

  private constructor(compiled: CompiledModel, settings: Settings) {
    const firstPosition = settings.excludeCurrentPositionsFromObservation ? 2 : 0;
    super({
      id: 'Swimmer-v5',
      compiled,
      frameSkip: settings.frameSkip,
      maxEpisodeSteps: settings.maxEpisodeSteps,
      obsDim: compiled.nq - firstPosition + compiled.nv,
      stepInfoKeys: [
        'x_position', 'y_position', 'distance_from_origin', 'x_velocity', 'y_velocity', 'reward_forward', 'reward_ctrl',
      ],
      resetInfoKeys: ['x_position', 'y_position', 'distance_from_origin'],
    });
    this.s = settings;
    this.firstPosition = firstPosition;
  }

  protected randomizeInitialState(qpos: Float64Array, qvel: Float64Array): void {
    this.addUniformNoise(qpos, this.s.resetNoiseScale);
    this.addUniformNoise(qvel, this.s.resetNoiseScale);
  }

  protected stepTask(action: ArrayLike<number>, out: StepOutput): void {
    const xBefore = this.qpos[0];
    const yBefore = this.qpos[1];
    this.simulate(action);
    const q = this.qpos;
    const xVelocity = (q[0] - xBefore) / this.dt;
    const yVelocity = (q[1] - yBefore) / this.dt;
    const forwardReward = this.s.forwardRewardWeight * xVelocity;
    const ctrlCost = this.s.ctrlCostWeight * sumOfSquares(action, this.nu);
    out.reward = forwardReward - ctrlCost;
    out.terminated = false;
    this.writeObservation(out.obs);
    const info = out.info;
    this.writeResetInfo(info);
    info.x_velocity = xVelocity;
    info.y_velocity = yVelocity;
    info.reward_forward = forwardReward;
    info.reward_ctrl = -ctrlCost;
  }

  protected writeObservation(obs: Float64Array): void {
    copyTail(this.qvel, 0, obs, copyTail(this.qpos, this.firstPosition, obs, 0));
  }

  protected override describeObservation(): string[] {
    const { qpos, qvel } = this.labels();
    return [...qpos.slice(this.firstPosition), ...qvel];
  }

  /** Position and distance from the start (also part of every step's info). */
  protected override writeResetInfo(info: StepInfo): void {
    this.writePlanarPositionInfo(info);
  }
}

// HalfCheetah-v5: a planar cat-like runner, rewarded for speed only (it never terminates).
//   obs    = qpos[1:] (all of qpos with excludeCurrentPositionsFromObservation: false), qvel (no clipping)
//   reward = forwardRewardWeight·ẋ − ctrlCostWeight·‖a‖², ẋ = Δqpos[0] / dt
// Reset: qpos0 + U(±resetNoiseScale), qvel = resetNoiseScale·N(0, 1).
import { z } from 'zod';
import { compileModel, type CompiledModel } from './mujoco-runtime.js';
import { MujocoEnv, copyTail, sumOfSquares } from './mujoco-env.js';
import { flag, mujocoCommon, nonNegative, parseEnvOptions, weight } from './options.js';
import type { StepInfo, StepOutput } from './types.js';

export const halfCheetahOptionsSchema = z.strictObject({
  forwardRewardWeight: weight(1),
  ctrlCostWeight: weight(0.1),
  resetNoiseScale: nonNegative(0.1),
  excludeCurrentPositionsFromObservation: flag(true),
  ...mujocoCommon(5, 1000),
});
export type HalfCheetahOptions = z.input<typeof halfCheetahOptionsSchema>;
type Settings = z.output<typeof halfCheetahOptionsSchema>;

export class HalfCheetahEnv extends MujocoEnv {
  private readonly s: Settings;
  private readonly firstPosition: number;

  static async create(options?: HalfCheetahOptions): Promise<HalfCheetahEnv> {
    const settings = parseEnvOptions(halfCheetahOptionsSchema, options, 'HalfCheetah-v5');
    return new HalfCheetahEnv(await compileModel('half_cheetah'), settings);
  }

  private constructor(compiled: CompiledModel, settings: Settings) {
    const firstPosition = settings.excludeCurrentPositionsFromObservation ? 1 : 0;
    super({
      id: 'HalfCheetah-v5',
      compiled,
      frameSkip: settings.frameSkip,
      maxEpisodeSteps: settings.maxEpisodeSteps,
      obsDim: compiled.nq - firstPosition + compiled.nv,
      stepInfoKeys: ['x_position', 'x_velocity', 'reward_forward', 'reward_ctrl'],
      resetInfoKeys: ['x_position'],
    });
    this.s = settings;
    this.firstPosition = firstPosition;
  }

  protected randomizeInitialState(qpos: Float64Array, qvel: Float64Array): void {
    this.addUniformNoise(qpos, this.s.resetNoiseScale);
    this.addNormalNoise(qvel, this.s.resetNoiseScale);
  }

  protected stepTask(action: ArrayLike<number>, out: StepOutput): void {
    const xBefore = this.qpos[0];
    this.simulate(action);
    const xAfter = this.qpos[0];
    const xVelocity = (xAfter - xBefore) / this.dt;
    const forwardReward = this.s.forwardRewardWeight * xVelocity;
    const ctrlCost = this.s.ctrlCostWeight * sumOfSquares(action, this.nu);
    out.reward = forwardReward - ctrlCost;
    out.terminated = false;
    this.writeObservation(out.obs);
    const info = out.info;
    info.x_position = xAfter;
    info.x_velocity = xVelocity;
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

  protected override writeResetInfo(info: StepInfo): void {
    info.x_position = this.qpos[0];
  }
}

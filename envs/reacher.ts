// Reacher-v5: a two-link arm reaching for a target on the plane; 50-step episodes, never terminates.
//   obs    = cos qpos[0:2], sin qpos[0:2], qpos[2:4] (target), qvel[0:2], (fingertip − target)[0:2]
//   reward = −rewardDistWeight·‖fingertip − target‖ − rewardControlWeight·‖a‖²
// As in Gymnasium, the reward is computed BEFORE the physics step, from the body positions of the previous
// step (xpos, as MuJoCo left them); that vector is cached between steps and saved in snapshots.
// Reset: qpos0 + U(±0.1); the target redrawn from U([−0.2, 0.2]²) until its norm < 0.2; qvel U(±0.005) for
// the arm and 0 for the target.
import { z } from 'zod';
import { compileModel, elementId, type CompiledModel } from './mujoco-runtime.js';
import { trigLabel } from './labels.js';
import { MujocoEnv, sumOfSquares } from './mujoco-env.js';
import { mujocoCommon, parseEnvOptions, weight } from './options.js';
import type { StepOutput } from './types.js';

const ARM_NOISE = 0.1;
const GOAL_RADIUS = 0.2;
const VELOCITY_NOISE = 0.005;

export const reacherOptionsSchema = z.strictObject({
  rewardDistWeight: weight(1),
  rewardControlWeight: weight(1),
  ...mujocoCommon(2, 50),
});
export type ReacherOptions = z.input<typeof reacherOptionsSchema>;
type Settings = z.output<typeof reacherOptionsSchema>;

export class ReacherEnv extends MujocoEnv {
  private readonly s: Settings;
  private readonly fingertip: number;
  private readonly target: number;
  private xpos: Float64Array = new Float64Array(0);
  /** fingertip − target in world coordinates (3 numbers), as of the end of the last step or reset. */
  private readonly toTarget = new Float64Array(3);

  static async create(options?: ReacherOptions): Promise<ReacherEnv> {
    const settings = parseEnvOptions(reacherOptionsSchema, options, 'Reacher-v5');
    return new ReacherEnv(await compileModel('reacher'), settings);
  }

  private constructor(compiled: CompiledModel, settings: Settings) {
    super({
      id: 'Reacher-v5',
      compiled,
      frameSkip: settings.frameSkip,
      maxEpisodeSteps: settings.maxEpisodeSteps,
      obsDim: 10,
      stepInfoKeys: ['reward_dist', 'reward_ctrl'],
      resetInfoKeys: [],
      extraStateLength: 3,
    });
    this.s = settings;
    this.fingertip = elementId(compiled, 'body', 'fingertip');
    this.target = elementId(compiled, 'body', 'target');
  }

  protected override bindViews(): void {
    super.bindViews();
    this.xpos = this.data.xpos as Float64Array;
  }

  protected randomizeInitialState(qpos: Float64Array, qvel: Float64Array): void {
    this.addUniformNoise(qpos, ARM_NOISE);
    let gx: number, gy: number;
    do {
      gx = this.rng.uniformRange(-GOAL_RADIUS, GOAL_RADIUS);
      gy = this.rng.uniformRange(-GOAL_RADIUS, GOAL_RADIUS);
    } while (!(Math.sqrt(gx * gx + gy * gy) < GOAL_RADIUS));
    qpos[this.nq - 2] = gx;
    qpos[this.nq - 1] = gy;
    this.addUniformNoise(qvel, VELOCITY_NOISE);
    qvel[this.nv - 2] = 0;
    qvel[this.nv - 1] = 0;
  }

  protected override afterReset(): void {
    this.measureToTarget();
  }

  protected stepTask(action: ArrayLike<number>, out: StepOutput): void {
    const d = this.toTarget;
    const rewardDist = -Math.sqrt(d[0] * d[0] + d[1] * d[1] + d[2] * d[2]) * this.s.rewardDistWeight;
    const rewardCtrl = -sumOfSquares(action, this.nu) * this.s.rewardControlWeight;
    this.simulate(action);
    this.measureToTarget();
    this.writeObservation(out.obs);
    out.reward = rewardDist + rewardCtrl;
    out.terminated = false;
    out.info.reward_dist = rewardDist;
    out.info.reward_ctrl = rewardCtrl;
  }

  private measureToTarget(): void {
    const f = 3 * this.fingertip;
    const t = 3 * this.target;
    for (let i = 0; i < 3; i++) this.toTarget[i] = this.xpos[f + i] - this.xpos[t + i];
  }

  protected writeObservation(obs: Float64Array): void {
    const q = this.qpos;
    obs[0] = Math.cos(q[0]);
    obs[1] = Math.cos(q[1]);
    obs[2] = Math.sin(q[0]);
    obs[3] = Math.sin(q[1]);
    obs[4] = q[2];
    obs[5] = q[3];
    obs[6] = this.qvel[0];
    obs[7] = this.qvel[1];
    obs[8] = this.toTarget[0];
    obs[9] = this.toTarget[1];
  }

  protected override describeObservation(): string[] {
    const { qpos, qvel } = this.labels();
    return [
      trigLabel('cos', qpos[0]), trigLabel('cos', qpos[1]), trigLabel('sin', qpos[0]), trigLabel('sin', qpos[1]),
      qpos[2], qpos[3], qvel[0], qvel[1],
      'fingertip − target, world x (m)', 'fingertip − target, world y (m)',
    ];
  }

  protected override extraState(): number[] {
    return Array.from(this.toTarget);
  }

  protected override restoreExtraState(extra: readonly number[]): void {
    for (let i = 0; i < 3; i++) this.toTarget[i] = extra[i];
  }
}

// Ant-v5: a four-legged walker on a free joint (qpos[0:7] = torso position and quaternion).
//   obs    = qpos[2:] (all of qpos with excludeCurrentPositionsFromObservation: false), qvel,
//            and with includeCfrcExtInObservation the clipped contact forces clip(cfrc_ext[1:], contactForceRange)
//   reward = healthyReward·[healthy] + forwardRewardWeight·ẋ − ctrlCostWeight·‖a‖²
//            − contactCostWeight·Σ clip(cfrc_ext, contactForceRange)² (all bodies)
// ẋ, ẏ: displacement of the main body's xpos over dt. MuJoCo's xpos after a step belongs to the start of its
// last substep, so "before" is the value from the end of the previous step (cached, and saved in snapshots).
// healthy: every entry of (qpos, qvel) finite and healthyZRange[0] ≤ qpos[2] ≤ healthyZRange[1].
// Reset: qpos0 + U(±resetNoiseScale), qvel = resetNoiseScale·N(0, 1).
import { z } from 'zod';
import { compileModel, elementId, type CompiledModel } from './mujoco-runtime.js';
import { perBodyLabels } from './labels.js';
import { MujocoEnv, clip, copyTail, insideClosed, sumOfSquares } from './mujoco-env.js';
import { flag, mujocoCommon, nonNegative, parseEnvOptions, range, weight } from './options.js';
import type { StepInfo, StepOutput } from './types.js';

export const antOptionsSchema = z.strictObject({
  forwardRewardWeight: weight(1),
  ctrlCostWeight: weight(0.5),
  contactCostWeight: weight(5e-4),
  healthyReward: weight(1),
  /** Body whose xpos measures progress: an id or a name (Gymnasium's main_body). */
  mainBody: z.union([z.number().int().positive(), z.string().min(1)]).default(1),
  terminateWhenUnhealthy: flag(true),
  healthyZRange: range([0.2, 1]),
  contactForceRange: range([-1, 1]),
  resetNoiseScale: nonNegative(0.1),
  excludeCurrentPositionsFromObservation: flag(true),
  includeCfrcExtInObservation: flag(true),
  ...mujocoCommon(5, 1000),
});
export type AntOptions = z.input<typeof antOptionsSchema>;
type Settings = z.output<typeof antOptionsSchema>;

export class AntEnv extends MujocoEnv {
  private readonly s: Settings;
  private readonly mainBody: number;
  private readonly firstPosition: number;
  private xpos: Float64Array = new Float64Array(0);
  private cfrcExt: Float64Array = new Float64Array(0);
  /** Main body (x, y) at the end of the previous step or reset. */
  private readonly xyBefore = new Float64Array(2);

  static async create(options?: AntOptions): Promise<AntEnv> {
    const settings = parseEnvOptions(antOptionsSchema, options, 'Ant-v5');
    return new AntEnv(await compileModel('ant'), settings);
  }

  private constructor(compiled: CompiledModel, settings: Settings) {
    const firstPosition = settings.excludeCurrentPositionsFromObservation ? 2 : 0;
    const contactDim = settings.includeCfrcExtInObservation ? 6 * (compiled.nbody - 1) : 0;
    super({
      id: 'Ant-v5',
      compiled,
      frameSkip: settings.frameSkip,
      maxEpisodeSteps: settings.maxEpisodeSteps,
      obsDim: compiled.nq - firstPosition + compiled.nv + contactDim,
      stepInfoKeys: [
        'x_position', 'y_position', 'distance_from_origin', 'x_velocity', 'y_velocity',
        'reward_forward', 'reward_ctrl', 'reward_contact', 'reward_survive',
      ],
      resetInfoKeys: ['x_position', 'y_position', 'distance_from_origin'],
      needsContactForces: true,
      extraStateLength: 2,
    });
    this.s = settings;
    this.firstPosition = firstPosition;
    const body = settings.mainBody;
    this.mainBody = typeof body === 'string' ? elementId(compiled, 'body', body) : body;
    if (this.mainBody >= compiled.nbody) {
      throw new RangeError(`Ant-v5 options: mainBody ${body} is not a body id; the model has bodies 1..${compiled.nbody - 1}`);
    }
  }

  protected override bindViews(): void {
    super.bindViews();
    this.xpos = this.data.xpos as Float64Array;
    this.cfrcExt = this.data.cfrc_ext as Float64Array;
  }

  /** Gymnasium's is_healthy for the current state. */
  isHealthy(): boolean {
    this.ensureViews();
    const q = this.qpos;
    const v = this.qvel;
    for (let i = 0; i < this.nq; i++) if (!Number.isFinite(q[i])) return false;
    for (let i = 0; i < this.nv; i++) if (!Number.isFinite(v[i])) return false;
    return insideClosed(q[2], this.s.healthyZRange);
  }

  protected randomizeInitialState(qpos: Float64Array, qvel: Float64Array): void {
    this.addUniformNoise(qpos, this.s.resetNoiseScale);
    this.addNormalNoise(qvel, this.s.resetNoiseScale);
  }

  protected override afterReset(): void {
    this.xyBefore[0] = this.xpos[3 * this.mainBody];
    this.xyBefore[1] = this.xpos[3 * this.mainBody + 1];
  }

  protected stepTask(action: ArrayLike<number>, out: StepOutput): void {
    this.simulate(action);
    const xAfter = this.xpos[3 * this.mainBody];
    const yAfter = this.xpos[3 * this.mainBody + 1];
    const xVelocity = (xAfter - this.xyBefore[0]) / this.dt;
    const yVelocity = (yAfter - this.xyBefore[1]) / this.dt;
    this.xyBefore[0] = xAfter;
    this.xyBefore[1] = yAfter;

    const healthy = this.isHealthy();
    const forwardReward = xVelocity * this.s.forwardRewardWeight;
    const surviveReward = healthy ? this.s.healthyReward : 0;
    const ctrlCost = this.s.ctrlCostWeight * sumOfSquares(action, this.nu);
    const contactCost = this.s.contactCostWeight * this.clippedContactForceSquares();
    out.reward = forwardReward + surviveReward - (ctrlCost + contactCost);
    out.terminated = !healthy && this.s.terminateWhenUnhealthy;
    this.writeObservation(out.obs);
    const info = out.info;
    this.writeResetInfo(info);
    info.x_velocity = xVelocity;
    info.y_velocity = yVelocity;
    info.reward_forward = forwardReward;
    info.reward_ctrl = -ctrlCost;
    info.reward_contact = -contactCost;
    info.reward_survive = surviveReward;
  }

  /** Σ clip(cfrc_ext, contactForceRange)² over every body, the world included (as Gymnasium sums it). */
  private clippedContactForceSquares(): number {
    const range = this.s.contactForceRange;
    const f = this.cfrcExt;
    let sum = 0;
    for (let i = 0; i < f.length; i++) {
      const c = clip(f[i], range[0], range[1]);
      sum += c * c;
    }
    return sum;
  }

  protected writeObservation(obs: Float64Array): void {
    let k = copyTail(this.qvel, 0, obs, copyTail(this.qpos, this.firstPosition, obs, 0));
    if (!this.s.includeCfrcExtInObservation) return;
    const range = this.s.contactForceRange;
    const f = this.cfrcExt;
    for (let i = 6; i < f.length; i++) obs[k++] = clip(f[i], range[0], range[1]); // skip the world body's 6 numbers
  }

  protected override describeObservation(): string[] {
    const labels = this.labels();
    const [low, high] = this.s.contactForceRange;
    const contact = this.s.includeCfrcExtInObservation ? perBodyLabels(labels, 'cfrc_ext', `, clipped to [${low}, ${high}]`) : [];
    return [...labels.qpos.slice(this.firstPosition), ...labels.qvel, ...contact];
  }

  /** Position and distance from the start (also part of every step's info). */
  protected override writeResetInfo(info: StepInfo): void {
    this.writePlanarPositionInfo(info);
  }

  protected override extraState(): number[] {
    return [this.xyBefore[0], this.xyBefore[1]];
  }

  protected override restoreExtraState(extra: readonly number[]): void {
    this.xyBefore[0] = extra[0];
    this.xyBefore[1] = extra[1];
  }
}

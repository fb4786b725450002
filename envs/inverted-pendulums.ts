// InvertedPendulum-v5 and InvertedDoublePendulum-v5: keep a pole (or two stacked poles) upright on a cart.
//
// InvertedPendulum: obs = (qpos, qvel); terminated when any obs entry is non-finite or |qpos[1]| > 0.2;
// reward 1 while not terminated (info.reward_survive). Reset: qpos0, zero velocity, plus U(±resetNoiseScale).
//
// InvertedDoublePendulum: obs = (qpos[0], sin qpos[1:3], cos qpos[1:3], clip(qvel, ±10), clip(qfrc_constraint[0], ±10));
// with (x, y) the tip site (site 0) and (v1, v2) = qvel[1:3]:
//   reward = healthyReward·[y > 1] − (0.01x² + (y − 2)²) − (1e-3 v1² + 5e-3 v2²),  terminated when y ≤ 1.
// Reset: qpos0 + U(±resetNoiseScale), qvel = resetNoiseScale·N(0, 1).
import { z } from 'zod';
import { compileModel, type CompiledModel } from './mujoco-runtime.js';
import { dofForceLabels, trigLabel, withNote } from './labels.js';
import { MujocoEnv, clip } from './mujoco-env.js';
import { mujocoCommon, nonNegative, parseEnvOptions, weight } from './options.js';
import type { StepOutput } from './types.js';

const POLE_ANGLE_LIMIT = 0.2;
const CLIP = 10;

export const invertedPendulumOptionsSchema = z.strictObject({
  resetNoiseScale: nonNegative(0.01),
  ...mujocoCommon(2, 1000),
});
export type InvertedPendulumOptions = z.input<typeof invertedPendulumOptionsSchema>;
type PendulumSettings = z.output<typeof invertedPendulumOptionsSchema>;

export class InvertedPendulumEnv extends MujocoEnv {
  private readonly s: PendulumSettings;

  static async create(options?: InvertedPendulumOptions): Promise<InvertedPendulumEnv> {
    const settings = parseEnvOptions(invertedPendulumOptionsSchema, options, 'InvertedPendulum-v5');
    return new InvertedPendulumEnv(await compileModel('inverted_pendulum'), settings);
  }

  private constructor(compiled: CompiledModel, settings: PendulumSettings) {
    super({
      id: 'InvertedPendulum-v5',
      compiled,
      frameSkip: settings.frameSkip,
      maxEpisodeSteps: settings.maxEpisodeSteps,
      obsDim: compiled.nq + compiled.nv,
      stepInfoKeys: ['reward_survive'],
      resetInfoKeys: [],
    });
    this.s = settings;
  }

  protected randomizeInitialState(qpos: Float64Array, qvel: Float64Array): void {
    this.addUniformNoise(qpos, this.s.resetNoiseScale);
    this.addUniformNoise(qvel, this.s.resetNoiseScale);
  }

  protected stepTask(action: ArrayLike<number>, out: StepOutput): void {
    this.simulate(action);
    const obs = out.obs;
    this.writeObservation(obs);
    let terminated = !(Math.abs(obs[1]) <= POLE_ANGLE_LIMIT); // also true for NaN
    for (let i = 0; i < obs.length; i++) if (!Number.isFinite(obs[i])) terminated = true;
    out.terminated = terminated;
    out.reward = terminated ? 0 : 1;
    out.info.reward_survive = out.reward;
  }

  protected writeObservation(obs: Float64Array): void {
    obs.set(this.qpos, 0);
    obs.set(this.qvel, this.nq);
  }

  protected override describeObservation(): string[] {
    const { qpos, qvel } = this.labels();
    return [...qpos, ...qvel];
  }
}

export const invertedDoublePendulumOptionsSchema = z.strictObject({
  healthyReward: weight(10),
  resetNoiseScale: nonNegative(0.1),
  ...mujocoCommon(5, 1000),
});
export type InvertedDoublePendulumOptions = z.input<typeof invertedDoublePendulumOptionsSchema>;
type DoubleSettings = z.output<typeof invertedDoublePendulumOptionsSchema>;

export class InvertedDoublePendulumEnv extends MujocoEnv {
  private readonly s: DoubleSettings;
  private siteXpos: Float64Array = new Float64Array(0);
  private qfrcConstraint: Float64Array = new Float64Array(0);

  static async create(options?: InvertedDoublePendulumOptions): Promise<InvertedDoublePendulumEnv> {
    const settings = parseEnvOptions(invertedDoublePendulumOptionsSchema, options, 'InvertedDoublePendulum-v5');
    return new InvertedDoublePendulumEnv(await compileModel('inverted_double_pendulum'), settings);
  }

  private constructor(compiled: CompiledModel, settings: DoubleSettings) {
    super({
      id: 'InvertedDoublePendulum-v5',
      compiled,
      frameSkip: settings.frameSkip,
      maxEpisodeSteps: settings.maxEpisodeSteps,
      obsDim: 1 + 2 * (compiled.nq - 1) + compiled.nv + 1,
      stepInfoKeys: ['reward_survive', 'distance_penalty', 'velocity_penalty'],
      resetInfoKeys: [],
    });
    this.s = settings;
  }

  protected override bindViews(): void {
    super.bindViews();
    this.siteXpos = this.data.site_xpos as Float64Array;
    this.qfrcConstraint = this.data.qfrc_constraint as Float64Array;
  }

  protected randomizeInitialState(qpos: Float64Array, qvel: Float64Array): void {
    this.addUniformNoise(qpos, this.s.resetNoiseScale);
    this.addNormalNoise(qvel, this.s.resetNoiseScale);
  }

  protected stepTask(action: ArrayLike<number>, out: StepOutput): void {
    this.simulate(action);
    const x = this.siteXpos[0];
    const y = this.siteXpos[2];
    const terminated = y <= 1;
    const v1 = this.qvel[1];
    const v2 = this.qvel[2];
    const distancePenalty = 0.01 * (x * x) + (y - 2) * (y - 2);
    const velocityPenalty = 1e-3 * (v1 * v1) + 5e-3 * (v2 * v2);
    const aliveBonus = terminated ? 0 : this.s.healthyReward;
    out.reward = aliveBonus - distancePenalty - velocityPenalty;
    out.terminated = terminated;
    this.writeObservation(out.obs);
    const info = out.info;
    info.reward_survive = aliveBonus;
    info.distance_penalty = -distancePenalty;
    info.velocity_penalty = -velocityPenalty;
  }

  protected writeObservation(obs: Float64Array): void {
    const q = this.qpos;
    const v = this.qvel;
    const nHinges = this.nq - 1;
    obs[0] = q[0];
    for (let i = 0; i < nHinges; i++) {
      obs[1 + i] = Math.sin(q[1 + i]);
      obs[1 + nHinges + i] = Math.cos(q[1 + i]);
    }
    let k = 1 + 2 * nHinges;
    for (let i = 0; i < this.nv; i++) obs[k++] = clip(v[i], -CLIP, CLIP);
    obs[k] = clip(this.qfrcConstraint[0], -CLIP, CLIP);
  }

  protected override describeObservation(): string[] {
    const labels = this.labels();
    const hinges = labels.qpos.slice(1);
    const clipped = `, clipped to ±${CLIP}`;
    return [
      labels.qpos[0],
      ...hinges.map((label) => trigLabel('sin', label)),
      ...hinges.map((label) => trigLabel('cos', label)),
      ...withNote(labels.qvel, clipped),
      dofForceLabels(labels, 'qfrc_constraint', 0, clipped)[0],
    ];
  }
}

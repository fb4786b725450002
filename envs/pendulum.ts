// Pendulum-v1 (Gymnasium classic control) in plain TS: swing a rigid pendulum up and hold it.
// State (θ, θ̇), θ = 0 upright. Semi-implicit Euler with dt = 0.05:
//   θ̇' = clip(θ̇ + (3g/(2l)·sin θ + 3/(m l²)·u)·dt, ±8),  θ' = θ + θ̇'·dt,  u = clip(action, ±2)
// reward = −(norm(θ)² + 0.1 θ̇² + 0.001 u²) with norm(θ) ∈ [−π, π); never terminates, 200 steps.
// Observations are rounded to float32 as Gymnasium returns them; the state itself stays float64, and the
// arithmetic keeps Gymnasium's evaluation order so that the same state and action give the same bits.
import { z } from 'zod';
import { BaseEnv, type TaskState } from './base-env.js';
import { parseEnvOptions, parseResetOptions, positiveInteger } from './options.js';
import { boxSpace } from './spaces.js';
import type { StepInfo, StepOutput } from './types.js';

const MAX_SPEED = 8;
const MAX_TORQUE = 2;
const DT = 0.05;
const MASS = 1;
const LENGTH = 1;

export const pendulumOptionsSchema = z.strictObject({
  /** Gravitational acceleration (Gymnasium's `g`). */
  g: z.number().default(10),
  maxEpisodeSteps: positiveInteger(200),
});
export type PendulumOptions = z.input<typeof pendulumOptionsSchema>;

/** reset({ options }): the initial state is uniform in [−xInit, xInit] × [−yInit, yInit]. */
const resetOptionsSchema = z.strictObject({
  xInit: z.number().default(Math.PI),
  yInit: z.number().default(1),
});
const DEFAULT_RESET = resetOptionsSchema.parse({});

/** Angle wrapped to [−π, π): ((x + π) mod 2π) − π with Python's floor modulo (exact fmod, then the sign fix). */
function normalizeAngle(x: number): number {
  const period = 2 * Math.PI;
  let m = (x + Math.PI) % period;
  if (m < 0) m += period;
  return m - Math.PI;
}

export class PendulumEnv extends BaseEnv {
  private readonly g: number;
  private theta = 0;
  private thetaDot = 0;

  constructor(options?: PendulumOptions) {
    const o = parseEnvOptions(pendulumOptionsSchema, options, 'Pendulum-v1');
    super({
      id: 'Pendulum-v1',
      observationSpace: boxSpace([-1, -1, -MAX_SPEED], [1, 1, MAX_SPEED]),
      actionSpace: boxSpace([-MAX_TORQUE], [MAX_TORQUE]),
      dt: DT,
      maxEpisodeSteps: o.maxEpisodeSteps,
      stepInfoKeys: [],
      resetInfoKeys: [],
      observationLabels: ['cos θ, pole angle from upright (unitless)', 'sin θ (unitless)', 'θ̇ angular velocity (rad/s)'],
      actionLabels: [`torque at the pivot (N·m), in [${-MAX_TORQUE}, ${MAX_TORQUE}]`],
    });
    this.g = o.g;
  }

  protected resetTask(options: Record<string, unknown> | undefined, obs: Float64Array, _info: StepInfo): void {
    const { xInit, yInit } = options === undefined ? DEFAULT_RESET : parseResetOptions(resetOptionsSchema, options, this.id);
    this.theta = this.rng.uniformRange(-xInit, xInit);
    this.thetaDot = this.rng.uniformRange(-yInit, yInit);
    this.writeObservation(obs);
  }

  protected advance(action: ArrayLike<number>, out: StepOutput): void {
    const u = Math.min(Math.max(action[0], -MAX_TORQUE), MAX_TORQUE);
    const th = this.theta;
    const thDot = this.thetaDot;
    const wrapped = normalizeAngle(th);
    const cost = wrapped * wrapped + 0.1 * (thDot * thDot) + 0.001 * (u * u);
    const accel = ((3 * this.g) / (2 * LENGTH)) * Math.sin(th) + (3 / (MASS * LENGTH * LENGTH)) * u;
    const newThDot = Math.min(Math.max(thDot + accel * DT, -MAX_SPEED), MAX_SPEED);
    this.theta = th + newThDot * DT;
    this.thetaDot = newThDot;
    this.writeObservation(out.obs);
    out.reward = -cost;
    out.terminated = false;
  }

  private writeObservation(obs: Float64Array): void {
    obs[0] = Math.fround(Math.cos(this.theta));
    obs[1] = Math.fround(Math.sin(this.theta));
    obs[2] = Math.fround(this.thetaDot);
  }

  protected captureState(): TaskState {
    return { physics: Float64Array.of(this.theta, this.thetaDot), extra: [] };
  }

  protected restoreState(physics: Float64Array): void {
    this.theta = physics[0];
    this.thetaDot = physics[1];
  }

  protected snapshotShape(): { physics: number; extra: number } {
    return { physics: 2, extra: 0 };
  }

  protected release(): void {}
}

// CartPole-v1 (Gymnasium classic control) in plain TS: balance a pole on a cart pushed left or right.
// State (x, ẋ, θ, θ̇). Action 0 pushes with −10 N, 1 with +10 N. Barto, Sutton & Anderson's equations
// with a massless rod of half-length l = 0.5 (pole mass mp = 0.1, total mass M = 1.1):
//   temp = (F + mp·l·θ̇²·sin θ) / M
//   θ̈ = (g sin θ − cos θ · temp) / (l · (4/3 − mp cos²θ / M)),   ẍ = temp − mp·l·θ̈·cos θ / M
// then explicit Euler with τ = 0.02 (Gymnasium's default "euler" integrator: positions use the old velocities).
// Terminates when |x| > 2.4 or |θ| > 12°; reward 1 per step (0 for steps taken after termination).
// Observations are rounded to float32 as Gymnasium returns them; the state itself stays float64, and the
// arithmetic keeps Gymnasium's evaluation order so that the same state and action give the same bits.
import { z } from 'zod';
import { BaseEnv, type TaskState } from './base-env.js';
import { flag, parseEnvOptions, parseResetOptions, positiveInteger } from './options.js';
import { boxSpace, discreteSpace } from './spaces.js';
import type { StepInfo, StepOutput } from './types.js';

const GRAVITY = 9.8;
const CART_MASS = 1.0;
const POLE_MASS = 0.1;
const TOTAL_MASS = CART_MASS + POLE_MASS;
const HALF_LENGTH = 0.5;
const POLE_MASS_LENGTH = POLE_MASS * HALF_LENGTH;
const FORCE = 10.0;
const TAU = 0.02;
const THETA_LIMIT = (12 * 2 * Math.PI) / 360;
const X_LIMIT = 2.4;
const FLOAT32_MAX = 3.4028234663852886e38;

export const cartPoleOptionsSchema = z.strictObject({
  /** Sutton & Barto's variant: reward 0 per step and −1 on termination. */
  suttonBartoReward: flag(false),
  maxEpisodeSteps: positiveInteger(500),
});
export type CartPoleOptions = z.input<typeof cartPoleOptionsSchema>;

/** reset({ options }): every state entry is uniform in [low, high). */
const resetOptionsSchema = z
  .strictObject({ low: z.number().default(-0.05), high: z.number().default(0.05) })
  .refine((o) => o.low < o.high, { message: 'expected low < high', path: ['high'] });
const DEFAULT_RESET = resetOptionsSchema.parse({});

export class CartPoleEnv extends BaseEnv {
  private readonly suttonBartoReward: boolean;
  private readonly state = new Float64Array(4);
  /** Steps taken since the pole fell (−1 while it has not): Gymnasium's steps_beyond_terminated. */
  private stepsBeyondTerminated = -1;

  constructor(options?: CartPoleOptions) {
    const o = parseEnvOptions(cartPoleOptionsSchema, options, 'CartPole-v1');
    const high = [2 * X_LIMIT, FLOAT32_MAX, 2 * THETA_LIMIT, FLOAT32_MAX];
    super({
      id: 'CartPole-v1',
      observationSpace: boxSpace(high.map((h) => -h), high),
      actionSpace: discreteSpace(2),
      dt: TAU,
      maxEpisodeSteps: o.maxEpisodeSteps,
      stepInfoKeys: [],
      resetInfoKeys: [],
      observationLabels: [
        'cart position x (m)', 'cart velocity (m/s)', 'pole angle from upright (rad)', 'pole angular velocity (rad/s)',
      ],
      actionLabels: [`0: push the cart left (−${FORCE} N)`, `1: push the cart right (+${FORCE} N)`],
    });
    this.suttonBartoReward = o.suttonBartoReward;
  }

  protected resetTask(options: Record<string, unknown> | undefined, obs: Float64Array, _info: StepInfo): void {
    const { low, high } = options === undefined ? DEFAULT_RESET : parseResetOptions(resetOptionsSchema, options, this.id);
    for (let i = 0; i < 4; i++) this.state[i] = this.rng.uniformRange(low, high);
    this.stepsBeyondTerminated = -1;
    this.writeObservation(obs);
  }

  protected advance(action: ArrayLike<number>, out: StepOutput): void {
    const s = this.state;
    const x = s[0], xDot = s[1], theta = s[2], thetaDot = s[3];
    const force = action[0] === 1 ? FORCE : -FORCE;
    const cos = Math.cos(theta);
    const sin = Math.sin(theta);
    const temp = (force + POLE_MASS_LENGTH * (thetaDot * thetaDot) * sin) / TOTAL_MASS;
    const thetaAcc = (GRAVITY * sin - cos * temp) / (HALF_LENGTH * (4 / 3 - (POLE_MASS * (cos * cos)) / TOTAL_MASS));
    const xAcc = temp - (POLE_MASS_LENGTH * thetaAcc * cos) / TOTAL_MASS;
    s[0] = x + TAU * xDot;
    s[1] = xDot + TAU * xAcc;
    s[2] = theta + TAU * thetaDot;
    s[3] = thetaDot + TAU * thetaAcc;

    const terminated = s[0] < -X_LIMIT || s[0] > X_LIMIT || s[2] < -THETA_LIMIT || s[2] > THETA_LIMIT;
    let reward: number;
    if (!terminated) reward = this.suttonBartoReward ? 0 : 1;
    else if (this.stepsBeyondTerminated < 0) {
      this.stepsBeyondTerminated = 0; // the pole just fell: this step still counts
      reward = this.suttonBartoReward ? -1 : 1;
    } else {
      this.stepsBeyondTerminated++; // stepping a finished episode (Gymnasium warns); nothing more to earn
      reward = this.suttonBartoReward ? -1 : 0;
    }
    this.writeObservation(out.obs);
    out.reward = reward;
    out.terminated = terminated;
  }

  private writeObservation(obs: Float64Array): void {
    for (let i = 0; i < 4; i++) obs[i] = Math.fround(this.state[i]);
  }

  protected captureState(): TaskState {
    return { physics: this.state.slice(), extra: [this.stepsBeyondTerminated] };
  }

  protected restoreState(physics: Float64Array, extra: readonly number[]): void {
    this.state.set(physics);
    this.stepsBeyondTerminated = extra[0];
  }

  protected snapshotShape(): { physics: number; extra: number } {
    return { physics: 4, extra: 1 };
  }

  protected release(): void {}
}

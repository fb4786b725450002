// MinAtar games as Gymnasium-style envs: `MinAtar/Breakout-v1` etc. The -v1 ids use each game's minimal action
// set (as MinAtar's own gym registration does). Observations are the 10 × 10 × channels grid of 0/1 flattened in
// NHWC order (row, column, channel), the layout the CNN policies read (observationImage says the shape).
// Sticky actions (MinAtar's default 0.1): with that probability the previous action is repeated instead of the
// chosen one; the previous action is reset to no-op at each reset so an episode depends only on its seed.
// All randomness (sticky actions, spawns, car speeds) comes from the env's rng, so snapshots replay exactly.
import { z } from 'zod';
import { BaseEnv, type TaskState } from '../base-env.js';
import { flag, parseEnvOptions, positiveInteger } from '../options.js';
import { boxSpace, discreteSpace } from '../spaces.js';
import type { StepInfo, StepOutput } from '../types.js';
import { ACTION_NAMES, GRID, NOOP, type MinAtarGame } from './game.js';

export const minAtarOptionsSchema = z.strictObject({
  /** Probability that the previous action is repeated (MinAtar's sticky_action_prob). */
  stickyActionProb: z.number().min(0).max(1).default(0.1),
  /** MinAtar's difficulty_ramping. */
  difficultyRamping: flag(true),
  /** Time limit (sets `truncated`); MinAtar itself has none except Freeway's own 2500-frame end. */
  maxEpisodeSteps: positiveInteger(10_000),
});
export type MinAtarOptions = z.input<typeof minAtarOptionsSchema>;

export class MinAtarEnv extends BaseEnv {
  /** Shape of an observation as an image (NHWC). */
  readonly observationImage: { height: number; width: number; channels: number };
  private readonly stickyActionProb: number;
  private readonly ramping: boolean;
  private lastAction = NOOP;
  private readonly saved: Float64Array;

  constructor(name: string, private readonly game: MinAtarGame, options?: MinAtarOptions) {
    const id = `MinAtar/${name}-v1`;
    const o = parseEnvOptions(minAtarOptionsSchema, options, id);
    const size = GRID * GRID * game.channels.length;
    super({
      id,
      observationSpace: boxSpace(new Float64Array(size), new Float64Array(size).fill(1)),
      actionSpace: discreteSpace(game.actions.length),
      dt: 1,
      maxEpisodeSteps: o.maxEpisodeSteps,
      stepInfoKeys: ['difficulty_ramp'],
      resetInfoKeys: [],
    });
    this.observationImage = { height: GRID, width: GRID, channels: game.channels.length };
    this.stickyActionProb = o.stickyActionProb;
    this.ramping = o.difficultyRamping;
    this.saved = new Float64Array(game.stateSize);
  }

  /** `row r, column c: <channel> present (unitless)`, in observation order. */
  protected override describeObservation(): readonly string[] {
    const C = this.game.channels.length;
    return Array.from({ length: GRID * GRID * C }, (_, i) => {
      const c = i % C, pixel = (i - c) / C;
      return `row ${Math.floor(pixel / GRID)}, column ${pixel % GRID}: ${this.game.channels[c]} present (unitless)`;
    });
  }

  protected override describeAction(): readonly string[] {
    return this.game.actions.map((a) => ACTION_NAMES[a]);
  }

  protected resetTask(_options: Record<string, unknown> | undefined, obs: Float64Array, _info: StepInfo): void {
    this.game.reset(this.rng, this.ramping);
    this.lastAction = NOOP;
    this.render(obs);
  }

  protected advance(action: ArrayLike<number>, out: StepOutput): void {
    let code = this.game.actions[action[0]];
    // The draw happens every step (as in MinAtar), so the rng stream does not depend on the actions taken.
    if (this.rng.uniform() < this.stickyActionProb) code = this.lastAction;
    this.lastAction = code;
    out.reward = this.game.act(code, this.rng);
    out.terminated = this.game.terminal;
    out.info.difficulty_ramp = this.game.rampLevel();
    this.render(out.obs);
  }

  private render(obs: Float64Array): void {
    obs.fill(0);
    this.game.render(obs);
  }

  protected captureState(): TaskState {
    this.game.save(this.saved);
    return { physics: this.saved.slice(), extra: [this.lastAction] };
  }

  protected restoreState(physics: Float64Array, extra: readonly number[]): void {
    this.game.load(physics);
    this.lastAction = extra[0];
  }

  protected snapshotShape(): { physics: number; extra: number } {
    return { physics: this.game.stateSize, extra: 1 };
  }

  protected release(): void {}
}

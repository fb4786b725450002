// What a MinAtar game (Young & Tian 2019, "MinAtar: An Atari-inspired testbed for thorough and reproducible
// reinforcement learning experiments") implements; envs/minatar/minatar-env.ts wraps it in the Env API with sticky
// actions, seeding and snapshots. Every game is a 10 × 10 grid with one observation channel per object kind.
import type { Rng } from '../../sdk/rng.js';

export const GRID = 10;

/** MinAtar's full action set; each game exposes its minimal subset (the -v1 envs). */
export const NOOP = 0, LEFT = 1, UP = 2, RIGHT = 3, DOWN = 4, FIRE = 5;
export const ACTION_NAMES = ['noop', 'left', 'up', 'right', 'down', 'fire'] as const;

export interface MinAtarGame {
  /** Observation channels, in order. */
  readonly channels: readonly string[];
  /** The minimal action set, as codes of the full set (NOOP … FIRE). */
  readonly actions: readonly number[];
  /** Numbers of save()/load(). */
  readonly stateSize: number;
  readonly terminal: boolean;
  /** New episode; `ramping` turns the difficulty ramp on (MinAtar's default). */
  reset(rng: Rng, ramping: boolean): void;
  /** One frame with a full-set action code; returns the reward. */
  act(action: number, rng: Rng): number;
  /** Set the cells of the objects to 1 in `obs` (NHWC 10 × 10 × channels, zeroed by the caller). */
  render(obs: Float64Array): void;
  /** Level of the difficulty ramp (0 for games without one). */
  rampLevel(): number;
  save(into: Float64Array): void;
  load(from: Float64Array): void;
}

/** obs index of cell (row y, column x), channel c, for `channels` channels. */
export function cell(y: number, x: number, c: number, channels: number): number {
  return (y * GRID + x) * channels + c;
}

// MinAtar Freeway, from the game's published rules: a chicken in column 4 crosses eight lanes (rows 1–8) of cars,
// moving up or down at most once every 3 frames. Reaching the top row gives +1, sends the chicken back to the
// bottom and redraws every car's speed and direction; a car on the chicken's cell sends it back to the bottom.
// Car k (lane k + 1) moves one cell every |speed| frames (1–5) in its direction and wraps around. The episode ends
// after 2500 frames. Channels: chicken, car, and speed1 … speed5: a trail behind each car, in the channel of its
// speed (the trail's side gives the direction).
import type { Rng } from '../../sdk/rng.js';
import { DOWN, GRID, NOOP, UP, cell, type MinAtarGame } from './game.js';

const CHANNELS = ['chicken', 'car', 'speed1', 'speed2', 'speed3', 'speed4', 'speed5'] as const;
const PLAYER_SPEED = 3;
const TIME_LIMIT = 2500;
const CARS = 8;
const CHICKEN_X = 4;
const LAST = GRID - 1;

export class Freeway implements MinAtarGame {
  readonly channels = CHANNELS;
  readonly actions = [NOOP, UP, DOWN];
  readonly stateSize = 4 + 3 * CARS;
  terminal = false;
  private row = LAST;
  private moveTimer = 0;
  private framesLeft = 0;
  private readonly carX = new Int32Array(CARS);
  private readonly carTimer = new Int32Array(CARS);
  /** Signed: frames between moves, negative moving left. */
  private readonly carSpeed = new Int32Array(CARS);

  reset(rng: Rng): void {
    this.carX.fill(0);
    this.randomizeCars(rng);
    for (let k = 0; k < CARS; k++) this.carTimer[k] = Math.abs(this.carSpeed[k]);
    this.row = LAST;
    this.moveTimer = PLAYER_SPEED;
    this.framesLeft = TIME_LIMIT;
    this.terminal = false;
  }

  /** New speeds 1–5 and directions for every car (positions stay). */
  private randomizeCars(rng: Rng): void {
    for (let k = 0; k < CARS; k++) this.carSpeed[k] = 1 + rng.integer(5);
    for (let k = 0; k < CARS; k++) if (rng.integer(2) === 0) this.carSpeed[k] = -this.carSpeed[k];
  }

  act(action: number, rng: Rng): number {
    if (this.terminal) return 0;
    if (action === UP && this.moveTimer === 0) {
      this.moveTimer = PLAYER_SPEED;
      this.row = Math.max(0, this.row - 1);
    } else if (action === DOWN && this.moveTimer === 0) {
      this.moveTimer = PLAYER_SPEED;
      this.row = Math.min(LAST, this.row + 1);
    }
    let reward = 0;
    if (this.row === 0) {
      reward = 1;
      this.randomizeCars(rng);
      for (let k = 0; k < CARS; k++) this.carTimer[k] = Math.abs(this.carSpeed[k]);
      this.row = LAST;
    }
    for (let k = 0; k < CARS; k++) {
      if (this.hits(k)) this.row = LAST;
      if (this.carTimer[k] === 0) {
        this.carTimer[k] = Math.abs(this.carSpeed[k]);
        this.carX[k] = (this.carX[k] + (this.carSpeed[k] > 0 ? 1 : -1) + GRID) % GRID;
        if (this.hits(k)) this.row = LAST;
      } else {
        this.carTimer[k]--;
      }
    }
    if (this.moveTimer > 0) this.moveTimer--;
    this.framesLeft--;
    if (this.framesLeft < 0) this.terminal = true;
    return reward;
  }

  private hits(k: number): boolean {
    return this.carX[k] === CHICKEN_X && k + 1 === this.row;
  }

  render(obs: Float64Array): void {
    const C = CHANNELS.length;
    obs[cell(this.row, CHICKEN_X, 0, C)] = 1;
    for (let k = 0; k < CARS; k++) {
      const x = this.carX[k], speed = this.carSpeed[k];
      obs[cell(k + 1, x, 1, C)] = 1;
      const back = (x + (speed > 0 ? -1 : 1) + GRID) % GRID;
      obs[cell(k + 1, back, 1 + Math.abs(speed), C)] = 1;
    }
  }

  rampLevel(): number {
    return 0;
  }

  save(s: Float64Array): void {
    s.set([this.row, this.moveTimer, this.framesLeft, +this.terminal]);
    s.set(this.carX, 4);
    s.set(this.carTimer, 4 + CARS);
    s.set(this.carSpeed, 4 + 2 * CARS);
  }

  load(s: Float64Array): void {
    [this.row, this.moveTimer, this.framesLeft] = s;
    this.terminal = s[3] === 1;
    this.carX.set(s.subarray(4, 4 + CARS));
    this.carTimer.set(s.subarray(4 + CARS, 4 + 2 * CARS));
    this.carSpeed.set(s.subarray(4 + 2 * CARS, 4 + 3 * CARS));
  }
}

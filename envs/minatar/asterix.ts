// MinAtar Asterix, from the game's published rules: the player moves in four directions (rows 1–8); enemies and
// gold (1 in 3 spawns) enter from the left or right edge of a free lane (rows 1–8) every `spawn interval` frames
// and cross it one cell every `move interval` frames. +1 per gold picked up; touching an enemy ends the episode.
// Difficulty ramp: every 100 frames the spawn interval shrinks by one (10 → 1) and on every other ramp step the
// move interval too (5 → 1). Channels: player, enemy, trail (the cell behind each entity), gold.
import type { Rng } from '../../sdk/rng.js';
import { DOWN, GRID, LEFT, NOOP, RIGHT, UP, cell, type MinAtarGame } from './game.js';

const CHANNELS = ['player', 'enemy', 'trail', 'gold'] as const;
const RAMP_INTERVAL = 100;
const INIT_SPAWN_INTERVAL = 10;
const INIT_MOVE_INTERVAL = 5;
const LANES = 8;
const LAST = GRID - 1;

export class Asterix implements MinAtarGame {
  readonly channels = CHANNELS;
  readonly actions = [NOOP, LEFT, UP, RIGHT, DOWN];
  readonly stateSize = 10 + 3 * LANES;
  terminal = false;
  private x = 0;
  private y = 0;
  private spawnInterval = 0;
  private spawnTimer = 0;
  private moveInterval = 0;
  private moveTimer = 0;
  private rampTimer = 0;
  private ramp = 0;
  private ramping = true;
  /** Per lane (row lane + 1): entity column, or −1 when the lane is free. */
  private readonly entityX = new Int32Array(LANES);
  private readonly movesRight = new Uint8Array(LANES);
  private readonly gold = new Uint8Array(LANES);

  reset(_rng: Rng, ramping: boolean): void {
    this.ramping = ramping;
    this.x = 5;
    this.y = 5;
    this.entityX.fill(-1);
    this.spawnInterval = INIT_SPAWN_INTERVAL;
    this.spawnTimer = this.spawnInterval;
    this.moveInterval = INIT_MOVE_INTERVAL;
    this.moveTimer = this.moveInterval;
    this.rampTimer = RAMP_INTERVAL;
    this.ramp = 0;
    this.terminal = false;
  }

  act(action: number, rng: Rng): number {
    if (this.terminal) return 0;
    if (this.spawnTimer === 0) {
      this.spawn(rng);
      this.spawnTimer = this.spawnInterval;
    }
    if (action === LEFT) this.x = Math.max(0, this.x - 1);
    else if (action === RIGHT) this.x = Math.min(LAST, this.x + 1);
    else if (action === UP) this.y = Math.max(1, this.y - 1);
    else if (action === DOWN) this.y = Math.min(LANES, this.y + 1);

    let reward = 0;
    for (let lane = 0; lane < LANES; lane++) reward += this.collide(lane);
    if (this.moveTimer === 0) {
      this.moveTimer = this.moveInterval;
      for (let lane = 0; lane < LANES; lane++) {
        if (this.entityX[lane] < 0) continue;
        const x = this.entityX[lane] + (this.movesRight[lane] ? 1 : -1);
        this.entityX[lane] = x < 0 || x > LAST ? -1 : x;
        reward += this.collide(lane);
      }
    }
    this.spawnTimer--;
    this.moveTimer--;
    if (this.ramping && (this.spawnInterval > 1 || this.moveInterval > 1)) {
      if (this.rampTimer >= 0) this.rampTimer--;
      else {
        if (this.moveInterval > 1 && this.ramp % 2 === 1) this.moveInterval--;
        if (this.spawnInterval > 1) this.spawnInterval--;
        this.ramp++;
        this.rampTimer = RAMP_INTERVAL;
      }
    }
    return reward;
  }

  /** Gold on the player's cell is collected (+1); an enemy there ends the episode. */
  private collide(lane: number): number {
    if (this.entityX[lane] !== this.x || lane + 1 !== this.y) return 0;
    if (this.gold[lane]) {
      this.entityX[lane] = -1;
      return 1;
    }
    this.terminal = true;
    return 0;
  }

  /** An enemy or gold (probability 1/3) entering a random free lane from a random side. */
  private spawn(rng: Rng): void {
    const right = rng.integer(2) === 0;
    const isGold = rng.uniform() < 1 / 3;
    const free: number[] = [];
    for (let lane = 0; lane < LANES; lane++) if (this.entityX[lane] < 0) free.push(lane);
    if (free.length === 0) return;
    const lane = free[rng.integer(free.length)];
    this.entityX[lane] = right ? 0 : LAST;
    this.movesRight[lane] = right ? 1 : 0;
    this.gold[lane] = isGold ? 1 : 0;
  }

  render(obs: Float64Array): void {
    const C = CHANNELS.length;
    obs[cell(this.y, this.x, 0, C)] = 1;
    for (let lane = 0; lane < LANES; lane++) {
      const x = this.entityX[lane];
      if (x < 0) continue;
      obs[cell(lane + 1, x, this.gold[lane] ? 3 : 1, C)] = 1;
      const back = x + (this.movesRight[lane] ? -1 : 1);
      if (back >= 0 && back <= LAST) obs[cell(lane + 1, back, 2, C)] = 1;
    }
  }

  rampLevel(): number {
    return this.ramp;
  }

  save(s: Float64Array): void {
    s.set([this.x, this.y, this.spawnInterval, this.spawnTimer, this.moveInterval, this.moveTimer, this.rampTimer, this.ramp, +this.terminal, +this.ramping]);
    s.set(this.entityX, 10);
    s.set(this.movesRight, 10 + LANES);
    s.set(this.gold, 10 + 2 * LANES);
  }

  load(s: Float64Array): void {
    [this.x, this.y, this.spawnInterval, this.spawnTimer, this.moveInterval, this.moveTimer, this.rampTimer, this.ramp] = s;
    this.terminal = s[8] === 1;
    this.ramping = s[9] === 1;
    this.entityX.set(s.subarray(10, 10 + LANES));
    this.movesRight.set(s.subarray(10 + LANES, 10 + 2 * LANES));
    this.gold.set(s.subarray(10 + 2 * LANES, 10 + 3 * LANES));
  }
}

// MinAtar Space Invaders, from the game's published rules: a cannon on the bottom row shoots upward (cool-down 5
// frames) at a 4 × 6 block of aliens that marches sideways, stepping down and turning at the walls; the march
// interval is min(aliens left, the wave's interval), so the last aliens speed up. Every 10 frames the alien nearest
// the cannon's column (lowest alien of the nearest non-empty column) shoots. +1 per alien hit; a cleared wave is
// replaced by a new one whose interval is one frame shorter (12 → 6; the difficulty ramp). The episode ends when an
// enemy bullet or an alien reaches the cannon, or the aliens would step down from the bottom row.
// Channels: cannon, alien, alien_left / alien_right (the march direction), friendly_bullet, enemy_bullet.
import type { Rng } from '../../sdk/rng.js';
import { FIRE, GRID, LEFT, NOOP, RIGHT, cell, type MinAtarGame } from './game.js';

const CHANNELS = ['cannon', 'alien', 'alien_left', 'alien_right', 'friendly_bullet', 'enemy_bullet'] as const;
const SHOT_COOL_DOWN = 5;
const ENEMY_MOVE_INTERVAL = 12;
const FASTEST_MOVE_INTERVAL = 6;
const ENEMY_SHOT_INTERVAL = 10;
const LAST = GRID - 1;
const CELLS = GRID * GRID;

export class SpaceInvaders implements MinAtarGame {
  readonly channels = CHANNELS;
  readonly actions = [NOOP, LEFT, RIGHT, FIRE];
  readonly stateSize = 8 + 3 * CELLS;
  terminal = false;
  private cannon = 0;
  private alienDir = -1;
  private moveInterval = ENEMY_MOVE_INTERVAL;
  private moveTimer = 0;
  private shotTimer = 0;
  private alienShotTimer = 0;
  private ramp = 0;
  private ramping = true;
  private readonly aliens = new Uint8Array(CELLS);
  private readonly friendly = new Uint8Array(CELLS);
  private readonly enemy = new Uint8Array(CELLS);
  private readonly scratch = new Uint8Array(CELLS);

  reset(_rng: Rng, ramping: boolean): void {
    this.ramping = ramping;
    this.cannon = 5;
    this.friendly.fill(0);
    this.enemy.fill(0);
    this.spawnWave();
    this.alienDir = -1;
    this.moveInterval = ENEMY_MOVE_INTERVAL;
    this.moveTimer = this.moveInterval;
    this.alienShotTimer = ENEMY_SHOT_INTERVAL;
    this.ramp = 0;
    this.shotTimer = 0;
    this.terminal = false;
  }

  private spawnWave(): void {
    this.aliens.fill(0);
    for (let y = 0; y < 4; y++) this.aliens.fill(1, y * GRID + 2, y * GRID + 8);
  }

  act(action: number): number {
    if (this.terminal) return 0;
    if (action === FIRE && this.shotTimer === 0) {
      this.friendly[LAST * GRID + this.cannon] = 1;
      this.shotTimer = SHOT_COOL_DOWN;
    } else if (action === LEFT) this.cannon = Math.max(0, this.cannon - 1);
    else if (action === RIGHT) this.cannon = Math.min(LAST, this.cannon + 1);

    // Bullets move one row (friendly up, enemy down); those leaving the grid are gone.
    this.friendly.copyWithin(0, GRID);
    this.friendly.fill(0, LAST * GRID);
    this.enemy.copyWithin(GRID, 0, LAST * GRID);
    this.enemy.fill(0, 0, GRID);
    if (this.enemy[LAST * GRID + this.cannon]) this.terminal = true;

    if (this.aliens[LAST * GRID + this.cannon]) this.terminal = true;
    if (this.moveTimer === 0) this.marchAliens();
    if (this.alienShotTimer === 0) {
      this.alienShotTimer = ENEMY_SHOT_INTERVAL;
      this.alienShoots();
    }

    let reward = 0;
    for (let i = 0; i < CELLS; i++) {
      if (this.aliens[i] && this.friendly[i]) {
        reward++;
        this.aliens[i] = 0;
        this.friendly[i] = 0;
      }
    }

    if (this.shotTimer > 0) this.shotTimer--;
    this.moveTimer--;
    this.alienShotTimer--;
    if (!this.aliens.includes(1)) {
      if (this.moveInterval > FASTEST_MOVE_INTERVAL && this.ramping) {
        this.moveInterval--;
        this.ramp++;
      }
      this.spawnWave();
    }
    return reward;
  }

  /** Step sideways, or down with a turn when an alien touches the wall ahead. */
  private marchAliens(): void {
    const count = this.aliens.reduce((a, b) => a + b, 0);
    this.moveTimer = Math.min(count, this.moveInterval);
    const atWall = this.alienDir < 0 ? this.columnHasAlien(0) : this.columnHasAlien(LAST);
    const s = this.scratch;
    s.fill(0);
    if (atWall) {
      this.alienDir = -this.alienDir;
      for (let x = 0; x < GRID; x++) if (this.aliens[LAST * GRID + x]) this.terminal = true;
      for (let i = 0; i < CELLS; i++) if (this.aliens[i]) s[(i + GRID) % CELLS] = 1;
    } else {
      for (let y = 0; y < GRID; y++) {
        for (let x = 0; x < GRID; x++) if (this.aliens[y * GRID + x]) s[y * GRID + ((x + this.alienDir + GRID) % GRID)] = 1;
      }
    }
    this.aliens.set(s);
    if (this.aliens[LAST * GRID + this.cannon]) this.terminal = true;
  }

  private columnHasAlien(x: number): boolean {
    for (let y = 0; y < GRID; y++) if (this.aliens[y * GRID + x]) return true;
    return false;
  }

  /** The lowest alien of the non-empty column nearest the cannon (ties: the left column) fires. */
  private alienShoots(): void {
    for (let d = 0; d < GRID; d++) {
      for (const x of d === 0 ? [this.cannon] : [this.cannon - d, this.cannon + d]) {
        if (x < 0 || x > LAST) continue;
        for (let y = LAST; y >= 0; y--) {
          if (this.aliens[y * GRID + x]) {
            this.enemy[y * GRID + x] = 1;
            return;
          }
        }
      }
    }
  }

  render(obs: Float64Array): void {
    const C = CHANNELS.length;
    obs[cell(LAST, this.cannon, 0, C)] = 1;
    const direction = this.alienDir < 0 ? 2 : 3;
    for (let i = 0; i < CELLS; i++) {
      if (this.aliens[i]) {
        obs[i * C + 1] = 1;
        obs[i * C + direction] = 1;
      }
      if (this.friendly[i]) obs[i * C + 4] = 1;
      if (this.enemy[i]) obs[i * C + 5] = 1;
    }
  }

  rampLevel(): number {
    return this.ramp;
  }

  save(s: Float64Array): void {
    s.set([this.cannon, this.alienDir, this.moveInterval, this.moveTimer, this.shotTimer, this.alienShotTimer, this.ramp, +this.terminal + 2 * +this.ramping]);
    s.set(this.aliens, 8);
    s.set(this.friendly, 8 + CELLS);
    s.set(this.enemy, 8 + 2 * CELLS);
  }

  load(s: Float64Array): void {
    [this.cannon, this.alienDir, this.moveInterval, this.moveTimer, this.shotTimer, this.alienShotTimer, this.ramp] = s;
    this.terminal = (s[7] & 1) === 1;
    this.ramping = (s[7] & 2) === 2;
    this.aliens.set(s.subarray(8, 8 + CELLS));
    this.friendly.set(s.subarray(8 + CELLS, 8 + 2 * CELLS));
    this.enemy.set(s.subarray(8 + 2 * CELLS, 8 + 3 * CELLS));
  }
}

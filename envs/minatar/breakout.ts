// MinAtar Breakout, from the game's published rules: a paddle on the bottom row, a ball moving on diagonals, three
// rows of bricks (rows 1–3). +1 per brick; the ball reflects off walls, the ceiling and bricks; on the bottom row it
// bounces back up when it was above the paddle (same direction reversed vertically) or reaches the paddle's cell
// diagonally (reversed both ways); otherwise the episode ends. A cleared wall is rebuilt when the ball reaches the
// bottom row. Channels: paddle, ball, trail (the ball's previous cell, which shows its direction), brick.
import type { Rng } from '../../sdk/rng.js';
import { GRID, LEFT, NOOP, RIGHT, cell, type MinAtarGame } from './game.js';

const CHANNELS = ['paddle', 'ball', 'trail', 'brick'] as const;
// Directions: 0 up-left, 1 up-right, 2 down-right, 3 down-left.
const DX = [-1, 1, 1, -1];
const DY = [-1, -1, 1, 1];
const FLIP_X = [1, 0, 3, 2];
const FLIP_Y = [3, 2, 1, 0];
const FLIP_BOTH = [2, 3, 0, 1];
const LAST = GRID - 1;

export class Breakout implements MinAtarGame {
  readonly channels = CHANNELS;
  readonly actions = [NOOP, LEFT, RIGHT];
  readonly stateSize = 8 + GRID * GRID;
  terminal = false;
  private ballX = 0;
  private ballY = 0;
  private dir = 0;
  private paddle = 0;
  private lastX = 0;
  private lastY = 0;
  /** A brick was hit on the previous frame: the ball breaks at most one brick per contact. */
  private strike = false;
  private readonly bricks = new Uint8Array(GRID * GRID);

  reset(rng: Rng): void {
    this.ballY = 3;
    const fromRight = rng.integer(2) === 1;
    this.ballX = fromRight ? LAST : 0;
    this.dir = fromRight ? 3 : 2;
    this.paddle = 4;
    this.buildWall();
    this.strike = false;
    this.lastX = this.ballX;
    this.lastY = this.ballY;
    this.terminal = false;
  }

  private buildWall(): void {
    this.bricks.fill(0);
    this.bricks.fill(1, GRID, 4 * GRID);
  }

  act(action: number): number {
    if (this.terminal) return 0;
    if (action === LEFT) this.paddle = Math.max(0, this.paddle - 1);
    else if (action === RIGHT) this.paddle = Math.min(LAST, this.paddle + 1);

    let reward = 0;
    this.lastX = this.ballX;
    this.lastY = this.ballY;
    let x = this.ballX + DX[this.dir];
    let y = this.ballY + DY[this.dir];
    let hitBrick = false;
    if (x < 0 || x > LAST) {
      x = Math.min(LAST, Math.max(0, x));
      this.dir = FLIP_X[this.dir];
    }
    if (y < 0) {
      y = 0;
      this.dir = FLIP_Y[this.dir];
    } else if (this.bricks[y * GRID + x] === 1) {
      hitBrick = true;
      if (!this.strike) {
        reward += 1;
        this.strike = true;
        this.bricks[y * GRID + x] = 0;
        y = this.lastY;
        this.dir = FLIP_Y[this.dir];
      }
    } else if (y === LAST) {
      if (!this.bricks.includes(1)) this.buildWall();
      if (this.ballX === this.paddle) {
        this.dir = FLIP_Y[this.dir];
        y = this.lastY;
      } else if (x === this.paddle) {
        this.dir = FLIP_BOTH[this.dir];
        y = this.lastY;
      } else {
        this.terminal = true;
      }
    }
    if (!hitBrick) this.strike = false;
    this.ballX = x;
    this.ballY = y;
    return reward;
  }

  render(obs: Float64Array): void {
    const C = CHANNELS.length;
    obs[cell(LAST, this.paddle, 0, C)] = 1;
    obs[cell(this.ballY, this.ballX, 1, C)] = 1;
    obs[cell(this.lastY, this.lastX, 2, C)] = 1;
    for (let i = 0; i < GRID * GRID; i++) if (this.bricks[i]) obs[i * C + 3] = 1;
  }

  rampLevel(): number {
    return 0;
  }

  save(s: Float64Array): void {
    s.set([this.ballX, this.ballY, this.dir, this.paddle, this.lastX, this.lastY, +this.strike, +this.terminal]);
    s.set(this.bricks, 8);
  }

  load(s: Float64Array): void {
    [this.ballX, this.ballY, this.dir, this.paddle, this.lastX, this.lastY] = s;
    this.strike = s[6] === 1;
    this.terminal = s[7] === 1;
    this.bricks.set(s.subarray(8, 8 + GRID * GRID));
  }
}

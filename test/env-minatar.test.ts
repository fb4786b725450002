// MinAtar games: rules checked by scripted action sequences with outcomes worked out by hand from the published
// rules (sticky actions off unless the test is about them), plus the Env contract: seeds, snapshots, sticky
// actions, observation layout.
import { expect } from 'chai';
import { makeEnv, type StepResult } from '../envs/index.js';
import type { MinAtarEnv } from '../envs/minatar/index.js';

const GAMES = ['MinAtar/Breakout-v1', 'MinAtar/SpaceInvaders-v1', 'MinAtar/Freeway-v1', 'MinAtar/Asterix-v1'] as const;
const CHANNELS = { 'MinAtar/Breakout-v1': 4, 'MinAtar/SpaceInvaders-v1': 6, 'MinAtar/Freeway-v1': 7, 'MinAtar/Asterix-v1': 4 };
const ACTIONS = { 'MinAtar/Breakout-v1': 3, 'MinAtar/SpaceInvaders-v1': 4, 'MinAtar/Freeway-v1': 3, 'MinAtar/Asterix-v1': 5 };

async function game(id: string, options: Record<string, unknown> = {}): Promise<MinAtarEnv> {
  return (await makeEnv(id, { stickyActionProb: 0, ...options })) as MinAtarEnv;
}

/** Cells (row, column) set in channel c. */
function cells(env: MinAtarEnv, obs: Float64Array, c: number): [number, number][] {
  const C = env.observationImage.channels;
  const out: [number, number][] = [];
  for (let i = 0; i < 100; i++) if (obs[i * C + c] === 1) out.push([Math.floor(i / 10), i % 10]);
  return out;
}

/** Play `actions`; returns the frames (1-based) with a reward, the total, and the last step. */
function play(env: MinAtarEnv, actions: number[]) {
  const rewarded: number[] = [];
  let total = 0;
  let last!: StepResult;
  for (let i = 0; i < actions.length; i++) {
    last = env.step(actions[i]);
    if (last.reward !== 0) rewarded.push(i + 1);
    total += last.reward;
    if (last.terminated) return { rewarded, total, last, frames: i + 1 };
  }
  return { rewarded, total, last, frames: actions.length };
}

const repeat = (action: number, n: number): number[] => new Array<number>(n).fill(action);

describe('MinAtar games', () => {
  describe('Breakout (actions: 0 noop, 1 left, 2 right)', () => {
    /** A seed whose ball starts at column `x` (0: moving down-right, 9: down-left). */
    async function startingAt(x: number): Promise<{ env: MinAtarEnv; seed: number }> {
      const env = await game('MinAtar/Breakout-v1');
      for (let seed = 0; ; seed++) {
        const { obs } = env.reset({ seed });
        if (cells(env, obs, 1)[0][1] === x) return { env, seed };
      }
    }

    it('starts with the ball on row 3 at a side, the paddle at column 4 and bricks on rows 1–3', async () => {
      const { env, seed } = await startingAt(0);
      const { obs } = env.reset({ seed });
      expect(cells(env, obs, 0)).to.deep.equal([[9, 4]]);
      expect(cells(env, obs, 1)).to.deep.equal([[3, 0]]);
      expect(cells(env, obs, 3)).to.have.length(30);
      expect(cells(env, obs, 3).every(([y]) => y >= 1 && y <= 3)).to.equal(true);
    });

    it('ball from the left misses a still paddle: the episode ends on frame 6 with no reward', async () => {
      const { env, seed } = await startingAt(0);
      env.reset({ seed });
      // (0,3) → (1,4) … (5,8); frame 6 would enter row 9 at column 6, away from the paddle at 4.
      const run = play(env, repeat(0, 10));
      expect(run).to.include({ frames: 6, total: 0 });
      expect(run.last.terminated).to.equal(true);
    });

    it('one step right puts the paddle under the ball: bounce on frame 6, wall on frame 10, brick (3, 8) on frame 11', async () => {
      const { env, seed } = await startingAt(0);
      env.reset({ seed });
      const run = play(env, [2, ...repeat(0, 10)]);
      expect(run.rewarded).to.deep.equal([11]);
      expect(run.last.terminated).to.equal(false);
      const bricks = cells(env, run.last.obs, 3);
      expect(bricks).to.have.length(29);
      expect(bricks).to.not.deep.include([3, 8]);
      expect(cells(env, run.last.obs, 1)).to.deep.equal([[4, 8]]); // reflected back down from the brick
      expect(cells(env, run.last.obs, 2)).to.deep.equal([[4, 9]]); // trail: where the ball was
    });

    it('ball from the right lands on the paddle at column 4 and breaks brick (3, 1) on frame 11', async () => {
      const { env, seed } = await startingAt(9);
      env.reset({ seed });
      const run = play(env, repeat(0, 11));
      expect(run.rewarded).to.deep.equal([11]);
      expect(cells(env, run.last.obs, 3)).to.not.deep.include([3, 1]);
    });
  });

  describe('Space Invaders (actions: 0 noop, 1 left, 2 right, 3 fire)', () => {
    it('a shot from column 5 hits the lowest alien (3, 5) on frame 6; the cool-down allows the next shot on frame 6, which hits (2, 5) on frame 12', async () => {
      const env = await game('MinAtar/SpaceInvaders-v1');
      const { obs } = env.reset({ seed: 0 });
      expect(cells(env, obs, 1)).to.have.length(24);
      expect(cells(env, obs, 2)).to.have.length(24); // marching left
      const run = play(env, repeat(3, 12));
      expect(run.rewarded).to.deep.equal([6, 12]);
      const aliens = cells(env, run.last.obs, 1);
      expect(aliens).to.have.length(22);
      expect(aliens).to.not.deep.include([3, 5]);
      expect(aliens).to.not.deep.include([2, 5]);
    });

    it('the alien above the cannon fires on frame 11 and its bullet ends a still game on frame 17', async () => {
      const env = await game('MinAtar/SpaceInvaders-v1');
      env.reset({ seed: 0 });
      const first = play(env, repeat(0, 11));
      expect(cells(env, first.last.obs, 5)).to.deep.equal([[3, 5]]);
      const run = play(env, repeat(0, 10));
      expect(run.frames).to.equal(6);
      expect(run.last.terminated).to.equal(true);
    });

    it('the block marches left on frame 13', async () => {
      const env = await game('MinAtar/SpaceInvaders-v1');
      env.reset({ seed: 0 });
      const run = play(env, [1, 1, 1, 1, 1, ...repeat(0, 8)]); // dodge the shot of frame 11
      expect(Math.min(...cells(env, run.last.obs, 1).map(([, x]) => x))).to.equal(1);
    });
  });

  describe('Freeway (actions: 0 noop, 1 up, 2 down)', () => {
    /** Snapshot with every car at column x, timer t, speed s (layout: row, timer, frames left, terminal, x[8], timer[8], speed[8]). */
    function withCars(env: MinAtarEnv, x: number[], timer: number[], speed: number[]) {
      const s = env.getState();
      const physics = Float64Array.from(s.physics);
      physics.set(x, 4);
      physics.set(timer, 12);
      physics.set(speed, 20);
      env.setState({ ...s, physics });
    }

    it('the chicken moves once every 3 frames and scores on frame 28 when no car is in its way', async () => {
      const env = await game('MinAtar/Freeway-v1');
      env.reset({ seed: 0 });
      withCars(env, repeat(9, 8), repeat(5, 8), repeat(5, 8)); // cars reach column 4 only on frame 30
      const run = play(env, repeat(1, 27));
      expect(cells(env, run.last.obs, 0)).to.deep.equal([[1, 4]]); // moves on frames 4, 7, …, 25
      const next = play(env, [1]);
      expect(next.total).to.equal(1);
      expect(cells(env, next.last.obs, 0)).to.deep.equal([[9, 4]]); // back to the bottom
    });

    it('a car on the chicken\'s cell sends it back to the bottom', async () => {
      const env = await game('MinAtar/Freeway-v1');
      env.reset({ seed: 0 });
      withCars(env, [9, 9, 9, 9, 9, 9, 9, 4], repeat(5, 8), repeat(5, 8)); // lane 8 (row 8) car at column 4
      const run = play(env, repeat(1, 4));
      expect(cells(env, run.last.obs, 0)).to.deep.equal([[9, 4]]);
      env.reset({ seed: 0 });
      withCars(env, repeat(9, 8), repeat(5, 8), repeat(5, 8));
      const free = play(env, repeat(1, 4));
      expect(cells(env, free.last.obs, 0)).to.deep.equal([[8, 4]]);
    });

    it('ends after 2500 frames (terminated, its own rule)', async () => {
      const env = await game('MinAtar/Freeway-v1');
      env.reset({ seed: 0 });
      const run = play(env, repeat(0, 2600));
      expect(run.frames).to.equal(2501);
      expect(run.last.terminated).to.equal(true);
    });
  });

  describe('Asterix (actions: 0 noop, 1 left, 2 up, 3 right, 4 down)', () => {
    /** One entity in lane `lane` at column x moving left (layout: 10 scalars, x[8], movesRight[8], gold[8]). */
    function withEntity(env: MinAtarEnv, lane: number, x: number, gold: boolean) {
      const s = env.getState();
      const physics = Float64Array.from(s.physics);
      physics.fill(-1, 10, 18);
      physics[10 + lane] = x;
      physics[18 + lane] = 0;
      physics[26 + lane] = gold ? 1 : 0;
      env.setState({ ...s, physics });
    }

    for (const [gold, outcome] of [[true, 'collected (+1)'], [false, 'fatal']] as const) {
      it(`walking into ${gold ? 'gold' : 'an enemy'} on frame 2 is ${outcome}`, async () => {
        const env = await game('MinAtar/Asterix-v1');
        env.reset({ seed: 0 });
        withEntity(env, 4, 7, gold); // row 5, the player's row; the player starts at (5, 5)
        const run = play(env, [3, 3, 0]);
        expect(run.total).to.equal(gold ? 1 : 0);
        expect(run.last.terminated).to.equal(!gold);
        expect(run.frames).to.equal(gold ? 3 : 2);
      });
    }

    it('the player stays within rows 1–8', async () => {
      const env = await game('MinAtar/Asterix-v1');
      env.reset({ seed: 0 });
      withEntity(env, 0, -1, false);
      const run = play(env, repeat(2, 6));
      expect(cells(env, run.last.obs, 0)).to.deep.equal([[1, 5]]);
    });
  });

  describe('Env contract', () => {
    for (const id of GAMES) {
      it(`${id}: 10×10×${CHANNELS[id]} 0/1 observations, ${ACTIONS[id]} actions, seeds and snapshots replay exactly`, async () => {
        const env = (await makeEnv(id)) as MinAtarEnv;
        expect(env.observationImage).to.deep.equal({ height: 10, width: 10, channels: CHANNELS[id] });
        expect(env.observationSpace.shape).to.deep.equal([100 * CHANNELS[id]]);
        expect(env.actionSpace).to.deep.equal({ type: 'discrete', n: ACTIONS[id] });
        const trace = (seed: number) => {
          env.reset({ seed });
          const out: number[] = [];
          for (let t = 0; t < 300; t++) {
            const r = env.step((t * 7) % ACTIONS[id]);
            out.push(r.reward, +r.terminated, ...r.obs);
            if (r.terminated) env.reset();
          }
          return out;
        };
        const a = trace(3);
        expect(trace(3)).to.deep.equal(a);
        expect(trace(4)).to.not.deep.equal(a);
        expect(a.every((v) => v === 0 || v === 1)).to.equal(true);

        env.reset({ seed: 5 });
        for (let t = 0; t < 40; t++) if (env.step(t % ACTIONS[id]).terminated) env.reset();
        const snapshot = env.getState();
        const continuation = () => Array.from({ length: 60 }, (_, t) => {
          const r = env.step((t * 3) % ACTIONS[id]);
          return [r.reward, +r.terminated, ...r.obs];
        }).flat();
        const first = continuation();
        env.setState(snapshot);
        expect(continuation()).to.deep.equal(first);
      });
    }

    it('sticky actions repeat the previous action: with probability 1 the paddle never leaves column 4', async () => {
      const env = await game('MinAtar/Breakout-v1', { stickyActionProb: 1 });
      env.reset({ seed: 0 });
      const r = env.step(2);
      expect(cells(env, r.obs, 0)).to.deep.equal([[9, 4]]);
      const moving = await game('MinAtar/Breakout-v1');
      moving.reset({ seed: 0 });
      expect(cells(moving, moving.step(2).obs, 0)).to.deep.equal([[9, 5]]);
    });

    it('bad options name the field', async () => {
      let error: unknown;
      try {
        await makeEnv('MinAtar/Breakout-v1', { stickyActionProb: 2 });
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.match(/stickyActionProb/);
    });
  });
});

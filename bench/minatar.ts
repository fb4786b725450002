// npm run bench:minatar [-- --envs MinAtar/Breakout-v1,MinAtar/SpaceInvaders-v1 --seeds 0 --timesteps 2000000
//                          --minutes 60 --config '{"sampling":"vine"}' --out minatar.json]
// Trains TRPO (tuned MinAtar defaults: the paper's CNN for policy and value) and reports, per game and seed, the
// mean training return of the last 100 episodes at fixed frame budgets (250k, 500k, 1M, 2M) and where the run
// stopped, with the wall time: the measure MinAtar's published learning curves plot (Young & Tian 2019, Figure 2:
// average return per episode during training, DQN and AC(λ), 5M frames). A wall-clock budget (--minutes) stops a
// run early on a shared machine; the frames reached are printed. --out writes the curves as JSON.
// Not part of the tests.
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { TRPO } from '../sdk/trpo/trpo.js';
import type { TrpoOptionsInput } from '../sdk/trpo/config.js';

const { values } = parseArgs({
  options: {
    envs: { type: 'string', default: 'MinAtar/Breakout-v1,MinAtar/SpaceInvaders-v1' },
    seeds: { type: 'string', default: '0' },
    timesteps: { type: 'string', default: '2000000' },
    minutes: { type: 'string', default: '600' },
    config: { type: 'string', default: '{}' },
    out: { type: 'string' },
  },
});
const BUDGETS = [250_000, 500_000, 1_000_000, 2_000_000];
const GOALS: Record<string, number> = { 'MinAtar/Breakout-v1': 10, 'MinAtar/SpaceInvaders-v1': 40 };
const overrides = JSON.parse(values.config) as TrpoOptionsInput;
const results: unknown[] = [];

for (const env of values.envs.split(',')) {
  for (const seed of values.seeds.split(',').map(Number)) {
    const agent = new TRPO({ ...overrides, env, seed });
    const curve: { frames: number; ret: number; seconds: number }[] = [];
    const t0 = performance.now();
    await agent.learn({
      totalTimesteps: Number(values.timesteps),
      signal: AbortSignal.timeout(Number(values.minutes) * 60_000),
      callbacks: {
        onIteration: (m) => {
          const point = { frames: m['time/total_timesteps'] as number, ret: m['rollout/ep_rew_mean'] as number, seconds: (performance.now() - t0) / 1000 };
          curve.push(point);
          if (curve.length % 20 === 0) console.log(`${env} seed ${seed}: ${point.frames} frames, return ${point.ret.toFixed(2)}, ${point.seconds.toFixed(0)} s`);
        },
      },
    });
    await agent.close();
    const at = (frames: number) => curve.filter((p) => p.frames <= frames).at(-1);
    const last = curve.at(-1)!;
    const budgets = BUDGETS.map((b) => (last.frames >= b ? `${b / 1000}k: ${at(b)!.ret.toFixed(2)}` : `${b / 1000}k: —`)).join(', ');
    const goal = GOALS[env] !== undefined ? ` (goal ≥ ${GOALS[env]} within 2M frames)` : '';
    console.log(`${env} seed ${seed} ${overrides.sampling ?? 'single-path'}: ${budgets}; stopped at ${last.frames} frames with ${last.ret.toFixed(2)} after ${last.seconds.toFixed(0)} s${goal}`);
    results.push({ env, seed, options: overrides, curve });
  }
}
if (values.out) writeFileSync(values.out, JSON.stringify(results));

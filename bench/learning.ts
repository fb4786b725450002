// npm run bench:learning [-- --envs Hopper-v5,Walker2d-v5 --seeds 0,1,2 --timesteps 1000000]
// Trains TRPO with the tuned defaults and reports, per env and seed: the final deterministic evaluation return
// (10 episodes), wall time and env-steps/s of the whole run (rollouts and updates), beside the pure-simulation
// rate of the same env on this machine measured in the same run (env.stepInto with random actions on one core,
// times the run's worker count: the rate training could reach if the update cost nothing). Not part of the tests.
import { parseArgs } from 'node:util';
import { createStepOutput } from '../envs/base-env.js';
import { makeEnv, type EnvId } from '../envs/registry.js';
import { Rng } from '../sdk/rng.js';
import { TRPO } from '../sdk/trpo/trpo.js';

const PUBLISHED: Record<string, string> = {
  'Hopper-v5': '3618 / 3372', 'Walker2d-v5': '4933 / 4502', 'HalfCheetah-v5': '1785 / 1803', 'Swimmer-v5': '366 / 359',
};

const { values } = parseArgs({
  options: {
    envs: { type: 'string', default: 'Hopper-v5,Walker2d-v5,HalfCheetah-v5,Swimmer-v5' },
    seeds: { type: 'string', default: '0' },
    timesteps: { type: 'string', default: '1000000' },
  },
});
const envs = values.envs.split(',') as EnvId[];
const seeds = values.seeds.split(',').map(Number);
const timesteps = Number(values.timesteps);

/** Env-steps/s of stepInto with random actions on one core (median of 5 rounds of `steps`). */
async function pureSimulationRate(id: EnvId, steps = 5000): Promise<number> {
  const env = await makeEnv(id);
  const out = createStepOutput(env);
  const rng = new Rng(0);
  const space = env.actionSpace;
  const action = new Float64Array(space.type === 'box' ? space.shape[0] : 1);
  env.resetInto({ seed: 0 }, out);
  const rates: number[] = [];
  for (let round = 0; round < 6; round++) {
    const start = performance.now();
    for (let t = 0; t < steps; t++) {
      if (space.type === 'box') for (let j = 0; j < action.length; j++) action[j] = rng.uniformRange(space.low[j], space.high[j]);
      else action[0] = rng.integer(space.n);
      env.stepInto(action, out);
      if (out.terminated || out.truncated) env.resetInto(undefined, out);
    }
    if (round > 0) rates.push(steps / ((performance.now() - start) / 1000));
  }
  env.close();
  return rates.sort((a, b) => a - b)[rates.length >> 1];
}

const rows: string[] = [];
for (const id of envs) {
  const sim = await pureSimulationRate(id);
  for (const seed of seeds) {
    const agent = new TRPO({ env: id, seed });
    const start = performance.now();
    let last = start;
    await agent.learn({
      totalTimesteps: timesteps,
      callbacks: {
        onIteration: (m) => {
          if (performance.now() - last > 30_000) {
            last = performance.now();
            console.error(`  ${id} seed ${seed}: ${m['time/total_timesteps']} steps, ep_rew_mean ${Number(m['rollout/ep_rew_mean']).toFixed(1)}`);
          }
        },
      },
    });
    const wall = (performance.now() - start) / 1000;
    await agent.close();
    const e = await agent.evaluate({ episodes: 10, deterministic: true });
    const workers = agent.options.numWorkers;
    const rate = agent.numTimesteps / wall;
    rows.push(
      `| ${id} | ${seed} | ${e.meanReturn.toFixed(0)} ± ${e.stdReturn.toFixed(0)} | ${PUBLISHED[id] ?? '–'} | ${wall.toFixed(0)} s | ` +
        `${Math.round(rate)} | ${Math.round(sim * workers)} (${workers}×${Math.round(sim)}) | ${((100 * rate) / (sim * workers)).toFixed(0)} % |`,
    );
    console.error(rows.at(-1));
  }
}
console.log(`TRPO, ${timesteps} steps, tuned defaults, deterministic evaluation over 10 episodes`);
console.log('| env | seed | return | published (zoo / sb3-contrib) | wall | env-steps/s | pure sim steps/s | training / pure sim |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);

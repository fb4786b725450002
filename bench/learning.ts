// npm run bench:learning -- [--envs all | Hopper-v5,Ant-v5] [--seeds 0-4 | 0,1,2] [--timesteps N]
//                           [--eval-freq N] [--out DIR] [--config FILE]
// Trains TRPO with the tuned defaults (plus --config's options) on each task and seed, one run folder each
// (DIR/runs/<env>-seed<k>, resumable: a finished run is read back, an interrupted one resumes from its
// checkpoint), with periodic evaluation (evalFreq, 5 episodes) and a final deterministic evaluation over
// 10 episodes. Writes DIR/learning.json and DIR/learning.md: per task each seed's final return, the median and
// the interquartile mean with a bootstrap 95 % CI, the best evaluation during training, beside the published
// TRPO figures. Also prints the pure-simulation rate of each env on this machine (env.stepInto with random
// actions on one core) next to the training rate. Not part of the tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { createStepOutput } from '../envs/base-env.js';
import { makeEnv, type EnvId } from '../envs/registry.js';
import { Rng } from '../sdk/rng.js';
import { RESULT_FILE, trainRun, type RunResult } from '../sdk/trpo/run.js';
import { defaultTimesteps, markdownTable, MUJOCO_TASKS, taskReport, type SeedResult } from './learning-report.js';

const { values } = parseArgs({
  options: {
    envs: { type: 'string', default: 'Hopper-v5,Walker2d-v5,HalfCheetah-v5,Swimmer-v5' },
    seeds: { type: 'string', default: '0' },
    timesteps: { type: 'string' },
    'eval-freq': { type: 'string', default: '20000' },
    out: { type: 'string', default: 'runs/bench-learning' },
    config: { type: 'string' },
  },
});

function fail(message: string): never {
  console.error(`bench:learning: ${message}`);
  process.exit(2);
}

/** "0-4", "0,1,2" or a mix ("0-2,7"): distinct non-negative integers in the order given. */
function parseSeeds(text: string): number[] {
  const seeds: number[] = [];
  for (const part of text.split(',')) {
    const range = /^(\d+)-(\d+)$/.exec(part.trim());
    const single = /^\d+$/.test(part.trim()) ? Number(part) : undefined;
    if (range && Number(range[1]) <= Number(range[2])) {
      for (let s = Number(range[1]); s <= Number(range[2]); s++) seeds.push(s);
    } else if (single !== undefined) {
      seeds.push(single);
    } else {
      fail(`--seeds "${text}": "${part}" is not a seed or a range; use e.g. --seeds 0-4 or --seeds 0,1,2`);
    }
  }
  return [...new Set(seeds)];
}

const envs = values.envs === 'all' ? [...MUJOCO_TASKS] : values.envs.split(',').map((e) => e.trim());
const seeds = parseSeeds(values.seeds);
const timestepsOverride = values.timesteps === undefined ? undefined : Number(values.timesteps.replaceAll('_', ''));
if (timestepsOverride !== undefined && !(Number.isSafeInteger(timestepsOverride) && timestepsOverride > 0)) {
  fail(`--timesteps "${values.timesteps}" must be a positive integer, e.g. --timesteps 1000000`);
}
const evalFreqOption = Number(values['eval-freq']);
if (!(Number.isSafeInteger(evalFreqOption) && evalFreqOption >= 0)) fail(`--eval-freq "${values['eval-freq']}" must be an integer ≥ 0 (0 = off)`);
const extraOptions = values.config ? (JSON.parse(fs.readFileSync(values.config, 'utf8')) as Record<string, unknown>) : {};
const out = values.out;

/** Env-steps/s of stepInto with random actions on one core (median of 5 rounds of `steps`). */
async function pureSimulationRate(id: EnvId, steps = 5000): Promise<number> {
  const env = await makeEnv(id);
  const stepOut = createStepOutput(env);
  const rng = new Rng(0);
  const space = env.actionSpace;
  const action = new Float64Array(space.type === 'box' ? space.shape[0] : 1);
  env.resetInto({ seed: 0 }, stepOut);
  const rates: number[] = [];
  for (let round = 0; round < 6; round++) {
    const start = performance.now();
    for (let t = 0; t < steps; t++) {
      if (space.type === 'box') for (let j = 0; j < action.length; j++) action[j] = rng.uniformRange(space.low[j], space.high[j]);
      else action[0] = rng.integer(space.n);
      env.stepInto(action, stepOut);
      if (stepOut.terminated || stepOut.truncated) env.resetInto(undefined, stepOut);
    }
    if (round > 0) rates.push(steps / ((performance.now() - start) / 1000));
  }
  env.close();
  return rates.sort((a, b) => a - b)[rates.length >> 1];
}

/** One seed's run: read back when finished, resumed when interrupted, trained otherwise. */
async function runSeed(env: string, seed: number, timesteps: number): Promise<RunResult> {
  const dir = path.join(out, 'runs', `${env}-seed${seed}`);
  const resultFile = path.join(dir, RESULT_FILE);
  if (fs.existsSync(resultFile)) {
    const done = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as RunResult;
    if (done.totalTimesteps >= timesteps && done.eval) return done;
    fail(`${resultFile} holds a run of ${done.totalTimesteps} steps (want ${timesteps}); use another --out`);
  }
  const evalFreq = Math.min(evalFreqOption, Math.max(1, Math.round(timesteps / 10)));
  let last = performance.now();
  return trainRun({
    options: { ...extraOptions, env, seed, evalFreq, nEvalEpisodes: 5 },
    totalTimesteps: timesteps,
    out: dir,
    resume: fs.existsSync(path.join(dir, 'checkpoints')),
    evalEpisodes: 10,
    onIteration: (m) => {
      if (performance.now() - last > 30_000) {
        last = performance.now();
        console.error(`  ${env} seed ${seed}: ${m['time/total_timesteps']} steps, ep_rew_mean ${Number(m['rollout/ep_rew_mean']).toFixed(1)}`);
      }
    },
  });
}

const reports = [];
for (const env of envs) {
  const timesteps = timestepsOverride ?? defaultTimesteps(env);
  const sim = await pureSimulationRate(env as EnvId);
  const results: SeedResult[] = [];
  for (const seed of seeds) {
    const r = await runSeed(env, seed, timesteps);
    if (!r.eval) fail(`${env} seed ${seed} stopped before its final evaluation; run the benchmark again to resume it`);
    results.push({
      seed, finalReturn: r.eval.meanReturn, finalStd: r.eval.stdReturn, bestEval: r.bestEval?.meanReturn ?? null,
      timesteps: r.totalTimesteps, wallTimeS: r.wallTimeS, envStepsPerS: r.envStepsPerS,
    });
    console.error(
      `${env} seed ${seed}: final ${r.eval.meanReturn.toFixed(1)} ± ${r.eval.stdReturn.toFixed(1)}, best eval ` +
        `${r.bestEval?.meanReturn.toFixed(1) ?? '—'}, ${Math.round(r.envStepsPerS)} env-steps/s (pure simulation ${Math.round(sim)} per core)`,
    );
  }
  reports.push({ ...taskReport(env, timesteps, results), pureSimulationStepsPerS: sim });
}

const note =
  `TRPO (trpo-wasm), tuned defaults${values.config ? ` + ${values.config}` : ''}, seeds ${seeds.join(', ')}; ` +
  'final return = deterministic evaluation over 10 episodes after training; best eval = best periodic evaluation ' +
  `(every ${evalFreqOption} steps or a tenth of the run, 5 episodes).`;
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'learning.json'), `${JSON.stringify({ note, seeds, reports }, null, 2)}\n`);
const table = markdownTable(reports, note);
fs.writeFileSync(path.join(out, 'learning.md'), `${table}\n`);
console.log(table);
console.log(`\nwrote ${path.join(out, 'learning.json')} and ${path.join(out, 'learning.md')}`);

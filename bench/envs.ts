// npm run bench:envs — single-env throughput: env-steps/s of env.stepInto (random actions, auto-reset) against a
// raw loop on the same model in the same run that simulates the very same trajectory (ctrl ← the same random
// actions, frameSkip × mj_step, plus mj_rnePostConstraint for the envs that read contact forces, and at each
// episode end the env's recorded reset state loaded with mj_setState + mj_forward), and of the allocating env.step.
// Measurements are interleaved round by round so machine noise hits all of them alike; prints medians and ratios,
// asserts nothing. Goal: wrapper overhead ≤ 10 %.
// (Vector-env throughput: npm run bench:vecenv.)
import { createStepOutput } from '../envs/base-env.js';
import { loadMujocoRuntime } from '../envs/mujoco-runtime.js';
import { loadModelXml, type ModelName } from '../envs/models/index.js';
import { makeEnv, type EnvId } from '../envs/registry.js';
import type { Env } from '../envs/types.js';
import { Rng } from '../sdk/rng.js';

const ROUNDS = 7;

interface Case {
  id: EnvId;
  /** Episodes run to the time limit where the env allows it, so the env and the raw loop simulate alike. */
  options: Record<string, unknown>;
  steps: number;
  mujoco?: { model: ModelName; frameSkip: number; contactForces: boolean };
}

const NO_EARLY_END = { terminateWhenUnhealthy: false };
const CASES: Case[] = [
  { id: 'Hopper-v5', options: NO_EARLY_END, steps: 3000, mujoco: { model: 'hopper', frameSkip: 4, contactForces: false } },
  { id: 'Walker2d-v5', options: NO_EARLY_END, steps: 3000, mujoco: { model: 'walker2d_v5', frameSkip: 4, contactForces: false } },
  { id: 'HalfCheetah-v5', options: {}, steps: 3000, mujoco: { model: 'half_cheetah', frameSkip: 5, contactForces: false } },
  { id: 'Swimmer-v5', options: {}, steps: 3000, mujoco: { model: 'swimmer', frameSkip: 4, contactForces: false } },
  { id: 'Ant-v5', options: NO_EARLY_END, steps: 1000, mujoco: { model: 'ant', frameSkip: 5, contactForces: true } },
  { id: 'Humanoid-v5', options: NO_EARLY_END, steps: 1000, mujoco: { model: 'humanoid', frameSkip: 5, contactForces: true } },
  { id: 'InvertedPendulum-v5', options: {}, steps: 5000, mujoco: { model: 'inverted_pendulum', frameSkip: 2, contactForces: false } },
  { id: 'InvertedDoublePendulum-v5', options: {}, steps: 5000, mujoco: { model: 'inverted_double_pendulum', frameSkip: 5, contactForces: false } },
  { id: 'Reacher-v5', options: {}, steps: 5000, mujoco: { model: 'reacher', frameSkip: 2, contactForces: false } },
  { id: 'Pendulum-v1', options: {}, steps: 200_000 },
  { id: 'CartPole-v1', options: {}, steps: 200_000 },
];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function fillRandomAction(env: Env, rng: Rng, out: Float64Array): void {
  const space = env.actionSpace;
  if (space.type === 'discrete') out[0] = rng.integer(space.n);
  else for (let i = 0; i < out.length; i++) out[i] = rng.uniformRange(space.low[i], space.high[i]);
}

/** Where the episodes of the benchmark trajectory end, and the state each reset starts from (untimed). */
interface Episodes {
  ends: number[];
  startStates: Float64Array[];
}

function recordEpisodes(env: Env, steps: number): Episodes {
  const out = createStepOutput(env);
  const rng = new Rng(0);
  const action = new Float64Array(env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : 1);
  env.resetInto({ seed: 0 }, out);
  const episodes: Episodes = { ends: [], startStates: [env.getState().physics] };
  for (let t = 0; t < steps; t++) {
    fillRandomAction(env, rng, action);
    env.stepInto(action, out);
    if (out.terminated || out.truncated) {
      env.resetInto(undefined, out);
      episodes.ends.push(t);
      episodes.startStates.push(env.getState().physics);
    }
  }
  return episodes;
}

/** Env-steps/s of env.stepInto (or env.step) with random actions and auto-reset. */
function envLoop(env: Env, steps: number, allocating: boolean): number {
  const out = createStepOutput(env);
  const rng = new Rng(0);
  const action = new Float64Array(env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : 1);
  env.resetInto({ seed: 0 }, out);
  const start = performance.now();
  for (let t = 0; t < steps; t++) {
    fillRandomAction(env, rng, action);
    let done: boolean;
    if (allocating) {
      const r = env.step(action);
      done = r.terminated || r.truncated;
    } else {
      env.stepInto(action, out);
      done = out.terminated || out.truncated;
    }
    if (done) env.resetInto(undefined, out);
  }
  return steps / ((performance.now() - start) / 1000);
}

/** The physics alone on the env's trajectory: same actions, frameSkip × mj_step (+ post-constraint forces). */
async function rawLoop(env: Env, c: Case, steps: number, episodes: Episodes): Promise<number> {
  const spec = c.mujoco!;
  const mj = await loadMujocoRuntime();
  const model = mj.MjModel.from_xml_string(loadModelXml(spec.model));
  const data = new mj.MjData(model);
  const ctrl = data.ctrl as Float64Array;
  const rng = new Rng(0);
  const action = new Float64Array(model.nu);
  const stateFlag = mj.mjtState.mjSTATE_INTEGRATION.value;
  const load = (physics: Float64Array) => {
    mj.mj_resetData(model, data);
    mj.mj_setState(model, data, physics as unknown as number[], stateFlag);
    mj.mj_forward(model, data);
  };
  load(episodes.startStates[0]);
  let episode = 0;
  const start = performance.now();
  for (let t = 0; t < steps; t++) {
    fillRandomAction(env, rng, action);
    ctrl.set(action);
    for (let k = 0; k < spec.frameSkip; k++) mj.mj_step(model, data);
    if (spec.contactForces) mj.mj_rnePostConstraint(model, data);
    if (t === episodes.ends[episode]) load(episodes.startStates[++episode]);
  }
  const rate = steps / ((performance.now() - start) / 1000);
  data.delete();
  model.delete();
  return rate;
}

const fmt = (x: number) => Math.round(x).toLocaleString('en-US').padStart(9);

async function main(): Promise<void> {
  console.log(`Single-env throughput, env-steps/s (median of ${ROUNDS} interleaved rounds)`);
  console.log(
    `${'env'.padEnd(26)} ${'raw'.padStart(9)} ${'stepInto'.padStart(9)} ${'overhead'.padStart(9)} ${'step()'.padStart(9)} ${'mj_step/s'.padStart(9)}`,
  );
  for (const c of CASES) {
    const env = await makeEnv(c.id, c.options);
    const episodes = recordEpisodes(env, c.steps); // also the warm-up
    const into: number[] = [], alloc: number[] = [], raw: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      into.push(envLoop(env, c.steps, false));
      if (c.mujoco) raw.push(await rawLoop(env, c, c.steps, episodes));
      alloc.push(envLoop(env, c.steps, true));
    }
    env.close();
    const mInto = median(into);
    const mAlloc = median(alloc);
    if (!c.mujoco) {
      console.log(`${c.id.padEnd(26)} ${'–'.padStart(9)} ${fmt(mInto)} ${'–'.padStart(9)} ${fmt(mAlloc)} ${'–'.padStart(9)}`);
      continue;
    }
    const mRaw = median(raw);
    const overhead = `${((mRaw / mInto - 1) * 100).toFixed(1)} %`.padStart(9);
    console.log(`${c.id.padEnd(26)} ${fmt(mRaw)} ${fmt(mInto)} ${overhead} ${fmt(mAlloc)} ${fmt(mRaw * c.mujoco.frameSkip)}`);
  }
  console.log('overhead = raw / stepInto − 1 (time added per env step by the wrapper); mj_step/s = raw × frameSkip');
}

await main();

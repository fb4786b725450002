// npm run bench:custom-env — does an MJCF task written with MjcfEnv step as fast as a built-in env? The built-in
// Hopper-v5 against the same model (hopper.xml) and the same task (Gymnasium's forward reward, healthy reward,
// control cost and observation) written as an MjcfTask, and against a module env of the same task in plain JS
// objects (the adapter's path). Random actions, auto-reset, interleaved rounds; prints medians and ratios,
// asserts nothing.
import { adaptEnv } from '../envs/custom/adapter.js';
import type { UserEnv } from '../envs/custom/contract.js';
import { createMjcfEnv } from '../envs/custom/mjcf-task.js';
import { createStepOutput } from '../envs/base-env.js';
import { loadModelXml } from '../envs/models/index.js';
import { makeEnv } from '../envs/registry.js';
import type { Env } from '../envs/types.js';
import { Rng } from '../sdk/rng.js';

const ROUNDS = 7;
const STEPS = 4000;

/** Hopper-v5's task (without the healthy-range termination: episodes run to the limit, as in the built-in run). */
function hopperTask() {
  let xBefore = 0;
  return createMjcfEnv({
    id: 'HopperAsMjcf-v0',
    model: { xml: loadModelXml('hopper') },
    frameSkip: 4,
    observationSize: 11,
    rewardTerms: ['reward_forward', 'reward_ctrl', 'reward_survive'],
    observation(sim, obs) {
      const q = sim.qpos, v = sim.qvel;
      for (let i = 1; i < q.length; i++) obs[i - 1] = q[i];
      for (let i = 0; i < v.length; i++) obs[q.length - 1 + i] = Math.max(-10, Math.min(10, v[i]));
      xBefore = q[0];
    },
    reward(sim, action, info) {
      info.reward_forward = (sim.qpos[0] - xBefore) / sim.dt;
      let ctrl = 0;
      for (let i = 0; i < action.length; i++) ctrl += action[i] * action[i];
      info.reward_ctrl = -1e-3 * ctrl;
      info.reward_survive = 1;
      return info.reward_forward + info.reward_ctrl + info.reward_survive;
    },
    resetNoise(sim, qpos, qvel) {
      for (let i = 0; i < qpos.length; i++) qpos[i] += sim.uniform(-5e-3, 5e-3);
      for (let i = 0; i < qvel.length; i++) qvel[i] += sim.uniform(-5e-3, 5e-3);
    },
  });
}

/** The same MJCF task behind the plain-object contract (reset/step returning new objects): the adapter's cost. */
function asPlainObjects(env: Env) {
  const user: UserEnv = {
    observationSpace: env.observationSpace,
    actionSpace: env.actionSpace,
    reset: (args) => env.reset(args),
    step: (action) => env.step(action as Float64Array),
  };
  return adaptEnv(user, { id: 'HopperPlainObjects-v0' });
}

function stepsPerSecond(env: Env): number {
  const out = createStepOutput(env);
  const rng = new Rng(0);
  const a = new Float64Array(env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : 1);
  env.resetInto({ seed: 0 }, out);
  const t0 = performance.now();
  for (let t = 0; t < STEPS; t++) {
    for (let i = 0; i < a.length; i++) a[i] = rng.uniformRange(-1, 1);
    env.stepInto(a, out);
    if (out.terminated || out.truncated) env.resetInto(undefined, out);
  }
  return STEPS / ((performance.now() - t0) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const builtIn = await makeEnv('Hopper-v5', { terminateWhenUnhealthy: false });
const mjcf = await hopperTask();
const plain = asPlainObjects(await hopperTask());
const samples: Record<string, number[]> = { builtIn: [], mjcf: [], plain: [] };
for (let r = 0; r < ROUNDS; r++) {
  samples.builtIn.push(stepsPerSecond(builtIn));
  samples.mjcf.push(stepsPerSecond(mjcf));
  samples.plain.push(stepsPerSecond(plain));
}
const base = median(samples.builtIn);
console.log(`Hopper model, ${STEPS} steps × ${ROUNDS} rounds (median env-steps/s, ratio to the built-in):`);
console.log(`  built-in Hopper-v5              ${base.toFixed(0).padStart(8)}  1.00`);
console.log(`  MjcfEnv task                    ${median(samples.mjcf).toFixed(0).padStart(8)}  ${(median(samples.mjcf) / base).toFixed(2)}`);
console.log(`  plain-object env via adapter    ${median(samples.plain).toFixed(0).padStart(8)}  ${(median(samples.plain) / base).toFixed(2)}`);

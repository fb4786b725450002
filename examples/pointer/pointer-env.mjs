// The Pointer task: bring the arm's tip to the target. Everything specific to this robot is here — the model
// files next to this module, the observation, the reward (with its terms), the reset noise — and MjcfEnv does
// the rest at the speed of the built-in MuJoCo envs.
//
//   trpo check-env examples/pointer/pointer-env.mjs#createPointerEnv
//   trpo train --env examples/pointer/pointer-env.mjs#createPointerEnv --config examples/pointer/config.json \
//     --timesteps 150000 --out runs/pointer
//
// In your own project import from 'trpo-wasm'; this example imports the repository's build.
import { MjcfEnv, readMjcf } from '../../dist/sdk/index.js';

/** pointer.xml with arm.xml (its <include>) and meshes/base.stl, read once per thread. */
const model = readMjcf(new URL('./pointer.xml', import.meta.url));

const TARGET = [0.12, 0.12];

/**
 * @param {{ ctrlCost?: number, reachedRadius?: number, maxEpisodeSteps?: number }} options
 */
export function createPointerEnv({ ctrlCost = 0.05, reachedRadius = 0.02, maxEpisodeSteps = 100 } = {}) {
  let tip = 0; // where the tip's position starts in sensordata (looked up once, in setup)
  return MjcfEnv.create({
    id: 'Pointer-v0',
    model,
    frameSkip: 2,
    maxEpisodeSteps,
    observationSize: 8,
    observationLabels: ['cos_shoulder', 'cos_elbow', 'sin_shoulder', 'sin_elbow', 'shoulder_vel', 'elbow_vel', 'tip_to_target_x', 'tip_to_target_y'],
    rewardTerms: ['reward_distance', 'reward_ctrl', 'reward_reached', 'distance'],
    setup(sim) {
      tip = sim.sensorAddress('tip_pos').address;
    },
    observation(sim, obs) {
      const q = sim.qpos;
      obs[0] = Math.cos(q[0]);
      obs[1] = Math.cos(q[1]);
      obs[2] = Math.sin(q[0]);
      obs[3] = Math.sin(q[1]);
      obs[4] = sim.qvel[0];
      obs[5] = sim.qvel[1];
      obs[6] = TARGET[0] - sim.sensordata[tip];
      obs[7] = TARGET[1] - sim.sensordata[tip + 1];
    },
    // The custom reward: get close (distance), gently (control cost), and a bonus for every step on target.
    reward(sim, action, info) {
      const distance = Math.hypot(TARGET[0] - sim.sensordata[tip], TARGET[1] - sim.sensordata[tip + 1]);
      info.distance = distance;
      info.reward_distance = -10 * distance;
      info.reward_ctrl = -ctrlCost * (action[0] * action[0] + action[1] * action[1]);
      info.reward_reached = distance < reachedRadius ? 1 : 0;
      return info.reward_distance + info.reward_ctrl + info.reward_reached;
    },
    // Start anywhere around the shoulder, with the elbow somewhat bent, at rest.
    resetNoise(sim, qpos) {
      qpos[0] += sim.uniform(-Math.PI, Math.PI);
      qpos[1] += sim.uniform(-1, 1);
    },
  });
}

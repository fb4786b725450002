// A custom MuJoCo task written the way a user would with MjcfEnv: the model as MJCF text with an <include> and a
// mesh (a binary STL made here), and the task functions. Worker threads import this module by its URL.
import { createMjcfEnv } from '../envs/custom/mjcf-task.js';

export const MJCF_FIXTURE_URL = import.meta.url;

/** A binary STL of the tetrahedron with corners 0, s·e₁, s·e₂, s·e₃ (outward-facing triangles). */
export function tetrahedronStl(s = 0.1): Uint8Array {
  const p = [[0, 0, 0], [s, 0, 0], [0, s, 0], [0, 0, s]];
  const triangles = [[p[0], p[2], p[1]], [p[0], p[1], p[3]], [p[0], p[3], p[2]], [p[1], p[2], p[3]]];
  const bytes = new Uint8Array(84 + 50 * triangles.length);
  const view = new DataView(bytes.buffer);
  view.setUint32(80, triangles.length, true);
  triangles.forEach((triangle, k) => {
    let offset = 84 + 50 * k + 12; // after the (unused) normal
    for (const vertex of triangle) for (const c of vertex) (view.setFloat32(offset, c, true), (offset += 4));
  });
  return bytes;
}

export const SLIDER_XML = `<mujoco model="slider">
  <option timestep="0.01" gravity="0 0 0"/>
  <asset><mesh name="puck" file="puck.stl"/></asset>
  <include file="slider-body.xml"/>
  <actuator>
    <motor name="push_x" joint="slide_x" gear="2" ctrlrange="-1 1" ctrllimited="true"/>
    <motor name="push_y" joint="slide_y" gear="2" ctrlrange="-1 1" ctrllimited="true"/>
  </actuator>
  <sensor><framepos name="puck_pos" objtype="xbody" objname="puck"/></sensor>
</mujoco>`;

export const SLIDER_BODY_XML = `<mujoco>
  <worldbody>
    <body name="puck" pos="0 0 0">
      <joint name="slide_x" type="slide" axis="1 0 0" damping="1"/>
      <joint name="slide_y" type="slide" axis="0 1 0" damping="1"/>
      <geom type="mesh" mesh="puck" density="1000"/>
    </body>
  </worldbody>
</mujoco>`;

export interface SliderOptions {
  maxEpisodeSteps?: number;
  /** Target of the puck in the plane. */
  goal?: [number, number];
}

/** Push a puck to a goal: obs [x, y (from the sensor), vx, vy, goal − position], reward −distance − 0.1·|a|². */
export function createSliderEnv(options: SliderOptions = {}) {
  const [gx, gy] = options.goal ?? [0.5, -0.3];
  let sensor = 0;
  return createMjcfEnv({
    id: 'Slider-v0',
    model: { xml: SLIDER_XML, assets: { 'slider-body.xml': SLIDER_BODY_XML, 'puck.stl': tetrahedronStl() } },
    frameSkip: 2,
    maxEpisodeSteps: options.maxEpisodeSteps ?? 50,
    observationSize: 6,
    rewardTerms: ['reward_distance', 'reward_ctrl'],
    observationLabels: ['x', 'y', 'vx', 'vy', 'dx_goal', 'dy_goal'],
    setup(sim) {
      sensor = sim.sensorAddress('puck_pos').address;
    },
    observation(sim, obs) {
      const s = sim.sensordata;
      obs[0] = s[sensor];
      obs[1] = s[sensor + 1];
      obs[2] = sim.qvel[0];
      obs[3] = sim.qvel[1];
      obs[4] = gx - s[sensor];
      obs[5] = gy - s[sensor + 1];
    },
    reward(sim, action, info) {
      const s = sim.sensordata;
      const distance = Math.hypot(gx - s[sensor], gy - s[sensor + 1]);
      info.reward_distance = -distance;
      info.reward_ctrl = -0.1 * (action[0] * action[0] + action[1] * action[1]);
      return info.reward_distance + info.reward_ctrl;
    },
    resetNoise(sim, qpos, qvel) {
      for (let i = 0; i < qpos.length; i++) qpos[i] += sim.uniform(-0.2, 0.2);
      for (let i = 0; i < qvel.length; i++) qvel[i] += 0.05 * sim.normal();
    },
  });
}

// MjcfEnv: a custom MuJoCo task from MJCF text with an <include> and a mesh (MuJoCo's virtual file system), read
// from files with readMjcf, checked by checkEnv, and trained with 0, 1 and 2 workers to the same numbers.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkEnv } from '../envs/custom/check.js';
import { createMjcfEnv } from '../envs/custom/mjcf-task.js';
import { modelSha256, readMjcf } from '../sdk/envs/mjcf-files.js';
import { loadOnnxPolicy } from '../sdk/onnx/index.js';
import { TRPO } from '../sdk/trpo/trpo.js';
import { createSliderEnv, MJCF_FIXTURE_URL, SLIDER_BODY_XML, SLIDER_XML, tetrahedronStl } from './custom-mjcf-fixtures.js';

const tiny = { seed: 2, numEnvs: 2, nSteps: 64, policyHiddenSizes: [8], valueHiddenSizes: [8], nCriticUpdates: 2, checkpointEvery: 0 };

/** The ONNX file names the robot: model_sha256 of the MJCF with its assets, dt, the task's labels. */
async function checkExport(agent: TRPO): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-mjcf-onnx-'));
  try {
    await agent.exportOnnx(path.join(dir, 'slider.onnx'));
    const policy = await loadOnnxPolicy(path.join(dir, 'slider.onnx'));
    const source = { xml: SLIDER_XML, assets: { 'slider-body.xml': SLIDER_BODY_XML, 'puck.stl': tetrahedronStl() } };
    expect(policy.metadata.modelSha256).to.equal(modelSha256(source));
    expect(policy.metadata.envId).to.equal('Slider-v0');
    expect(policy.metadata.dt).to.be.closeTo(0.02, 1e-12);
    expect(policy.metadata.observationLabels).to.deep.equal(['x', 'y', 'vx', 'vy', 'dx_goal', 'dy_goal']);
    await policy.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('MjcfEnv: custom MuJoCo robots', function () {
  this.timeout(120_000);

  it('compiles an MJCF with an <include> and a mesh, reads sensors and writes reward terms', async () => {
    const env = await createSliderEnv();
    expect(env.observationSpace.shape).to.deep.equal([6]);
    expect(env.actionLabels).to.have.length(2);
    expect(env.actionLabels![0]).to.include('push_x').and.include('slide_x');
    expect(env.observationLabels).to.deep.equal(['x', 'y', 'vx', 'vy', 'dx_goal', 'dy_goal']);
    expect(env.dt).to.be.closeTo(0.02, 1e-12);
    const { obs } = env.reset({ seed: 3 });
    const state = env.getState().physics; // [time, qpos…, qvel…, act…]
    expect(obs[0]).to.equal(state[1]); // the framepos sensor after reset is qpos
    expect(obs[1]).to.equal(state[2]);
    const r = env.step([1, -1]);
    expect(Object.keys(r.info)).to.deep.equal(['reward_distance', 'reward_ctrl']);
    expect(r.info.reward_ctrl).to.be.closeTo(-0.2, 1e-12);
    expect(r.reward).to.equal(r.info.reward_distance + r.info.reward_ctrl);
    expect(r.obs[2]).to.be.greaterThan(0); // pushed +x
    let steps = 1; // the step above
    do steps++;
    while (!env.step([0, 0]).truncated);
    expect(steps).to.equal(50);
    expect(checkEnv(env, { steps: 60 }).problems).to.deep.equal([]);
  });

  it('names the missing asset when the MJCF refers to a file it was not given', async () => {
    const error = await createMjcfEnv({
      id: 'Broken-v0', model: { xml: SLIDER_XML, assets: { 'slider-body.xml': SLIDER_BODY_XML } },
      observationSize: 1, observation: () => undefined, reward: () => 0,
    }).catch((e: Error) => e);
    expect((error as Error).message).to.match(/model "Broken-v0": MuJoCo could not compile .*puck\.stl.*assets given: slider-body\.xml/s);
  });

  it('readMjcf loads includes and meshdir assets from disk; model_sha256 covers every file', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-mjcf-'));
    try {
      fs.mkdirSync(path.join(dir, 'meshes'));
      fs.writeFileSync(path.join(dir, 'robot.xml'), SLIDER_XML.replace('<option', '<compiler meshdir="meshes"/>\n  <option'));
      fs.writeFileSync(path.join(dir, 'slider-body.xml'), SLIDER_BODY_XML);
      fs.writeFileSync(path.join(dir, 'meshes', 'puck.stl'), tetrahedronStl());
      const model = readMjcf(path.join(dir, 'robot.xml'));
      expect(Object.keys(model.assets).sort()).to.deep.equal(['meshes/puck.stl', 'slider-body.xml']);
      const env = await createMjcfEnv({ id: 'FromDisk-v0', model, observationSize: 2, observation: (s, o) => o.set(s.qpos), reward: () => 0 });
      expect(env.actionSpace.type === 'box' && env.actionSpace.shape).to.deep.equal([2]);
      const hash = modelSha256(model);
      expect(hash).to.match(/^[0-9a-f]{64}$/);
      expect(modelSha256(readMjcf(path.join(dir, 'robot.xml')))).to.equal(hash);
      fs.writeFileSync(path.join(dir, 'meshes', 'puck.stl'), tetrahedronStl(0.11));
      expect(modelSha256(readMjcf(path.join(dir, 'robot.xml')))).to.not.equal(hash);
      fs.rmSync(path.join(dir, 'slider-body.xml'));
      expect(() => readMjcf(path.join(dir, 'robot.xml'))).to.throw(/cannot read <include file="slider-body.xml"> of .*robot.xml: .*ENOENT/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('trains to the same numbers with 0, 1 and 2 workers', async () => {
    const env = { module: fileURLToPath(MJCF_FIXTURE_URL), export: 'createSliderEnv' };
    const parameters: Float64Array[] = [];
    for (const numWorkers of [0, 1, 2]) {
      const agent = new TRPO({ ...tiny, env, numWorkers });
      await agent.learn({ totalTimesteps: 3 * 128 });
      parameters.push((await agent.setup()).policy.getParameters().slice());
      await agent.close();
      if (numWorkers === 1) await checkExport(agent);
    }
    expect(parameters[0].every(Number.isFinite)).to.equal(true);
    // 1 and 2 workers bit for bit; 0 workers to rounding (the trainer's helper thread sums FVPs in another order).
    expect(Array.from(parameters[2])).to.deep.equal(Array.from(parameters[1]));
    parameters[0].forEach((x, i) => expect(x).to.be.closeTo(parameters[1][i], 1e-5));
  });
});

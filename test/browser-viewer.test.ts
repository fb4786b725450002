// The `trpo view` page in a real browser: Debian's Chromium (WebGL on SwiftShader) driven by playwright-core.
// It loads the viewer for Hopper-v5 and checks: no console errors; the canvas is not blank and changes when the
// robot moves; the page's actions for given observations are the Node SDK's (the same runner: bit for bit) and
// onnxruntime-node's (to float32 rounding); an episode's return in the page equals the Node SDK's and what
// `trpo eval --policy` prints for the same seeds.
//
// Without Chromium the tests are skipped with a loud note, unless TRPO_REQUIRE_BROWSER=1 (set by .ci/run, which
// installs Chromium), where its absence fails them.
import { expect } from 'chai';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { MujocoEnv } from '../envs/mujoco-env.js';
import { listEnvs, makeEnv } from '../envs/registry.js';
import { policyToOnnxBytes } from '../sdk/onnx/export.js';
import { loadOnnxPolicy } from '../sdk/onnx/runtime.js';
import { loadPolicyBytes, type OnnxWeightsPolicy } from '../sdk/onnx/weights-policy.js';
import { Rng } from '../sdk/rng.js';
import { runEval } from '../sdk/trpo/cli.js';
import { runEpisodes, type EvaluationResult } from '../sdk/trpo/evaluate.js';
import { chromiumPath, launchChromium } from '../sdk/view/browser-launch.js';
import { VIEWER_READY } from '../sdk/view/record.js';
import { startViewServer, type ViewServer } from '../sdk/view/server.js';
import { maxAbsDiff, randomSpec } from './onnx-fixtures.js';

interface ViewerApi {
  pause(): void;
  advance(n: number): void;
  pixels(): number[];
  actions(observations: number[][]): number[][];
  evaluate(episodes: number, seed: number): Promise<EvaluationResult>;
  record(episodes: number): Promise<{ video: string; frames: number; returns: number[] }>;
  sceneCheck(source: string | { xml: string; assets?: Record<string, number[]> }): Promise<{ drawn: Record<string, number>; std: number; image: string }>;
}

const GEOM_NAMES = ['PLANE', 'HFIELD', 'SPHERE', 'CAPSULE', 'ELLIPSOID', 'CYLINDER', 'BOX', 'MESH'];

/** A robot of every geom type the viewer draws; the mesh comes from an asset file (binary STL, a tetrahedron). */
const CUSTOM_MJCF = `<mujoco model="every-geom">
  <asset>
    <mesh name="tet" file="tet.stl"/>
    <material name="red" rgba="0.8 0.1 0.1 1"/>
  </asset>
  <worldbody>
    <light pos="0 0 3"/>
    <geom name="floor" type="plane" size="5 5 0.1" rgba="0.3 0.5 0.3 1"/>
    <body name="torso" pos="0 0 1">
      <freejoint/>
      <geom type="box" size="0.2 0.1 0.05" rgba="0.2 0.3 0.9 1"/>
      <geom type="sphere" size="0.1" pos="0.3 0 0" material="red"/>
      <geom type="capsule" size="0.05" fromto="-0.3 0 0 -0.3 0 0.3" rgba="0.9 0.7 0.1 1"/>
      <geom type="cylinder" size="0.06 0.1" pos="0 0.3 0" rgba="0.1 0.8 0.8 1"/>
      <geom type="ellipsoid" size="0.1 0.05 0.15" pos="0 -0.3 0" rgba="0.7 0.2 0.7 1"/>
      <geom type="mesh" mesh="tet" pos="0 0 0.25" rgba="0.4 0.4 0.4 1"/>
    </body>
  </worldbody>
</mujoco>`;

/** A binary STL of a tetrahedron with 0.2 m edges along the axes. */
function tetrahedronStl(): number[] {
  const v = [[0, 0, 0], [0.2, 0, 0], [0, 0.2, 0], [0, 0, 0.2]];
  const faces = [[0, 2, 1], [0, 1, 3], [0, 3, 2], [1, 2, 3]];
  const buffer = new DataView(new ArrayBuffer(84 + 50 * faces.length));
  buffer.setUint32(80, faces.length, true);
  faces.forEach((face, f) => {
    const at = 84 + 50 * f + 12; // normal left zero: MuJoCo computes its own
    face.forEach((vertex, k) => v[vertex].forEach((x, c) => buffer.setFloat32(at + 12 * k + 4 * c, x, true)));
  });
  return Array.from(new Uint8Array(buffer.buffer));
}
declare const trpoViewer: ViewerApi;
/** The few DOM names used inside page.evaluate (the test is compiled without the DOM lib). */
interface VideoElement { muted: boolean; src: string; videoWidth: number; videoHeight: number; onloadedmetadata: (() => void) | null; onerror: (() => void) | null }
declare const document: { createElement(tag: 'video'): VideoElement };

/** A Hopper-v5 policy with weights that act (a fresh agent's output layer is ~0): 11→64→64→3, normalized obs. */
function hopperPolicyBytes(): Uint8Array {
  const spec = randomSpec({ kind: 'gaussian', sizes: [11, 64, 64, 3], obsNorm: true, obsClip: 10, seed: 7 });
  spec.actionLow = Float64Array.of(-1, -1, -1);
  spec.actionHigh = Float64Array.of(1, 1, 1);
  spec.metadata.envId = 'Hopper-v5';
  return policyToOnnxBytes(spec, { stochastic: true }).bytes;
}

function luminanceStats(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length) };
}

describe('trpo view in headless Chromium', function () {
  this.timeout(180_000);
  let browser: Browser | undefined;
  let server: ViewServer | undefined;
  let page: Page;
  let dir: string;
  const errors: string[] = [];
  const bytes = hopperPolicyBytes();
  let policy: OnnxWeightsPolicy;

  before(async function () {
    if (chromiumPath() === undefined) {
      const message = 'Chromium not found (/usr/bin/chromium or TRPO_CHROMIUM): the browser tests DID NOT RUN. Install it: apt-get install -y chromium';
      if (process.env.TRPO_REQUIRE_BROWSER === '1') throw new Error(message);
      console.warn(`\n      ⚠⚠⚠ ${message}\n`);
      this.skip();
    }
    dir = await mkdtemp(join(tmpdir(), 'trpo-browser-'));
    policy = await loadPolicyBytes(bytes);
    server = await startViewServer({ envId: 'Hopper-v5', envOptions: {}, policyBytes: bytes, label: 'test policy' }, { seed: 0 });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 800, height: 600 } });
    page.on('console', (message) => { if (message.type() === 'error') errors.push(message.text()); });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(server.url);
    await page.waitForFunction(VIEWER_READY, null, { timeout: 120_000 });
    await page.evaluate(() => trpoViewer.pause());
  });

  after(async () => {
    policy?.dispose();
    await browser?.close();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads the Hopper-v5 viewer without console errors', async () => {
    expect(await page.locator('#title').textContent()).to.contain('Hopper-v5');
    expect(errors).to.deep.equal([]);
  });

  it('draws the robot: the canvas is not blank and changes as the robot moves', async () => {
    const before = await page.evaluate(() => { trpoViewer.advance(0); return trpoViewer.pixels(); });
    const after = await page.evaluate(() => { trpoViewer.advance(15); return trpoViewer.pixels(); });
    const stats = luminanceStats(before);
    expect(stats.std, 'a blank canvas has no contrast').to.be.above(5);
    const changed = before.filter((v, i) => Math.abs(v - after[i]) > 8).length;
    expect(changed, 'pixels that changed after 15 steps').to.be.above(10);
    expect(errors).to.deep.equal([]);
  });

  it('builds and draws every built-in MuJoCo env: every visible geom, on a canvas that is not blank', async () => {
    for (const id of listEnvs()) {
      const env = await makeEnv(id);
      if (!(env instanceof MujocoEnv)) { env.close(); continue; } // Pendulum-v1, CartPole-v1: no MuJoCo model
      const { model } = env.physics();
      const type = model.geom_type as Int32Array;
      const group = model.geom_group as Int32Array;
      const expected: Record<string, number> = {};
      for (let g = 0; g < model.ngeom; g++) if (group[g] < 3) expected[GEOM_NAMES[type[g]]] = (expected[GEOM_NAMES[type[g]]] ?? 0) + 1;
      env.close();
      const check = await page.evaluate((source) => trpoViewer.sceneCheck(source), id);
      expect(check.drawn, id).to.deep.equal(expected);
      expect(check.std, `${id}: contrast of the frame (0 when blank)`).to.be.above(2);
    }
    expect(errors).to.deep.equal([]);
  });

  it('builds and draws a custom MJCF model with an asset file: plane, box, sphere, capsule, cylinder, ellipsoid, mesh', async () => {
    const check = await page.evaluate((source) => trpoViewer.sceneCheck(source), { xml: CUSTOM_MJCF, assets: { 'tet.stl': tetrahedronStl() } });
    expect(check.drawn).to.deep.equal({ PLANE: 1, BOX: 1, SPHERE: 1, CAPSULE: 1, CYLINDER: 1, ELLIPSOID: 1, MESH: 1 });
    expect(check.std).to.be.above(5);
    if (process.env.TRPO_VIEWER_SHOTS) await writeFile(join(process.env.TRPO_VIEWER_SHOTS, 'custom.png'), Buffer.from(check.image.split(',')[1], 'base64'));
    expect(errors).to.deep.equal([]);
  });

  it('computes the same actions as the Node SDK for the same observations', async () => {
    const env = await makeEnv('Hopper-v5');
    const rng = new Rng(3);
    const observations: number[][] = [];
    let { obs } = env.reset({ seed: 3 });
    for (let i = 0; i < 40; i++) {
      observations.push(Array.from(obs));
      const step = env.step([rng.uniformRange(-1, 1), rng.uniformRange(-1, 1), rng.uniformRange(-1, 1)]);
      obs = step.terminated || step.truncated ? env.reset({ seed: 4 + i }).obs : step.obs;
    }
    env.close();
    const inPage = await page.evaluate((o) => trpoViewer.actions(o), observations);
    const inNode = observations.map((o) => Array.from(policy.act(o)));
    expect(inPage).to.deep.equal(inNode);
    const path = join(dir, 'hopper.onnx');
    await writeFile(path, bytes);
    const ort = await loadOnnxPolicy(path);
    const byOrt: number[] = [];
    for (const o of observations) byOrt.push(...(await ort.act(o) as Float32Array));
    await ort.close();
    expect(maxAbsDiff(inPage.flat(), byOrt)).to.be.below(1e-5);
  });

  it('gives an episode return equal to the Node SDK\'s and to `trpo eval --policy` for the same seeds', async () => {
    const inPage = await page.evaluate(() => trpoViewer.evaluate(2, 5));
    const env = await makeEnv('Hopper-v5');
    const inNode = await runEpisodes(env, (o) => policy.act(o), { episodes: 2, seed: 5 });
    env.close();
    expect(inPage.returns).to.deep.equal(inNode.returns);
    expect(inPage.lengths).to.deep.equal(inNode.lengths);
    const path = join(dir, 'hopper-eval.onnx');
    await writeFile(path, bytes);
    let printed = '';
    const stdout = Object.assign(new (await import('node:stream')).Writable({ write(chunk, _e, done) { printed += String(chunk); done(); } }), {});
    await runEval({ source: 'onnx', policyPath: path, env: 'Hopper-v5', episodes: 2, seed: 5, deterministic: true },
      { signal: new AbortController().signal, stdout, stderr: stdout });
    expect(printed).to.contain(`mean return ${inPage.meanReturn.toFixed(2)} `);
    expect(errors).to.deep.equal([]);
  });

  it('records an episode to a WebM video that a browser can play, with the Node SDK\'s return', async () => {
    const recorded = await page.evaluate(() => trpoViewer.record(1));
    const env = await makeEnv('Hopper-v5');
    const inNode = await runEpisodes(env, (o) => policy.act(o), { episodes: 1, seed: 0 });
    env.close();
    expect(recorded.returns).to.deep.equal(inNode.returns);
    expect(recorded.frames).to.be.at.least(Math.floor(inNode.lengths[0] / 4));
    const video = await page.evaluate(async (base64) => {
      const element = document.createElement('video');
      element.muted = true;
      element.src = `data:video/webm;base64,${base64}`;
      await new Promise<void>((resolve, reject) => { element.onloadedmetadata = () => resolve(); element.onerror = () => reject(new Error('the WebM does not decode')); });
      return { width: element.videoWidth, height: element.videoHeight };
    }, recorded.video);
    expect(video.width).to.be.above(100);
    expect(video.height).to.be.above(100);
    expect(errors).to.deep.equal([]);
  });
});

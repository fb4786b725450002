// The `trpo view` page: MuJoCo and the policy run here, in the browser, with the package's browser entry; the
// server (sdk/view/server.ts) only hands out files: config.json, policy.onnx and the two wasm binaries.
// `window.trpoViewer` lets tests (and the recorder) drive the page: actions for given observations, whole
// episodes, frames.
import * as THREE from 'three';
import {
  init, loadMujocoRuntime, loadPolicyBytes, makeEnv, MujocoEnv, Rng, runEpisodes, type Env, type OnnxWeightsPolicy,
} from '../sdk/browser.js';
import { RewardChart } from './chart.js';
import { RobotScene, type Physics } from './scene.js';

interface ViewConfig {
  envId: string;
  envOptions: Record<string, unknown>;
  seed: number;
  deterministic: boolean;
  /** Steps per second of simulated time shown per real second. */
  speed: number;
  source: string;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

async function main(): Promise<void> {
  const config = (await (await fetch('config.json')).json()) as ViewConfig;
  await init({ kernelsWasm: 'kernels.wasm', mujocoWasm: new URL('mujoco.wasm', location.href).href });
  const env = await makeEnv(config.envId, config.envOptions);
  const policy = await loadPolicyBytes(new Uint8Array(await (await fetch('policy.onnx')).arrayBuffer()), config.source);
  if (!(env instanceof MujocoEnv)) throw new Error(`${config.envId} has no MuJoCo model to draw`);
  const view = new Viewer(env, policy, config);
  (window as unknown as { trpoViewer: unknown }).trpoViewer = view.api();
  view.start();
}

class Viewer {
  private readonly renderer: THREE.WebGLRenderer;
  private readonly robot: RobotScene;
  private readonly chart: RewardChart;
  private readonly rewardTerms: string[];
  private obs: Float64Array;
  private rng: Rng;
  private playing = true;
  private episodeReturn = 0;
  private steps = 0;
  private done = false;
  private episodes = 0;
  private lastTime = 0;
  private owed = 0;
  private frames = 0;
  /** Rendered frames per second over the last second of animation. */
  private fps = 0;
  private fpsWindow = { start: 0, frames: 0 };
  /** Returns of the episodes finished while playing, in order. */
  private readonly finished: number[] = [];

  constructor(private readonly env: MujocoEnv, private readonly policy: OnnxWeightsPolicy, private readonly config: ViewConfig) {
    const canvas = $<HTMLCanvasElement>('scene');
    this.renderer = new THREE.WebGLRenderer({ canvas, antialias: true, preserveDrawingBuffer: true });
    const probe = env.reset({ seed: config.seed }); // mj_forward has placed the geoms: the scene sizes itself from them
    this.robot = new RobotScene(env.physics());
    this.chart = new RewardChart($<HTMLCanvasElement>('chart'));
    this.rewardTerms = Object.keys(env.step(new Float64Array(actionSize(env))).info).filter((k) => k.startsWith('reward_'));
    this.obs = probe.obs;
    this.rng = new Rng(config.seed, 7);
    $<HTMLInputElement>('seed').value = String(config.seed);
    $<HTMLSelectElement>('speed').value = String(config.speed);
    $<HTMLInputElement>('deterministic').checked = config.deterministic;
    if (!policy.weights.logStd && policy.metadata.kind === 'gaussian') $<HTMLInputElement>('deterministic').disabled = true;
    $('title').textContent = `${env.id} · ${config.source}`;
    $('play').onclick = () => this.setPlaying(!this.playing);
    $('step').onclick = () => { this.setPlaying(false); this.stepOnce(); this.render(); };
    $('reset').onclick = () => this.reset(Number($<HTMLInputElement>('seed').value) || 0);
    this.reset(config.seed);
    addEventListener('resize', () => this.resize());
    this.resize();
  }

  start(): void {
    const frame = (time: number) => {
      const dt = this.lastTime === 0 ? 0 : Math.min(0.1, (time - this.lastTime) / 1000);
      this.lastTime = time;
      this.fpsWindow.frames++;
      if (time - this.fpsWindow.start >= 1000) {
        this.fps = (1000 * this.fpsWindow.frames) / (time - this.fpsWindow.start);
        this.fpsWindow = { start: time, frames: 0 };
      }
      if (this.playing) {
        this.owed += (dt * Number($<HTMLSelectElement>('speed').value)) / this.env.dt;
        for (; this.owed >= 1; this.owed--) {
          if (this.done) { this.reset(this.config.seed + ++this.episodes); break; }
          this.stepOnce();
        }
      }
      this.render();
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  reset(seed: number): void {
    this.obs = this.env.reset({ seed }).obs;
    this.rng = new Rng(seed, 7);
    this.episodeReturn = 0;
    this.steps = 0;
    this.done = false;
    this.owed = 0;
    this.chart.reset(['return', ...this.rewardTerms]);
    this.render();
  }

  stepOnce(): void {
    if (this.done) return;
    const deterministic = $<HTMLInputElement>('deterministic').checked;
    const action = this.policy.act(this.obs, { deterministic, rng: this.rng });
    const step = this.env.step(this.env.actionSpace.type === 'discrete' ? action[0] : action);
    this.obs = step.obs;
    this.episodeReturn += step.reward;
    this.steps++;
    this.done = step.terminated || step.truncated;
    if (this.done) this.finished.push(this.episodeReturn);
    this.chart.push({ return: step.reward, ...step.info });
    $('status').textContent = `step ${this.steps}  return ${this.episodeReturn.toFixed(2)}${this.done ? (step.terminated ? '  (terminated)' : '  (truncated)') : ''}`;
  }

  render(): void {
    this.robot.update();
    this.renderer.render(this.robot.scene, this.robot.camera);
    this.chart.draw();
    this.frames++;
  }

  private setPlaying(playing: boolean): void {
    this.playing = playing;
    $('play').textContent = playing ? 'pause' : 'play';
  }

  private resize(): void {
    const canvas = this.renderer.domElement;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    this.renderer.setSize(width, height, false);
    this.robot.camera.aspect = width / height;
    this.robot.camera.updateProjectionMatrix();
  }

  /** What tests and the recorder use. */
  api() {
    return {
      envId: this.env.id,
      pause: () => this.setPlaying(false),
      play: () => this.setPlaying(true),
      /** Steps the shown episode n times (paused or not) and draws the frame. */
      advance: (n: number) => {
        for (let i = 0; i < n; i++) this.stepOnce();
        this.render();
      },
      /** Luminance of the drawn frame, downsampled to 64 × 64, for pixel statistics. */
      pixels: () => {
        const small = document.createElement('canvas');
        small.width = small.height = 64;
        const c = small.getContext('2d')!;
        c.drawImage(this.renderer.domElement, 0, 0, 64, 64);
        const rgba = c.getImageData(0, 0, 64, 64).data;
        return Array.from({ length: 64 * 64 }, (_, i) => 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
      },
      /** The deterministic action the page takes for each observation. */
      actions: (observations: number[][]) => observations.map((o) => Array.from(this.policy.act(o))),
      /** Deterministic episodes on a separate env, reset with seed + k as `trpo eval` does. */
      evaluate: async (episodes: number, seed: number) => {
        const env: Env = await makeEnv(this.config.envId, this.config.envOptions);
        try {
          return await runEpisodes(env, (obs) => this.policy.act(obs), { episodes, seed });
        } finally {
          env.close();
        }
      },
      /**
       * Plays `episodes` deterministic episodes from the configured seed while recording the canvas at 30 frames
       * per second of simulated time (frames are pushed one by one, so a slow or throttled page still records
       * every frame); resolves to a base64 WebM.
       */
      record: async (episodes: number) => {
        const fps = 30;
        this.setPlaying(false);
        $<HTMLInputElement>('deterministic').checked = true;
        this.episodes = 0;
        this.reset(this.config.seed);
        this.finished.length = 0;
        const stream = this.renderer.domElement.captureStream(0);
        const track = stream.getVideoTracks()[0] as MediaStreamTrack & { requestFrame(): void };
        const recorder = new MediaRecorder(stream, { mimeType: 'video/webm' });
        const chunks: Blob[] = [];
        recorder.ondataavailable = (event) => chunks.push(event.data);
        const stopped = new Promise<void>((resolve) => { recorder.onstop = () => resolve(); });
        recorder.start();
        const stepsPerFrame = Math.max(1, Math.round(1 / fps / this.env.dt));
        let frames = 0;
        while (this.finished.length < episodes) {
          if (this.done) this.reset(this.config.seed + ++this.episodes);
          else for (let k = 0; k < stepsPerFrame && !this.done; k++) this.stepOnce();
          this.render();
          track.requestFrame();
          frames++;
          await new Promise((resolve) => setTimeout(resolve, 1000 / fps));
        }
        recorder.stop();
        await stopped;
        const bytes = new Uint8Array(await new Blob(chunks, { type: 'video/webm' }).arrayBuffer());
        let binary = '';
        for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
        return { video: btoa(binary), frames, returns: this.finished.slice(0, episodes) };
      },
      /**
       * Builds the scene of a built-in env, or of MJCF text with its asset files, in a canvas of its own and draws
       * it once: the geoms drawn per type and the frame's luminance spread (0 for a blank canvas).
       */
      sceneCheck: async (source: string | { xml: string; assets?: Record<string, number[]> }) => {
        let physics: Physics;
        let release = () => {};
        if (typeof source === 'string') {
          const env = await makeEnv(source);
          if (!(env instanceof MujocoEnv)) throw new Error(`${source} has no MuJoCo model to draw`);
          env.reset({ seed: 0 });
          physics = env.physics();
          release = () => env.close();
        } else {
          physics = await compileMjcfText(source.xml, source.assets ?? {});
          release = () => { physics.data.delete(); physics.model.delete(); };
        }
        try {
          const canvas = document.createElement('canvas');
          canvas.width = 320;
          canvas.height = 240;
          const renderer = new THREE.WebGLRenderer({ canvas, preserveDrawingBuffer: true });
          const scene = new RobotScene(physics);
          scene.camera.aspect = 320 / 240;
          scene.camera.updateProjectionMatrix();
          scene.update();
          renderer.render(scene.scene, scene.camera);
          const small = document.createElement('canvas');
          small.width = small.height = 64;
          const c = small.getContext('2d')!;
          c.drawImage(canvas, 0, 0, 64, 64);
          const rgba = c.getImageData(0, 0, 64, 64).data;
          const lum = Array.from({ length: 64 * 64 }, (_, i) => 0.299 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2]);
          const mean = lum.reduce((a, b) => a + b, 0) / lum.length;
          const std = Math.sqrt(lum.reduce((a, v) => a + (v - mean) ** 2, 0) / lum.length);
          renderer.dispose();
          return { drawn: scene.drawnTypes(), std, image: canvas.toDataURL('image/png') };
        } finally {
          release();
        }
      },
      status: () => ({ fps: this.fps, steps: this.steps, episodeReturn: this.episodeReturn, done: this.done, episodes: this.episodes, frames: this.frames }),
    };
  }
}

/** A model from MJCF text and its asset files (MuJoCo's virtual file system), placed by mj_forward. */
async function compileMjcfText(xml: string, assets: Record<string, number[]>): Promise<Physics> {
  const mj = await loadMujocoRuntime();
  const vfs = new mj.MjVFS();
  try {
    for (const [name, bytes] of Object.entries(assets)) vfs.addBuffer(name, Uint8Array.from(bytes));
    const model = mj.MjModel.from_xml_string(xml, vfs);
    const data = new mj.MjData(model);
    mj.mj_forward(model, data);
    return { mj, model, data };
  } finally {
    vfs.delete();
  }
}

function actionSize(env: Env): number {
  return env.actionSpace.type === 'discrete' ? 1 : env.actionSpace.shape[0];
}

main().catch((error: unknown) => {
  console.error(error);
  $('status').textContent = `error: ${(error as Error).message}`;
});

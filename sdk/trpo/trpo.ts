// The TRPO agent: `new TRPO(options)`, `await agent.learn({ totalTimesteps })`, `agent.predict(obs)`,
// `agent.evaluate()`, `agent.save(dir)` / `TRPO.load(dir)`, `agent.exportOnnx(path)`.
//
// One iteration = sample (single-path or vine) on the vector env, whose workers run the policy themselves →
// trpoUpdate (gradient → CG → step size → line search → value fit) → periodic evaluation (evalFreq) → log,
// callbacks, checkpoint.
import type { Env } from '../../envs/types.js';
import { createCheckedEnv, createEnv } from '../envs/load.js';
import { exportOnnx, type ExportOnnxOptions, type ExportOnnxResult, type PolicyExportSpec } from '../onnx/index.js';
import { readCheckpoint, resolveCheckpointDir, saveCheckpoint, writeCheckpoint } from '../run/checkpoint.js';
import { nextTensorBoardRunDir, TensorBoardWriter } from '../run/tensorboard.js';
import { Rng } from '../rng.js';
import { KernelHelper } from '../wasm/helper.js';
import { makeVecEnv, type RolloutBatch, type VecEnv } from '../vec-env/index.js';
import { resolveTrpoOptions, type TrpoOptions, type TrpoOptionsInput } from './config.js';
import { runEpisodes, type EvaluationResult } from './evaluate.js';
import { createNetworks } from './create-networks.js';
import { EvalEnvHolder, evaluationDue, evaluationMetrics, evaluationSeed } from './periodic-eval.js';
import { resolveArchitecture, type Architecture } from './architecture.js';
import type { PolicyBatch } from './networks.js';
import { configHash, envStatesFromArrays, envStatesToArrays } from './persistence.js';
import { policyExportSpec } from './export-spec.js';
import { finishSinglePath, startSinglePath } from './single-path.js';
import { TrainingState } from './training-state.js';
import { trpoUpdate, type UpdateResult } from './update.js';
import { collectVine } from './vine.js';

/** Rng stream of stochastic predictions and evaluations (the trainer uses 1, the networks' init 1 and 2). */
const PREDICT_STREAM = 3;

/** Per-iteration metrics with SB3's keys. */
export type IterationMetrics = Record<string, number | boolean | string>;

export interface LearnOptions {
  /** Train until the agent has taken this many env steps in total (a loaded agent continues towards it). */
  totalTimesteps: number;
  /** Called after every iteration; returning false stops training after it. */
  callbacks?: { onIteration?: (metrics: IterationMetrics, agent: TRPO) => boolean | void | Promise<boolean | void> };
  /** Aborting stops cleanly after the current iteration and writes a checkpoint (when checkpointDir is set). */
  signal?: AbortSignal;
  /** Where checkpoints go (every `checkpointEvery` iterations, and when stopped). */
  checkpointDir?: string;
  /**
   * SB3's `tensorboard_log`: write every iteration's numeric metrics as TensorBoard scalars (step = total
   * timesteps) into `<tensorboardLog>/<tbLogName>_<n>/`; view with `tensorboard --logdir <tensorboardLog>`.
   */
  tensorboardLog?: string;
  /** SB3's `tb_log_name`: the run's folder name under tensorboardLog, before `_<n>` (default "TRPO"). */
  tbLogName?: string;
  /** Where the agent is saved whenever a periodic evaluation (evalFreq) finds a new best mean return. */
  bestModelDir?: string;
}

export interface LearnResult {
  iterations: number;
  timesteps: number;
  stoppedEarly: boolean;
}

/**
 * Trust Region Policy Optimization (Schulman et al., 2015) on a vector env of worker threads.
 *
 * ```ts
 * const agent = new TRPO({ env: 'Hopper-v5', seed: 0 });
 * await agent.learn({ totalTimesteps: 1_000_000 });
 * await agent.exportOnnx('hopper.onnx');
 * await agent.close();
 * ```
 */
export class TRPO {
  readonly options: TrpoOptions;
  private state: TrainingState | undefined;
  private probe: Env | undefined;
  private architecture: Architecture | undefined;
  private vec: VecEnv | undefined;
  private batch: PolicyBatch | undefined;
  /** Second thread for Fisher-vector products: the update runs while the rollout workers are idle. */
  private helper: KernelHelper | undefined;
  private predictRng: Rng | undefined;
  private pendingEnvStates: Parameters<VecEnv['setStates']>[0] | undefined;
  private readonly evalEnv = new EvalEnvHolder(() => createEnv(this.options.env, this.options.envSource, this.options.envOptions));
  /** Wall time spent in learn() over the agent's life, checkpoints and resumes included. */
  private secondsTrained = 0;
  private learning = false;

  /** Validates every option now (a bad one throws, naming the field); the networks are built on first use. */
  constructor(options: TrpoOptionsInput = {}) {
    this.options = resolveTrpoOptions(options);
  }

  /** Env steps taken so far. */
  get numTimesteps(): number {
    return this.state?.numTimesteps ?? 0;
  }

  /** Training iterations done so far (one rollout + one policy update each). */
  get iteration(): number {
    return this.state?.iteration ?? 0;
  }

  /** Periodic evaluations so far (evalFreq) and the best mean return among them (null before the first). */
  get bestEvaluation(): { evaluations: number; bestMeanReward: number | null } {
    return { evaluations: this.state?.evaluations ?? 0, bestMeanReward: this.state?.bestMeanReward ?? null };
  }

  /** Wall time spent training so far, summed over every learn() call and every resumed segment. */
  get trainingSeconds(): number {
    return this.secondsTrained;
  }

  /** Build the networks (once). Called by every method that needs them. */
  async setup(): Promise<TrainingState> {
    if (this.state) return this.state;
    const { env, envSource, envOptions } = this.options;
    // A module env is checked (checkEnv) before anything is built on it.
    this.probe = envSource ? await createCheckedEnv(envSource, envOptions) : await createEnv(env, undefined, envOptions);
    const obsDim = this.probe.observationSpace.shape[0];
    this.architecture = resolveArchitecture(this.options, this.probe.observationImage, obsDim);
    const networks = await createNetworks(this.options, this.architecture, this.probe.observationSpace, this.probe.actionSpace);
    this.state = new TrainingState(this.options, networks, this.probe.observationSpace.shape[0]);
    return this.state;
  }

  /**
   * Train until the agent has taken `totalTimesteps` env steps in all (a loaded agent continues towards the same
   * total). Each iteration collects numEnvs × nSteps steps, takes one trust-region step and fits the value
   * function, then reports SB3's metrics to `callbacks.onIteration` (and TensorBoard with `tensorboardLog`).
   * Stops early, after the current iteration, when `signal` aborts or a callback returns false.
   */
  async learn(options: LearnOptions): Promise<LearnResult> {
    if (!(Number.isSafeInteger(options.totalTimesteps) && options.totalTimesteps > 0)) {
      throw new RangeError(`learn: totalTimesteps must be a positive integer, got ${options.totalTimesteps}`);
    }
    if (this.learning) throw new Error('learn: this agent is already training (an earlier learn() has not finished); await it before calling learn() again');
    this.learning = true;
    try {
      return await this.learnLoop(options);
    } finally {
      this.learning = false;
    }
  }

  private async learnLoop({ totalTimesteps, callbacks, signal, checkpointDir, bestModelDir, tensorboardLog, tbLogName = 'TRPO' }: LearnOptions): Promise<LearnResult> {
    let lastTick = performance.now();
    const tick = () => {
      const now = performance.now();
      this.secondsTrained += (now - lastTick) / 1000;
      lastTick = now;
    };
    const s = await this.setup();
    const vec = await this.vectorEnv();
    const o = this.options;
    if (o.numWorkers > 0 && !this.helper) this.helper = await KernelHelper.start();
    const startIteration = s.iteration;
    // SB3's time/fps and time/time_elapsed count from the start of this learn() call, over everything it did.
    const clock = { start: performance.now(), startTimesteps: s.numTimesteps };
    let stoppedEarly = false;
    const tensorboard = tensorboardLog === undefined ? undefined : new TensorBoardWriter(nextTensorBoardRunDir(tensorboardLog, tbLogName));
    // A single-path rollout started while the previous value fit runs (see UpdateInputs.onPolicyFinal).
    let prefetched: Promise<RolloutBatch> | undefined;
    while (s.numTimesteps < totalTimesteps) {
      if (!prefetched && (signal?.aborted || stoppedEarly)) {
        stoppedEarly = true;
        break;
      }
      const t0 = performance.now();
      const data =
        o.sampling === 'vine'
          ? (await collectVine(vec, s)).data
          : finishSinglePath(await (prefetched ?? startSinglePath(vec, s)), s);
      prefetched = undefined;
      const t1 = performance.now();
      const batch = this.policyBatch(data.rows);
      batch.load(data.obs, data.actions, data.rows);
      const willCheckpoint = checkpointDir !== undefined && o.checkpointEvery > 0 && (s.iteration + 1) % o.checkpointEvery === 0;
      const more = s.numTimesteps + data.envSteps < totalTimesteps && !stoppedEarly && !signal?.aborted;
      const willEvaluate = evaluationDue(s.numTimesteps, s.numTimesteps + data.envSteps, o.evalFreq);
      // Saving (a checkpoint, or a best model) needs the envs at rest: no rollout is started before one.
      const willSave = willCheckpoint || (willEvaluate && bestModelDir !== undefined);
      const update = trpoUpdate(
        {
          policy: s.policy, batch, advantages: data.advantages, value: s.value, valueObs: data.valueObs,
          valueTargets: data.valueTargets, valueRows: data.valueRows, rng: s.rng, surrogate: data.surrogate,
          onPolicyFinal: o.sampling === 'single-path' && more && !willSave ? () => void (prefetched = prefetch(vec, s)) : undefined,
        },
        o,
      );
      const t2 = performance.now();
      s.numTimesteps += data.envSteps;
      s.iteration++;
      const metrics = iterationMetrics(s, update, data.explainedVariance, clock, t0, t1, t2);
      if (willEvaluate) Object.assign(metrics, await this.periodicEvaluation(s, bestModelDir));
      tensorboard?.addScalars(s.numTimesteps, metrics);
      tick();
      // The callback (the run's log) goes before the checkpoint: a crash between the two then leaves a log line
      // that the resume from the previous checkpoint drops and writes again, never a checkpoint whose line is
      // missing for good. A rollout already under way is used for one more iteration before stopping.
      let verdict: boolean | void;
      try {
        verdict = await callbacks?.onIteration?.(metrics, this);
      } catch (error) {
        // The callback's error ends learn(), but the agent stays usable: the workers finish the rollout
        // under way first (its steps are dropped: a later learn() continues from fresh rollouts).
        await (prefetched as Promise<RolloutBatch> | undefined)?.catch(() => undefined);
        throw error;
      }
      if (verdict === false) stoppedEarly = true;
      if (willCheckpoint) await this.checkpoint(checkpointDir!);
    }
    tick();
    if (checkpointDir && (stoppedEarly || s.iteration % Math.max(o.checkpointEvery, 1) !== 0)) await this.checkpoint(checkpointDir);
    return { iterations: s.iteration - startIteration, timesteps: s.numTimesteps, stoppedEarly };
  }

  /**
   * Actions for one raw observation (obsDim numbers) or a batch (n × obsDim, row-major): the Gaussian mean
   * (deterministic, clipped to the action bounds) or a sample, or the categorical argmax or a sample.
   * Observation normalization with the learned statistics happens inside.
   */
  async predict(obs: ArrayLike<number>, { deterministic = true, rng }: { deterministic?: boolean; rng?: Rng } = {}): Promise<Float64Array> {
    const s = await this.setup();
    return predictActions(s, this.probe!, obs, deterministic, rng ?? (this.predictRng ??= new Rng(this.options.seed, PREDICT_STREAM)));
  }

  /**
   * The policy's distribution parameters for raw observations (normalized inside): Gaussian mean (n × actDim,
   * unclipped) and log-std, or categorical logits (n × numActions).
   */
  async distribution(obs: ArrayLike<number>): Promise<{ mean: Float64Array; logStd: Float64Array } | { logits: Float64Array }> {
    const s = await this.setup();
    const n = checkObservations(s, this.probe!, obs, 'distribution');
    const head = s.policy.forwardHead(s.normalization.normalizeObs(obs, new Float64Array(obs.length)), n);
    return s.policy.kind === 'gaussian' ? { mean: head, logStd: s.policy.logStd() } : { logits: head };
  }

  /** Run `episodes` episodes on a fresh env (seeds seed, seed+1, …) and report the returns. */
  async evaluate({ episodes = 10, deterministic = true, seed = 10_000 }: { episodes?: number; deterministic?: boolean; seed?: number } = {}): Promise<EvaluationResult> {
    const s = await this.setup();
    const env = await createEnv(this.options.env, this.options.envSource, this.options.envOptions);
    try {
      const rng = new Rng(seed, PREDICT_STREAM);
      return await runEpisodes(env, (obs) => predictActions(s, env, obs, deterministic, rng), { episodes, seed });
    } finally {
      env.close();
    }
  }

  /**
   * One periodic evaluation (periodic-eval.ts): deterministic episodes on the eval env with the current
   * statistics; a new best mean return is kept in bestModelDir. Returns the eval/* metrics.
   */
  private async periodicEvaluation(s: TrainingState, bestModelDir: string | undefined): Promise<Record<string, number>> {
    const o = this.options;
    const env = await this.evalEnv.get();
    const noNoise = new Rng(0); // deterministic actions draw nothing
    const result = await runEpisodes(env, (obs) => predictActions(s, env, obs, true, noNoise), {
      episodes: o.nEvalEpisodes, seed: evaluationSeed(s.evaluations, o.nEvalEpisodes),
    });
    s.evaluations++;
    if (s.bestMeanReward === null || result.meanReturn > s.bestMeanReward) {
      s.bestMeanReward = result.meanReturn;
      if (bestModelDir !== undefined) await this.save(bestModelDir);
    }
    return evaluationMetrics(result);
  }

  /** Save everything needed to continue training or to act: a checksummed checkpoint folder. */
  async save(dir: string): Promise<void> {
    await writeCheckpoint(dir, await this.checkpointData());
  }

  /** Load a saved agent (a folder written by save(), a checkpoint folder, or a run folder's latest checkpoint). */
  static async load(location: string, overrides: Partial<Pick<TrpoOptions, 'numWorkers'>> = {}): Promise<TRPO> {
    const dir = await resolveCheckpointDir(location);
    if (!dir) throw new Error(`No checkpoint found at ${location} (expected a folder with manifest.json, or a run folder with checkpoints/)`);
    const c = await readCheckpoint(dir);
    const agent = new TRPO({ ...(c.json.config as TrpoOptionsInput), ...overrides });
    const s = await agent.setup();
    s.restore(c.json.trainer as Record<string, unknown>, c.arrays);
    agent.pendingEnvStates = envStatesFromArrays(c.json.envs, c.arrays);
    agent.secondsTrained = (c.json.timing as { trainingSeconds?: number } | undefined)?.trainingSeconds ?? 0;
    return agent;
  }

  /** The policy as plain data (what ONNX export consumes). */
  async exportSpec(): Promise<PolicyExportSpec> {
    const s = await this.setup();
    return policyExportSpec(s.policy, this.probe!, {
      activation: this.options.activation, obsNorm: s.normalization.obsStats(), trainingTimesteps: s.numTimesteps, configHash: configHash(this.options),
    });
  }

  /** Write the policy as an ONNX file: raw observations in, actions out (see docs/deploy-onnx.md). */
  async exportOnnx(path: string, options: ExportOnnxOptions = {}): Promise<ExportOnnxResult> {
    return exportOnnx(await this.exportSpec(), path, options);
  }

  /** End the worker threads and free the envs. The agent can still predict, evaluate and save. */
  async close(): Promise<void> {
    const { vec, helper } = this;
    this.vec = undefined;
    this.helper = undefined;
    this.batch?.dispose(); // it is bound to the helper
    this.batch = undefined;
    this.evalEnv.close();
    await Promise.all([vec?.close(), helper?.close()]);
  }

  private async vectorEnv(): Promise<VecEnv> {
    if (this.vec) return this.vec;
    const o = this.options;
    const vec = await makeVecEnv(o.envSource ?? o.env, { numEnvs: o.numEnvs, numWorkers: o.numWorkers, seed: o.seed, envOptions: o.envOptions });
    try {
      const arch = this.architecture!;
      await vec.configurePolicy({ hiddenSizes: arch.policyHiddenSizes, activation: o.activation, conv: arch.policyConv });
      if (this.pendingEnvStates) await vec.setStates(this.pendingEnvStates);
      else await vec.reset();
    } catch (error) {
      await vec.close();
      throw error;
    }
    this.pendingEnvStates = undefined;
    this.vec = vec;
    return vec;
  }

  private policyBatch(rows: number): PolicyBatch {
    if (!this.batch || this.batch.capacity < rows) {
      this.batch?.dispose();
      this.batch = this.state!.networks.createBatch(rows, this.helper);
    }
    return this.batch;
  }

  private async checkpointData() {
    const s = await this.setup();
    const trainer = s.serialize();
    const envStates = this.vec ? await this.vec.getStates() : this.pendingEnvStates;
    const envs = envStatesToArrays(envStates);
    return {
      iteration: s.iteration,
      timesteps: s.numTimesteps,
      // Timing is kept apart from the trainer's state, which must replay bit for bit.
      json: { config: this.options, trainer: trainer.json, envs: envs.json, timing: { trainingSeconds: this.secondsTrained } },
      arrays: { ...trainer.arrays, ...envs.arrays },
    };
  }

  private async checkpoint(root: string): Promise<string> {
    return saveCheckpoint(root, await this.checkpointData(), { keep: this.options.keepCheckpoints });
  }
}

/** Start the next rollout; a failure surfaces where it is awaited, never as an unhandled rejection. */
function prefetch(vec: VecEnv, s: TrainingState): Promise<RolloutBatch> {
  const p = startSinglePath(vec, s);
  p.catch(() => undefined);
  return p;
}

function iterationMetrics(
  s: TrainingState, u: UpdateResult, explainedVariance: number, clock: { start: number; startTimesteps: number },
  t0: number, t1: number, t2: number,
): IterationMetrics {
  // Cumulative, like SB3: the overlapped value fit makes a single iteration's rate meaningless (it ran partly
  // during the previous iteration), while steps / elapsed over the whole call is what a user waits for.
  const elapsed = (t2 - clock.start) / 1000;
  return {
    'rollout/ep_rew_mean': s.episodes.meanReturn(),
    'rollout/ep_len_mean': s.episodes.meanLength(),
    'train/kl_divergence': u.klDivergence,
    'train/policy_objective': u.policyObjective,
    'train/value_loss': u.valueLoss,
    'train/explained_variance': explainedVariance,
    'train/is_line_search_success': u.accepted,
    'train/line_search_steps': u.lineSearchSteps,
    'train/cg_iterations': u.cgIterations,
    'train/cg_residual': u.cgResidual,
    'train/step_size': u.stepSize,
    'train/entropy': u.entropy,
    'train/skip_reason': u.skipReason,
    'time/iterations': s.iteration,
    'time/fps': (s.numTimesteps - clock.startTimesteps) / elapsed,
    'time/time_elapsed': elapsed,
    'time/timestamp': new Date().toISOString(),
    'time/total_timesteps': s.numTimesteps,
    'time/rollout_s': (t1 - t0) / 1000,
    'time/update_s': (t2 - t1) / 1000,
  };
}

/** Normalize raw observations with the learned statistics and pick actions. */
function predictActions(s: TrainingState, env: Env, obs: ArrayLike<number>, deterministic: boolean, rng: Rng): Float64Array {
  const n = checkObservations(s, env, obs, 'predict');
  const x = s.normalization.normalizeObs(obs, new Float64Array(obs.length));
  return s.policy.actions(x, n, env.actionSpace, deterministic, rng);
}

/** Number of observations in a flat batch; throws on a wrong length or a non-finite entry. */
function checkObservations(s: TrainingState, env: Env, obs: ArrayLike<number>, what: string): number {
  const d = s.obsDim;
  if (obs.length === 0 || obs.length % d !== 0) {
    throw new RangeError(`${what}: observation length ${obs.length} is not a multiple of the observation size ${d} (${env.id})`);
  }
  for (let i = 0; i < obs.length; i++) {
    if (!Number.isFinite(obs[i])) throw new RangeError(`${what}: observation entry ${i} is ${obs[i]}; observations must be finite`);
  }
  return obs.length / d;
}

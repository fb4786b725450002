// The derivative-free agents of the paper's comparison: `new CEM(options)` and `new CMAES(options)`, with the
// surface of the TRPO agent (learn, predict, evaluate, save/load, exportOnnx, callbacks, checkpoints).
//
// One generation = the optimizer proposes candidate weight vectors (ask) → the vector env's workers run each
// candidate's policy for episodesPerCandidate episodes, each candidate on its own env seeded by
// (seed, generation, candidate) → fitness = −mean return (the optimizers minimise) → tell → the agent's policy
// is the search distribution's mean. The search covers the MLP weights and biases; a Gaussian policy's
// log-std stays fixed (candidates act deterministically by default). Observation statistics, when
// normalized, are frozen during a generation and updated from every candidate's observations in candidate
// order, so nothing depends on the worker count.
import { makeEnv } from '../../envs/registry.js';
import type { Env } from '../../envs/types.js';
import { exportOnnx, type ExportOnnxOptions, type ExportOnnxResult, type PolicyExportSpec } from '../onnx/index.js';
import { readCheckpoint, resolveCheckpointDir, saveCheckpoint, writeCheckpoint } from '../run/checkpoint.js';
import { RunningMeanStd } from '../normalization/running-mean-std.js';
import { Rng } from '../rng.js';
import { createPolicy } from '../trpo/create-networks.js';
import { runEpisodes, type EvaluationResult } from '../trpo/evaluate.js';
import { policyExportSpec } from '../trpo/export-spec.js';
import type { AgentPolicy } from '../trpo/networks.js';
import { configHash } from '../trpo/persistence.js';
import { DEFAULT_NORMALIZE_EPSILON as OBS_EPSILON } from '../normalization/obs-normalizer.js';
import type { IterationMetrics, LearnResult } from '../trpo/trpo.js';
import { CANDIDATE_STREAMS, makeVecEnv, type VecEnv } from '../vec-env/index.js';
import { Cem, type CemState } from './cem.js';
import { CmaEs, type CmaEsState } from './cmaes.js';
import { resolveEsOptions, type CemAgentOptionsInput, type CmaesAgentOptionsInput, type EsAgentOptions } from './options.js';

const PREDICT_STREAM = 3;
/** Streams of generation g's candidate k: CANDIDATE_STREAMS + g·2¹⁶ + k. */
const MAX_POPULATION = 2 ** 16;

export interface EsLearnOptions {
  totalTimesteps: number;
  callbacks?: { onIteration?: (metrics: IterationMetrics, agent: EvolutionAgent) => boolean | void | Promise<boolean | void> };
  signal?: AbortSignal;
  checkpointDir?: string;
}

type Optimizer = Cem | CmaEs;

interface Setup {
  probe: Env;
  policy: AgentPolicy;
  /** Parameters the optimizer searches (the MLP's weights and biases); the rest (log-std) stays fixed. */
  searched: number;
  obsRms: RunningMeanStd | undefined;
  optimizer: Optimizer;
}

export abstract class EvolutionAgent {
  readonly options: EsAgentOptions;
  private s: Setup | undefined;
  private vec: VecEnv | undefined;
  private predictRng: Rng | undefined;
  private timesteps = 0;
  private generations = 0;

  protected constructor(algo: 'cem' | 'cmaes', options: unknown) {
    this.options = resolveEsOptions(algo, options);
  }

  get numTimesteps(): number { return this.timesteps; }
  get iteration(): number { return this.generations; }

  /** The search distribution (mean, σ, generation, best candidate). */
  get optimizer(): Optimizer | undefined { return this.s?.optimizer; }

  async setup(): Promise<Setup> {
    if (this.s) return this.s;
    const o = this.options;
    const probe = await makeEnv(o.env, o.envOptions);
    const { policy, networkParameters } = createPolicy(o, probe.observationSpace, probe.actionSpace);
    const x0 = policy.getParameters().subarray(0, networkParameters);
    const seed = o.seed;
    const optimizer =
      o.algo === 'cem'
        ? new Cem({ x0, sigma0: o.sigma0, seed, popSize: o.popSize, eliteFrac: o.eliteFrac, extraStd: o.extraStd, extraDecay: o.extraDecay })
        : new CmaEs({
            x0, sigma0: o.sigma0, seed, popSize: o.popSize, restarts: o.restarts,
            covariance: o.covariance === 'auto' ? undefined : o.covariance,
          });
    const obsRms = o.normalizeObservations ? new RunningMeanStd(probe.observationSpace.shape[0]) : undefined;
    this.s = { probe, policy, searched: networkParameters, obsRms, optimizer };
    return this.s;
  }

  async learn({ totalTimesteps, callbacks, signal, checkpointDir }: EsLearnOptions): Promise<LearnResult> {
    if (!(Number.isSafeInteger(totalTimesteps) && totalTimesteps > 0)) {
      throw new RangeError(`learn: totalTimesteps must be a positive integer, got ${totalTimesteps}`);
    }
    const s = await this.setup();
    const vec = await this.vectorEnv();
    const o = this.options;
    const start = this.generations;
    let stoppedEarly = false;
    while (this.timesteps < totalTimesteps) {
      if (signal?.aborted || stoppedEarly) {
        stoppedEarly = true;
        break;
      }
      const t0 = performance.now();
      const xs = s.optimizer.ask();
      if (xs.length > MAX_POPULATION) throw new RangeError(`population ${xs.length} exceeds ${MAX_POPULATION}`);
      const report = await vec.evaluateCandidates({
        candidates: xs.map((x) => this.fullParameters(x)),
        seed: o.seed,
        streams: xs.map((_, k) => CANDIDATE_STREAMS + this.generations * MAX_POPULATION + k),
        episodes: o.episodesPerCandidate,
        obsNorm: this.obsNormStats(),
        deterministic: o.deterministic,
        observationMoments: s.obsRms !== undefined,
      });
      const t1 = performance.now();
      s.optimizer.tell(Array.from(report.returns, (r) => -r));
      if (s.obsRms) foldMoments(s.obsRms, report.obsSum, report.obsSumSq, report.steps);
      s.policy.setParameters(this.fullParameters(s.optimizer.mean));
      const steps = report.steps.reduce((a, b) => a + b, 0);
      this.timesteps += steps;
      this.generations++;
      const t2 = performance.now();
      const metrics = this.metrics(report.returns, steps, t0, t1, t2);
      if (checkpointDir !== undefined && o.checkpointEvery > 0 && this.generations % o.checkpointEvery === 0) await this.checkpoint(checkpointDir);
      if ((await callbacks?.onIteration?.(metrics, this)) === false) stoppedEarly = true;
    }
    if (checkpointDir && (stoppedEarly || this.generations % Math.max(o.checkpointEvery, 1) !== 0)) await this.checkpoint(checkpointDir);
    return { iterations: this.generations - start, timesteps: this.timesteps, stoppedEarly };
  }

  /** Actions of the current policy (the search mean) for raw observations; see TRPO.predict. */
  async predict(obs: ArrayLike<number>, { deterministic = true, rng }: { deterministic?: boolean; rng?: Rng } = {}): Promise<Float64Array> {
    const s = await this.setup();
    return this.actions(s.probe, obs, deterministic, rng ?? (this.predictRng ??= new Rng(this.options.seed, PREDICT_STREAM)));
  }

  /** Episodes on a fresh env (episode k reset with seed + k), like TRPO.evaluate. */
  async evaluate({ episodes = 10, deterministic = true, seed = 10_000 }: { episodes?: number; deterministic?: boolean; seed?: number } = {}): Promise<EvaluationResult> {
    await this.setup();
    const env = await makeEnv(this.options.env, this.options.envOptions);
    try {
      const rng = new Rng(seed, PREDICT_STREAM);
      return await runEpisodes(env, (obs) => this.actions(env, obs, deterministic, rng), { episodes, seed });
    } finally {
      env.close();
    }
  }

  async save(dir: string): Promise<void> {
    await writeCheckpoint(dir, await this.checkpointData());
  }

  async exportSpec(): Promise<PolicyExportSpec> {
    const s = await this.setup();
    return policyExportSpec(s.policy, s.probe, {
      activation: this.options.activation, obsNorm: this.obsNormStats(), trainingTimesteps: this.timesteps, configHash: configHash(this.options),
    });
  }

  async exportOnnx(path: string, options: ExportOnnxOptions = {}): Promise<ExportOnnxResult> {
    return exportOnnx(await this.exportSpec(), path, options);
  }

  async close(): Promise<void> {
    const vec = this.vec;
    this.vec = undefined;
    await vec?.close();
  }

  /** Restore from checkpoint contents (used by loadEsAgent). */
  async restore(json: Record<string, unknown>, arrays: Record<string, Float64Array>): Promise<void> {
    const s = await this.setup();
    const counters = json.counters as { numTimesteps: number; iteration: number };
    this.timesteps = counters.numTimesteps;
    this.generations = counters.iteration;
    s.optimizer = this.options.algo === 'cem' ? Cem.fromState(json.optimizer as CemState) : CmaEs.fromState(json.optimizer as CmaEsState);
    const policy = arrays.policy;
    if (!policy) throw new Error('checkpoint is missing the array "policy"');
    s.policy.setParameters(policy);
    if (s.obsRms) {
      if (!arrays.obs_rms) throw new Error('checkpoint is missing the array "obs_rms"');
      const saved = RunningMeanStd.fromFloat64Array(arrays.obs_rms);
      s.obsRms.mean.set(saved.mean);
      s.obsRms.var.set(saved.var);
      s.obsRms.count = saved.count;
    }
  }

  private fullParameters(searched: Float64Array): Float64Array {
    const s = this.s!;
    const full = s.policy.getParameters();
    full.set(searched.subarray(0, s.searched));
    return full;
  }

  private obsNormStats() {
    const rms = this.s?.obsRms;
    return rms && { mean: rms.mean.slice(), var: rms.var.slice(), clip: this.options.clipObs, epsilon: OBS_EPSILON };
  }

  private actions(env: Env, obs: ArrayLike<number>, deterministic: boolean, rng: Rng): Float64Array {
    const s = this.s!;
    const d = s.probe.observationSpace.shape[0];
    if (obs.length === 0 || obs.length % d !== 0) throw new RangeError(`predict: observation length ${obs.length} is not a multiple of the observation size ${d} (${env.id})`);
    for (let i = 0; i < obs.length; i++) {
      if (!Number.isFinite(obs[i])) throw new RangeError(`predict: observation entry ${i} is ${obs[i]}; observations must be finite`);
    }
    const x = new Float64Array(obs.length);
    if (s.obsRms) s.obsRms.normalize(obs, x, { clip: this.options.clipObs, epsilon: OBS_EPSILON });
    else x.set(obs);
    return s.policy.actions(x, obs.length / d, env.actionSpace, deterministic, rng);
  }

  private metrics(returns: Float64Array, steps: number, t0: number, t1: number, t2: number): IterationMetrics {
    const s = this.s!;
    const opt = s.optimizer;
    const episodes = returns.length * this.options.episodesPerCandidate;
    return {
      'rollout/ep_rew_mean': mean(returns),
      'rollout/ep_len_mean': steps / episodes,
      'es/best_fitness': Math.max(...returns),
      'es/mean_fitness': mean(returns),
      'es/best_ever_fitness': opt.best ? -opt.best.f : NaN,
      'es/sigma': opt.sigma,
      'es/population': returns.length,
      'es/elite_fraction': opt instanceof Cem ? opt.numElites / opt.popSize : Math.floor(opt.popSize / 2) / opt.popSize,
      ...(opt instanceof CmaEs ? { 'es/restarts': opt.restartsDone } : {}),
      'time/iterations': this.generations,
      'time/fps': steps / ((t2 - t0) / 1000),
      'time/total_timesteps': this.timesteps,
      'time/rollout_s': (t1 - t0) / 1000,
      'time/update_s': (t2 - t1) / 1000,
    };
  }

  private async vectorEnv(): Promise<VecEnv> {
    if (this.vec) return this.vec;
    const o = this.options;
    const workers = o.numWorkers;
    const vec = await makeVecEnv(o.env, { numEnvs: Math.max(workers, 1), numWorkers: workers, seed: o.seed, envOptions: o.envOptions });
    try {
      await vec.configurePolicy({ hiddenSizes: o.policyHiddenSizes, activation: o.activation });
    } catch (error) {
      await vec.close();
      throw error;
    }
    this.vec = vec;
    return vec;
  }

  private async checkpointData() {
    const s = await this.setup();
    const arrays: Record<string, Float64Array> = { policy: s.policy.getParameters() };
    if (s.obsRms) arrays.obs_rms = s.obsRms.toFloat64Array();
    return {
      iteration: this.generations,
      timesteps: this.timesteps,
      json: {
        config: this.options,
        trainer: { counters: { numTimesteps: this.timesteps, iteration: this.generations }, optimizer: s.optimizer.getState() },
      },
      arrays,
    };
  }

  private async checkpoint(root: string): Promise<string> {
    return saveCheckpoint(root, await this.checkpointData(), { keep: this.options.keepCheckpoints });
  }
}

/** The cross-entropy method with Szita & Lőrincz's decreasing extra noise, over the policy's weights. */
export class CEM extends EvolutionAgent {
  constructor(options: CemAgentOptionsInput = {}) {
    super('cem', options);
  }
}

/** CMA-ES (full covariance up to 200 weights, sep-CMA-ES above; optional IPOP restarts) over the policy's weights. */
export class CMAES extends EvolutionAgent {
  constructor(options: CmaesAgentOptionsInput = {}) {
    super('cmaes', options);
  }
}

/** Load a CEM or CMA-ES agent saved by save() or a checkpoint (a run folder's latest checkpoint works too). */
export async function loadEsAgent(location: string, overrides: { numWorkers?: number } = {}): Promise<EvolutionAgent> {
  const dir = await resolveCheckpointDir(location);
  if (!dir) throw new Error(`No checkpoint found at ${location} (expected a folder with manifest.json, or a run folder with checkpoints/)`);
  const c = await readCheckpoint(dir);
  const config: Record<string, unknown> = { ...(c.json.config as Record<string, unknown>), ...overrides };
  const agent = config.algo === 'cem' ? new CEM(config) : config.algo === 'cmaes' ? new CMAES(config) : undefined;
  if (!agent) throw new Error(`${dir} holds a ${String(config.algo ?? 'TRPO')} checkpoint, not a CEM or CMA-ES one`);
  await agent.restore(c.json.trainer as Record<string, unknown>, c.arrays);
  return agent;
}

/** Fold each candidate's observation moments into the running statistics, in candidate order. */
function foldMoments(rms: RunningMeanStd, sums: Float64Array, sumSqs: Float64Array, counts: Int32Array): void {
  const d = rms.mean.length;
  const m = new Float64Array(d);
  const v = new Float64Array(d);
  for (let k = 0; k < counts.length; k++) {
    const n = counts[k];
    if (n === 0) continue;
    for (let j = 0; j < d; j++) {
      m[j] = sums[k * d + j] / n;
      v[j] = Math.max(sumSqs[k * d + j] / n - m[j] * m[j], 0);
    }
    rms.updateFromMoments(m, v, n);
  }
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s / a.length;
}

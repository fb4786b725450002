// The vector env: numEnvs copies of one env, stepped in lockstep by worker threads (or the main thread), with a
// rollout mode in which the workers run the policy themselves for a whole iteration.
//
// Auto-reset rule (SB3's): when env i's episode ends at a step, the obs returned for env i is already the first
// observation of its next episode; the last observation of the finished episode is in
// infos[i].final_observation, its return and length in infos[i].episode. terminated/truncated describe the
// step that was taken. collect() follows the same rule and stores the final observation per step.
//
// Arrays returned by reset/step/collect are views into shared memory, overwritten by the next call: copy what
// you keep. Calls must not overlap (await each one). Any failure inside a worker closes the whole vector env.
import type { BoxSpace, EnvSnapshot, Space, StepInfo } from '../../envs/types.js';
import { isEnvSource, resolveEnvRef, type EnvRef, type EnvSource } from '../envs/source.js';
import { parseOrThrow } from '../validation.js';
import { InlineBackend, ThreadBackend, type CommandArg, type CommandName, type CommandResult, type GroupBackend } from './backends.js';
import type { BranchReport, CandidateReport, InfoKeysUpdate } from './commands.js';
import type { EnvSlotState } from './env-group.js';
import { MAX_INFO_KEYS, rolloutBuffers, stepBuffers, type StepBuffers } from './layout.js';
import {
  branchOptionsSchema, candidateOptionsSchema, collectOptionsSchema, policyConfigSchema, resolveVecEnvOptions, slotStatesSchema,
  type BranchOptions, type CallDims, type CandidateOptions, type CollectOptions, type PolicyConfig, type VecEnvOptions,
} from './options.js';
import type { PolicyShape } from './policy-runner.js';
import { StepBarrier } from './step-barrier.js';

export interface VecEnvInfo {
  /** The env's info for this step (reward terms, positions …); for reset(), the reset info. */
  readonly terms: StepInfo;
  /** Only on the step an episode ended: its last observation (the returned obs already starts the next one). */
  final_observation?: Float64Array;
  /** Only on the step an episode ended: its undiscounted return and its length in steps. */
  episode?: { return: number; length: number };
}

export interface VecResetResult {
  /** [numEnvs][obsDim] */
  readonly obs: Float64Array;
  readonly infos: VecEnvInfo[];
}

export interface VecStepResult {
  /** [numEnvs][obsDim]; after an episode end, the first observation of the next episode. */
  readonly obs: Float64Array;
  readonly rewards: Float64Array;
  /** 1 where the step ended the episode in a terminal state (do not bootstrap). */
  readonly terminated: Uint8Array;
  /** 1 where the time limit cut the episode (bootstrap from final_observation). */
  readonly truncated: Uint8Array;
  readonly infos: VecEnvInfo[];
}

/** Completed episodes of a batch, ordered by (endStep, env). */
export interface EpisodeStats {
  readonly env: Int32Array;
  /** Step t of the batch at which the episode ended. */
  readonly endStep: Int32Array;
  /** Undiscounted return of the whole episode (it may have started in an earlier batch). */
  readonly returns: Float64Array;
  readonly lengths: Int32Array;
}

/** One iteration of experience, time-major: entry (t, i) is at row t·numEnvs + i. Views, see the header. */
export interface RolloutBatch {
  readonly nSteps: number;
  readonly numEnvs: number;
  readonly obsDim: number;
  /** f64 per stored action: the Box size, or 1 for Discrete (the action index). */
  readonly actDim: number;
  /** [nSteps][numEnvs][obsDim] raw observations sₜ. */
  readonly observations: Float64Array;
  /**
   * [nSteps][numEnvs][obsDim] what the policy saw: sₜ normalized with obsNorm (or a copy) — frozen, or with step
   * t's observations folded in first when obsNormCount is given.
   */
  readonly normalizedObservations: Float64Array;
  /** [nSteps][numEnvs][actDim] */
  readonly actions: Float64Array;
  /** [nSteps][numEnvs] log π(aₜ | sₜ) under the parameters of this collect. */
  readonly logProbs: Float64Array;
  readonly rewards: Float64Array;
  readonly terminated: Uint8Array;
  readonly truncated: Uint8Array;
  /** [nSteps][numEnvs][obsDim] normalized last observation of the episode ended at (t, i); meaningful only there. */
  readonly finalObservations: Float64Array;
  /** [numEnvs][obsDim] raw and normalized observations after the last step (the next batch starts there). */
  readonly lastObservations: Float64Array;
  readonly lastNormalizedObservations: Float64Array;
  readonly episodes: EpisodeStats;
  /** Env states before acting at the requested rows, in the order of `snapshotAt`. */
  readonly snapshots: EnvSnapshot[];
}

export interface PolicyInfo {
  readonly shape: PolicyShape;
  readonly numParameters: number;
}

/** Build a vector env of `numEnvs` envs `id`; resolves once every worker has built its envs. */
export async function makeVecEnv(env: EnvRef | EnvSource, options: VecEnvOptions): Promise<VecEnv> {
  const o = resolveVecEnvOptions(options);
  // A user's env module travels to the workers as plain data (its URL), whether named here or by registerEnv.
  const envSource = isEnvSource(env) ? env : o.envModule !== undefined ? undefined : resolveEnvRef(env);
  const id = envSource?.id ?? env;
  if (typeof id !== 'string' || id.length === 0) throw new TypeError(`env id must be a non-empty string, got ${String(id)}`);
  const groups = Math.max(o.numWorkers, 1);
  const configs = Array.from({ length: groups }, (_, w) => {
    const firstEnv = Math.floor((w * o.numEnvs) / groups);
    const count = Math.floor(((w + 1) * o.numEnvs) / groups) - firstEnv;
    return { envId: id, envOptions: o.envOptions, envModule: o.envModule, envSource, seed: o.seed, numEnvs: o.numEnvs, firstEnv, count };
  });
  const started = await Promise.allSettled(
    configs.map((c, w) =>
      o.numWorkers === 0
        ? InlineBackend.start(c)
        : ThreadBackend.start(c, `vec-env worker ${w} (envs ${c.firstEnv}–${c.firstEnv + c.count - 1})`),
    ),
  );
  const backends = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    await Promise.all(backends.map((b) => b.close()));
    throw failed.reason;
  }
  const buffer = stepBuffers(backends[0].dims).buffer;
  await Promise.all(backends.map((b) => b.call('attach', buffer))).catch(async (error: unknown) => {
    await Promise.all(backends.map((b) => b.close()));
    throw error;
  });
  return new VecEnv(id, o.numEnvs, o.numWorkers, o.seed, backends, configs.map((c) => c.firstEnv), buffer);
}

export class VecEnv {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  readonly dt: number;
  readonly maxEpisodeSteps: number;
  readonly obsDim: number;
  readonly actDim: number;
  private readonly stepViews: StepBuffers;
  private readonly infoKeys: string[][];
  private rollout: { nSteps: number; buffer: SharedArrayBuffer } | undefined;
  private policy: PolicyInfo | undefined;
  private started = false;
  private busy: string | undefined;
  private failure: Error | undefined;
  private closed = false;

  /** Use makeVecEnv. */
  constructor(
    readonly id: string,
    readonly numEnvs: number,
    readonly numWorkers: number,
    readonly seed: number,
    private readonly backends: GroupBackend[],
    private readonly firstEnvs: number[],
    stepBuffer: SharedArrayBuffer,
  ) {
    const { spaces, dims } = backends[0];
    this.observationSpace = spaces.observationSpace;
    this.actionSpace = spaces.actionSpace;
    this.dt = spaces.dt;
    this.maxEpisodeSteps = spaces.maxEpisodeSteps;
    this.obsDim = dims.obsDim;
    this.actDim = dims.actDim;
    this.stepViews = stepBuffers(dims, stepBuffer).views;
    this.infoKeys = Array.from({ length: numEnvs }, () => []);
  }

  /**
   * Reset every env. The first call resets env i with { seed, stream: i } (so env i replays exactly like
   * makeEnv(id, envOptions) reset that way); later calls continue each env's own stream.
   */
  reset(): Promise<VecResetResult> {
    return this.run('reset', async () => {
      this.applyInfoKeys(await this.all('reset', () => undefined));
      this.started = true;
      return { obs: this.stepViews.obs, infos: this.readInfos(false) };
    });
  }

  /** Step env i with actions[i·actDim …]; ended episodes are reset automatically (see the header). */
  step(actions: ArrayLike<number>): Promise<VecStepResult> {
    return this.run('step', async () => {
      if (!this.started) throw new Error('VecEnv.step() before reset(): call reset() first');
      this.writeActions(actions);
      this.applyInfoKeys(await this.all('step', () => undefined));
      const v = this.stepViews;
      return { obs: v.obs, rewards: v.rewards, terminated: v.terminated, truncated: v.truncated, infos: this.readInfos(true) };
    });
  }

  /**
   * Build the policy inside every worker (its own kernels). Box action spaces get a Gaussian MLP policy,
   * Discrete ones a categorical MLP policy; `module` substitutes your own (see RolloutPolicy).
   */
  configurePolicy(config: PolicyConfig): Promise<PolicyInfo> {
    return this.run('configurePolicy', async () => {
      const c = parseOrThrow(policyConfigSchema, config, 'policy config');
      const base = { obsDim: this.obsDim, hiddenSizes: c.hiddenSizes, activation: c.activation, precision: c.precision, conv: c.conv };
      const shape: PolicyShape =
        this.actionSpace.type === 'box'
          ? { kind: 'gaussian', ...base, actionDim: this.actDim }
          : { kind: 'categorical', ...base, numActions: this.actionSpace.n };
      const counts = await this.all('configurePolicy', () => ({ shape, module: c.module }));
      this.policy = { shape, numParameters: counts[0] };
      return this.policy;
    });
  }

  /**
   * Run the policy with `parameters` for nSteps steps on every env and return the batch. The envs keep their
   * episodes going across calls; the first collect() resets them if reset() was never called.
   */
  collect(options: CollectOptions): Promise<RolloutBatch> {
    return this.run('collect', async () => {
      const o = parseOrThrow(collectOptionsSchema(this.callDims()), options, 'collect() options');
      if (!this.started) this.applyInfoKeys(await this.all('reset', () => undefined));
      this.started = true;
      if (this.rollout?.nSteps !== o.nSteps) {
        this.rollout = { nSteps: o.nSteps, buffer: rolloutBuffers(this.dims(), o.nSteps).buffer };
      }
      const { buffer } = this.rollout;
      StepBarrier.reset(rolloutBuffers(this.dims(), o.nSteps, buffer).views.barrier);
      const reports = await this.all('collect', (w) => ({
        buffer, nSteps: o.nSteps, parameters: o.parameters, obsNorm: o.obsNorm, obsNormCount: o.obsNormCount,
        groups: this.backends.length, deterministic: o.deterministic,
        snapshotAt: o.snapshotAt.filter((row) => this.groupOfEnv(row % this.numEnvs) === w),
      }));
      const groupSnapshots = reports.map((r) => r.snapshots.values());
      const snapshots = o.snapshotAt.map((row) => groupSnapshots[this.groupOfEnv(row % this.numEnvs)].next().value as EnvSnapshot);
      const views = rolloutBuffers(this.dims(), o.nSteps, buffer).views;
      return { nSteps: o.nSteps, ...this.dims(), ...views, episodes: mergeEpisodes(reports.map((r) => r.episodes)), snapshots };
    });
  }

  /**
   * Vine sampling: for every snapshot and each of its branchesPerState first actions, restore the snapshot,
   * take the action, follow the policy for horizon − 1 more steps (noise from Rng(seeds[s]), the same for all
   * branches of snapshot s: common random numbers) and return the discounted return. Snapshots are spread
   * over the workers; the running envs are not disturbed. Q̂ = returns + endDiscount · V(endObs).
   */
  evaluateBranches(options: BranchOptions): Promise<BranchReport> {
    return this.run('evaluateBranches', async () => {
      const o = parseOrThrow(branchOptionsSchema(this.callDims()), options, 'evaluateBranches() options');
      const k = o.branchesPerState;
      const chunks = Math.min(this.backends.length, o.snapshots.length);
      const bounds = Array.from({ length: chunks + 1 }, (_, c) => Math.floor((c * o.snapshots.length) / chunks));
      const actionsPerState = k * this.actDim;
      const reports = await Promise.all(
        bounds.slice(0, -1).map((from, c) =>
          this.backends[c].call('evaluateBranches', {
            ...o,
            snapshots: o.snapshots.slice(from, bounds[c + 1]),
            seeds: o.seeds.slice(from, bounds[c + 1]),
            firstActions: o.firstActions.slice(from * actionsPerState, bounds[c + 1] * actionsPerState),
          }),
        ),
      ).catch((error: unknown) => this.fatal(error));
      return {
        returns: concat(reports.map((r) => r.returns)),
        endObs: concat(reports.map((r) => r.endObs)),
        endDiscount: concat(reports.map((r) => r.endDiscount)),
        steps: Int32Array.from(reports.flatMap((r) => Array.from(r.steps))),
      };
    });
  }

  /**
   * Policy search (CEM, CMA-ES): evaluate every candidate parameter vector for `episodes` episodes on the
   * workers' spare envs, candidates split into contiguous chunks, one per worker. Candidate k is seeded by
   * (seed, streams[k]) alone, so the returns do not depend on the number of workers. The running envs are not
   * disturbed.
   */
  evaluateCandidates(options: CandidateOptions): Promise<CandidateReport> {
    return this.run('evaluateCandidates', async () => {
      const o = parseOrThrow(candidateOptionsSchema(this.callDims()), options, 'evaluateCandidates() options');
      const count = o.candidates.length;
      const chunks = Math.min(this.backends.length, count);
      const bounds = Array.from({ length: chunks + 1 }, (_, c) => Math.floor((c * count) / chunks));
      const reports = await Promise.all(
        bounds.slice(0, -1).map((from, c) => {
          const mine = o.candidates.slice(from, bounds[c + 1]);
          const parameters = new Float64Array(mine.reduce((n, p) => n + p.length, 0));
          let offset = 0;
          for (const p of mine) {
            parameters.set(p, offset);
            offset += p.length;
          }
          return this.backends[c].call('evaluateCandidates', {
            parameters, seed: o.seed, streams: o.streams.slice(from, bounds[c + 1]), episodes: o.episodes, obsNorm: o.obsNorm,
            deterministic: o.deterministic, observationMoments: o.observationMoments,
          });
        }),
      ).catch((error: unknown) => this.fatal(error));
      return {
        returns: concat(reports.map((r) => r.returns)),
        steps: Int32Array.from(reports.flatMap((r) => Array.from(r.steps))),
        obsSum: concat(reports.map((r) => r.obsSum)),
        obsSumSq: concat(reports.map((r) => r.obsSumSq)),
      };
    });
  }

  /** Snapshot every env slot (env state, current obs, running episode, action-noise RNG), e.g. for checkpoints. */
  getStates(): Promise<EnvSlotState[]> {
    return this.run('getStates', async () => {
      if (!this.started) throw new Error('VecEnv.getStates() before reset(): call reset() first');
      return (await this.all('getStates', () => undefined)).flat();
    });
  }

  /** Put every env slot back to states from getStates(); the next step/collect continues from there exactly. */
  setStates(states: EnvSlotState[]): Promise<void> {
    return this.run('setStates', async () => {
      parseOrThrow(slotStatesSchema(this.numEnvs, this.obsDim), states, 'setStates() states');
      const ends = [...this.firstEnvs.slice(1), this.numEnvs];
      await this.all('setStates', (w) => states.slice(this.firstEnvs[w], ends[w]));
      this.started = true;
    });
  }

  /** End the workers and free the envs. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.backends.map((b) => b.close()));
  }

  private dims() {
    return { numEnvs: this.numEnvs, obsDim: this.obsDim, actDim: this.actDim };
  }

  private callDims(): CallDims {
    if (this.policy === undefined) throw new Error('no policy: call configurePolicy() first');
    return { ...this.dims(), numParameters: this.policy.numParameters };
  }

  private groupOfEnv(env: number): number {
    let w = this.firstEnvs.length - 1;
    while (this.firstEnvs[w] > env) w--;
    return w;
  }

  /** Serialize calls, refuse them after close or failure. */
  private async run<T>(name: string, body: () => Promise<T>): Promise<T> {
    if (this.failure) throw new Error(`VecEnv is closed after a worker failure: ${this.failure.message}`, { cause: this.failure });
    if (this.closed) throw new Error(`VecEnv.${name}() after close()`);
    if (this.busy) throw new Error(`VecEnv.${name}() called while ${this.busy}() is still running: await each call`);
    this.busy = name;
    try {
      return await body();
    } finally {
      this.busy = undefined;
    }
  }

  /** Send a command to every group; any failure closes the vector env and is rethrown. */
  private all<C extends CommandName>(cmd: C, arg: (group: number) => CommandArg<C>): Promise<CommandResult<C>[]> {
    return Promise.all(this.backends.map((b, w) => b.call(cmd, arg(w)))).catch((error: unknown) => this.fatal(error));
  }

  private async fatal(error: unknown): Promise<never> {
    this.failure = error instanceof Error ? error : new Error(String(error));
    await this.close();
    throw this.failure;
  }

  private writeActions(actions: ArrayLike<number>): void {
    const expected = this.numEnvs * this.actDim;
    if (actions === null || typeof actions !== 'object' || actions.length !== expected) {
      throw new RangeError(
        `VecEnv.step(actions): expected ${expected} numbers (numEnvs ${this.numEnvs} × ${this.actDim}), got ${describe(actions)}`,
      );
    }
    const space = this.actionSpace;
    for (let j = 0; j < expected; j++) {
      const a = actions[j];
      const ok = space.type === 'box' ? Number.isFinite(a) : Number.isInteger(a) && a >= 0 && a < space.n;
      if (!ok) {
        const allowed = space.type === 'box' ? 'a finite number' : `an integer in [0, ${space.n - 1}]`;
        throw new RangeError(`VecEnv.step(actions): actions[${j}] (env ${Math.floor(j / this.actDim)}) is ${a}; must be ${allowed}`);
      }
    }
    for (let j = 0; j < expected; j++) this.stepViews.actions[j] = actions[j];
  }

  private applyInfoKeys(updates: InfoKeysUpdate[]): void {
    for (const update of updates) for (const { env, keys } of update ?? []) this.infoKeys[env] = keys;
  }

  private readInfos(afterStep: boolean): VecEnvInfo[] {
    const v = this.stepViews;
    return this.infoKeys.map((keys, i) => {
      const terms: StepInfo = {};
      keys.forEach((key, j) => (terms[key] = v.info[i * MAX_INFO_KEYS + j]));
      const info: VecEnvInfo = { terms };
      if (afterStep && (v.terminated[i] === 1 || v.truncated[i] === 1)) {
        info.final_observation = v.finalObs.slice(i * this.obsDim, (i + 1) * this.obsDim);
        info.episode = { return: v.episodeReturn[i], length: v.episodeLength[i] };
      }
      return info;
    });
  }
}

function describe(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'length' in value) return `length ${(value as ArrayLike<unknown>).length}`;
  return String(value);
}

function concat(parts: Float64Array[]): Float64Array {
  const out = new Float64Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function mergeEpisodes(parts: { env: number[]; endStep: number[]; returns: number[]; lengths: number[] }[]): EpisodeStats {
  const rows = parts.flatMap((p) => p.env.map((env, k) => ({ env, endStep: p.endStep[k], ret: p.returns[k], len: p.lengths[k] })));
  rows.sort((a, b) => a.endStep - b.endStep || a.env - b.env);
  return {
    env: Int32Array.from(rows, (r) => r.env),
    endStep: Int32Array.from(rows, (r) => r.endStep),
    returns: Float64Array.from(rows, (r) => r.ret),
    lengths: Int32Array.from(rows, (r) => r.len),
  };
}

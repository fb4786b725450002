// A contiguous slice of the vector env's envs, stepped by one worker thread (or by the main thread when
// numWorkers = 0). Everything here is synchronous after creation and allocation-free per step: observations,
// actions, rewards and flags go straight into the shared buffers of layout.ts.
//
// Seeding: env i's first reset is reset({ seed, stream: i }) — the same env as makeEnv(id) reset that way on
// its own — and the policy's action noise for env i is actionNoise(seed, i), a stream of its own. Nothing
// depends on which worker steps env i, so batches are identical for any numWorkers.
//
// Actions chosen by the policy (collect, vine branches) reach the env clipped to a Box action space, as SB3's
// rollouts send them; the batch keeps the unclipped sample, whose log-probability the update needs. Actions
// given to step() go to the env as they are (the caller owns them, as with SB3's VecEnv).
import type { Env, EnvSnapshot, StepOutput } from '../../envs/types.js';
import { isRestartSnapshot } from '../../envs/custom/adapter.js';
import type { EnvSource } from '../envs/source.js';
import { clipToBox } from '../../envs/spaces.js';
import { Rng } from '../rng.js';
import type {
  BranchCommand, BranchReport, CandidateCommand, CandidateReport, CollectCommand, CollectReport, EpisodeRecords, GroupConfig, GroupSpaces, InfoKeysUpdate,
} from './commands.js';
import { MAX_INFO_KEYS, rolloutBuffers, stepBuffers, type BufferDims, type RolloutBuffers, type StepBuffers } from './layout.js';
import { ObsNormalizer, type ObsNormStats } from '../normalization/obs-normalizer.js';
import { RunningMeanStd } from '../normalization/running-mean-std.js';
import { createRolloutPolicy, type PolicyShape, type RolloutPolicy } from './policy-runner.js';
import { StepBarrier } from './step-barrier.js';

/**
 * Action-noise streams sit 2³² streams above the env streams (seed, i): no env index ever reaches them, so the
 * policy's noise never replays the env's own reset noise.
 */
const ACTION_NOISE_STREAMS = 2 ** 32;

/**
 * Streams of candidate evaluations (CEM, CMA-ES): candidate envs reset with (seed, stream) and draw action noise
 * from (seed, CANDIDATE_NOISE_OFFSET + stream); callers pick streams above CANDIDATE_STREAMS.
 */
export const CANDIDATE_STREAMS = 2 ** 40;
const CANDIDATE_NOISE_OFFSET = 2 ** 44;

/** The generator of the policy's action noise for env `index`. */
export function actionNoise(seed: number, index: number): Rng {
  return new Rng(seed, ACTION_NOISE_STREAMS + index);
}

/** Everything needed to put one env slot back exactly where it was (checkpoints, debugging). */
export interface EnvSlotState {
  readonly env: EnvSnapshot;
  /** The current observation (the one the next action responds to). */
  readonly obs: Float64Array;
  readonly episodeReturn: number;
  readonly episodeLength: number;
  /** State of the env's action-noise generator. */
  readonly noise: readonly number[];
}

type EnvFactory = (id: string, options?: Record<string, unknown>) => Promise<Env>;

async function loadEnvFactory(module: string | undefined, source: EnvSource | undefined): Promise<EnvFactory> {
  if (source) {
    const { createSourceEnv } = await import('../envs/load.js');
    return (_id, options) => createSourceEnv(source, options);
  }
  const url = module ?? new URL('../../envs/registry.js', import.meta.url).href;
  const mod = (await import(url)) as { makeEnv?: unknown };
  if (typeof mod.makeEnv !== 'function') throw new TypeError(`env module ${url} must export makeEnv(id, options)`);
  return mod.makeEnv as EnvFactory;
}

function newOutput(obsDim: number): StepOutput {
  return { obs: new Float64Array(obsDim), reward: 0, terminated: false, truncated: false, info: {} };
}

class EnvSlot {
  /** Current observation: what the next action responds to. */
  readonly obs: Float64Array;
  readonly normObs: Float64Array;
  readonly action: Float64Array;
  /** Separate outputs so that reset info never leaks into step info. */
  readonly stepOut: StepOutput;
  readonly resetOut: StepOutput;
  episodeReturn = 0;
  episodeLength = 0;
  /** Steps this env has taken since the group was made (named in error messages). */
  totalSteps = 0;
  infoKeys: string[] = [];
  /** Row of the shared action buffer, bound by `attach`. */
  actionRow: Float64Array;

  constructor(
    readonly env: Env,
    readonly index: number,
    readonly noise: Rng,
    obsDim: number,
    actDim: number,
  ) {
    this.obs = new Float64Array(obsDim);
    this.normObs = new Float64Array(obsDim);
    this.action = new Float64Array(actDim);
    this.actionRow = this.action;
    this.stepOut = newOutput(obsDim);
    this.resetOut = newOutput(obsDim);
  }
}

export class EnvGroup {
  private step_: StepBuffers | undefined;
  private started = false;
  private policy: RolloutPolicy | undefined;
  /** A spare env for vine branches and candidate evaluations; the group's envs are never disturbed. */
  private spareEnv: Env | undefined;
  private readonly normalizer: ObsNormalizer;
  private readonly branchOut: StepOutput;
  private readonly branchAction: Float64Array;
  private readonly branchNoise = new Rng(0);
  private readonly candidateNoise = new Rng(0);
  /** The slot whose env is being called (for error messages). */
  private active: EnvSlot | undefined;
  /** The clipped copy of a policy action that the env receives. */
  private readonly envAction: Float64Array;

  private constructor(
    private readonly config: GroupConfig,
    private readonly makeEnv: EnvFactory,
    private readonly slots: EnvSlot[],
    readonly spaces: GroupSpaces,
    readonly dims: BufferDims,
  ) {
    this.normalizer = new ObsNormalizer(dims.obsDim);
    this.branchOut = newOutput(dims.obsDim);
    this.branchAction = new Float64Array(dims.actDim);
    this.envAction = new Float64Array(dims.actDim);
  }

  static async create(config: GroupConfig): Promise<EnvGroup> {
    const makeEnv = await loadEnvFactory(config.envModule, config.envSource);
    const envs: Env[] = [];
    for (let k = 0; k < config.count; k++) envs.push(await makeEnv(config.envId, config.envOptions));
    const { observationSpace, actionSpace, dt, maxEpisodeSteps } = envs[0];
    const obsDim = observationSpace.shape.reduce((a, b) => a * b, 1);
    const actDim = actionSpace.type === 'box' ? actionSpace.shape.reduce((a, b) => a * b, 1) : 1;
    const slots = envs.map((env, k) => {
      const index = config.firstEnv + k;
      return new EnvSlot(env, index, actionNoise(config.seed, index), obsDim, actDim);
    });
    const dims = { numEnvs: config.numEnvs, obsDim, actDim };
    return new EnvGroup(config, makeEnv, slots, { observationSpace, actionSpace, dt, maxEpisodeSteps }, dims);
  }

  /** Bind the step buffers allocated by the main thread. */
  attach(buffer: SharedArrayBuffer): void {
    const views = stepBuffers(this.dims, buffer).views;
    const a = this.dims.actDim;
    for (const slot of this.slots) slot.actionRow = views.actions.subarray(slot.index * a, (slot.index + 1) * a);
    this.step_ = views;
  }

  /** Reset every env: the first time with (seed, stream i), later continuing each env's own RNG. */
  reset(): InfoKeysUpdate {
    return this.guarded(() => this.resetAll());
  }

  /** Step every env with its row of the shared actions; auto-reset ended episodes (SB3 rule). */
  step(): InfoKeysUpdate {
    return this.guarded(() => this.stepAll());
  }

  private resetAll(): InfoKeysUpdate {
    const b = this.stepViews();
    let update: InfoKeysUpdate = null;
    for (const slot of this.slots) {
      this.active = slot;
      slot.env.resetInto(this.started ? undefined : { seed: this.config.seed, stream: slot.index }, slot.resetOut);
      this.beginEpisode(slot);
      b.obs.set(slot.obs, slot.index * this.dims.obsDim);
      update = this.writeInfo(slot, slot.resetOut, b, update);
      b.rewards[slot.index] = 0;
      b.terminated[slot.index] = 0;
      b.truncated[slot.index] = 0;
    }
    this.started = true;
    return update;
  }

  private stepAll(): InfoKeysUpdate {
    const b = this.stepViews();
    const obsDim = this.dims.obsDim;
    let update: InfoKeysUpdate = null;
    for (const slot of this.slots) {
      this.active = slot;
      const out = slot.stepOut;
      slot.env.stepInto(slot.actionRow, out);
      slot.totalSteps++;
      const i = slot.index;
      b.rewards[i] = out.reward;
      b.terminated[i] = out.terminated ? 1 : 0;
      b.truncated[i] = out.truncated ? 1 : 0;
      update = this.writeInfo(slot, out, b, update);
      slot.episodeReturn += out.reward;
      slot.episodeLength++;
      if (out.terminated || out.truncated) {
        b.finalObs.set(out.obs, i * obsDim);
        b.episodeReturn[i] = slot.episodeReturn;
        b.episodeLength[i] = slot.episodeLength;
        slot.env.resetInto(undefined, slot.resetOut);
        this.beginEpisode(slot);
      } else {
        slot.obs.set(out.obs);
      }
      b.obs.set(slot.obs, i * obsDim);
    }
    return update;
  }

  async configurePolicy(arg: { shape: PolicyShape; module: string | undefined }): Promise<number> {
    const policy = await createRolloutPolicy(arg.shape, arg.module);
    this.policy?.dispose?.();
    this.policy = policy;
    return policy.numParameters;
  }

  /**
   * Run the policy for nSteps on every env of the group and fill its rows of the rollout buffers. With
   * `obsNormCount` the statistics move at every step: once every group has written step t's raw observations
   * (the barrier), each group folds the whole row of step t into its own copy of the statistics — the same
   * numbers in the same order in every group, so all copies agree to the bit whatever the number of workers —
   * and normalizes its envs' observations with them.
   */
  collect(cmd: CollectCommand): CollectReport {
    return this.guarded(() => this.collectSteps(cmd));
  }

  private collectSteps(cmd: CollectCommand): CollectReport {
    this.requireStarted('collect');
    const policy = this.loadPolicy(cmd.parameters, cmd.obsNorm);
    const r = rolloutBuffers(this.dims, cmd.nSteps, cmd.buffer).views;
    const { numEnvs, obsDim } = this.dims;
    const stats = cmd.obsNorm && cmd.obsNormCount !== undefined ? runningStats(cmd.obsNorm, cmd.obsNormCount) : undefined;
    const barrier = new StepBarrier(r.barrier, stats ? cmd.groups : 1);
    const episodes: EpisodeRecords = { env: [], endStep: [], returns: [], lengths: [] };
    const snapshots: EnvSnapshot[] = [];
    let nextSnapshot = 0;
    try {
      for (let t = 0; t < cmd.nSteps; t++) {
        for (const slot of this.slots) {
          const row = t * numEnvs + slot.index;
          this.active = slot;
          if (cmd.snapshotAt[nextSnapshot] === row) {
            snapshots.push(slot.env.getState());
            nextSnapshot++;
          }
          r.observations.set(slot.obs, row * obsDim);
        }
        if (stats) {
          // Another group failed: stop here; its error rejects the collect, this partial batch is never read.
          if (!barrier.arrive()) return { episodes, snapshots };
          stats.update(r.observations.subarray(t * numEnvs * obsDim, (t + 1) * numEnvs * obsDim));
          this.normalizer.load({ mean: stats.mean, var: stats.var, clip: cmd.obsNorm!.clip, epsilon: cmd.obsNorm!.epsilon });
        }
        this.stepSlots(t, r, cmd, policy, episodes);
      }
    } catch (error) {
      barrier.fail();
      throw error;
    }
    this.active = undefined;
    const b = this.stepViews();
    for (const slot of this.slots) {
      r.lastObservations.set(slot.obs, slot.index * obsDim);
      this.normalizer.apply(slot.obs, slot.normObs);
      r.lastNormalizedObservations.set(slot.normObs, slot.index * obsDim);
      b.obs.set(slot.obs, slot.index * obsDim);
    }
    return { episodes, snapshots };
  }

  /** Step t of collect(): each env of the group acts on its normalized observation and steps (auto-reset). */
  private stepSlots(t: number, r: RolloutBuffers, cmd: CollectCommand, policy: RolloutPolicy, episodes: EpisodeRecords): void {
    const { numEnvs, obsDim, actDim } = this.dims;
    for (const slot of this.slots) {
      const row = t * numEnvs + slot.index;
      this.active = slot;
      this.normalizer.apply(slot.obs, slot.normObs);
      r.normalizedObservations.set(slot.normObs, row * obsDim);
      r.logProbs[row] = policy.act(slot.normObs, slot.action, cmd.deterministic, slot.noise);
      r.actions.set(slot.action, row * actDim);

      const out = slot.stepOut;
      slot.env.stepInto(this.toEnvAction(slot.action), out);
      slot.totalSteps++;
      r.rewards[row] = out.reward;
      r.terminated[row] = out.terminated ? 1 : 0;
      r.truncated[row] = out.truncated ? 1 : 0;
      slot.episodeReturn += out.reward;
      slot.episodeLength++;
      if (out.terminated || out.truncated) {
        this.normalizer.apply(out.obs, slot.normObs);
        r.finalObservations.set(slot.normObs, row * obsDim);
        episodes.env.push(slot.index);
        episodes.endStep.push(t);
        episodes.returns.push(slot.episodeReturn);
        episodes.lengths.push(slot.episodeLength);
        slot.env.resetInto(undefined, slot.resetOut);
        this.beginEpisode(slot);
      } else {
        slot.obs.set(out.obs);
      }
    }
  }

  /**
   * Vine branches: from each snapshot, for each of its first actions, restore the snapshot, take that action
   * and follow the policy for the rest of the horizon. All branches of one snapshot draw the same noise
   * (Rng(seed of that snapshot)) — common random numbers. Runs on a spare env, the group's envs are untouched.
   */
  async evaluateBranches(cmd: BranchCommand): Promise<BranchReport> {
    const policy = this.loadPolicy(cmd.parameters, cmd.obsNorm);
    const env = await this.spare();
    const { obsDim, actDim } = this.dims;
    const k = cmd.branchesPerState;
    const total = cmd.snapshots.length * k;
    const report = {
      returns: new Float64Array(total), endObs: new Float64Array(total * obsDim), endDiscount: new Float64Array(total),
      steps: new Int32Array(total),
    };
    const out = this.branchOut;
    const obs = new Float64Array(obsDim);
    for (let b = 0; b < total; b++) {
      const s = Math.floor(b / k);
      env.setState(cmd.snapshots[s]);
      this.branchNoise.seed(cmd.seeds[s]);
      env.stepInto(this.toEnvAction(cmd.firstActions.subarray(b * actDim, (b + 1) * actDim)), out);
      let discountedReturn = out.reward;
      let discount = cmd.gamma;
      let steps = 1;
      for (; steps < cmd.horizon && !out.terminated && !out.truncated; steps++) {
        this.normalizer.apply(out.obs, obs);
        policy.act(obs, this.branchAction, cmd.deterministic, this.branchNoise);
        env.stepInto(this.toEnvAction(this.branchAction), out);
        discountedReturn += discount * out.reward;
        discount *= cmd.gamma;
      }
      report.returns[b] = discountedReturn;
      report.steps[b] = steps;
      report.endDiscount[b] = out.terminated ? 0 : discount;
      this.normalizer.apply(out.obs, obs);
      report.endObs.set(obs, b * obsDim);
    }
    return report;
  }

  /**
   * Policy search: run `episodes` episodes of each candidate's policy on the spare env. Candidate k's first
   * episode resets with (seed, streams[k]) and later ones continue that env stream, so a candidate's return
   * depends only on its parameters and its stream, never on which worker runs it.
   */
  async evaluateCandidates(cmd: CandidateCommand): Promise<CandidateReport> {
    const env = await this.spare();
    const { obsDim, actDim } = this.dims;
    const count = cmd.streams.length;
    const numParameters = cmd.parameters.length / Math.max(count, 1);
    const moments = cmd.observationMoments ? count * obsDim : 0;
    const report = {
      returns: new Float64Array(count), steps: new Int32Array(count), obsSum: new Float64Array(moments), obsSumSq: new Float64Array(moments),
    };
    const out = this.branchOut;
    const obs = new Float64Array(obsDim);
    for (let k = 0; k < count; k++) {
      const policy = this.loadPolicy(cmd.parameters.subarray(k * numParameters, (k + 1) * numParameters), cmd.obsNorm);
      this.candidateNoise.seed(cmd.seed, CANDIDATE_NOISE_OFFSET + cmd.streams[k]);
      let total = 0;
      let steps = 0;
      for (let e = 0; e < cmd.episodes; e++) {
        env.resetInto(e === 0 ? { seed: cmd.seed, stream: cmd.streams[k] } : undefined, out);
        for (;;) {
          if (cmd.observationMoments) {
            for (let j = 0; j < obsDim; j++) {
              report.obsSum[k * obsDim + j] += out.obs[j];
              report.obsSumSq[k * obsDim + j] += out.obs[j] * out.obs[j];
            }
          }
          this.normalizer.apply(out.obs, obs);
          policy.act(obs, this.branchAction, cmd.deterministic, this.candidateNoise);
          env.stepInto(this.branchAction.subarray(0, actDim), out);
          total += out.reward;
          steps++;
          if (out.terminated || out.truncated) break;
        }
      }
      report.returns[k] = total / cmd.episodes;
      report.steps[k] = steps;
    }
    return report;
  }

  getStates(): EnvSlotState[] {
    this.requireStarted('getStates');
    return this.slots.map((slot) => ({
      env: slot.env.getState(),
      obs: slot.obs.slice(),
      episodeReturn: slot.episodeReturn,
      episodeLength: slot.episodeLength,
      noise: slot.noise.getState(),
    }));
  }

  /** Restore the states of this group's envs (`states` in env order, one per env of the group). */
  setStates(states: readonly EnvSlotState[]): void {
    const b = this.stepViews();
    this.slots.forEach((slot, k) => {
      const state = states[k];
      slot.noise.setState(state.noise);
      if (isRestartSnapshot(state.env)) {
        // An env that cannot save its state (no getState/setState) starts a new episode, from a seed of its own.
        slot.env.resetInto({ seed: this.config.seed + this.config.numEnvs, stream: slot.index }, slot.resetOut);
        this.beginEpisode(slot);
      } else {
        slot.env.setState(state.env);
        slot.obs.set(state.obs);
        slot.episodeReturn = state.episodeReturn;
        slot.episodeLength = state.episodeLength;
      }
      b.obs.set(slot.obs, slot.index * this.dims.obsDim);
    });
    this.started = true;
  }

  close(): void {
    for (const slot of this.slots) slot.env.close();
    this.spareEnv?.close();
    this.policy?.dispose?.();
  }

  /**
   * Run `body`; an error thrown by an env gains which env (index and id) and which of its steps — the place to
   * look when a custom env returns NaN or throws.
   */
  private guarded<T>(body: () => T): T {
    try {
      return body();
    } catch (error) {
      const slot = this.active;
      this.active = undefined;
      if (slot === undefined) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(
        `env ${slot.index} (${this.config.envId}) at its step ${slot.totalSteps + 1} (step ${slot.episodeLength + 1} of its episode): ${message}`,
        { cause: error },
      );
    }
  }

  private beginEpisode(slot: EnvSlot): void {
    slot.obs.set(slot.resetOut.obs);
    slot.episodeReturn = 0;
    slot.episodeLength = 0;
  }

  private async spare(): Promise<Env> {
    return (this.spareEnv ??= await this.makeEnv(this.config.envId, this.config.envOptions));
  }

  /** What the env receives for a policy action: clipped to a Box action space, a Discrete index as it is. */
  private toEnvAction(action: Float64Array): Float64Array {
    const space = this.spaces.actionSpace;
    return space.type === 'box' ? clipToBox(space, action, this.envAction) : action;
  }

  private loadPolicy(parameters: Float64Array, obsNorm: ObsNormStats | undefined): RolloutPolicy {
    if (this.policy === undefined) throw new Error('no policy: call configurePolicy() first');
    this.policy.setParameters(parameters);
    this.normalizer.load(obsNorm);
    return this.policy;
  }

  /** Copy an env's info values into its shared row; report its key list when it changed. */
  private writeInfo(slot: EnvSlot, out: StepOutput, b: StepBuffers, update: InfoKeysUpdate): InfoKeysUpdate {
    const base = slot.index * MAX_INFO_KEYS;
    const keys = slot.infoKeys;
    let j = 0;
    let changed = false;
    for (const key in out.info) {
      if (j === MAX_INFO_KEYS) throw new RangeError(`${this.config.envId} info has more than ${MAX_INFO_KEYS} keys`);
      if (keys[j] !== key) {
        keys[j] = key;
        changed = true;
      }
      b.info[base + j] = out.info[key];
      j++;
    }
    if (keys.length !== j) {
      keys.length = j;
      changed = true;
    }
    if (!changed) return update;
    const entry = { env: slot.index, keys: keys.slice() };
    return update === null ? [entry] : [...update, entry];
  }

  private stepViews(): StepBuffers {
    if (this.step_ === undefined) throw new Error('internal: step buffers not attached');
    return this.step_;
  }

  private requireStarted(what: string): void {
    if (!this.started) throw new Error(`${what} before reset(): reset the vector env first`);
  }
}

/** Running statistics that continue from frozen ones holding `count` samples (per-step updates in collect). */
function runningStats(stats: ObsNormStats, count: number): RunningMeanStd {
  const rms = new RunningMeanStd(stats.mean.length, { initialCount: count });
  for (let j = 0; j < rms.size; j++) {
    rms.mean[j] = stats.mean[j];
    rms.var[j] = stats.var[j];
  }
  return rms;
}

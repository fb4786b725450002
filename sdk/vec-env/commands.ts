// The commands the main thread sends to an EnvGroup (in a worker or in-process) and what they report back.
// Everything here crosses threads by structured clone, so it is plain data: numbers, arrays, typed arrays,
// SharedArrayBuffers. The bulk per-step data never travels here; it sits in the shared buffers of layout.ts.
import type { BoxSpace, EnvSnapshot, Space } from '../../envs/types.js';
import type { EnvSource } from '../envs/source.js';
import type { ObsNormStats } from '../normalization/obs-normalizer.js';

export interface GroupConfig {
  readonly envId: string;
  readonly envOptions: Record<string, unknown>;
  /** URL of a module exporting `makeEnv(id, options): Promise<Env>`; the package's registry when absent. */
  readonly envModule: string | undefined;
  /** A user's env module (sdk/envs/source.ts), imported by every thread; envId is then its id. */
  readonly envSource?: EnvSource;
  readonly seed: number;
  /** Total envs of the vector env (the row stride of the shared buffers). */
  readonly numEnvs: number;
  /** This group steps envs firstEnv … firstEnv + count − 1. */
  readonly firstEnv: number;
  readonly count: number;
}

export interface GroupSpaces {
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  readonly dt: number;
  readonly maxEpisodeSteps: number;
}

/** New info key lists (rare: only when an env's info keys differ from what it reported before). */
export type InfoKeysUpdate = Array<{ env: number; keys: string[] }> | null;

export interface CollectCommand {
  readonly buffer: SharedArrayBuffer;
  readonly nSteps: number;
  readonly parameters: Float64Array;
  readonly obsNorm?: ObsNormStats;
  /**
   * Present when the statistics are updated at every step (SB3's VecNormalize): obsNorm's mean and var hold
   * `count` samples, and every group folds in all envs' observations of step t before normalizing its own.
   */
  readonly obsNormCount?: number;
  /** Groups taking part in this collect: they meet at a barrier every step when statistics are updated. */
  readonly groups: number;
  readonly deterministic: boolean;
  /** Strictly increasing rows t·numEnvs + i (of this group's envs) whose state is snapshotted before acting. */
  readonly snapshotAt: readonly number[];
}

export interface EpisodeRecords {
  env: number[];
  endStep: number[];
  returns: number[];
  lengths: number[];
}

export interface CollectReport {
  readonly episodes: EpisodeRecords;
  readonly snapshots: EnvSnapshot[];
}

export interface BranchCommand {
  readonly snapshots: readonly EnvSnapshot[];
  /** [snapshots][branchesPerState][actDim]: the first action of every branch. */
  readonly firstActions: Float64Array;
  readonly branchesPerState: number;
  readonly horizon: number;
  readonly gamma: number;
  /** One seed per snapshot: all branches of a snapshot share the noise of the policy after the first action. */
  readonly seeds: readonly number[];
  readonly parameters: Float64Array;
  readonly obsNorm?: ObsNormStats;
  readonly deterministic: boolean;
}

export interface BranchReport {
  /** [snapshots][branchesPerState] discounted return Σ γᵗ rₜ of each branch. */
  readonly returns: Float64Array;
  /** [snapshots][branchesPerState][obsDim]: normalized observation where each branch stopped. */
  readonly endObs: Float64Array;
  /** γ^steps when the branch may be bootstrapped from endObs (horizon or time limit), 0 when it terminated. */
  readonly endDiscount: Float64Array;
  /** Env steps each branch took (≤ horizon: a branch stops at its episode's end). */
  readonly steps: Int32Array;
}

export interface CandidateCommand {
  /** [candidates][numParameters]: one policy parameter vector per candidate. */
  readonly parameters: Float64Array;
  readonly seed: number;
  /** One Rng stream per candidate: its episodes' resets and action noise derive from (seed, stream). */
  readonly streams: readonly number[];
  readonly episodes: number;
  readonly obsNorm?: ObsNormStats;
  readonly deterministic: boolean;
  /** Also return each candidate's Σ obs and Σ obs² (raw observations), for normalization statistics. */
  readonly observationMoments: boolean;
}

export interface CandidateReport {
  /** [candidates] undiscounted return, averaged over the candidate's episodes. */
  readonly returns: Float64Array;
  /** [candidates] env steps taken by the candidate (all its episodes). */
  readonly steps: Int32Array;
  /** [candidates][obsDim] Σ obs and Σ obs² over every observation a candidate's policy saw (empty if not asked). */
  readonly obsSum: Float64Array;
  readonly obsSumSq: Float64Array;
}

// Vine sampling (Schulman et al. 2015, §5.2).
//
// 1. Trunk: run π_old on every env for nSteps (single-path rollouts). It trains the value function (GAE
//    returns, as in single-path) and supplies the states.
// 2. Rollout set: N states s₁ … s_N drawn uniformly without replacement from the trunk, the env snapshotted
//    before acting there.
// 3. From each sₙ, K actions aₙ,₁ … aₙ,K: drawn from π_old(·|sₙ) for continuous actions, every action of the
//    space for discrete ones. Each is followed by a branch rollout of length H from the restored snapshot;
//    the K branches of one state share their random numbers (common random numbers), so the differences
//    between their returns come from the first actions, not from the noise.
// 4. Q̂(sₙ, aₙ,ₖ) = Σₕ γʰ rₕ + γᴴ V(s_H) over the branch's H steps (fewer where the time limit cut it), the
//    bootstrap only for a branch that did not terminate; rewards scaled as the trunk's when normalizeReward is
//    on, since V learned scaled returns.
//    Evidence guard: when no state's K branches differ in what they earned or how they ended, the actions
//    made no measurable difference anywhere in the rollout set, and the Q̂ differences are V's differences
//    between nearby end states alone — the critic's fitting error where the true V is flat. The trust-region
//    step is scale-free, so it follows that error at full size, iteration after iteration: on
//    InvertedPendulum-v5, once every branch survived, the policy walked the cart off-centre until the mean
//    action at the reset state left the action bounds and the deterministic return fell from 1000 to 3. Past
//    the bounds every sampled action clips to the same one, the K branches are identical and the gradient is
//    exactly 0: no way back (the sᵀFs = 0 of the first vine runs). Such an iteration therefore keeps θ
//    (advantages 0) and only fits V. When some branches do differ, their termination costs and reward gaps
//    set the scale, and V's differences elsewhere add what a short branch cannot see (CartPole drifting
//    towards the end of its track: without them CartPole learned markedly slower and noisier).
// 5. The surrogate at the rollout set, the paper's:
//      discrete:   Lₙ(θ) = Σₖ πθ(aₖ|sₙ) Q̂(sₙ, aₖ)
//      continuous: Lₙ(θ) = Σₖ rₖ Q̂(sₙ, aₙ,ₖ) / Σₖ rₖ,  rₖ = πθ(aₙ,ₖ|sₙ)/π_old(aₙ,ₖ|sₙ)   (self-normalized)
//    or, for continuous actions without `selfNormalized`, the plain importance-sampled mean with a per-state
//    baseline, (1/K) Σₖ rₖ (Q̂ₙₖ − Q̄ₙ), Q̄ₙ = (1/K) Σₖ Q̂ₙₖ.
//    All are written as the batch's mean(ratio · Â) over the N·K pairs (sₙ, aₙ,ₖ), the weights folded into Â:
//      discrete:   Âₙₖ = K · π_old(aₖ|sₙ) · (Q̂ₙₖ − Σⱼ π_old(aⱼ|sₙ) Q̂ₙⱼ)
//      continuous: Âₙₖ = Q̂ₙₖ − Q̄ₙ
//    (a per-state constant changes neither gradient: Σₖ ∇πθ(aₖ|sₙ) = 0 in the discrete sum, and the
//    self-normalized form is shift-invariant), then divided by their standard deviation (normalizeAdvantage).
//    At θ_old the self-normalized gradient equals the plain one with this baseline, so the batch kernels
//    compute g, F and the KL; the line search then evaluates the self-normalized form itself through the
//    update's `surrogate` hook. With every action enumerated Σₖ πθ(aₖ|sₙ) = 1: the discrete form is already
//    self-normalized, and `selfNormalized` changes nothing there.
// Env steps are counted exactly: the trunk plus the steps each branch really took.
import type { EnvSnapshot } from '../../envs/types.js';
import type { Rng } from '../rng.js';
import type { BranchReport, RolloutBatch, VecEnv } from '../vec-env/index.js';
import type { AgentPolicy } from './networks.js';
import { normalizeAdvantages, processRollout, type PolicyData } from './rollout-buffer.js';
import type { TrainingState } from './training-state.js';

/** What one iteration's branches were: for diagnostics and tests. */
export interface VineBranches {
  /** N: states in the rollout set. */
  states: number;
  /** K: actions tried from each state. */
  actionsPerState: number;
  /** Trunk rows t·numEnvs + i of the rollout set, increasing. */
  rows: number[];
  snapshots: EnvSnapshot[];
  /** [N][obsDim] the rollout set's observations as the policy saw them (normalized). */
  stateObs: Float64Array;
  /** [N][K][actDim] first action of every branch. */
  firstActions: Float64Array;
  /** [N] the seed of the policy noise shared by the K branches of a state. */
  seeds: number[];
  report: BranchReport;
  /** [N][K] Q̂(sₙ, aₙ,ₖ). */
  q: Float64Array;
}

/** One vine iteration: the update's inputs, the branches, and the trunk (shared-memory views, see VecEnv). */
export async function collectVine(
  vec: VecEnv, s: TrainingState,
): Promise<{ data: PolicyData; branches: VineBranches; batch: RolloutBatch }> {
  const o = s.options;
  const { numEnvs, obsDim, actDim } = vec;
  const trunkRows = o.nSteps * numEnvs;
  const n = Math.min(o.vine.rolloutStates, trunkRows);
  const rows = chooseRows(trunkRows, n, s.rng);

  // 1–2. Trunk with snapshots of the rollout set.
  const parameters = s.policy.getParameters();
  const batch = await vec.collect({ parameters, nSteps: o.nSteps, ...s.normalization.rolloutObsNorm(), snapshotAt: rows });
  s.recordEpisodes(batch);
  const trunk = processRollout(batch, s);
  const stateObs = new Float64Array(n * obsDim);
  const seen = batch.normalizedObservations;
  rows.forEach((row, i) => stateObs.set(seen.subarray(row * obsDim, (row + 1) * obsDim), i * obsDim));

  // 3. Branches.
  const space = vec.actionSpace;
  const k = space.type === 'discrete' ? space.n : o.vine.branchActions;
  const firstActions = branchFirstActions(s.policy, stateObs, n, k, actDim, space.type === 'discrete', s.rng);
  const seeds = Array.from({ length: n }, () => s.rng.nextUint32());
  // Branches run with the statistics the trunk started from (with per-step updates the trunk moved on from them).
  const report = await vec.evaluateBranches({
    snapshots: batch.snapshots, branchesPerState: k, firstActions, horizon: o.vine.branchLength, gamma: o.gamma,
    seeds, parameters, obsNorm: s.normalization.obsStats(),
  });

  // 4. Q̂, in the units the value function learned (scaled rewards when normalizeReward is on).
  const endValues = s.value.predict(report.endObs, n * k);
  const q = branchValues(report, endValues, s.normalization.rewardFactor());

  // 5. The N·K pairs (sₙ, aₙ,ₖ) and their advantage weights (all 0 when no branches differ: step 4's guard).
  const pairObs = new Float64Array(n * k * obsDim);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) pairObs.set(stateObs.subarray(i * obsDim, (i + 1) * obsDim), (i * k + j) * obsDim);
  }
  const oldProbs = space.type === 'discrete' ? s.policy.actionProbabilities(stateObs, n) : undefined;
  const advantages = branchesDiffer(report, n, k) ? vineAdvantages(q, n, k, oldProbs) : new Float64Array(n * k);
  // Divided by their std only: no mean shift, the per-state baselines are already in, and a global shift would
  // add a sampled term to the gradient. The trust-region step is scale-free; this keeps CG's absolute tolerance
  // and the logged objective comparable across tasks.
  if (o.normalizeAdvantage) normalizeAdvantages(advantages, { center: false });
  const surrogate = o.vine.selfNormalized && space.type === 'box'
    ? selfNormalizedSurrogate(s.policy, pairObs, firstActions, advantages, n, k)
    : undefined;
  s.normalization.updateObs(batch);

  let branchSteps = 0;
  for (const steps of report.steps) branchSteps += steps;
  return {
    data: {
      rows: n * k, obs: pairObs, actions: firstActions, advantages, surrogate,
      valueRows: trunk.valueRows, valueObs: trunk.valueObs, valueTargets: trunk.valueTargets,
      explainedVariance: trunk.explainedVariance,
      envSteps: trunkRows + branchSteps,
    },
    branches: {
      states: n, actionsPerState: k, rows, snapshots: batch.snapshots, stateObs, firstActions, seeds, report, q,
    },
    batch,
  };
}

/** n distinct rows of [0, total), increasing, drawn uniformly with `rng` (Floyd's algorithm: n draws). */
export function chooseRows(total: number, n: number, rng: Rng): number[] {
  const chosen = new Set<number>();
  for (let j = total - n; j < total; j++) {
    const t = rng.integer(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** [n][k][actDim]: every action index for a discrete space; k draws from π_old(·|sₙ) otherwise. */
function branchFirstActions(
  policy: AgentPolicy, stateObs: Float64Array, n: number, k: number, actDim: number, discrete: boolean, rng: Rng,
): Float64Array {
  const actions = new Float64Array(n * k * actDim);
  const obsDim = stateObs.length / n;
  for (let i = 0; i < n; i++) {
    const obs = stateObs.subarray(i * obsDim, (i + 1) * obsDim);
    for (let j = 0; j < k; j++) {
      const at = (i * k + j) * actDim;
      if (discrete) actions[at] = j;
      else policy.sampleAction(obs, actions.subarray(at, at + actDim), rng);
    }
  }
  return actions;
}

/** Q̂ₙₖ = rewardScale · returnₙₖ + endDiscountₙₖ · V(end stateₙₖ) (endDiscount is 0 where a branch terminated). */
export function branchValues(
  report: Pick<BranchReport, 'returns' | 'endDiscount'>, endValues: Float64Array, rewardScale = 1,
): Float64Array {
  return Float64Array.from(report.returns, (r, b) => rewardScale * r + report.endDiscount[b] * endValues[b]);
}

/**
 * True when, at some state, two of its K branches earned different discounted returns or ended differently
 * (terminated, cut by the time limit or at the horizon): the evidence guard of the header, step 4.
 */
export function branchesDiffer(report: Pick<BranchReport, 'returns' | 'endDiscount'>, n: number, k: number): boolean {
  for (let i = 0; i < n; i++) {
    const first = i * k;
    for (let b = first + 1; b < first + k; b++) {
      const differs = report.returns[b] !== report.returns[first] || report.endDiscount[b] !== report.endDiscount[first];
      if (differs) return true;
    }
  }
  return false;
}

/**
 * The weights Â of the N·K pairs such that mean(ratio · Â) is the paper's surrogate (header, step 5):
 * continuous (no `oldProbs`): Q̂ₙₖ − Q̄ₙ; discrete (`oldProbs` [N][K] = π_old(aₖ|sₙ) of every action):
 * K · π_old(aₖ|sₙ) · (Q̂ₙₖ − Σⱼ π_old(aⱼ|sₙ) Q̂ₙⱼ).
 */
export function vineAdvantages(q: Float64Array, n: number, k: number, oldProbs?: Float64Array): Float64Array {
  const a = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    let baseline = 0;
    for (let b = i * k; b < (i + 1) * k; b++) baseline += oldProbs ? oldProbs[b] * q[b] : q[b] / k;
    for (let b = i * k; b < (i + 1) * k; b++) a[b] = oldProbs ? k * oldProbs[b] * (q[b] - baseline) : q[b] - baseline;
  }
  return a;
}

/**
 * The self-normalized surrogate averaged over the rollout set, (1/N) Σₙ [Σₖ rₙₖ Âₙₖ / Σₖ rₙₖ], with
 * rₙₖ = exp(log πθ − log π_old) of the [N][K] pairs.
 */
export function selfNormalizedMean(
  logProb: Float64Array, oldLogProb: Float64Array, advantages: Float64Array, n: number, k: number,
): number {
  let total = 0;
  for (let i = 0; i < n; i++) {
    let weighted = 0;
    let weights = 0;
    for (let b = i * k; b < (i + 1) * k; b++) {
      const r = Math.exp(logProb[b] - oldLogProb[b]);
      weighted += r * advantages[b];
      weights += r;
    }
    total += weighted / weights;
  }
  return total / n;
}

/** The update's surrogate hook: the self-normalized surrogate at the policy's current θ (log π_old taken now). */
function selfNormalizedSurrogate(
  policy: AgentPolicy, obs: Float64Array, actions: Float64Array, advantages: Float64Array, n: number, k: number,
): () => number {
  const oldLogProb = policy.logProb(obs, actions, n * k);
  return () => selfNormalizedMean(policy.logProb(obs, actions, n * k), oldLogProb, advantages, n, k);
}

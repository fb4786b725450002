// Vine sampling (paper §5.2). A trunk of single-path rollouts supplies states; a "rollout set" of them is
// chosen at random; from each chosen state sₙ, K actions are tried — drawn from π_old for continuous actions,
// every action for discrete ones — and each is followed by a branch rollout of length H from the restored
// snapshot, all K branches of one state sharing their random numbers (common random numbers), so that the
// differences between the Q̂(sₙ, aₙ,ₖ) come from the actions and not from the noise.
//
// Q̂(sₙ, aₖ) = Σₕ γʰ rₕ + γᴴ V(s_H) (the bootstrap only where the branch was not terminated). The surrogate at
// the rollout set is the paper's:
//   continuous: Lₙ(θ) = (1/K) Σₖ πθ(aₖ|sₙ)/π_old(aₖ|sₙ) · (Q̂ₖ − Q̄ₙ)
//   discrete:   Lₙ(θ) = Σₖ πθ(aₖ|sₙ) · (Q̂ₖ − Q̄ₙ) = Σₖ [πθ/π_old](aₖ|sₙ) · π_old(aₖ|sₙ)(Q̂ₖ − Q̄ₙ)
// with Q̄ₙ a per-state baseline (the mean of the K estimates; under π_old for discrete). Both are written as
// mean(ratio · Â) over the N·K pairs with the weights folded into Â, so the same kernels serve. The
// self-normalized estimator divides by Σₖ ratioₖ instead of K; its gradient at θ_old equals the plain one with
// the per-state mean baseline, which is what we use (the line search then checks the plain estimator).
// The trunk also trains the value function (GAE returns), which supplies the bootstrap V(s_H).
import type { VecEnv } from '../vec-env/index.js';
import type { PolicyData } from './single-path.js';
import { estimateAdvantages } from './single-path.js';
import type { TrainingState } from './training-state.js';

export async function collectVine(vec: VecEnv, s: TrainingState): Promise<{ data: PolicyData }> {
  const o = s.options;
  const v = o.vine;
  const { numEnvs, obsDim, actDim } = vec;
  const trunkRows = o.nSteps * numEnvs;
  const n = Math.min(v.rolloutStates, trunkRows);
  const snapshotAt = chooseRows(trunkRows, n, s);

  // Trunk: the current policy, snapshotting the env before acting at the chosen rows.
  const parameters = s.policy.getParameters();
  const obsNorm = s.obsNormStats();
  const batch = await vec.collect({ parameters, nSteps: o.nSteps, obsNorm, snapshotAt });
  s.recordEpisodes(batch);
  const trunk = estimateAdvantages(batch, s);

  // Branch actions: discrete → every action; continuous → K draws from π_old(·|sₙ).
  const discrete = vec.actionSpace.type === 'discrete';
  const k = vec.actionSpace.type === 'discrete' ? vec.actionSpace.n : v.branchActions;
  const stateObs = new Float64Array(n * obsDim);
  snapshotAt.forEach((row, i) => stateObs.set(batch.normalizedObservations.subarray(row * obsDim, (row + 1) * obsDim), i * obsDim));
  const firstActions = new Float64Array(n * k * actDim);
  const oldProbs = discrete ? s.policy.actionProbabilities(stateObs, n) : undefined;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < k; j++) {
      const at = (i * k + j) * actDim;
      if (discrete) firstActions[at] = j;
      else s.policy.sampleAction(stateObs.subarray(i * obsDim, (i + 1) * obsDim), firstActions.subarray(at, at + actDim), s.rng);
    }
  }

  // Branch rollouts with common random numbers per state.
  const seeds = Array.from({ length: n }, () => s.rng.nextUint32());
  const branches = await vec.evaluateBranches({
    snapshots: batch.snapshots, branchesPerState: k, firstActions, horizon: v.branchLength, gamma: o.gamma,
    seeds, parameters, obsNorm,
  });
  const endValues = s.value.predict(branches.endObs, n * k);

  // Q̂ and the advantage weights of the N·K pairs.
  const advantages = new Float64Array(n * k);
  const pairObs = new Float64Array(n * k * obsDim);
  for (let i = 0; i < n; i++) {
    let baseline = 0;
    for (let j = 0; j < k; j++) {
      const b = i * k + j;
      const q = branches.returns[b] + branches.endDiscount[b] * endValues[b];
      advantages[b] = q;
      baseline += discrete ? oldProbs![b] * q : q / k;
      pairObs.set(stateObs.subarray(i * obsDim, (i + 1) * obsDim), b * obsDim);
    }
    for (let j = 0; j < k; j++) {
      const b = i * k + j;
      advantages[b] = discrete ? k * oldProbs![b] * (advantages[b] - baseline) : advantages[b] - baseline;
    }
  }
  const scale = advantageScale(advantages);
  for (let b = 0; b < advantages.length; b++) advantages[b] /= scale;
  s.updateObsStats(batch.observations);

  return {
    data: {
      rows: n * k, obs: pairObs, actions: firstActions, advantages,
      valueRows: trunk.valueRows, valueObs: trunk.valueObs, valueTargets: trunk.valueTargets,
      explainedVariance: trunk.explainedVariance,
      envSteps: trunkRows + branchSteps(branches.endDiscount, n * k, v.branchLength),
    },
  };
}

/** n distinct rows of [0, total), increasing, drawn with the trainer's stream (Floyd's algorithm). */
function chooseRows(total: number, n: number, s: TrainingState): number[] {
  const chosen = new Set<number>();
  for (let j = total - n; j < total; j++) {
    const t = s.rng.integer(j + 1);
    chosen.add(chosen.has(t) ? j : t);
  }
  return [...chosen].sort((a, b) => a - b);
}

/** Standard deviation of the advantage weights (1 when they are all equal), so δ means the same across tasks. */
function advantageScale(a: Float64Array): number {
  let mean = 0;
  for (const x of a) mean += x;
  mean /= a.length;
  let v = 0;
  for (const x of a) v += (x - mean) ** 2;
  const std = Math.sqrt(v / a.length);
  return std > 1e-8 ? std : 1;
}

/** Branch env steps are not reported one by one; count H per branch (an upper bound when branches end early). */
function branchSteps(_endDiscount: Float64Array, branches: number, horizon: number): number {
  return branches * horizon;
}

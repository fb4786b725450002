// One TRPO update, in the order of the paper (Schulman et al. 2015, §6 and appendix C), given a batch of
// states, actions and advantages:
//   1. g = ∇θ L(θ) at θ_old, L the importance-sampled surrogate mean(π_θ(a|s)/π_old(a|s) · Â)
//   2. s ≈ F⁻¹g by conjugate gradient on Fisher-vector products (F is never formed)
//   3. β = √(2δ / sᵀFs): the step along s whose quadratic model of the KL equals δ
//   4. backtracking line search: θ = θ_old + β·shrinkᵏ·s, accept the first k whose true KL ≤ δ and whose
//      surrogate improved; if none, θ_old is restored bit for bit
//   5. fit the value function to the empirical returns.
// The paper's comparison variants are switches: the empirical Fisher (covariance of per-sample score
// gradients), the max-KL constraint over sampled states, and the natural-gradient step rule (a fixed step
// along F⁻¹g, no line search).
import { cg } from '../cg.js';
import type { Rng } from '../rng.js';
import type { TrpoOptions } from './config.js';

/** The trainer-facing view of a policy on one batch of states (implemented by the policy classes). */
export interface PolicyBatchOps {
  forwardOld(): void;
  surrogateGradient(advantages: Float64Array): { surrogate: number; grad: Float64Array };
  fisherVectorProduct(v: Float64Array, out: Float64Array, opts: { damping: number; subsample?: number }): void;
  empiricalFisherVectorProduct(v: Float64Array, out: Float64Array, opts: { damping: number }): void;
  conjugateGradient(
    b: Float64Array,
    opts: { maxSteps: number; residualTol: number; damping: number; subsample?: number },
  ): { x: Float64Array; iterations: number; residual: number };
  evaluate(advantages: Float64Array): { surrogate: number; meanKl: number; maxKl: number; entropy: number };
}

export interface ParameterOwner {
  getParameters(): Float64Array;
  setParameters(p: ArrayLike<number>): void;
}

export interface ValueFitter {
  fit(obs: Float64Array, targets: Float64Array, n: number, o: { epochs: number; batchSize: number; learningRate: number; rng: Rng }): number;
}

export interface UpdateResult {
  /** True when θ changed (line search success, or the natural-gradient rule). */
  accepted: boolean;
  /** Why θ was kept ('' when accepted). */
  skipReason: string;
  klDivergence: number;
  /** Surrogate improvement L(θ_new) − L(θ_old) (0 when θ was kept). */
  policyObjective: number;
  lineSearchSteps: number;
  cgIterations: number;
  cgResidual: number;
  /** β·shrinkᵏ of the accepted step (0 when θ was kept). */
  stepSize: number;
  entropy: number;
  valueLoss: number;
}

export type UpdateSettings = Pick<
  TrpoOptions,
  | 'targetKl' | 'cgMaxSteps' | 'cgDamping' | 'cgResidualTol' | 'fvpSubsample' | 'lineSearchShrinkingFactor'
  | 'lineSearchMaxIter' | 'fisher' | 'klConstraint' | 'stepRule' | 'naturalGradientStepSize'
  | 'nCriticUpdates' | 'batchSize' | 'learningRate'
>;

export interface UpdateInputs {
  policy: ParameterOwner;
  /** Loaded with the batch's (normalized) observations and actions. */
  batch: PolicyBatchOps;
  advantages: Float64Array;
  value: ValueFitter;
  valueObs: Float64Array;
  valueTargets: Float64Array;
  valueRows: number;
  rng: Rng;
  /**
   * Called once θ is final, before the value fit: the trainer starts the next rollout here, so the workers
   * simulate while this thread fits V (the rollout needs only θ; the next GAE waits for the fitted V).
   */
  onPolicyFinal?: () => void;
  /**
   * L(θ) at the policy's current θ when it is not the batch's mean(ratio·Â) (vine's self-normalized
   * estimator); its gradient at θ_old must be the batch's. The line search judges improvement by it.
   */
  surrogate?: () => number;
}

export function trpoUpdate(x: UpdateInputs, o: UpdateSettings): UpdateResult {
  const policyStep = updatePolicy(x, o);
  x.onPolicyFinal?.();
  // 5. Value function: nCriticUpdates epochs of Adam minibatches on (observation, return). Non-finite
  // returns (a diverged reward) would poison it: skip the fit and say so.
  if (!allFinite(x.valueTargets.subarray(0, x.valueRows))) {
    return { ...policyStep, valueLoss: NaN, skipReason: [policyStep.skipReason, 'value fit skipped: non-finite returns'].filter(Boolean).join('; ') };
  }
  const valueLoss = x.value.fit(x.valueObs, x.valueTargets, x.valueRows, {
    epochs: o.nCriticUpdates, batchSize: o.batchSize, learningRate: o.learningRate, rng: x.rng,
  });
  return { ...policyStep, valueLoss };
}

function updatePolicy({ policy, batch, advantages, surrogate }: UpdateInputs, o: UpdateSettings): Omit<UpdateResult, 'valueLoss'> {
  const keep = (skipReason: string, cgIterations = 0, cgResidual = NaN, lineSearchSteps = 0) => ({
    accepted: false, skipReason, klDivergence: 0, policyObjective: 0, lineSearchSteps, cgIterations, cgResidual,
    stepSize: 0, entropy: NaN,
  });
  if (!allFinite(advantages)) return keep('non-finite advantages');

  // 1. Surrogate gradient at θ_old (forwardOld also caches what the Fisher products reuse).
  batch.forwardOld();
  const gradient = batch.surrogateGradient(advantages);
  const { grad } = gradient;
  const surrogateOld = surrogate ? surrogate() : gradient.surrogate;
  if (!Number.isFinite(surrogateOld) || !allFinite(grad)) return keep('non-finite surrogate gradient');
  if (grad.every((g) => g === 0)) return keep('zero surrogate gradient: every advantage is 0, nothing to learn');

  // 2. Search direction s ≈ F⁻¹g.
  const subsample = o.fvpSubsample < 1 ? o.fvpSubsample : undefined;
  const fisherTimes = (v: Float64Array, out: Float64Array): void =>
    o.fisher === 'empirical'
      ? batch.empiricalFisherVectorProduct(v, out, { damping: o.cgDamping })
      : batch.fisherVectorProduct(v, out, { damping: o.cgDamping, subsample });
  const cgSettings = { maxSteps: o.cgMaxSteps, residualTol: o.cgResidualTol };
  const { x: s, iterations: cgIterations, residual: cgResidual } =
    o.fisher === 'empirical'
      ? cg(fisherTimes, grad, cgSettings)
      : batch.conjugateGradient(grad, { ...cgSettings, damping: o.cgDamping, subsample });
  if (!allFinite(s)) return keep('non-finite CG solution', cgIterations, cgResidual);

  // 3. Step size from the quadratic model of the KL: ½(βs)ᵀF(βs) = δ.
  const fs = new Float64Array(s.length);
  fisherTimes(s, fs);
  const sFs = dot(s, fs);
  if (!(sFs > 0 && Number.isFinite(sFs))) return keep(`sᵀFs = ${sFs} is not positive and finite`, cgIterations, cgResidual);
  const fullStep = o.stepRule === 'natural-gradient' ? o.naturalGradientStepSize : Math.sqrt((2 * o.targetKl) / sFs);

  const thetaOld = policy.getParameters();
  const theta = new Float64Array(thetaOld.length);
  const tryStep = (size: number) => {
    for (let i = 0; i < theta.length; i++) theta[i] = thetaOld[i] + size * s[i];
    policy.setParameters(theta);
    const evaluated = batch.evaluate(advantages);
    const after = surrogate ? { ...evaluated, surrogate: surrogate() } : evaluated;
    return { ...after, kl: o.klConstraint === 'max' ? after.maxKl : after.meanKl, improvement: after.surrogate - surrogateOld };
  };

  // The paper's natural-gradient baseline: one fixed step, no constraint check.
  if (o.stepRule === 'natural-gradient') {
    const after = tryStep(fullStep);
    if (!allFinite(theta) || !Number.isFinite(after.surrogate)) {
      policy.setParameters(thetaOld);
      return keep('natural-gradient step gave non-finite values', cgIterations, cgResidual, 1);
    }
    return {
      accepted: true, skipReason: '', klDivergence: after.kl, policyObjective: after.improvement, lineSearchSteps: 1,
      cgIterations, cgResidual, stepSize: fullStep, entropy: after.entropy,
    };
  }

  // 4. Backtracking line search on the true KL and the surrogate.
  let size = fullStep;
  for (let k = 1; k <= o.lineSearchMaxIter; k++, size *= o.lineSearchShrinkingFactor) {
    const after = tryStep(size);
    if (after.kl <= o.targetKl && after.improvement > 0) {
      return {
        accepted: true, skipReason: '', klDivergence: after.kl, policyObjective: after.improvement, lineSearchSteps: k,
        cgIterations, cgResidual, stepSize: size, entropy: after.entropy,
      };
    }
  }
  policy.setParameters(thetaOld);
  return keep(
    `line search found no step with KL ≤ ${o.targetKl} that improves the surrogate`,
    cgIterations, cgResidual, o.lineSearchMaxIter,
  );
}

export function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function allFinite(a: ArrayLike<number>): boolean {
  for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  return true;
}

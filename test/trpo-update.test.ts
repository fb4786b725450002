// The TRPO step's guarantees, on a real policy and real kernels: an accepted step keeps the measured KL within
// δ, a failed line search restores θ bit for bit, and non-finite advantages or returns never reach θ or φ.
import { expect } from 'chai';
import { GaussianMlpPolicy, MlpValueFunction } from '../sdk/policies/index.js';
import { Rng } from '../sdk/rng.js';
import { resolveTrpoOptions } from '../sdk/trpo/config.js';
import { trpoUpdate, type PolicyBatchOps, type UpdateInputs } from '../sdk/trpo/update.js';

const obsDim = 5;
const actionDim = 2;
const n = 512;

function problem(seed: number) {
  const rng = new Rng(seed);
  const policy = new GaussianMlpPolicy({ obsDim, actionDim, hiddenSizes: [16, 16], seed });
  const value = new MlpValueFunction({ obsDim, hiddenSizes: [16], seed });
  const obs = Float64Array.from({ length: n * obsDim }, () => rng.normal());
  const { action } = policy.act(obs, { rng });
  const actions = Float64Array.from(action);
  // Advantages that reward the first action component: a direction the policy can follow.
  const advantages = Float64Array.from({ length: n }, (_, i) => actions[i * actionDim]);
  const batch = policy.createBatch(n);
  batch.load(obs, actions, n);
  const inputs: UpdateInputs = {
    policy, batch: batch as unknown as PolicyBatchOps, advantages, valueObs: obs,
    value: { fit: (x, targets, rows, o) => value.fit(x.subarray(0, rows * obsDim), targets.subarray(0, rows), o).loss },
    valueTargets: Float64Array.from({ length: n }, () => rng.normal()), valueRows: n, rng,
  };
  return { policy, value, obs, inputs };
}

const sameBits = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('trpoUpdate', () => {
  for (const variant of [
    { klConstraint: 'mean', fisher: 'analytic' },
    { klConstraint: 'max', fisher: 'analytic' },
    { klConstraint: 'mean', fisher: 'empirical' },
  ] as const) {
    it(`accepts a step whose measured KL is within δ (${variant.klConstraint} KL, ${variant.fisher} Fisher)`, () => {
      const { policy, obs, inputs } = problem(1);
      const o = resolveTrpoOptions({ env: 'Hopper-v5', targetKl: 0.01, ...variant });
      const old = policy.forward(obs);
      const before = policy.getParameters();
      const result = trpoUpdate(inputs, o);
      expect(result.accepted, result.skipReason).to.equal(true);
      expect(result.policyObjective).to.be.greaterThan(0);
      expect(sameBits(before, policy.getParameters())).to.equal(false);
      // Independent measure of the KL: the policy class's own kl() against the old distribution.
      const meanKl = policy.kl(obs, old);
      expect(meanKl).to.be.greaterThan(0);
      if (variant.klConstraint === 'mean') expect(meanKl).to.be.at.most(o.targetKl * (1 + 1e-9));
      expect(result.klDivergence).to.be.at.most(o.targetKl);
    });
  }

  it('restores θ bit for bit when the line search fails', () => {
    const { policy, inputs } = problem(2);
    const before = policy.getParameters();
    // The step is sized so that the mean KL ≈ δ; the largest per-state KL is well above it, and three
    // 5 % shrinks cannot bring it under δ: every candidate is rejected.
    const o = resolveTrpoOptions({ env: 'Hopper-v5', klConstraint: 'max', lineSearchShrinkingFactor: 0.95, lineSearchMaxIter: 3 });
    const result = trpoUpdate(inputs, o);
    expect(result.accepted).to.equal(false);
    expect(result.skipReason).to.match(/line search/);
    expect(result.lineSearchSteps).to.equal(3);
    expect(sameBits(before, policy.getParameters())).to.equal(true);
  });

  it('keeps θ when an advantage is NaN, and φ when a return is not finite', () => {
    const { policy, value, inputs } = problem(3);
    const theta = policy.getParameters();
    const phi = value.getParameters();
    inputs.advantages[17] = NaN;
    inputs.valueTargets[5] = Infinity;
    const result = trpoUpdate(inputs, resolveTrpoOptions({ env: 'Hopper-v5' }));
    expect(result.accepted).to.equal(false);
    expect(result.skipReason).to.match(/non-finite advantages/).and.match(/value fit skipped/);
    expect(sameBits(theta, policy.getParameters())).to.equal(true);
    expect(sameBits(phi, value.getParameters())).to.equal(true);
  });

  it('takes one fixed step under the natural-gradient rule', () => {
    const { policy, inputs } = problem(4);
    const before = policy.getParameters();
    const o = resolveTrpoOptions({ env: 'Hopper-v5', stepRule: 'natural-gradient', naturalGradientStepSize: 0.05 });
    const result = trpoUpdate(inputs, o);
    expect(result.accepted).to.equal(true);
    expect(result.lineSearchSteps).to.equal(1);
    expect(result.stepSize).to.equal(0.05);
    expect(sameBits(before, policy.getParameters())).to.equal(false);
  });
});

// The trainer-facing batch: surrogate gradient, evaluate, cache rules and input validation.
import { expect } from 'chai';
import { dot, makePolicy, normals, randomActions, randomTheta, relativeError, seeded } from './kernels-fixtures.js';

describe('PolicyBatch', () => {
  for (const kind of ['gaussian', 'categorical'] as const) {
    describe(kind, () => {
      const rng = seeded(kind === 'gaussian' ? 41 : 42);
      const n = 257;
      const policy = makePolicy(kind, [9, 24, 24, 5], 'tanh', 'f64', 2);
      policy.setParameters(randomTheta(policy, rng));
      const theta = policy.getParameters();
      const obs = normals(rng, n * 9);
      const actions = randomActions(kind, rng, n, 5);
      const advantages = normals(rng, n);
      const batch = policy.createBatch(300);
      batch.load(obs, actions, n);
      after(() => {
        batch.dispose();
        policy.dispose();
      });
      const surrogateAt = (t: Float64Array): number => {
        policy.setParameters(t);
        return batch.evaluate(advantages).surrogate;
      };

      it('surrogateGradient: L(θ_old) = mean(A) and ∇L matches central differences of evaluate().surrogate', () => {
        batch.forwardOld();
        const { surrogate, grad } = batch.surrogateGradient(advantages);
        expect(surrogate).to.be.closeTo(advantages.reduce((s, a) => s + a, 0) / n, 1e-12);
        const v = normals(rng, policy.numParameters);
        const h = 1e-6;
        const fd = (surrogateAt(theta.map((t, i) => t + h * v[i])) - surrogateAt(theta.map((t, i) => t - h * v[i]))) / (2 * h);
        policy.setParameters(theta);
        expect(dot(grad, v)).to.be.closeTo(fd, 1e-6 * Math.max(1, Math.abs(fd)));
      });

      it('evaluate: at θ_old the ratio is 1 and the KL 0; after a step it matches the policy methods', () => {
        batch.forwardOld();
        const atOld = batch.evaluate(advantages);
        expect(atOld.surrogate).to.be.closeTo(advantages.reduce((s, a) => s + a, 0) / n, 1e-12);
        expect(atOld.meanKl).to.be.closeTo(0, 1e-14);
        expect(atOld.maxKl).to.be.closeTo(0, 1e-14);
        const old = policy.forward(obs);
        const oldLogProb = policy.logProb(obs, actions);
        policy.setParameters(theta.map((t) => t + 0.02 * rng.normal()));
        const after = batch.evaluate(advantages);
        const newLogProb = policy.logProb(obs, actions);
        let surrogate = 0;
        for (let i = 0; i < n; i++) surrogate += Math.exp(newLogProb[i] - oldLogProb[i]) * advantages[i];
        expect(after.surrogate).to.be.closeTo(surrogate / n, 1e-12);
        expect(after.meanKl).to.be.closeTo(policy.kl(obs, old as never), 1e-12);
        expect(after.maxKl).to.be.above(after.meanKl);
        const entropy = 'actionDim' in policy ? policy.entropy() : policy.entropy(obs);
        expect(after.entropy).to.be.closeTo(entropy, 1e-12);
        policy.setParameters(theta);
      });

      it('refuses stale or missing caches, naming the fix', () => {
        const fresh = policy.createBatch(10);
        expect(() => fresh.forwardOld()).to.throw(/call load\(obs, actions, n\) first/);
        fresh.load(obs, actions, 10);
        expect(() => fresh.surrogateGradient(advantages)).to.throw(/cached old policy is missing; call forwardOld\(\)/);
        expect(() => fresh.evaluate(advantages)).to.throw(/call forwardOld\(\) first/);
        fresh.forwardOld();
        policy.setParameters(theta);
        const out = new Float64Array(policy.numParameters);
        expect(() => fresh.fisherVectorProduct(out, out)).to.throw(/stale \(parameters changed since\)/);
        expect(() => fresh.conjugateGradient(out)).to.throw(/stale/);
        fresh.dispose();
      });

      it('validates load and vector inputs', () => {
        expect(() => batch.load(obs, actions, 301)).to.throw(/n must be an integer in \[1, 300\] \(the capacity\), got 301/);
        expect(() => batch.load(obs.subarray(0, 10), actions, 2)).to.throw(/obs has 10 numbers, need n·obsDim = 2·9 = 18/);
        if (kind === 'categorical') expect(() => batch.load(obs, [0, 7], 2)).to.throw(/actions\[1\] = 7 is not an action index in \[0, 5\)/);
        batch.load(obs, actions, n);
        batch.forwardOld();
        expect(() => batch.fisherVectorProduct(new Float64Array(3), new Float64Array(policy.numParameters))).to.throw(/vector has length 3, expected/);
        expect(() => batch.fisherVectorProduct(theta, new Float64Array(policy.numParameters), { subsample: 1.5 })).to.throw(/fraction must be in \(0, 1\], got 1.5/);
        expect(() => batch.fisherVectorProduct(theta, new Float64Array(policy.numParameters), { subsample: { indices: [n] } })).to.throw(/indices\[0\] = 257 is not a state index/);
      });

      it('gives the same results after reloading a different n (buffers reused)', () => {
        batch.load(obs, actions, 100);
        batch.forwardOld();
        const small = batch.surrogateGradient(advantages).grad;
        const other = policy.createBatch(100);
        other.load(obs, actions, 100);
        other.forwardOld();
        expect(relativeError(small, other.surrogateGradient(advantages).grad)).to.equal(0);
        other.dispose();
      });
    });
  }
});

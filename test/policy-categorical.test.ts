// CategoricalMlpPolicy: options, parameters, forward/logProb/entropy/kl against the reference, act.
import { expect } from 'chai';
import { CategoricalMlpPolicy } from '../sdk/index.js';
import { Rng } from '../sdk/rng.js';
import { ValidationError } from '../sdk/validation.js';
import * as ref from './kernels-reference.js';
import { normals, relativeError, seeded } from './kernels-fixtures.js';

const options = { obsDim: 4, numActions: 3, hiddenSizes: [16], activation: 'relu' as const, seed: 1 };
const dims = [4, 16, 3];

describe('CategoricalMlpPolicy', () => {
  it('rejects bad options naming the field and value', () => {
    expect(() => new CategoricalMlpPolicy({ ...options, numActions: 1 })).to.throw(ValidationError, /numActions: got 1/);
    expect(() => new CategoricalMlpPolicy({ ...options, seed: -1 })).to.throw(ValidationError, /seed: got -1/);
  });

  it('is deterministic given the seed and round-trips parameters', () => {
    const a = new CategoricalMlpPolicy(options), b = new CategoricalMlpPolicy(options);
    expect(a.getParameters()).to.deep.equal(b.getParameters());
    expect(a.numParameters).to.equal(4 * 16 + 16 + 16 * 3 + 3);
    const theta = Float64Array.from(Float32Array.from(normals(seeded(2), a.numParameters)));
    a.setParameters(theta);
    expect(a.getParameters()).to.deep.equal(theta);
    a.dispose();
    b.dispose();
  });

  for (const precision of ['f64', 'f32'] as const) {
    describe(`forward, logProb, entropy, kl, act (${precision})`, () => {
      const rng = seeded(precision === 'f64' ? 3 : 4);
      const policy = new CategoricalMlpPolicy({ ...options, precision });
      policy.setParameters(normals(rng, policy.numParameters, 0.7));
      const theta = policy.getParameters();
      const n = 25;
      const obs = normals(rng, n * 4);
      const obsSeen = precision === 'f32' ? Float64Array.from(Float32Array.from(obs)) : obs;
      const tolerance = precision === 'f64' ? 1e-12 : 1e-5;
      const logits = ref.forward({ dims, activation: 'relu' }, theta, obsSeen, n)[2];
      const logp = ref.logSoftmax(logits, n, 3);
      after(() => policy.dispose());

      it('forward gives the reference logits and their softmax', () => {
        const dist = policy.forward(obs);
        expect(relativeError(dist.logits, logits)).to.be.below(tolerance);
        expect(relativeError(dist.probs, logp.map(Math.exp))).to.be.below(tolerance);
      });

      it('logProb, entropy and kl match the reference', () => {
        const actions = Array.from({ length: n }, (_, i) => i % 3);
        expect(relativeError(policy.logProb(obs, actions), actions.map((a, i) => logp[i * 3 + a]))).to.be.below(tolerance);
        let entropy = 0;
        for (let i = 0; i < n * 3; i++) entropy -= Math.exp(logp[i]) * logp[i];
        expect(policy.entropy(obs)).to.be.closeTo(entropy / n, tolerance);
        const old = policy.forward(obs);
        expect(policy.kl(obs, old)).to.be.closeTo(0, 1e-7);
        const shifted = { logits: old.logits.map((z, i) => z + (i % 3 === 0 ? 0.5 : 0)) };
        const expected = ref.categoricalKl(shifted.logits, old.logits, n, 3).reduce((s, e) => s + e, 0) / n;
        expect(policy.kl(obs, shifted)).to.be.closeTo(expected, tolerance);
        expect(() => policy.logProb(obs, actions.map(() => 3))).to.throw(/actions\[0\] = 3 is not an action index in \[0, 3\)/);
      });

      it('act: deterministic takes the argmax; sampling matches the probabilities and is seeded', () => {
        const det = policy.act(obs, { deterministic: true });
        for (let i = 0; i < n; i++) {
          const row = Array.from(logits.subarray(i * 3, i * 3 + 3));
          expect(det.action[i]).to.equal(row.indexOf(Math.max(...row)));
          expect(det.logProb[i]).to.be.closeTo(logp[i * 3 + det.action[i]], tolerance);
        }
        const one = obs.subarray(0, 4);
        const rngA = new Rng(5);
        const counts = [0, 0, 0];
        const out = { action: new Float64Array(1), logProb: new Float64Array(1) };
        const samples = 30000;
        for (let s = 0; s < samples; s++) {
          policy.act(one, { rng: rngA, out });
          counts[out.action[0]]++;
          expect(out.logProb[0]).to.be.closeTo(logp[out.action[0]], tolerance);
        }
        for (let k = 0; k < 3; k++) expect(counts[k] / samples).to.be.closeTo(Math.exp(logp[k]), 0.015);
        const x = policy.act(obs, { rng: new Rng(6) }), y = policy.act(obs, { rng: new Rng(6) });
        expect(Array.from(x.action)).to.deep.equal(Array.from(y.action));
      });
    });
  }
});

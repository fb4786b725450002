// GaussianMlpPolicy: options, initialization, parameters, forward/logProb/kl/entropy against the reference, act.
import { expect } from 'chai';
import { GaussianMlpPolicy } from '../sdk/index.js';
import { Rng } from '../sdk/rng.js';
import { ValidationError } from '../sdk/validation.js';
import * as ref from './kernels-reference.js';
import { normals, relativeError, seeded } from './kernels-fixtures.js';

const dims = [11, 32, 32, 3];
const options = { obsDim: 11, actionDim: 3, hiddenSizes: [32, 32], seed: 5 };

describe('GaussianMlpPolicy', () => {
  it('rejects bad options naming the field, the value and what is allowed', () => {
    const bad: [unknown, RegExp][] = [
      [{ ...options, obsDim: 0 }, /obsDim: got 0/],
      [{ ...options, actionDim: 1.5 }, /actionDim: got 1.5/],
      [{ ...options, hiddenSizes: [64, -1] }, /hiddenSizes\.1: got -1/],
      [{ ...options, activation: 'sigmoid' }, /activation: got "sigmoid"/],
      [{ ...options, precision: 'f16' }, /precision: got "f16"/],
      [{ ...options, hiddenSize: [64] }, /hiddenSize: unknown option \(allowed: .*hiddenSizes/],
    ];
    for (const [o, message] of bad) {
      expect(() => new GaussianMlpPolicy(o as never)).to.throw(ValidationError, message);
    }
  });

  it('initializes deterministically: orthogonal weights (gain √2 hidden, 0.01 output), zero biases, log-std', () => {
    const a = new GaussianMlpPolicy({ ...options, logStdInit: -0.5 });
    const b = new GaussianMlpPolicy({ ...options, logStdInit: -0.5 });
    const c = new GaussianMlpPolicy({ ...options, seed: 6 });
    const theta = a.getParameters();
    expect(theta).to.deep.equal(b.getParameters());
    expect(theta).to.not.deep.equal(c.getParameters());
    const gains = [Math.SQRT2, Math.SQRT2, 0.01];
    a.net.layers.forEach(({ inDim, outDim, weightOffset }, l) => {
      // W is outDim × inDim; the shorter side's vectors are orthogonal with norm = gain.
      const rowsOrthonormal = outDim <= inDim;
      const count = Math.min(inDim, outDim), length = Math.max(inDim, outDim);
      const at = (v: number, i: number) => theta[weightOffset + (rowsOrthonormal ? v * inDim + i : i * inDim + v)];
      for (let u = 0; u < count; u++) {
        for (let v = 0; v < count; v++) {
          let s = 0;
          for (let i = 0; i < length; i++) s += at(u, i) * at(v, i);
          expect(s).to.be.closeTo(u === v ? gains[l] ** 2 : 0, 1e-6);
        }
      }
      for (let o = 0; o < outDim; o++) expect(theta[weightOffset + outDim * inDim + o]).to.equal(0);
    });
    expect(Array.from(a.logStd)).to.deep.equal([-0.5, -0.5, -0.5]);
    for (const p of [a, b, c]) p.dispose();
  });

  it('round-trips parameters exactly (f64) and rejects wrong length or non-finite values', () => {
    const policy = new GaussianMlpPolicy({ ...options, precision: 'f64' });
    const theta = normals(seeded(1), policy.numParameters);
    policy.setParameters(theta);
    expect(policy.getParameters()).to.deep.equal(theta);
    // 11·32 + 32 + 32·32 + 32 + 32·3 + 3 weights and biases, + 3 log-std
    expect(policy.numParameters).to.equal(1542);
    expect(() => policy.setParameters(theta.subarray(1))).to.throw(/expected 1542 parameters, got 1541/);
    theta[7] = Number.NaN;
    expect(() => policy.setParameters(theta)).to.throw(/parameter 7 is NaN/);
    policy.dispose();
  });

  for (const precision of ['f64', 'f32'] as const) {
    describe(`forward, logProb, kl, entropy (${precision})`, () => {
      const rng = seeded(precision === 'f64' ? 2 : 3);
      const policy = new GaussianMlpPolicy({ ...options, precision });
      policy.setParameters(normals(rng, policy.numParameters, 0.3));
      const theta = policy.getParameters();
      const n = 20;
      const obs = normals(rng, n * 11);
      const obsSeen = precision === 'f32' ? Float64Array.from(Float32Array.from(obs)) : obs;
      const tolerance = precision === 'f64' ? 1e-12 : 1e-5;
      const refNet = { dims, activation: 'tanh' as const };
      const P = ref.paramCount(refNet);
      after(() => policy.dispose());

      it('forward gives the reference means and the log-std', () => {
        const { mean, logStd } = policy.forward(obs);
        expect(relativeError(mean, ref.forward(refNet, theta, obsSeen, n)[3])).to.be.below(tolerance);
        expect(Array.from(logStd)).to.deep.equal(Array.from(theta.subarray(P)));
      });

      it('logProb matches the reference density; entropy the closed form', () => {
        const actions = normals(rng, n * 3);
        const means = ref.forward(refNet, theta, obsSeen, n)[3];
        const actionsSeen = precision === 'f32' ? Float64Array.from(Float32Array.from(actions)) : actions;
        expect(relativeError(policy.logProb(obs, actions), ref.gaussianLogProb(means, theta.subarray(P), actionsSeen, n, 3))).to.be.below(tolerance);
        const logStdSum = theta[P] + theta[P + 1] + theta[P + 2];
        expect(policy.entropy()).to.be.closeTo(logStdSum + 1.5 * (1 + Math.log(2 * Math.PI)), 1e-6);
      });

      it('kl is 0 against itself and matches the reference after a parameter change', () => {
        const old = policy.forward(obs);
        expect(policy.kl(obs, old)).to.be.closeTo(0, 1e-12);
        const moved = theta.map((t) => t + 0.05 * rng.normal());
        policy.setParameters(moved);
        const movedSeen = policy.getParameters();
        const expected = ref.gaussianKl(old.mean, old.logStd, ref.forward(refNet, movedSeen, obsSeen, n)[3], movedSeen.subarray(P), n, 3);
        expect(policy.kl(obs, old)).to.be.closeTo(expected.reduce((s, e) => s + e, 0) / n, tolerance);
        policy.setParameters(theta);
      });

      it('act: deterministic gives the mean; sampling is seeded and its logProb agrees with logProb()', () => {
        const { mean } = policy.forward(obs);
        const det = policy.act(obs, { deterministic: true });
        expect(Array.from(det.action)).to.deep.equal(Array.from(mean));
        expect(relativeError(det.logProb, policy.logProb(obs, det.action))).to.be.below(tolerance);
        const a = policy.act(obs, { rng: new Rng(9) }), b = policy.act(obs, { rng: new Rng(9) });
        expect(Array.from(a.action)).to.deep.equal(Array.from(b.action));
        expect(Array.from(a.action)).to.not.deep.equal(Array.from(mean));
        expect(relativeError(a.logProb, policy.logProb(obs, a.action))).to.be.below(precision === 'f64' ? 1e-12 : 1e-4);
      });
    });
  }

  it('act samples N(μ, σ²) and writes into caller arrays for one observation', () => {
    const policy = new GaussianMlpPolicy({ ...options, logStdInit: Math.log(0.5) });
    const obs = normals(seeded(4), 11);
    const mean = policy.forward(obs).mean;
    const rng = new Rng(10);
    const out = { action: new Float64Array(3), logProb: new Float64Array(1) };
    const samples = 20000;
    const sum = [0, 0, 0], squares = [0, 0, 0];
    for (let s = 0; s < samples; s++) {
      expect(policy.act(obs, { rng, out })).to.equal(out);
      for (let j = 0; j < 3; j++) {
        sum[j] += out.action[j];
        squares[j] += (out.action[j] - mean[j]) ** 2;
      }
    }
    for (let j = 0; j < 3; j++) {
      expect(sum[j] / samples).to.be.closeTo(mean[j], 0.02); // standard error 0.5/√20000 ≈ 0.0035
      expect(Math.sqrt(squares[j] / samples)).to.be.closeTo(0.5, 0.01);
    }
    expect(() => policy.act(obs)).to.throw(/pass \{ rng \}/);
    expect(() => policy.act(obs.subarray(1), { deterministic: true })).to.throw(/not a positive multiple of obsDim = 11/);
    policy.dispose();
  });

  it('returns its memory to the arena on dispose', () => {
    const before = new GaussianMlpPolicy(options);
    before.dispose();
    const policy = new GaussianMlpPolicy(options);
    const { arena } = policy.net.kernels;
    const inUse = arena.bytesInUse;
    policy.forward(normals(seeded(1), 11 * 500));
    policy.fisherVectorProduct(normals(seeded(2), 11 * 50), normals(seeded(3), policy.numParameters));
    const batch = policy.createBatch(100);
    expect(arena.bytesInUse).to.be.above(inUse);
    batch.dispose();
    policy.dispose();
    expect(arena.bytesInUse).to.be.below(inUse);
  });
});

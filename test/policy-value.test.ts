// MlpValueFunction: forward against the reference, one Adam step against a reference step, fitting, state.
import { expect } from 'chai';
import { MlpValueFunction } from '../sdk/index.js';
import { Rng } from '../sdk/rng.js';
import { ValidationError } from '../sdk/validation.js';
import * as ref from './kernels-reference.js';
import { normals, relativeError, seeded } from './kernels-fixtures.js';

const dims = [6, 20, 20, 1];
const options = { obsDim: 6, hiddenSizes: [20, 20], seed: 3, precision: 'f64' as const };
const net = { dims, activation: 'tanh' as const };

describe('MlpValueFunction', () => {
  const rng = seeded(12);
  const n = 300;
  const obs = normals(rng, n * 6);
  // A smooth target the network can learn: a fixed nonlinear function of the observation.
  const returns = Float64Array.from({ length: n }, (_, i) => Math.sin(obs[i * 6]) + 0.5 * obs[i * 6 + 1] * obs[i * 6 + 2]);

  it('forward matches the reference and writes into `out`', () => {
    const vf = new MlpValueFunction(options);
    const expected = ref.forward(net, vf.getParameters(), obs, n)[3];
    expect(relativeError(vf.forward(obs), expected)).to.be.below(1e-12);
    const out = new Float64Array(n + 5);
    expect(vf.forward(obs, out)).to.equal(out);
    vf.dispose();
  });

  it('one full-batch epoch is one Adam step on the mean squared error', () => {
    const vf = new MlpValueFunction(options);
    const theta = vf.getParameters();
    const acts = ref.forward(net, theta, obs, n);
    const cot = acts[3].map((v, i) => (2 * (v - returns[i])) / n);
    const grad = ref.vjp(net, theta, acts, n, cot);
    const expected = theta.slice();
    ref.adam(expected, grad, new Float64Array(theta.length), new Float64Array(theta.length), 0, 1e-3, 0.9, 0.999, 1e-8);
    const { loss } = vf.fit(obs, returns, { epochs: 1, batchSize: n, learningRate: 1e-3, rng: new Rng(1) });
    expect(loss).to.be.closeTo(acts[3].reduce((s, v, i) => s + (v - returns[i]) ** 2, 0) / n, 1e-12);
    // Rows are gathered in shuffled order, so sums round differently: 1e-10, not bit equality.
    expect(relativeError(vf.getParameters(), expected)).to.be.below(1e-10);
    expect(vf.getOptimizerState().step).to.equal(1);
    vf.dispose();
  });

  for (const precision of ['f64', 'f32'] as const) {
    it(`fits a smooth target (${precision}) and is deterministic given the seeds`, () => {
      const fitOnce = () => {
        const vf = new MlpValueFunction({ ...options, precision });
        const before = vf.fit(obs, returns, { epochs: 1, batchSize: 64, learningRate: 3e-3, rng: new Rng(2) }).loss;
        let after = before;
        for (let round = 0; round < 30; round++) after = vf.fit(obs, returns, { epochs: 5, batchSize: 64, learningRate: 3e-3, rng: new Rng(3 + round) }).loss;
        const theta = vf.getParameters();
        vf.dispose();
        return { before, after, theta };
      };
      const a = fitOnce(), b = fitOnce();
      expect(a.after).to.be.below(0.1 * a.before);
      expect(a.theta).to.deep.equal(b.theta);
    });
  }

  it('saves and restores the optimizer state', () => {
    const vf = new MlpValueFunction(options);
    vf.fit(obs, returns, { epochs: 2, batchSize: 100, learningRate: 1e-3, rng: new Rng(4) });
    const state = vf.getOptimizerState();
    const theta = vf.getParameters();
    const copy = new MlpValueFunction(options);
    copy.setParameters(theta);
    copy.setOptimizerState(state);
    vf.fit(obs, returns, { epochs: 1, batchSize: 100, learningRate: 1e-3, rng: new Rng(5) });
    copy.fit(obs, returns, { epochs: 1, batchSize: 100, learningRate: 1e-3, rng: new Rng(5) });
    expect(copy.getParameters()).to.deep.equal(vf.getParameters());
    expect(() => copy.setOptimizerState({ ...state, m: new Float64Array(2) })).to.throw(/m and v need \d+ entries, got 2 and/);
    vf.dispose();
    copy.dispose();
  });

  it('rejects bad inputs naming the field', () => {
    const vf = new MlpValueFunction(options);
    const fit = { epochs: 1, batchSize: 10, learningRate: 1e-3, rng: new Rng(1) };
    expect(() => vf.fit(obs, returns.subarray(1), fit)).to.throw(/returns has 299 entries, obs has 300 rows/);
    expect(() => vf.fit(obs, returns.map((r, i) => (i === 4 ? Infinity : r)), fit)).to.throw(/returns\[4\] is Infinity/);
    expect(() => vf.fit(obs, returns, { ...fit, batchSize: 0 })).to.throw(ValidationError, /batchSize: got 0/);
    expect(() => vf.fit(obs, returns, { ...fit, rng: 42 as never })).to.throw(ValidationError, /rng: got 42/);
    expect(() => new MlpValueFunction({ ...options, beta1: 1 })).to.throw(ValidationError, /beta1: got 1/);
    vf.dispose();
  });
});

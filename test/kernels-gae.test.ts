// GAE against episodes computed by hand (γ = 0.9, λ = 0.8, so γλ = 0.72), time-major index t·numEnvs + e.
import { expect } from 'chai';
import { computeGae } from '../sdk/index.js';

const nSteps = 4, numEnvs = 2;
// env 0: terminated at t = 1, truncated at t = 3 with V(final obs) = 10. env 1: no episode end, V(next) = 3.
const base = {
  nSteps, numEnvs, gamma: 0.9, lambda: 0.8,
  rewards: [1, 0, 2, 0, 3, 0, 4, 1],
  values: [0.5, 1, 1, 1, 1.5, 1, 2, 1],
  terminated: [0, 0, 1, 0, 0, 0, 0, 0],
  truncated: [0, 0, 0, 0, 0, 0, 1, 0],
  truncationValues: [0, 0, 0, 0, 0, 0, 10, 0],
  lastValues: [-100, 3], // env 0's last step is truncated: its lastValue must be ignored
};

describe('kernels: GAE', () => {
  it('matches hand-computed advantages with a termination, a truncation and a rollout cut', () => {
    // env 0 (backwards): t3 truncated: δ = 4 + 0.9·10 − 2 = 11, A = 11
    //   t2: δ = 3 + 0.9·2 − 1.5 = 3.3, A = 3.3 + 0.72·11 = 11.22;  t1 terminated: δ = 2 − 1 = 1, A = 1
    //   t0: δ = 1 + 0.9·1 − 0.5 = 1.4, A = 1.4 + 0.72·1 = 2.12
    // env 1: t3: δ = 1 + 0.9·3 − 1 = 2.7; t2..t0: δ = −0.1 and A = −0.1 + 0.72·A_{t+1}
    const env1 = [0, 0, 0, 2.7];
    for (let t = 2; t >= 0; t--) env1[t] = -0.1 + 0.72 * env1[t + 1];
    const expected = [2.12, env1[0], 1, env1[1], 11.22, env1[2], 11, env1[3]];
    const { advantages, returns } = computeGae(base);
    expected.forEach((a, i) => {
      expect(advantages[i]).to.be.closeTo(a, 1e-12);
      expect(returns[i]).to.be.closeTo(a + base.values[i], 1e-12);
    });
  });

  it('treats terminated-and-truncated as terminated (no bootstrap)', () => {
    const both = computeGae({ ...base, terminated: [0, 0, 0, 0, 0, 0, 1, 0] });
    expect(both.advantages[6]).to.be.closeTo(4 - 2, 1e-12);
  });

  it('λ = 1, γ = 1 gives Monte-Carlo returns minus values; λ = 0 gives one-step TD errors', () => {
    const mc = computeGae({ ...base, gamma: 1, lambda: 1 });
    // env 1: return from t0 = 0 + 0 + 0 + 1 + V_last 3 = 4, minus V = 1
    expect(mc.advantages[1]).to.be.closeTo(3, 1e-12);
    // env 0 from t2: 3 + 4 + V(final) 10 = 17, minus 1.5
    expect(mc.advantages[4]).to.be.closeTo(15.5, 1e-12);
    const td = computeGae({ ...base, lambda: 0 });
    expect(td.advantages[4]).to.be.closeTo(3.3, 1e-12);
    expect(td.advantages[0]).to.be.closeTo(1.4, 1e-12);
  });

  it('writes into caller arrays and rejects bad input naming the field', () => {
    const out = { advantages: new Float64Array(8), returns: new Float64Array(8) };
    expect(computeGae(base, out)).to.equal(out);
    expect(out.advantages[6]).to.be.closeTo(11, 1e-12);
    expect(() => computeGae({ ...base, rewards: [1, 2] })).to.throw(/rewards has length 2, expected nSteps·numEnvs = 8/);
    expect(() => computeGae({ ...base, lastValues: [1] })).to.throw(/lastValues has length 1/);
    expect(() => computeGae({ ...base, gamma: 1.5 })).to.throw(/gamma must be in \[0, 1\], got 1.5/);
  });
});

// The rollout workers (ObsNormalizer) and the agent's predict (RunningMeanStd.normalize) normalize observations
// with the same arithmetic, bit for bit, so a policy sees exactly what it was trained on.
import { expect } from 'chai';
import { RunningMeanStd } from '../sdk/normalization/running-mean-std.js';
import { Rng } from '../sdk/rng.js';
import { ObsNormalizer } from '../sdk/normalization/obs-normalizer.js';

describe('observation normalization', () => {
  it('is bit-identical in the workers and in the agent, clipping included', () => {
    const d = 17;
    const rng = new Rng(5);
    const rms = new RunningMeanStd(d);
    rms.update(Float64Array.from({ length: 300 * d }, () => 3 * rng.normal() + 1));
    const clip = 5;
    const epsilon = 1e-8;
    const worker = new ObsNormalizer(d);
    worker.load({ mean: rms.mean, var: rms.var, clip, epsilon });
    const a = new Float64Array(d);
    const b = new Float64Array(d);
    let clipped = 0;
    for (let k = 0; k < 1000; k++) {
      const obs = Float64Array.from({ length: d }, () => 20 * rng.normal());
      worker.apply(obs, a);
      rms.normalize(obs, b, { clip, epsilon });
      for (let j = 0; j < d; j++) expect(Object.is(a[j], b[j]), `obs ${k}[${j}]: ${a[j]} vs ${b[j]}`).to.equal(true);
      clipped += a.filter((x) => Math.abs(x) === clip).length;
    }
    expect(clipped).to.be.greaterThan(0);
  });
});

// Statistics over seeds: IQM against hand-computed trimmed means, bootstrap intervals against their definition.
import { expect } from 'chai';
import { bootstrapCi, iqm, mean } from '../sdk/sweep/stats.js';

describe('iqm (trim 25% from each end, as scipy.stats.trim_mean(x, 0.25))', () => {
  const cases: [number[], number | undefined][] = [
    [[], undefined],
    [[7], 7],
    [[1, 2, 3], 2], // ⌊3/4⌋ = 0 dropped: the plain mean
    [[1, 2, 3, 4], 2.5], // drops 1 and 4
    [[5, 1, 100, 3, 2], (2 + 3 + 5) / 3], // sorted 1 2 3 5 100, drops 1 and 100
    [[8, 7, 6, 5, 4, 3, 2, 1], 4.5], // drops 2 from each end
    [[0, 0, 0, 0, 0, 0, 0, 1e9], 0],
  ];
  for (const [values, expected] of cases) {
    it(`${JSON.stringify(values)} → ${expected}`, () => {
      if (expected === undefined) expect(iqm(values)).to.equal(undefined);
      else expect(iqm(values)).to.be.closeTo(expected, 1e-12);
    });
  }
});

describe('bootstrapCi', () => {
  it('is the point itself for one value or equal values, undefined for none', () => {
    expect(bootstrapCi([3])).to.deep.equal({ low: 3, high: 3 });
    expect(bootstrapCi([2, 2, 2, 2])).to.deep.equal({ low: 2, high: 2 });
    expect(bootstrapCi([])).to.equal(undefined);
  });

  it('brackets the mean of 0..9 like the normal approximation (mean 4.5, se 0.908 → ±1.78)', () => {
    const values = Array.from({ length: 10 }, (_, i) => i);
    const ci = bootstrapCi(values, mean, { resamples: 4000 })!;
    expect(ci.low).to.be.closeTo(4.5 - 1.78, 0.3);
    expect(ci.high).to.be.closeTo(4.5 + 1.78, 0.3);
  });

  it('is reproducible for a seed, and differs between seeds', () => {
    const values = [1, 5, 2, 8, 3, 9];
    expect(bootstrapCi(values, iqm, { seed: 4 })).to.deep.equal(bootstrapCi(values, iqm, { seed: 4 }));
    expect(bootstrapCi(values, iqm, { seed: 4 })).to.not.deep.equal(bootstrapCi(values, iqm, { seed: 5 }));
  });

  it('covers the true mean about 95% of the time (N(0, 1) samples of 30)', () => {
    let covered = 0;
    let state = 12345;
    const uniform = () => ((state = (state * 1103515245 + 12345) % 2147483648) + 0.5) / 2147483648;
    const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const sample = Array.from({ length: 30 }, normal);
      const ci = bootstrapCi(sample, mean, { resamples: 500, seed: t })!;
      if (ci.low <= 0 && 0 <= ci.high) covered++;
    }
    expect(covered / trials).to.be.within(0.88, 0.99);
  });
});

// Statistics over seeds (sdk/sweep/stats.ts): median, interquartile mean and the percentile bootstrap.
import { expect } from 'chai';
import { bootstrapCi, iqm, mean, median } from '../sdk/sweep/stats.js';

describe('statistics over seeds', () => {
  const cases: Array<{ values: number[]; median: number; iqm: number }> = [
    { values: [5], median: 5, iqm: 5 },
    { values: [3, 1], median: 2, iqm: 2 },
    { values: [148, 360, 355], median: 355, iqm: (148 + 360 + 355) / 3 }, // < 4 values: nothing trimmed
    { values: [4, 1, 3, 2], median: 2.5, iqm: 2.5 }, // drop 1 and 4
    { values: [3521, 1937, 2183, 3400, 3300], median: 3300, iqm: (2183 + 3300 + 3400) / 3 },
    { values: [0, 10, 20, 30, 40, 50, 60, 1000], median: 35, iqm: (20 + 30 + 40 + 50) / 4 },
  ];
  for (const c of cases) {
    it(`median ${c.median} and IQM ${c.iqm.toFixed(2)} of [${c.values.join(', ')}]`, () => {
      expect(median(c.values)).to.equal(c.median);
      expect(iqm(c.values)).to.be.closeTo(c.iqm, 1e-9);
    });
  }

  it('is NaN for no values', () => {
    expect(median([])).to.be.NaN;
    expect(iqm([])).to.be.NaN;
    expect(bootstrapCi([], iqm).low).to.be.NaN;
  });

  it('bootstrap: two values and the mean give the exact interval [a, b] (resample means a, (a+b)/2, b w.p. ¼, ½, ¼)', () => {
    expect(bootstrapCi([2, 6], mean)).to.deep.equal({ low: 2, high: 6 });
    // A 40 % interval lies strictly inside: the 30 % and 70 % quantiles are the middle value.
    expect(bootstrapCi([2, 6], mean, { confidence: 0.4 })).to.deep.equal({ low: 4, high: 4 });
  });

  it('bootstrap: reproducible for a seed, around the statistic, zero width for equal values, wider for more spread', () => {
    const seeds = [3521, 1937, 2183, 3400, 3300];
    const a = bootstrapCi(seeds, iqm, { seed: 1 });
    expect(bootstrapCi(seeds, iqm, { seed: 1 })).to.deep.equal(a);
    expect(a.low).to.be.below(iqm(seeds));
    expect(a.high).to.be.above(iqm(seeds));
    expect(a.low).to.be.at.least(Math.min(...seeds));
    expect(a.high).to.be.at.most(Math.max(...seeds));
    expect(bootstrapCi([7, 7, 7], iqm)).to.deep.equal({ low: 7, high: 7 });
    const narrow = bootstrapCi([100, 101, 102, 103, 104], iqm);
    const wide = bootstrapCi([100, 110, 120, 130, 140], iqm);
    expect(wide.high - wide.low).to.be.above(narrow.high - narrow.low);
  });

  it('bootstrap: rejects a bad confidence or resample count, naming it', () => {
    expect(() => bootstrapCi([1, 2], iqm, { confidence: 1.5 })).to.throw(/confidence must be in \(0, 1\), got 1.5/);
    expect(() => bootstrapCi([1, 2], iqm, { resamples: 0 })).to.throw(/resamples must be a positive integer, got 0/);
  });
});

describe('bootstrapCi', () => {
  it('is the point itself for one value or equal values', () => {
    expect(bootstrapCi([3])).to.deep.equal({ low: 3, high: 3 });
    expect(bootstrapCi([2, 2, 2, 2])).to.deep.equal({ low: 2, high: 2 });
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

import { expect } from 'chai';
import { makeEnv } from '../envs/registry.js';
import { Rng } from '../sdk/rng.js';

describe('Rng', () => {
  it('gives the same stream for the same seed and different streams for different seeds/streams', () => {
    const draw = (seed: number, stream = 0) => {
      const r = new Rng(seed, stream);
      return Array.from({ length: 8 }, () => r.nextUint32());
    };
    expect(draw(0)).to.deep.equal(draw(0));
    expect(draw(0)).to.not.deep.equal(draw(1));
    expect(draw(0, 0)).to.not.deep.equal(draw(0, 1));
    expect(draw(2 ** 40)).to.not.deep.equal(draw(0));
  });

  it('gives every safe integer seed its own stream: -1, -2, 2^32 no longer collide with 0 and 1', () => {
    const draw = (seed: number) => {
      const r = new Rng(seed);
      return Array.from({ length: 4 }, () => r.nextUint32()).join(',');
    };
    const seeds = [0, 1, 2, -1, -2, 2 ** 32, 2 ** 32 + 1, 2 ** 32 - 1, -(2 ** 32), 2 ** 53 - 1, -(2 ** 53 - 1), 2 ** 31, -(2 ** 31)];
    const streams = seeds.map(draw);
    expect(new Set(streams).size).to.equal(seeds.length);
  });

  it('reaches the envs: reset({ seed }) with -1, -2, 2^32 gives starts different from seeds 0 and 1', async () => {
    const env = await makeEnv('InvertedPendulum-v5');
    try {
      const starts = [0, 1, -1, -2, 2 ** 32].map((seed) => Array.from(env.reset({ seed }).obs).join(','));
      expect(new Set(starts).size).to.equal(5);
    } finally {
      env.close();
    }
  });

  it('keeps the streams of seeds 0 … 2^32-1 as they were (runs stay reproducible)', () => {
    // Recorded before the seed mapping was extended to negative and large seeds.
    const recorded: Array<[number, number, string]> = [
      [0, 0, '3063761838,1952022206,3457720017'],
      [1, 0, '3323055920,4094919203,72823972'],
      [12345, 0, '674399629,2792761904,154947304'],
      [4294967295, 0, '2596999761,876216775,3168224001'],
      [7, 3, '3290933064,3756219707,2016705808'],
      [2147483647, 1, '238888723,171298222,616382579'],
    ];
    for (const [seed, stream, words] of recorded) {
      const r = new Rng(seed, stream);
      expect([r.nextUint32(), r.nextUint32(), r.nextUint32()].join(','), `seed ${seed} stream ${stream}`).to.equal(words);
    }
  });

  it('restores its state exactly, including the spare normal', () => {
    const r = new Rng(7);
    r.normal(); // leaves a spare
    const state = r.getState();
    const a = [r.normal(), r.normal(), r.uniform()];
    r.setState(state);
    expect([r.normal(), r.normal(), r.uniform()]).to.deep.equal(a);
  });

  it('has the moments of U(0,1) and N(0,1)', () => {
    const r = new Rng(123);
    const n = 200_000;
    let su = 0, su2 = 0, sn = 0, sn2 = 0, sn4 = 0;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u).to.be.at.least(0).and.below(1);
      su += u; su2 += u * u;
      const z = r.normal();
      sn += z; sn2 += z * z; sn4 += z ** 4;
    }
    expect(su / n).to.be.closeTo(0.5, 0.005);
    expect(su2 / n - (su / n) ** 2).to.be.closeTo(1 / 12, 0.002);
    expect(sn / n).to.be.closeTo(0, 0.01);
    expect(sn2 / n).to.be.closeTo(1, 0.01);
    expect(sn4 / n).to.be.closeTo(3, 0.06);
  });

  it('rejects non-integer seeds with a clear message', () => {
    expect(() => new Rng(1.5)).to.throw(/seed must be a safe integer, got 1.5/);
  });
});

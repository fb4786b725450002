import { expect } from 'chai';
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

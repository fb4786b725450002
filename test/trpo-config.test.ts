// Options fail before any work, naming the field, the value and what is allowed; tuned defaults apply per env.
import { expect } from 'chai';
import { resolveTrpoOptions } from '../sdk/trpo/config.js';
import { TRPO } from '../sdk/trpo/trpo.js';

describe('TRPO options', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['negative nSteps', { nSteps: -5 }, /nSteps: got -5; .*>0/],
    ['fractional numEnvs', { numEnvs: 1.5 }, /numEnvs: got 1\.5; .*int/],
    ['gamma above 1', { gamma: 1.5 }, /gamma: got 1\.5; .*<=1/],
    ['unknown sampling', { sampling: 'tree' }, /sampling: got "tree"; .*"single-path"\|"vine"/],
    ['unknown option', { nStep: 100 }, /nStep: unknown option \(allowed: .*nSteps/],
    ['more workers than envs', { numEnvs: 2, numWorkers: 3 }, /numWorkers: got 3; must be at most numEnvs/],
    ['bad nested vine option', { vine: { branchLength: 0 } }, /vine\.branchLength: got 0/],
    ['string targetKl', { targetKl: '0.01' }, /targetKl: got "0\.01"; .*number/],
    // Values that used to pass and then fail deep inside with an error not naming the option.
    ['an overflowing logStdInit', { logStdInit: 1e300 }, /logStdInit: got 1e\+300; must be at most 5/],
    ['an underflowing logStdInit', { logStdInit: -1e300 }, /logStdInit: got -1e\+300; must be at least -20/],
    ['a huge nSteps', { nSteps: 1e12 }, /nSteps: got 1000000000000; must be at most 4194304/],
    ['too many rollout rows', { numEnvs: 4096, nSteps: 4096 }, /nSteps: .*numEnvs × nSteps \(the rollout's rows\) must be at most 4194304/],
    ['a huge layer', { policyHiddenSizes: [1e9] }, /policyHiddenSizes\.0: got 1000000000; layer width must be at most 16384/],
    ['a huge learningRate', { learningRate: 1e300 }, /learningRate: got 1e\+300; must be at most 10/],
    ['a huge targetKl', { targetKl: 1e300 }, /targetKl: got 1e\+300; must be at most 100/],
  ];
  for (const [what, options, message] of bad) {
    it(`rejects ${what} with a message naming the field`, () => {
      expect(() => new TRPO(options)).to.throw(message);
    });
  }

  it('lists every problem at once', () => {
    expect(() => resolveTrpoOptions({ nSteps: 0, gamma: 2 })).to.throw(/nSteps[\s\S]*gamma/);
  });

  it('applies tuned per-env defaults, which the user overrides', () => {
    expect(resolveTrpoOptions({ env: 'Swimmer-v5' }).gamma).to.equal(0.9999);
    expect(resolveTrpoOptions({ env: 'HalfCheetah-v5' }).targetKl).to.equal(0.04);
    expect(resolveTrpoOptions({ env: 'Hopper-v5' }).cgMaxSteps).to.equal(25);
    expect(resolveTrpoOptions({ env: 'Hopper-v5', cgMaxSteps: 7 }).cgMaxSteps).to.equal(7);
    expect(resolveTrpoOptions({}).env).to.equal('Hopper-v5');
  });

  it('merges the user\'s env options into the tuned ones', () => {
    expect(resolveTrpoOptions({ env: 'Ant-v5' }).envOptions).to.deep.equal({ includeCfrcExtInObservation: false });
    expect(resolveTrpoOptions({ env: 'Ant-v5', envOptions: { ctrlCostWeight: 1 } }).envOptions)
      .to.deep.equal({ includeCfrcExtInObservation: false, ctrlCostWeight: 1 });
    expect(resolveTrpoOptions({ env: 'Ant-v5', envOptions: { includeCfrcExtInObservation: true } }).envOptions)
      .to.deep.equal({ includeCfrcExtInObservation: true });
    expect(resolveTrpoOptions({ env: 'Hopper-v5', envOptions: { ctrlCostWeight: 1 } }).envOptions).to.deep.equal({ ctrlCostWeight: 1 });
  });
});

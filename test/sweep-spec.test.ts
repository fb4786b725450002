import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gridPoints, hashSettings, loadSweepSpecFile, parseSeeds, parseSweepSpec, planRuns } from '../sdk/sweep/spec.js';
import { ValidationError } from '../sdk/validation.js';
import { tempDir } from './sweep-fixtures.js';

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

const base = { envs: ['Hopper-v5'], seeds: [0], timesteps: 1000 };

describe('sweep spec', () => {
  // Each bad spec is refused before any work, naming the field, the value and the fix.
  const bad: Array<[string, unknown, RegExp]> = [
    ['no envs', { ...base, envs: [] }, /envs: got \[\]; needs at least one environment/],
    ['unknown env', { ...base, envs: ['Hoper-v5'] }, /envs\.0: got "Hoper-v5"; must be one of .*Hopper-v5/],
    ['duplicate env', { ...base, envs: ['Hopper-v5', 'Hopper-v5'] }, /envs: "Hopper-v5" is listed twice/],
    ['seeds not a list or range', { ...base, seeds: 3 }, /seeds: got 3; must be a non-empty list of integer seeds/],
    ['negative seed', { ...base, seeds: [-1] }, /seeds\.0: got -1; Too small: expected number to be >=0/],
    ['bad seed range', { ...base, seeds: '4-2' }, /seeds: range "4-2" must go up/],
    ['garbled seeds', { ...base, seeds: 'a-b' }, /seeds: got "a-b"; use a seed \("3"\), a range \("0-4"\)/],
    ['duplicate seed', { ...base, seeds: '0-3,2' }, /seed 2 is listed twice/],
    ['zero timesteps', { ...base, timesteps: 0 }, /timesteps: got 0; Too small/],
    ['missing timesteps', { envs: ['Hopper-v5'], seeds: [0] }, /timesteps: got nothing/],
    ['unknown key', { ...base, seed: [1] }, /seed: unknown option \(allowed: envs, seeds, timesteps, options, grid, envOverrides, jobs\)/],
    ['empty grid values', { ...base, grid: { targetKl: [] } }, /grid\.targetKl: got \[\]; needs at least one value/],
    ['env in options', { ...base, options: { env: 'Walker2d-v5' } }, /options\.env: set by the sweep itself; list values in "envs"/],
    ['seed in grid', { ...base, grid: { seed: [1, 2] } }, /grid\.seed: set by the sweep itself; list values in "seeds"/],
    ['option also swept', { ...base, options: { gamma: 0.9 }, grid: { gamma: [0.99] } }, /options\.gamma: also swept by grid\.gamma/],
    ['override of a swept option', { ...base, grid: { gamma: [0.99] }, envOverrides: { 'Hopper-v5': { gamma: 0.9 } } }, /envOverrides\.Hopper-v5\.gamma: also swept/],
    ['override for an env not swept', { ...base, envOverrides: { 'Walker2d-v5': {} } }, /envOverrides\.Walker2d-v5: not one of envs \(Hopper-v5\)/],
    ['zero jobs', { ...base, jobs: 0 }, /jobs: got 0/],
    // A repeated grid value would plan the same run twice: two trainers on one folder.
    ['a repeated grid value', { ...base, grid: { targetKl: [0.01, 0.02, 0.01] } }, /grid\.targetKl: the value 0\.01 is listed twice/],
    ['a repeated grid list value', { ...base, grid: { policyHiddenSizes: [[64, 64], [32], [64, 64]] } }, /grid\.policyHiddenSizes: the value \[64,64\] is listed twice/],
  ];
  for (const [name, spec, message] of bad) {
    it(`refuses ${name}`, () => {
      const error = errorOf(() => parseSweepSpec(spec));
      expect(error).to.be.instanceOf(ValidationError);
      expect(error.message).to.match(message);
    });
  }

  it('checks every setting with the trainer\'s own option schema, naming env and setting', () => {
    const spec = parseSweepSpec({ ...base, grid: { targetKl: [0.01, -1] } });
    const error = errorOf(() => planRuns(spec));
    expect(error).to.be.instanceOf(ValidationError);
    expect(error.message).to.match(/^Sweep run Hopper-v5 with settings "targetKl=-1": Invalid TRPO options:\n {2}- targetKl: got -1/);
    expect(errorOf(() => planRuns(parseSweepSpec({ ...base, options: { nStep: 5 } }))).message).to.match(/nStep: unknown option/);
  });

  it('parses seed lists and ranges', () => {
    expect(parseSeeds('0-4')).to.deep.equal([0, 1, 2, 3, 4]);
    expect(parseSeeds('7, 0-1,3')).to.deep.equal([0, 1, 3, 7]);
    expect(parseSeeds([5, 2])).to.deep.equal([2, 5]);
    expect(parseSweepSpec({ ...base, seeds: '1-2' }).seeds).to.deep.equal([1, 2]);
  });

  it('expands the grid as a cartesian product, first key slowest', () => {
    expect(gridPoints({})).to.deep.equal([{}]);
    expect(gridPoints({ a: [1, 2], b: ['x', 'y', 'z'] })).to.deep.equal([
      { a: 1, b: 'x' }, { a: 1, b: 'y' }, { a: 1, b: 'z' }, { a: 2, b: 'x' }, { a: 2, b: 'y' }, { a: 2, b: 'z' },
    ]);
  });

  it('plans env × setting × seed runs with stable ids, options layered shared < env override < grid', () => {
    const spec = parseSweepSpec({
      envs: ['Hopper-v5', 'Swimmer-v5'], seeds: '0-1', timesteps: 4096,
      options: { numWorkers: 1, nSteps: 512 }, grid: { targetKl: [0.01, 0.02] }, envOverrides: { 'Swimmer-v5': { nSteps: 256 } },
    });
    const runs = planRuns(spec);
    expect(runs).to.have.length(8);
    expect(runs.map((r) => [r.env, r.settings.targetKl, r.seed])).to.deep.equal([
      ['Hopper-v5', 0.01, 0], ['Hopper-v5', 0.01, 1], ['Hopper-v5', 0.02, 0], ['Hopper-v5', 0.02, 1],
      ['Swimmer-v5', 0.01, 0], ['Swimmer-v5', 0.01, 1], ['Swimmer-v5', 0.02, 0], ['Swimmer-v5', 0.02, 1],
    ]);
    expect(runs[4].options).to.deep.equal({ numWorkers: 1, nSteps: 256, targetKl: 0.01 });
    expect(runs[0].options).to.deep.equal({ numWorkers: 1, nSteps: 512, targetKl: 0.01 });
    expect(runs[2].settingsLabel).to.equal('targetKl=0.02');
    for (const r of runs) {
      expect(r.id).to.equal(`${r.env}__s${r.seed}__${r.settingsHash}`);
      expect(r.settingsHash).to.match(/^[0-9a-f]{8}$/);
      expect(r.threads).to.equal(1);
    }
    // Seeds share a hash; settings and envs (through their overrides) do not.
    expect(runs[0].settingsHash).to.equal(runs[1].settingsHash);
    expect(new Set(runs.map((r) => r.settingsHash)).size).to.equal(4);
    // Same spec → same ids (a re-run finds its runs).
    expect(planRuns(parseSweepSpec(JSON.parse(JSON.stringify(spec)))).map((r) => r.id)).to.deep.equal(runs.map((r) => r.id));
  });

  it('hashes options canonically: key order does not matter, values and budget do', () => {
    const h = hashSettings({ a: 1, b: { c: [1, 2], d: 'x' } }, 100);
    expect(hashSettings({ b: { d: 'x', c: [1, 2] }, a: 1 }, 100)).to.equal(h);
    expect(hashSettings({ a: 1, b: { c: [2, 1], d: 'x' } }, 100)).to.not.equal(h);
    expect(hashSettings({ a: 1, b: { c: [1, 2], d: 'x' } }, 101)).to.not.equal(h);
  });

  it('counts each run\'s worker threads as the trainer resolves numWorkers', () => {
    const threads = (options: Record<string, unknown>, env = 'Hopper-v5') =>
      planRuns(parseSweepSpec({ ...base, envs: [env], options }))[0].threads;
    expect(threads({})).to.equal(2); // numEnvs 2 → min(2, 2)
    expect(threads({ numEnvs: 1 })).to.equal(1);
    expect(threads({ numEnvs: 8, numWorkers: 4 })).to.equal(4);
    expect(threads({ numWorkers: 0 })).to.equal(1); // the main thread steps the envs
  });

  it('reads a spec file and names it in errors', () => {
    const dir = tempDir('sweep-spec');
    try {
      const good = path.join(dir, 'good.json');
      fs.writeFileSync(good, JSON.stringify({ ...base, seeds: '0-2' }));
      expect(loadSweepSpecFile(good).seeds).to.deep.equal([0, 1, 2]);
      const broken = path.join(dir, 'broken.json');
      fs.writeFileSync(broken, '{"envs": [');
      expect(errorOf(() => loadSweepSpecFile(broken)).message).to.match(/Sweep spec file .*broken\.json is not valid JSON/);
      const invalid = path.join(dir, 'invalid.json');
      fs.writeFileSync(invalid, JSON.stringify({ ...base, timesteps: -5 }));
      expect(errorOf(() => loadSweepSpecFile(invalid)).message).to.match(/^Invalid sweep spec file .*invalid\.json:\n {2}- timesteps: got -5/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ships an example spec that is valid', () => {
    const example = new URL('../../examples/sweep.json', import.meta.url);
    const runs = planRuns(loadSweepSpecFile(example.pathname));
    expect(runs.length).to.be.greaterThan(1);
  });
});

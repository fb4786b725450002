import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main, type CliIO } from '../sdk/cli/main.js';
import { parseSweepSpec, planRuns } from '../sdk/sweep/spec.js';
import { writeSweepFile } from '../sdk/sweep/sweep-file.js';
import { tempDir, writeRunDir } from './sweep-fixtures.js';

function captureIO(): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    stdout: { write: (s: string) => { io.out += s; return true; } } as unknown as CliIO['stdout'],
    stderr: { write: (s: string) => { io.err += s; return true; } } as unknown as CliIO['stderr'],
  };
  return io;
}

describe('trpo sweep / trpo report commands', () => {
  let dir: string;
  beforeEach(() => { dir = tempDir('sweep-cli'); });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Refused before any run starts (exit 2), naming what is wrong.
  const refusals: Array<[string, (d: string) => string[], RegExp]> = [
    ['no budget', (d) => ['--envs', 'Hopper-v5', '--out', d], /--timesteps N is required with --envs/],
    ['unknown env', (d) => ['--envs', 'Hoppr-v5', '--timesteps', '100', '--out', d], /Invalid sweep flags:\n {2}- envs\.0: got "Hoppr-v5"; must be one of/],
    ['a bad option in the spec', (d) => {
      const spec = path.join(d, 'bad.json');
      fs.writeFileSync(spec, JSON.stringify({ envs: ['Hopper-v5'], seeds: [0], timesteps: 100, grid: { gamma: [0.99, 2] } }));
      return ['--spec', spec, '--out', path.join(d, 'out')];
    }, /Sweep run Hopper-v5 with settings "gamma=2": Invalid TRPO options:\n {2}- gamma: got 2/],
    ['an unknown spec key', (d) => {
      const spec = path.join(d, 'typo.json');
      fs.writeFileSync(spec, JSON.stringify({ envs: ['Hopper-v5'], seeds: [0], timesteps: 100, grids: {} }));
      return ['--spec', spec, '--out', path.join(d, 'out')];
    }, /Invalid sweep spec file .*typo\.json:\n {2}- grids: unknown option/],
  ];
  for (const [name, argv, message] of refusals) {
    it(`refuses ${name} with exit code 2`, async () => {
      const io = captureIO();
      expect(await main(['sweep', ...argv(dir)], io)).to.equal(2);
      expect(io.err).to.match(message);
      expect(fs.existsSync(path.join(dir, 'out', 'sweep.json'))).to.equal(false);
    });
  }

  it('trpo report merges folders and lists what it wrote', async () => {
    const spec = parseSweepSpec({ envs: ['Hopper-v5'], seeds: '0-1', timesteps: 100 });
    const runs = planRuns(spec);
    const shards = [path.join(dir, 's0'), path.join(dir, 's1')];
    for (const [i, shard] of shards.entries()) {
      writeSweepFile(shard, spec, runs);
      await writeRunDir(path.join(shard, 'runs', runs[i].id), { env: 'Hopper-v5', seed: i, totalTimesteps: 100, curve: [[50, 1], [100, 2]], result: { meanReturn: i } });
    }
    const io = captureIO();
    expect(await main(['report', ...shards, '--out', path.join(dir, 'merged')], io)).to.equal(0);
    expect(io.out).to.contain(`Report of 2 runs (2 finished) from ${shards.join(', ')}:`);
    for (const file of ['report.html', path.join('curves', 'Hopper-v5.svg'), 'summary.json', 'summary.csv', 'summary-groups.csv']) {
      expect(fs.existsSync(path.join(dir, 'merged', file)), file).to.equal(true);
    }
    const missing = captureIO();
    expect(await main(['report', path.join(dir, 'nothing')], missing)).to.equal(1);
    expect(missing.err).to.match(/nothing is not a sweep folder \(no sweep\.json\)/);
  });
});

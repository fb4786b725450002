import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildReport } from '../sdk/sweep/report.js';
import { parseShard, selectShard } from '../sdk/sweep/shard.js';
import { parseSweepSpec, planRuns } from '../sdk/sweep/spec.js';
import { sweep } from '../sdk/sweep/sweep.js';
import { ValidationError } from '../sdk/validation.js';
import { finishingRunner, tempDir } from './sweep-fixtures.js';
import { Rng } from '../sdk/rng.js';

const spec = {
  envs: ['Hopper-v5', 'Walker2d-v5'], seeds: '0-4', timesteps: 1000,
  options: { numWorkers: 1 }, grid: { targetKl: [0.01, 0.02, 0.05] },
};

describe('sweep shards', () => {
  const runs = planRuns(parseSweepSpec(spec)); // 30 runs

  it('parses i/N and refuses anything else, naming the flag', () => {
    expect(parseShard('0/1')).to.deep.equal({ index: 0, count: 1 });
    expect(parseShard(' 3 / 4 ')).to.deep.equal({ index: 3, count: 4 });
    for (const bad of ['4/4', '1/0', '-1/2', '1', 'a/b', '1/2/3']) {
      expect(() => parseShard(bad), bad).to.throw(ValidationError, /Invalid --shard: got ".*"; use "i\/N" with 0 ≤ i < N/);
    }
  });

  for (const count of [1, 2, 3, 4, 7, 30, 31]) {
    it(`partitions ${runs.length} runs into ${count} shards exactly: none lost, none doubled, balanced`, () => {
      const shards = Array.from({ length: count }, (_, index) => selectShard(runs, { index, count }));
      const ids = shards.flat().map((r) => r.id);
      expect(ids).to.have.length(runs.length);
      expect(new Set(ids).size).to.equal(runs.length);
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).to.be.at.most(1);
      // Each shard keeps the run list's order.
      for (const shard of shards) {
        const positions = shard.map((r) => runs.indexOf(r));
        expect(positions).to.deep.equal([...positions].sort((a, b) => a - b));
      }
    });
  }

  it('depends only on the run ids, not on the order they are listed in', () => {
    const shuffled = [...runs];
    const rng = new Rng(7);
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.integer(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j], shuffled[i]];
    }
    for (let index = 0; index < 4; index++) {
      const a = selectShard(runs, { index, count: 4 }).map((r) => r.id).sort();
      const b = selectShard(shuffled, { index, count: 4 }).map((r) => r.id).sort();
      expect(b).to.deep.equal(a);
    }
  });

  it('merges shards run into separate folders, or into one shared folder, back into the whole sweep', async () => {
    const root = tempDir('sweep-shards');
    try {
      const small = { ...spec, seeds: '0-1', grid: {} }; // 4 runs
      const separate = [path.join(root, 'shard0'), path.join(root, 'shard1')];
      const shared = path.join(root, 'shared');
      for (let index = 0; index < 2; index++) {
        const alone = await sweep(small, { out: separate[index], shard: `${index}/2`, runner: finishingRunner(), cores: 2 });
        expect(alone.runs).to.have.length(2);
        // A shard's own summary lists the whole sweep: its runs finished, the others' pending.
        expect(alone.summary.runs.map((r) => r.status).sort()).to.deep.equal(['finished', 'finished', 'pending', 'pending']);
        await sweep(small, { out: shared, shard: { index, count: 2 }, runner: finishingRunner(), cores: 2 });
      }
      const merged = await buildReport(separate, { out: path.join(root, 'merged') });
      const fromShared = await buildReport(shared);
      for (const report of [merged, fromShared]) {
        expect(report.summary.runs).to.have.length(4);
        expect(report.summary.runs.every((r) => r.status === 'finished')).to.equal(true);
        expect(report.summary.groups.map((g) => [g.env, g.finished, g.evalReturn?.mean])).to.deep.equal([
          ['Hopper-v5', 2, 100.5], ['Walker2d-v5', 2, 100.5],
        ]);
      }
      expect(fs.existsSync(path.join(root, 'merged', 'report.html'))).to.equal(true);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

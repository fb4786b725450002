// A real sweep through the command line: 2 envs × 2 seeds of tiny TRPO runs in child processes, then the
// report; running the same command again skips the finished runs.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../sdk/cli.js', import.meta.url));
const trpo = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 300_000 });

describe('trpo sweep end to end', function () {
  this.timeout(300_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-sweep-e2e-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs 2 envs × 2 seeds, summarizes them, reports them, and skips them when run again', () => {
    const out = path.join(dir, 'sweep');
    const args = ['sweep', '--envs', 'CartPole-v1,Pendulum-v1', '--seeds', '0-1', '--timesteps', '4096', '--jobs', '2', '--out', out];
    const first = trpo(...args);
    expect(first.status, first.stderr).to.equal(0);

    const summary = JSON.parse(fs.readFileSync(path.join(out, 'summary.json'), 'utf8'));
    const runs = JSON.stringify(summary);
    for (const env of ['CartPole-v1', 'Pendulum-v1']) expect(runs).to.include(env);
    const results = fs.readdirSync(path.join(out, 'runs')).map((id) => JSON.parse(fs.readFileSync(path.join(out, 'runs', id, 'result.json'), 'utf8')));
    expect(results).to.have.length(4);
    for (const r of results) {
      expect(r.status).to.equal('finished');
      expect(r.totalTimesteps).to.be.at.least(4096);
      expect(Number.isFinite(r.eval.meanReturn)).to.equal(true);
    }
    // CartPole's returns are episode lengths: positive; Pendulum's are costs: negative.
    for (const r of results) expect(Math.sign(r.eval.meanReturn)).to.equal(r.env === 'CartPole-v1' ? 1 : -1);
    expect(fs.readFileSync(path.join(out, 'summary.csv'), 'utf8').trim().split('\n').length).to.be.greaterThan(4);

    const report = trpo('report', out);
    expect(report.status, report.stderr).to.equal(0);
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).to.include('<svg').and.include('CartPole-v1').and.include('Pendulum-v1');

    const progressBefore = results.map((r) => fs.statSync(path.join(r.outDir, 'progress.jsonl')).mtimeMs);
    const again = trpo(...args);
    expect(again.status, again.stderr).to.equal(0);
    const progressAfter = results.map((r) => fs.statSync(path.join(r.outDir, 'progress.jsonl')).mtimeMs);
    expect(progressAfter).to.deep.equal(progressBefore);
  });
});

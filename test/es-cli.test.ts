// `trpo train --algo cem|cmaes` end to end: a run folder with the ES keys in progress.jsonl, then eval --run,
// export and eval of the ONNX file on the same episodes; --resume continues an ES run.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../sdk/cli.js', import.meta.url));

function trpo(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('trpo train --algo cem|cmaes', function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-es-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const algo of ['cem', 'cmaes']) {
    it(`${algo}: train → eval → export → eval of the ONNX file agree; --resume continues`, () => {
      const run = path.join(dir, 'run');
      const common = ['--algo', algo, '--env', 'CartPole-v1', '--out', run, '--eval-episodes', '2', '--no-progress', '--num-workers', '1'];
      const first = trpo('train', ...common, '--timesteps', '2000');
      expect(first.code, first.stderr).to.equal(0);
      const records = fs.readFileSync(path.join(run, 'progress.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(records[0]).to.include.keys('rollout/ep_rew_mean', 'es/sigma', 'es/population', 'es/elite_fraction', 'es/best_fitness', 'es/mean_fitness', 'time/total_timesteps');
      expect(JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8')).algo).to.equal(algo);
      const more = trpo('train', ...common, '--timesteps', '4000', '--resume');
      expect(more.code, more.stderr).to.equal(0);
      const after = fs.readFileSync(path.join(run, 'progress.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(after.length).to.be.above(records.length);
      expect(after.slice(0, records.length)).to.deep.equal(records);
      const evalRun = trpo('eval', '--run', run, '--episodes', '3');
      expect(evalRun.code, evalRun.stderr).to.equal(0);
      const onnx = path.join(dir, 'p.onnx');
      expect(trpo('export', '--run', run, '--out', onnx).code).to.equal(0);
      const evalOnnx = trpo('eval', '--policy', onnx, '--env', 'CartPole-v1', '--episodes', '3');
      expect(evalOnnx.code, evalOnnx.stderr).to.equal(0);
      const returns = (s: string) => /mean return (\S+ ± \S+)/.exec(s)?.[1];
      expect(returns(evalOnnx.stdout)).to.equal(returns(evalRun.stdout)).and.not.equal(undefined);
    });
  }

  it('names the allowed algorithms for a bad --algo', () => {
    const r = trpo('train', '--algo', 'ppo', '--out', path.join(dir, 'x'));
    expect(r.code).to.equal(2);
    expect(r.stderr).to.match(/--algo "ppo": expected trpo, cem or cmaes/);
  });
});

// Custom envs on the command line: check-env, train with a relative module path, then eval, export and eval of
// the ONNX file from another directory (the run folder records the module), and a sweep over a module env.
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../sdk/cli.js', import.meta.url));
const fixture = fileURLToPath(new URL('./custom-env-fixtures.js', import.meta.url));
const packageRoot = fileURLToPath(new URL('../../', import.meta.url));
const small = { numEnvs: 2, nSteps: 64, policyHiddenSizes: [8], valueHiddenSizes: [8], nCriticUpdates: 2 };

function trpo(cwd: string, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000, cwd });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('custom envs on the command line', function () {
  this.timeout(240_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-custom-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('check-env passes a healthy module env and names the problem of a broken one (exit 1)', () => {
    const relative = `./${path.relative(packageRoot, fixture)}`;
    const good = trpo(packageRoot, 'check-env', `${relative}#createPointEnv`);
    expect(good.code, good.stderr).to.equal(0);
    expect(good.stdout).to.match(/custom-env-fixtures#createPointEnv: checkEnv found no problems/);
    const bad = trpo(packageRoot, 'check-env', `${relative}#createNanRewardEnv`);
    expect(bad.code).to.equal(1);
    expect(bad.stdout).to.match(/✗ step\(\)\.reward: expected a finite number, got NaN\. Fix: /);
    const missing = trpo(packageRoot, 'check-env', `${relative}#createRobot`);
    expect(missing.code).to.equal(1);
    expect(missing.stderr).to.match(/has no export "createRobot"/);
  });

  it('train with a relative path; eval, export and ONNX eval from elsewhere find the module', () => {
    const run = path.join(dir, 'run');
    const config = path.join(dir, 'config.json');
    fs.writeFileSync(config, JSON.stringify(small));
    const relative = `./${path.relative(packageRoot, fixture)}#createPointEnv`;
    const train = trpo(packageRoot, 'train', '--env', relative, '--timesteps', '256', '--config', config, '--out', run, '--eval-episodes', '2', '--no-progress', '--num-workers', '1');
    expect(train.code, train.stderr).to.equal(0);
    const saved = JSON.parse(fs.readFileSync(path.join(run, 'config.json'), 'utf8'));
    expect(saved.envSource.module).to.equal(new URL(`file://${fixture}`).href);
    expect(saved.env).to.equal('custom-env-fixtures#createPointEnv');

    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-elsewhere-'));
    try {
      const sdk = trpo(elsewhere, 'eval', '--run', run, '--episodes', '2', '--seed', '3');
      expect(sdk.code, sdk.stderr).to.equal(0);
      const onnxPath = path.join(dir, 'point.onnx');
      const exported = trpo(elsewhere, 'export', '--run', run, '--out', onnxPath);
      expect(exported.code, exported.stderr).to.equal(0);
      const onnx = trpo(elsewhere, 'eval', '--policy', onnxPath, '--env', `${fixture}#createPointEnv`, '--episodes', '2', '--seed', '3');
      expect(onnx.code, onnx.stderr).to.equal(0);
      expect(onnx.stderr).to.equal('');
      const returns = (s: string) => s.match(/mean return (\S+) ± (\S+)/)!.slice(1);
      expect(returns(onnx.stdout)).to.deep.equal(returns(sdk.stdout));
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('sweeps over a module env', () => {
    const spec = path.join(dir, 'sweep.json');
    fs.writeFileSync(spec, JSON.stringify({ envs: [`${fixture}#createPointEnv`], seeds: [0], timesteps: 128, options: { ...small, numWorkers: 0 } }));
    const sweep = trpo(dir, 'sweep', '--spec', spec, '--out', path.join(dir, 'sweep'), '--jobs', '1');
    expect(sweep.code, sweep.stderr + sweep.stdout).to.equal(0);
    const runs = fs.readdirSync(path.join(dir, 'sweep', 'runs'));
    expect(runs).to.have.length(1);
    expect(runs[0]).to.match(/^custom-env-fixtures_createPointEnv__s0__/);
    const result = JSON.parse(fs.readFileSync(path.join(dir, 'sweep', 'runs', runs[0], 'result.json'), 'utf8'));
    expect(result.status).to.equal('finished');
    const report = trpo(dir, 'report', path.join(dir, 'sweep'));
    expect(report.code, report.stderr).to.equal(0);
    expect(fs.readdirSync(path.join(dir, 'sweep', 'curves'))).to.deep.equal(['custom-env-fixtures_createPointEnv.svg']);
  });
});

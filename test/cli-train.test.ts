// The command line end to end, as a user runs it: train a run folder, evaluate it, export it to ONNX and
// evaluate the ONNX file on the same seeds; Ctrl-C checkpoints and --resume continues; a corrupt checkpoint
// is refused with a message naming the file.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../sdk/cli.js', import.meta.url));

function trpo(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('trpo command line', function () {
  this.timeout(180_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-cli-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('runs as the package bin, the way `npx trpo` starts it (executable, with its shebang)', () => {
    const r = spawnSync(cli, ['--help'], { encoding: 'utf8', timeout: 30_000 });
    expect(r.error, String(r.error)).to.equal(undefined);
    expect(r.status).to.equal(0);
    expect(r.stdout).to.match(/Usage: trpo <command>/);
  });

  it('train → eval → export → eval of the ONNX file give the same returns', () => {
    const run = path.join(dir, 'run');
    const train = trpo('train', '--env', 'InvertedPendulum-v5', '--timesteps', '4096', '--out', run, '--eval-episodes', '2', '--no-progress');
    expect(train.code, train.stderr).to.equal(0);
    for (const f of ['config.json', 'progress.jsonl', 'result.json', 'model/manifest.json']) {
      expect(fs.existsSync(path.join(run, f)), f).to.equal(true);
    }
    const result = JSON.parse(fs.readFileSync(path.join(run, 'result.json'), 'utf8'));
    expect(result).to.include({ status: 'finished', env: 'InvertedPendulum-v5', seed: 0 });
    expect(result.totalTimesteps).to.be.at.least(4096);
    const lines = fs.readFileSync(path.join(run, 'progress.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).to.include.keys('rollout/ep_rew_mean', 'train/kl_divergence', 'train/cg_iterations', 'time/fps');

    const sdk = trpo('eval', '--run', run, '--episodes', '3', '--seed', '5');
    expect(sdk.code, sdk.stderr).to.equal(0);
    const onnxPath = path.join(dir, 'policy.onnx');
    const exported = trpo('export', '--run', run, '--out', onnxPath);
    expect(exported.code, exported.stderr).to.equal(0);
    const onnx = trpo('eval', '--policy', onnxPath, '--env', 'InvertedPendulum-v5', '--episodes', '3', '--seed', '5');
    expect(onnx.code, onnx.stderr).to.equal(0);
    const returns = (s: string) => s.match(/mean return (\S+) ± (\S+)/)!.slice(1);
    expect(returns(onnx.stdout)).to.deep.equal(returns(sdk.stdout));
  });

  it('Ctrl-C stops after the iteration with a checkpoint, and the printed --resume finishes the run to its own target', async () => {
    const run = path.join(dir, 'run');
    // Each checkpoint (one per iteration) pauses 300 ms, so Ctrl-C lands long before the 8 iterations end.
    const env = { ...process.env, TRPO_TEST_CHECKPOINT_PAUSE_MS: '300' };
    const child = spawn(process.execPath, [cli, 'train', '--env', 'Pendulum-v1', '--seed', '3', '--timesteps', '16384', '--out', run, '--checkpoint-every', '1', '--no-progress', '--eval-episodes', '1'], { stdio: 'pipe', env });
    let stdout = '';
    child.stdout.on('data', (c) => (stdout += c));
    const progress = path.join(run, 'progress.jsonl');
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (fs.existsSync(progress) && fs.readFileSync(progress, 'utf8').split('\n').length > 3) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stdout).to.equal(130);
    expect(fs.existsSync(path.join(run, 'result.json'))).to.equal(false);
    expect(fs.existsSync(path.join(run, 'checkpoints', 'latest'))).to.equal(true);
    const printed = /continue with: (trpo train .*)$/m.exec(stdout)?.[1];
    expect(printed).to.equal(`trpo train --out ${run} --resume`);

    const resumed = trpo(...printed!.split(' ').slice(1), '--no-progress', '--eval-episodes', '1');
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stdout).to.match(/trpo train: Pendulum-v1, seed 3, target 16384 steps \(resuming at \d+\)/);
    const lines = fs.readFileSync(progress, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => l['time/iterations'])).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    const result = JSON.parse(fs.readFileSync(path.join(run, 'result.json'), 'utf8'));
    expect(result).to.include({ env: 'Pendulum-v1', seed: 3, totalTimesteps: 16384 });
  });

  it('refuses a corrupt checkpoint, naming the file', () => {
    const run = path.join(dir, 'run');
    expect(trpo('train', '--env', 'CartPole-v1', '--timesteps', '2048', '--out', run, '--eval-episodes', '0', '--no-progress').code).to.equal(0);
    const latest = path.join(run, 'checkpoints', fs.readFileSync(path.join(run, 'checkpoints', 'latest'), 'utf8').trim());
    const policy = path.join(latest, 'policy.f64');
    const bytes = fs.readFileSync(policy);
    bytes[10] ^= 0xff;
    fs.writeFileSync(policy, bytes);
    const resumed = trpo('train', '--out', run, '--resume', '--timesteps', '8192', '--no-progress');
    expect(resumed.code).to.equal(1);
    expect(resumed.stderr).to.match(/policy\.f64/).and.match(/checksum|sha256|corrupt/i);
  });

  it('refuses to overwrite an existing run without --resume', () => {
    const run = path.join(dir, 'run');
    expect(trpo('train', '--env', 'CartPole-v1', '--timesteps', '2048', '--out', run, '--eval-episodes', '0', '--no-progress').code).to.equal(0);
    const again = trpo('train', '--env', 'CartPole-v1', '--timesteps', '2048', '--out', run, '--no-progress');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/already holds a finished run: train it further with --resume --timesteps N/);
  });
});

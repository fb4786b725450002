// The run folder as a careful user meets it on the command line (issue 10's list): resume continues the run
// to its own target with its own settings, conflicts are refused by name, hand edits and user files are never
// overwritten, runs without a checkpoint restart in place, errors name the real way out, and a signal to the
// npx process stops training.
import { expect } from 'chai';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RunFolder } from '../sdk/run/run-folder.js';

const cli = fileURLToPath(new URL('../sdk/cli.js', import.meta.url));

function trpo(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const read = (file: string) => fs.readFileSync(file, 'utf8');
const readJson = (file: string) => JSON.parse(read(file));

describe('trpo run folders on the command line', function () {
  this.timeout(180_000);
  let dir: string;
  let base: string; // a finished InvertedPendulum-v5 seed-3 run of 512 steps, copied by the tests
  let config: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-cli-run-'));
    config = path.join(dir, 'small.json');
    fs.writeFileSync(config, JSON.stringify({ nSteps: 128, numEnvs: 2, numWorkers: 0, checkpointEvery: 1 }));
    base = path.join(dir, 'base');
    const r = trpo('train', '--env', 'InvertedPendulum-v5', '--seed', '3', '--timesteps', '512', '--config', config, '--out', base, '--eval-episodes', '1', '--no-progress');
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/trpo train: InvertedPendulum-v5, seed 3, target 512 steps → /);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  const copyOfBase = () => {
    const run = path.join(dir, `run-${n++}`);
    fs.cpSync(base, run, { recursive: true });
    return run;
  };

  it('--resume of a finished run asks for a larger target; --timesteps raises it (said so) and time accumulates', () => {
    const run = copyOfBase();
    const first = readJson(path.join(run, 'result.json'));
    const again = trpo('train', '--out', run, '--resume', '--no-progress');
    expect(again.code).to.equal(1);
    expect(again.stderr).to.match(/is finished \(512 steps of 512\); to train further give a larger target: --resume --timesteps N/);

    const more = trpo('train', '--out', run, '--resume', '--timesteps', '1024', '--no-progress', '--eval-episodes', '1');
    expect(more.code, more.stderr).to.equal(0);
    expect(more.stderr).to.match(/raising the run's target from 512 to 1024 steps/);
    expect(more.stdout).to.match(/trpo train: InvertedPendulum-v5, seed 3, target 1024 steps \(resuming at 512\)/);
    const result = readJson(path.join(run, 'result.json'));
    expect(result).to.include({ env: 'InvertedPendulum-v5', seed: 3, totalTimesteps: 1024 });
    expect(readJson(path.join(run, 'config.json')).totalTimesteps).to.equal(1024);
    // Time and speed cover both segments, not the last one only.
    expect(result.wallTimeS).to.be.greaterThan(first.wallTimeS);
    expect(result.envStepsPerS).to.be.closeTo(1024 / result.wallTimeS, 1e-6);
    expect(read(path.join(run, 'progress.jsonl')).trim().split('\n').map((l) => JSON.parse(l)['time/iterations'])).to.deep.equal([1, 2, 3, 4]);
  });

  const conflicts: Array<[string, string[], RegExp]> = [
    ['--seed', ['--seed', '1'], /seed: given 1, the run has 3/],
    ['--env', ['--env', 'CartPole-v1'], /env: given "CartPole-v1", the run has "InvertedPendulum-v5"/],
    ['--config', ['--config', 'GAMMA'], /gamma: given 0\.9, the run has 0\.99/],
    ['--num-envs', ['--num-envs', '4'], /numEnvs: given 4, the run has 2/],
    ['a lower --timesteps', ['--timesteps', '256'], /--timesteps 256 is below the run's target of 512 steps/],
  ];
  for (const [what, flags, message] of conflicts) {
    it(`--resume refuses ${what} that differs from the run, naming the difference`, () => {
      const run = copyOfBase();
      const before = read(path.join(run, 'config.json'));
      const gamma = path.join(dir, 'gamma.json');
      fs.writeFileSync(gamma, JSON.stringify({ gamma: 0.9 }));
      const r = trpo('train', '--out', run, '--resume', ...flags.map((f) => (f === 'GAMMA' ? gamma : f)), '--no-progress');
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(message);
      expect(read(path.join(run, 'config.json'))).to.equal(before);
    });
  }

  it('a hand-edited config.json is detected, refused and kept as the user left it', () => {
    const run = copyOfBase();
    const file = path.join(run, 'config.json');
    const edited = read(file).replace('"seed": 3', '"seed": 4');
    fs.writeFileSync(file, edited);
    const r = trpo('train', '--out', run, '--resume', '--timesteps', '1024', '--no-progress');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/config\.json was changed after trpo wrote it/);
    expect(read(file)).to.equal(edited);
  });

  it('never writes into a folder of the user\'s, nor over a file given as --out', () => {
    const user = path.join(dir, 'user-folder');
    fs.mkdirSync(user);
    fs.writeFileSync(path.join(user, 'config.json'), '{"mine": true}\n');
    const r = trpo('train', '--env', 'CartPole-v1', '--timesteps', '256', '--config', config, '--out', user, '--no-progress');
    expect(r.code).to.equal(1);
    expect(r.stderr).to.match(/is not empty and is not a trpo-wasm run folder \(it holds config\.json\); nothing was written/);
    expect(fs.readdirSync(user)).to.deep.equal(['config.json']);
    expect(read(path.join(user, 'config.json'))).to.equal('{"mine": true}\n');

    const afile = path.join(dir, 'afile');
    fs.writeFileSync(afile, 'x');
    const f = trpo('train', '--env', 'CartPole-v1', '--timesteps', '256', '--config', config, '--out', afile, '--no-progress');
    expect(f.code).to.equal(1);
    expect(f.stderr).to.match(/afile is a file, not a folder/).and.not.match(/EEXIST/);
  });

  it('a run that failed validation or stopped before its first checkpoint starts again in place', () => {
    const run = path.join(dir, 'restart');
    const typo = path.join(dir, 'typo.json');
    fs.writeFileSync(typo, JSON.stringify({ nSteps: 128, numEnvs: 2, numWorkers: 0, envOptions: { resetNoiseScal: 0.1 } }));
    const bad = trpo('train', '--env', 'CartPole-v1', '--timesteps', '256', '--config', typo, '--out', run, '--no-progress');
    expect(bad.code).to.equal(1);
    expect(bad.stderr).to.match(/resetNoiseScal/);
    const good = trpo('train', '--env', 'CartPole-v1', '--timesteps', '256', '--config', config, '--out', run, '--eval-episodes', '0', '--no-progress');
    expect(good.code, good.stderr).to.equal(0);

    // Stopped before its first checkpoint: its marker, config and a log line, no checkpoint.
    const early = path.join(dir, 'early');
    const folder = RunFolder.open(early, { command: 'test' });
    folder.writeConfig({ ...readJson(path.join(run, 'config.json')), seed: 5 });
    fs.writeFileSync(folder.file('progress'), '{"time/iterations": 1}\n');
    folder.release();
    const resumed = trpo('train', '--out', early, '--resume', '--eval-episodes', '0', '--no-progress');
    expect(resumed.code, resumed.stderr).to.equal(0);
    expect(resumed.stderr).to.match(/has no checkpoint yet; starting it from the beginning with its recorded settings/);
    expect(resumed.stdout).to.match(/CartPole-v1, seed 5, target 256 steps/);
    expect(readJson(path.join(early, 'result.json'))).to.include({ seed: 5, totalTimesteps: 256 });
  });

  it('keepCheckpoints from --config is honoured', () => {
    const run = path.join(dir, 'keep');
    const keep = path.join(dir, 'keep.json');
    fs.writeFileSync(keep, JSON.stringify({ nSteps: 128, numEnvs: 2, numWorkers: 0, checkpointEvery: 1, keepCheckpoints: 1 }));
    const r = trpo('train', '--env', 'CartPole-v1', '--timesteps', '768', '--config', keep, '--out', run, '--eval-episodes', '0', '--no-progress');
    expect(r.code, r.stderr).to.equal(0);
    expect(fs.readdirSync(path.join(run, 'checkpoints')).filter((f) => /^\d+$/.test(f))).to.deep.equal(['000003']);
  });

  it('export never overwrites: not into a model folder, not onto an existing file unless --force', () => {
    const run = copyOfBase();
    const modelFile = path.join(run, 'model', 'policy.f64');
    const model = fs.readFileSync(modelFile);
    const into = trpo('export', '--run', run, '--out', modelFile);
    expect(into.code).to.equal(1);
    expect(into.stderr).to.match(/is inside .*model, which holds a saved model or checkpoint/);
    expect(fs.readFileSync(modelFile).equals(model)).to.equal(true);

    const mine = path.join(dir, 'mine.onnx');
    fs.writeFileSync(mine, 'my notes');
    const over = trpo('export', '--run', run, '--out', mine);
    expect(over.code).to.equal(1);
    expect(over.stderr).to.match(/mine\.onnx exists; not replacing it\. Choose another --out, or pass --force/);
    expect(read(mine)).to.equal('my notes');
    const forced = trpo('export', '--run', run, '--out', mine, '--force');
    expect(forced.code, forced.stderr).to.equal(0);
    expect(fs.statSync(mine).size).to.be.greaterThan(1000);
  });

  it('eval of a damaged model names the newest good checkpoint, which works', () => {
    const run = copyOfBase();
    fs.writeFileSync(path.join(run, 'model', 'policy.f64'), Buffer.alloc(16));
    const r = trpo('eval', '--run', run, '--episodes', '1');
    expect(r.code).to.equal(1);
    const good = path.join(run, 'checkpoints', '000002');
    expect(r.stderr).to.match(/policy\.f64 is truncated/).and.include(`newest good checkpoint is ${good}: use it with --run ${good}`);
    expect(r.stderr).not.to.match(/start the run again/);
    const fromCheckpoint = trpo('eval', '--run', good, '--episodes', '1');
    expect(fromCheckpoint.code, fromCheckpoint.stderr).to.equal(0);
  });

  it('kill -INT to the npx process (npm forwards it to its shell only) stops training with a checkpoint', async function () {
    const run = path.join(dir, 'npx');
    // npm runs the bin under `sh -c`; npm_lifecycle_event is what npm sets for it.
    const env = { ...process.env, npm_lifecycle_event: 'npx', TRPO_TEST_CHECKPOINT_PAUSE_MS: '300' };
    const shell = spawn('sh', ['-c', `"${process.execPath}" "${cli}" train --env CartPole-v1 --timesteps 100000 --config "${config}" --out "${run}" --no-progress; true`], { env, stdio: 'ignore' });
    const progress = path.join(run, 'progress.jsonl');
    await waitFor(() => fs.existsSync(progress) && read(progress).split('\n').length > 2);
    shell.kill('SIGINT'); // what npm does with the SIGINT it receives: the shell dies of it, the trainer does not see it
    await waitFor(() => !fs.existsSync(path.join(run, 'lock.json'))); // the trainer released its lock: it ended
    expect(fs.existsSync(path.join(run, 'checkpoints', 'latest'))).to.equal(true);
    expect(fs.existsSync(path.join(run, 'result.json'))).to.equal(false);
    const iterations = read(progress).trim().split('\n').length;
    expect(iterations).to.be.lessThan(100000 / 256);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

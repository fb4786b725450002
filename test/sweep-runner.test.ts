import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childProcessRunner, RunFailedError, type RunRequest } from '../sdk/sweep/runner.js';
import { parseSweepSpec, planRuns } from '../sdk/sweep/spec.js';
import { sleep, tempDir } from './sweep-fixtures.js';

// A stand-in for `trpo train` that only exercises the process plumbing; its behaviour is chosen by --seed:
// 0 records its arguments and succeeds, 1 prints 30 stderr lines and exits 3, 2 counts SIGINTs and exits 0
// shortly after the first, 3 ignores SIGINT.
const STAND_IN = `
import * as fs from 'node:fs';
const args = process.argv.slice(2);
const flag = (name) => args[args.indexOf(name) + 1];
const out = flag('--out');
const seed = Number(flag('--seed'));
fs.mkdirSync(out, { recursive: true });
if (seed === 0) {
  fs.writeFileSync(out + '/args.json', JSON.stringify(args));
  console.log('training output on stdout');
} else if (seed === 1) {
  for (let i = 1; i <= 30; i++) console.error('error line ' + i);
  process.exit(3);
} else {
  let sigints = 0;
  process.on('SIGINT', () => {
    sigints += 1;
    fs.writeFileSync(out + '/sigints.json', String(sigints));
    if (seed === 2) setTimeout(() => process.exit(0), 100);
  });
  fs.writeFileSync(out + '/ready', '');
  setInterval(() => {}, 1000);
}
`;

describe('sweep child-process runner', () => {
  let dir: string;
  let cli: string;
  before(() => {
    dir = tempDir('sweep-runner');
    cli = path.join(dir, 'stand-in-cli.mjs');
    fs.writeFileSync(cli, STAND_IN);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const [run] = planRuns(parseSweepSpec({ envs: ['Walker2d-v5'], seeds: [0], timesteps: 5000 }));
  const request = (seed: number, signal = new AbortController().signal, resume = false): RunRequest => {
    const runDir = path.join(dir, `run-${seed}-${resume}`);
    return { run: { ...run, seed }, runDir, optionsFile: path.join(runDir, 'sweep-options.json'), resume, signal };
  };
  const waitFor = async (file: string) => {
    for (let i = 0; i < 500 && !fs.existsSync(file); i++) await sleep(10);
  };

  it('starts `<cli> train` with the run\'s flags and keeps its output in output.log', async () => {
    for (const resume of [false, true]) {
      const r = request(0, undefined, resume);
      await childProcessRunner({ cliPath: cli })(r);
      expect(JSON.parse(fs.readFileSync(path.join(r.runDir, 'args.json'), 'utf8'))).to.deep.equal([
        'train', '--env', 'Walker2d-v5', '--seed', '0', '--timesteps', '5000', '--out', r.runDir, '--config', r.optionsFile,
        ...(resume ? ['--resume'] : []),
      ]);
      expect(fs.readFileSync(path.join(r.runDir, 'output.log'), 'utf8')).to.equal('training output on stdout\n');
    }
  });

  it('rejects with the exit code and the last stderr lines when the trainer fails', async () => {
    let error: unknown;
    try {
      await childProcessRunner({ cliPath: cli, tailLines: 20 })(request(1));
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RunFailedError);
    const e = error as RunFailedError;
    expect(e.exitCode).to.equal(3);
    expect(e.tail.split('\n')).to.deep.equal(Array.from({ length: 20 }, (_, i) => `error line ${i + 11}`));
    expect(e.message).to.match(/^trainer exited with code 3:\nerror line 11\n/);
  });

  it('forwards exactly one SIGINT on abort and lets the trainer stop on its own', async () => {
    const controller = new AbortController();
    const r = request(2, controller.signal);
    const running = childProcessRunner({ cliPath: cli })(r);
    await waitFor(path.join(r.runDir, 'ready'));
    controller.abort();
    await running;
    expect(fs.readFileSync(path.join(r.runDir, 'sigints.json'), 'utf8')).to.equal('1');
  });

  it('kills a trainer that does not stop within stopTimeoutMs', async () => {
    const controller = new AbortController();
    const r = request(3, controller.signal);
    const running = childProcessRunner({ cliPath: cli, stopTimeoutMs: 200 })(r);
    await waitFor(path.join(r.runDir, 'ready'));
    controller.abort();
    let error: unknown;
    try {
      await running;
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RunFailedError);
    expect((error as RunFailedError).signal).to.equal('SIGKILL');
    expect((error as RunFailedError).message).to.match(/^trainer was killed by SIGKILL/);
  });

  it('refuses to start without the CLI, saying how to build it', () => {
    expect(() => childProcessRunner({ cliPath: path.join(dir, 'missing.js') })).to.throw(/trainer CLI not found at .*missing\.js; build the package first \(npm run build\)/);
  });
});

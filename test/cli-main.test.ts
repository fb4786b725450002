import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { backends, type Backends } from '../sdk/cli/backends.js';
import { main, type CliIO } from '../sdk/cli/main.js';
import { UsageError } from '../sdk/cli/parse.js';

const CLI = fileURLToPath(new URL('../sdk/cli.js', import.meta.url));

/** Captured stdout/stderr for in-process runs. */
function captureIO(signal?: AbortSignal): CliIO & { out: string; err: string } {
  const io = {
    out: '',
    err: '',
    signal,
    now: () => new Date(2025, 0, 2, 3, 4, 5),
    stdout: { write: (s: string) => { io.out += s; return true; } } as unknown as CliIO['stdout'],
    stderr: { write: (s: string) => { io.err += s; return true; } } as unknown as CliIO['stderr'],
  };
  return io;
}

/** Backends that record what they were called with and answer with `outcome`. */
function fakeBackends(outcome: () => Promise<number | void>): { runners: Backends; calls: Array<[string, unknown]> } {
  const calls: Array<[string, unknown]> = [];
  const record = (name: string) => async (args: unknown) => { calls.push([name, args]); return outcome(); };
  const runners: Backends = { train: record('train'), eval: record('eval'), export: record('export'), sweep: record('sweep'), report: record('report'),
    'check-env': record('check-env'), view: record('view') };
  return { runners, calls };
}

function runCli(args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });
}

describe('trpo main: dispatch and exit codes', () => {
  it('hands each command its typed arguments and returns its exit code', async () => {
    const { runners, calls } = fakeBackends(async () => undefined);
    expect(await main(['eval', '--run', 'runs/a'], captureIO(), runners)).to.equal(0);
    expect(await main(['report', 'sweeps/x'], captureIO(), runners)).to.equal(0);
    expect(calls.map(([name]) => name)).to.deep.equal(['eval', 'report']);
    expect(calls[0][1]).to.deep.include({ source: 'run', runDir: 'runs/a', episodes: 10 });
    const three = fakeBackends(async () => 3);
    expect(await main(['export', '--run', 'r'], captureIO(), three.runners)).to.equal(3);
  });

  const outcomes: Array<[string, () => Promise<number | void>, number, RegExp]> = [
    ['a failure → 1 with the message', async () => { throw new Error('Hopper-v5 diverged'); }, 1, /^trpo train: error: Hopper-v5 diverged\n$/],
    ['a usage problem found late → 2', async () => { throw new UsageError('run folder runs/x has no checkpoint'); }, 2, /^trpo train: run folder runs\/x has no checkpoint\n$/],
  ];
  for (const [name, outcome, code, message] of outcomes) {
    it(`maps ${name}`, async () => {
      const io = captureIO();
      expect(await main(['train'], io, fakeBackends(outcome).runners)).to.equal(code);
      expect(io.err).to.match(message);
    });
  }

  it('returns 130 when a command stopped cleanly after Ctrl-C', async () => {
    const controller = new AbortController();
    const { runners } = fakeBackends(async () => { controller.abort(); });
    expect(await main(['train'], captureIO(controller.signal), runners)).to.equal(130);
  });

  it('does not run the command on a bad command line or --help', async () => {
    const { runners, calls } = fakeBackends(async () => 0);
    const bad = captureIO();
    expect(await main(['train', '--seeds', '1'], bad, runners)).to.equal(2);
    expect(bad.err).to.match(/^trpo train: unknown flag --seeds; valid flags .*\nRun 'trpo train --help' for its flags\.\n$/);
    const help = captureIO();
    expect(await main(['sweep', '--help'], help, runners)).to.equal(0);
    expect(help.out).to.match(/^Usage: trpo sweep \[flags\]/);
    expect(calls).to.deep.equal([]);
  });


  // The real executable, as a user runs it.
  const processCases: Array<{ args: string[]; status: number; stdout?: RegExp; stderr?: RegExp }> = [
    { args: [], status: 2, stderr: /^Usage: trpo <command> \[flags\][\s\S]*Commands:\n {2}train /m },
    { args: ['--help'], status: 0, stdout: /Commands:\n {2}train [\s\S]* {2}eval [\s\S]* {2}export [\s\S]* {2}sweep [\s\S]* {2}report /m },
    { args: ['--version'], status: 0, stdout: /^trpo-wasm \d+\.\d+\.\d+\n$/ },
    { args: ['train', '--help'], status: 0, stdout: /^Usage: trpo train \[flags\][\s\S]*--timesteps N[\s\S]*--num-workers N/ },
    { args: ['help', 'export'], status: 0, stdout: /^Usage: trpo export \[flags\][\s\S]*--no-clip/ },
    { args: ['train', '--timestep', '10'], status: 2, stderr: /^trpo train: unknown flag --timestep; valid flags for 'trpo train': --env, --timesteps,/ },
    { args: ['eval', '--episodes', 'ten', '--run', 'r'], status: 2, stderr: /^trpo eval: --episodes "ten": expected a positive integer/ },
    { args: ['fly'], status: 2, stderr: /^trpo: unknown command "fly"; commands: train, eval, export, sweep, report/ },
  ];
  for (const { args, status, stdout, stderr } of processCases) {
    it(`node dist/sdk/cli.js ${args.join(' ')} → exit ${status}`, () => {
      const result = runCli(args);
      expect(result.status, result.stderr).to.equal(status);
      if (stdout) expect(result.stdout).to.match(stdout);
      if (stderr) expect(result.stderr).to.match(stderr);
    });
  }
});

import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { COMMANDS, type CommandArgs, type CommandName } from '../sdk/cli/commands.js';
import { formatHelp, tokenize, UsageError } from '../sdk/cli/parse.js';

const NOW = new Date(2025, 0, 2, 3, 4, 5); // local time → 20250102-030405

/** argv → typed args through the same two steps as `trpo` itself. */
function parse<K extends CommandName>(command: K, argv: string[]): CommandArgs[K] {
  const spec = COMMANDS[command];
  const line = tokenize(command, spec.flags, spec.positionals ?? [], argv);
  return spec.toArgs(line.values, line.positionals, NOW);
}

function usageError(command: CommandName, argv: string[]): string {
  try {
    parse(command, argv);
  } catch (error) {
    expect(error).to.be.instanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`expected a UsageError for trpo ${command} ${argv.join(' ')}`);
}

describe('CLI arguments', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-cli-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, content: string) => { const p = path.join(dir, name); fs.writeFileSync(p, content); return p; };

  // Each bad command line must be refused with a message that names the flag (and the value, when given).
  const errors: Array<[CommandName, string[], RegExp]> = [
    ['train', ['--bogus'], /unknown flag --bogus; valid flags for 'trpo train': --env, --timesteps, .* --help$/],
    ['train', ['-x'], /unknown flag -x/],
    ['train', ['--timesteps', 'lots'], /^--timesteps "lots": expected a positive integer, e.g. --timesteps 1000000$/],
    ['train', ['--timesteps', '0'], /^--timesteps "0": expected a positive integer/],
    ['train', ['--seed', '1.5'], /^--seed "1.5": expected an integer >= 0/],
    ['train', ['--seed=-1'], /^--seed "-1": expected an integer >= 0/],
    ['train', ['--env', 'hopper'], /^--env "hopper": expected an environment id like Hopper-v5, or your env module like \.\/my-env\.mjs#createEnv$/],
    ['train', ['--out'], /^--out needs a value: --out DIR$/],
    ['train', ['--out', '--seed', '1'], /^--out needs a value/],
    ['train', ['--csv=yes'], /^--csv is a switch and takes no value/],
    ['train', ['--seed', '1', '--seed', '2'], /^--seed is given twice/],
    ['train', ['extra'], /unexpected argument "extra": 'trpo train' takes no arguments besides flags/],
    ['train', ['--resume'], /--resume continues the run in --out DIR/],
    ['train', ['--resume', '--out', 'r', '--resume-from', 'r/checkpoints/000001'], /--resume and --resume-from exclude each other/],
    ['train', ['--resume-from', 'somewhere'], /--resume-from somewhere: not inside <run>\/checkpoints\/, so give the run folder with --out DIR/],
    ['train', ['--num-workers', '0'], /^--num-workers "0": expected a positive integer/],
    ['eval', [], /give exactly one of --run DIR or --policy FILE --env ID/],
    ['eval', ['--run', 'r', '--policy', 'p.onnx'], /give exactly one of/],
    ['eval', ['--run', 'r', '--env', 'Hopper-v5'], /--env is only for --policy/],
    ['eval', ['--policy', 'p.onnx'], /--policy needs --env ID/],
    ['eval', ['--run', 'r', '--episodes', '0'], /^--episodes "0": expected a positive integer/],
    ['export', [], /--run DIR is required/],
    ['export', ['--run', 'r', '--opset', '8'], /^--opset "8": expected an integer from 9 to 26, e.g. --opset 17$/],
    ['export', ['--run', 'r', '--opset', '27'], /^--opset "27": expected an integer from 9 to 26, e.g. --opset 17$/],
    ['export', ['--run', 'r', '--clip'], /unknown flag --clip; valid flags for 'trpo export': --run, --out, --stochastic, --no-clip, --opset, --force, --help/],
    ['sweep', ['--envs', 'Hopper-v5'], /--out DIR is required/],
    ['sweep', ['--out', 's'], /give --envs ID,ID \(with --seeds\) or --spec FILE/],
    ['sweep', ['--out', 's', '--envs', 'Hopper-v5,cheetah'], /^--envs "Hopper-v5,cheetah": "cheetah" is not an environment id/],
    ['sweep', ['--out', 's', '--envs', 'Hopper-v5', '--seeds', '4-2'], /^--seeds "4-2": "4-2" is not a seed or range/],
    ['sweep', ['--out', 's', '--envs', 'Hopper-v5', '--seeds', '0-3,1'], /seed 1 appears twice/],
    ['sweep', ['--out', 's', '--envs', 'Hopper-v5', '--shard', '2/2'], /^--shard "2\/2": expected i\/N with 0 <= i < N/],
    ['sweep', ['--out', 's', '--spec', 'x.json', '--envs', 'Hopper-v5'], /--spec excludes --envs and --seeds/],
    ['report', [], /the sweep folder is missing: trpo report DIR\.\.\./],
    ['view', [], /give exactly one of --run DIR or --policy FILE --env ID/],
    ['view', ['--policy', 'p.onnx'], /--policy needs --env ID/],
    ['view', ['--run', 'r', '--record', 'out.mp4'], /--record out\.mp4: the video is WebM/],
    ['view', ['--run', 'r', '--speed', '3'], /^--speed/],
    ['export', ['--run', 'r', 'b'], /unexpected argument "b": 'trpo export' takes no arguments besides flags/],
  ];
  for (const [command, argv, message] of errors) {
    it(`refuses: trpo ${command} ${argv.join(' ')}`, () => expect(usageError(command, argv)).to.match(message));
  }

  it('trains Hopper-v5, seed 0, into runs/<env>-<seed>-<time> with no flags', () => {
    expect(parse('train', [])).to.deep.equal({
      env: 'Hopper-v5', seed: 0, timesteps: undefined, outDir: path.join('runs', 'Hopper-v5-0-20250102-030405'),
      options: { env: 'Hopper-v5', seed: 0 }, configPath: undefined, resumeFrom: undefined, checkpointEvery: undefined,
      keepCheckpoints: undefined, evalEpisodes: 10, csv: false, tensorboardLog: undefined, progress: true,
    });
  });

  it('layers flags over the --config file over defaults', () => {
    const config = file('cfg.json', JSON.stringify({ env: 'Walker2d-v5', seed: 3, gamma: 0.995, numWorkers: 1 }));
    const fromConfig = parse('train', ['--config', config]);
    expect(fromConfig.options).to.deep.equal({ env: 'Walker2d-v5', seed: 3, gamma: 0.995, numWorkers: 1 });
    expect(fromConfig.outDir).to.equal(path.join('runs', 'Walker2d-v5-3-20250102-030405'));
    const overridden = parse('train', ['--config', config, '--seed', '7', '--num-workers', '2', '--num-envs=4', '--env', 'Swimmer-v5',
      '--timesteps', '1e6', '--csv', '--no-progress', '--checkpoint-every', '5', '--keep-checkpoints', '2', '--eval-episodes', '0']);
    expect(overridden).to.deep.include({
      env: 'Swimmer-v5', seed: 7, timesteps: 1_000_000, csv: true, progress: false, checkpointEvery: 5, keepCheckpoints: 2, evalEpisodes: 0,
      configPath: config,
    });
    expect(overridden.options).to.deep.equal({ env: 'Swimmer-v5', seed: 7, gamma: 0.995, numWorkers: 2, numEnvs: 4 });
    expect(parse('train', ['--timesteps', '2_048']).timesteps).to.equal(2048);
    expect(parse('train', ['--tensorboard', 'tb']).tensorboardLog).to.equal('tb');
  });

  it('refuses a --config that is missing, not JSON, not an object, or has a bad env/seed, naming the file', () => {
    const cases: Array<[string, RegExp]> = [
      [path.join(dir, 'missing.json'), /^--config .*missing\.json: cannot read the file \(no such file\)$/],
      [file('torn.json', '{"gamma": 0.99,'), /^--config .*torn\.json: not valid JSON/],
      [file('list.json', '[1]'), /^--config .*list\.json: expected a JSON object of agent options, got an array$/],
      [file('env.json', '{"env": 5}'), /^--config .*env\.json: "env" is 5; expected an environment id like Hopper-v5, a module path or \{ "module": … \}$/],
      [file('seed.json', '{"seed": "1"}'), /^--config .*seed\.json: "seed" is "1"; expected an integer >= 0$/],
    ];
    for (const [p, message] of cases) expect(usageError('train', ['--config', p])).to.match(message);
  });

  it('resumes the --out run, or a given checkpoint whose run folder it derives', () => {
    expect(parse('train', ['--out', 'runs/a', '--resume'])).to.deep.include({ outDir: 'runs/a', resumeFrom: 'runs/a' });
    const from = path.join('runs', 'b', 'checkpoints', '000010');
    expect(parse('train', ['--resume-from', from])).to.deep.include({ outDir: path.join('runs', 'b'), resumeFrom: from });
    expect(parse('train', ['--resume-from', 'elsewhere/c', '--out', 'runs/c'])).to.deep.include({ outDir: 'runs/c', resumeFrom: 'elsewhere/c' });
  });

  it('parses eval, export, sweep and report with their defaults', () => {
    expect(parse('eval', ['--run', 'runs/a'])).to.deep.equal({ episodes: 10, seed: 0, deterministic: true, source: 'run', runDir: 'runs/a' });
    expect(parse('eval', ['--policy', 'p.onnx', '--env', 'Hopper-v5', '--episodes', '3', '--seed', '9', '--stochastic'])).to.deep.equal({
      episodes: 3, seed: 9, deterministic: false, source: 'onnx', policyPath: 'p.onnx', env: 'Hopper-v5',
    });
    expect(parse('export', ['--run', 'runs/a'])).to.deep.equal({
      runDir: 'runs/a', outPath: path.join('runs/a', 'policy.onnx'), stochastic: false, clipActions: true, opset: 17, force: false,
    });
    expect(parse('export', ['--run', 'r', '--out', 'x.onnx', '--stochastic', '--no-clip', '--opset', '13'])).to.deep.include({
      outPath: 'x.onnx', stochastic: true, clipActions: false, opset: 13,
    });
    expect(parse('sweep', ['--envs', 'Hopper-v5,Walker2d-v5', '--seeds', '0-2,7', '--timesteps', '1e5', '--jobs', '2', '--out', 's', '--shard', '1/4']))
      .to.deep.equal({
        outDir: 's', spec: undefined, specPath: undefined, envs: ['Hopper-v5', 'Walker2d-v5'], seeds: [0, 1, 2, 7],
        timesteps: 100_000, jobs: 2, shard: { index: 1, count: 4 }, cores: undefined, oversubscribe: undefined,
      });
    expect(parse('sweep', ['--envs', 'Hopper-v5', '--out', 's', '--cores', '8', '--oversubscribe'])).to.deep.include({ cores: 8, oversubscribe: true });
    expect(parse('sweep', ['--envs', 'Hopper-v5', '--out', 's']).seeds).to.deep.equal([0]);
    const spec = file('sweep.json', '{"envs": ["Hopper-v5"], "seeds": [0, 1]}');
    expect(parse('sweep', ['--spec', spec, '--out', 's'])).to.deep.include({ spec: { envs: ['Hopper-v5'], seeds: [0, 1] }, specPath: spec });
    expect(parse('report', ['sweeps/x'])).to.deep.equal({ sweepDirs: ['sweeps/x'], outDir: 'sweeps/x', aggregate: 'mean' });
    expect(parse('report', ['s/0', 's/1', '--out', 'r', '--iqm'])).to.deep.equal({ sweepDirs: ['s/0', 's/1'], outDir: 'r', aggregate: 'iqm' });
    expect(parse('view', ['--policy', 'p.onnx', '--env', 'Hopper-v5', '--port', '8080', '--stochastic', '--speed', '0.5'])).to.deep.equal({
      source: { kind: 'onnx', policyPath: 'p.onnx', env: 'Hopper-v5' }, port: 8080, seed: 0, deterministic: false, speed: 0.5,
      record: undefined, episodes: 1,
    });
    expect(parse('view', ['--run', 'r', '--record', 'a.webm', '--episodes', '2'])).to.deep.include({ source: { kind: 'run', runDir: 'r' }, port: 0, record: 'a.webm', episodes: 2 });
  });

  it('generates --help listing every flag with its value placeholder and default', () => {
    for (const [name, spec] of Object.entries(COMMANDS)) {
      const help = formatHelp(name, spec.summary, spec.flags, spec.positionals, spec.notes);
      expect(help.startsWith(`Usage: trpo ${name}`)).to.equal(true);
      for (const [flag, f] of Object.entries(spec.flags)) {
        expect(help).to.include(`--${flag}${f.type === 'string' ? ` ${f.value}` : ''}`);
        if (f.defaultText !== undefined) expect(help).to.include(`(default: ${f.defaultText})`);
      }
      expect(help).to.include('-h, --help');
    }
    // Asking for help wins over mistakes elsewhere on the line.
    expect(tokenize('train', COMMANDS.train.flags, [], ['--bogus', '-h', '--seed']).help).to.equal(true);
    expect(tokenize('train', COMMANDS.train.flags, [], ['--seed', '1']).help).to.equal(false);
  });
});

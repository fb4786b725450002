// The subcommands' flags and their validation into typed arguments. Each command's flags are one table (it
// also makes --help); a zod schema turns raw values into numbers/lists; cross-flag rules follow in plain code.
// Precedence for training settings: flags > --config file > built-in defaults.

import * as path from 'node:path';
import { z } from 'zod';
import { MAX_OPSET as ONNX_MAX_OPSET, MIN_OPSET as ONNX_MIN_OPSET } from '../onnx/graph.js';
import { moduleRefLabel, isModuleRef } from '../envs/ref.js';
import { CHECKPOINTS_SUBDIR } from '../run/checkpoint.js';
import {
  envIdFlag, envListFlag, intFlag, readJsonObjectFile, seedListFlag, shardFlag, UsageError, validateFlags,
  type FlagSpec, type PositionalSpec,
} from './parse.js';

export const DEFAULT_ENV = 'Hopper-v5';
export const DEFAULT_SEED = 0;
export const DEFAULT_OPSET = 17;

/** What every command's implementation gets besides its arguments. */
export interface CommandContext {
  /** Aborted by the first Ctrl-C (or SIGTERM): stop after the current iteration, checkpoint, return. */
  signal: AbortSignal;
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream;
}

export interface TrainArgs {
  /** --env > config.env > Hopper-v5 (an id, a module path, or a config's { module, export, options }). */
  env: string | { module: string };
  /** --seed > config.seed > 0. */
  seed: number;
  /** --timesteps; undefined → the env's tuned budget. */
  timesteps?: number;
  /** --out, or runs/<env>-<seed>-<YYYYMMDD-HHMMSS>. */
  outDir: string;
  /**
   * Options for the agent: the --config file overlaid with env, seed, numWorkers, numEnvs from flags. With
   * --resume/--resume-from only what was given (the run supplies the rest; a difference is refused).
   */
  options: Record<string, unknown>;
  configPath?: string;
  /** Continue from this checkpoint location (a run folder, a checkpoint root or one checkpoint folder). */
  resumeFrom?: string;
  checkpointEvery?: number;
  /** --keep-checkpoints; undefined → the config's keepCheckpoints (default 3). */
  keepCheckpoints?: number;
  /** Episodes of the final deterministic evaluation (0 = none). */
  evalEpisodes: number;
  csv: boolean;
  /** --tensorboard DIR: also write TensorBoard event files there. */
  tensorboardLog?: string;
  progress: boolean;
}

export type EvalArgs = {
  episodes: number;
  seed: number;
  deterministic: boolean;
} & ({ source: 'run'; runDir: string } | { source: 'onnx'; policyPath: string; env: string });

export interface ExportArgs {
  runDir: string;
  /** --out, or <run>/policy.onnx. */
  outPath: string;
  stochastic: boolean;
  clipActions: boolean;
  opset: number;
  /** Replace an existing file at outPath. */
  force: boolean;
}

export interface SweepArgs {
  outDir: string;
  /** Contents of --spec (validated by the sweep module), or undefined when --envs/--seeds are used. */
  spec?: Record<string, unknown>;
  specPath?: string;
  envs?: string[];
  seeds?: number[];
  timesteps?: number;
  jobs?: number;
  shard?: { index: number; count: number };
  /** Core budget (default: all cores the process may use). */
  cores?: number;
  /** Run --jobs runs at a time even if their worker threads exceed the cores. */
  oversubscribe?: boolean;
}

export interface CheckEnvArgs {
  /** An env id or module file ('./my-env.mjs#createEnv'). */
  env: string;
  steps: number;
  seed: number;
}

export interface ReportArgs {
  /** Sweep folders to merge (shards' --out folders, or one folder all shards wrote into). */
  sweepDirs: string[];
  /** --out, or the first sweep folder. */
  outDir: string;
  /** --iqm: curves show the interquartile mean over seeds instead of the mean. */
  aggregate: 'mean' | 'iqm';
}

export interface ViewArgs {
  source: { kind: 'run'; runDir: string } | { kind: 'onnx'; policyPath: string; env: string };
  /** 0 = a free port. */
  port: number;
  seed: number;
  deterministic: boolean;
  speed: number;
  /** --record FILE: write a video of --episodes episodes instead of serving until Ctrl-C. */
  record?: string;
  episodes: number;
}

export interface CommandArgs {
  view: ViewArgs;
  train: TrainArgs;
  eval: EvalArgs;
  export: ExportArgs;
  sweep: SweepArgs;
  report: ReportArgs;
  'check-env': CheckEnvArgs;
}
export type CommandName = keyof CommandArgs;

export interface CommandSpec<A> {
  summary: string;
  flags: Record<string, FlagSpec>;
  positionals?: PositionalSpec[];
  notes?: string[];
  /** Raw flag values (and positionals) → typed arguments; throws UsageError. */
  toArgs(values: Record<string, string | boolean>, positionals: string[], now: Date): A;
}

// ——— train ———

const trainFlags: Record<string, FlagSpec> = {
  env: { type: 'string', value: 'ID|FILE', description: 'environment id, or your env module ./my-env.mjs[#export]', defaultText: `${DEFAULT_ENV}, or "env" in --config` },
  timesteps: { type: 'string', value: 'N', description: 'env steps to train for (1e6 and 1_000_000 work)', defaultText: "the env's tuned budget" },
  seed: { type: 'string', value: 'N', description: 'random seed', defaultText: `${DEFAULT_SEED}, or "seed" in --config` },
  out: { type: 'string', value: 'DIR', description: 'run folder', defaultText: 'runs/<env>-<seed>-<time>' },
  config: { type: 'string', value: 'FILE', description: 'JSON file of agent options (SB3-style names, e.g. {"gamma": 0.995})' },
  algo: { type: 'string', value: 'NAME', description: 'trpo, or the derivative-free baselines cem and cmaes', defaultText: 'trpo, or "algo" in --config' },
  resume: { type: 'boolean', description: 'continue the run in --out from its latest checkpoint' },
  'resume-from': { type: 'string', value: 'DIR', description: 'continue from this checkpoint folder (e.g. runs/x/checkpoints/000010)' },
  'num-workers': { type: 'string', value: 'N', description: 'worker threads stepping the envs', defaultText: 'from the config' },
  'num-envs': { type: 'string', value: 'N', description: 'parallel environments', defaultText: 'from the config' },
  'checkpoint-every': { type: 'string', value: 'N', description: 'iterations between checkpoints', defaultText: 'the trainer\'s' },
  'keep-checkpoints': { type: 'string', value: 'N', description: 'how many recent checkpoints to keep', defaultText: '3' },
  'eval-episodes': { type: 'string', value: 'N', description: 'episodes of the final evaluation, 0 for none', defaultText: '10' },
  csv: { type: 'boolean', description: 'also write progress.csv beside progress.jsonl' },
  tensorboard: { type: 'string', value: 'DIR', description: 'also write TensorBoard scalars into DIR/<run>_<n>/ (tensorboard --logdir DIR)' },
  'no-progress': { type: 'boolean', description: 'no progress display (the log files are still written)' },
};

const trainSchema = z.object({
  env: envIdFlag.optional(),
  algo: z.enum(['trpo', 'cem', 'cmaes'], 'expected trpo, cem or cmaes').optional(),
  timesteps: intFlag(1, '--timesteps 1000000').optional(),
  seed: intFlag(0, '--seed 0').optional(),
  out: z.string().optional(),
  config: z.string().optional(),
  resume: z.boolean().optional(),
  'resume-from': z.string().optional(),
  'num-workers': intFlag(1, '--num-workers 2').optional(),
  'num-envs': intFlag(1, '--num-envs 2').optional(),
  'checkpoint-every': intFlag(1, '--checkpoint-every 10').optional(),
  'keep-checkpoints': intFlag(1, '--keep-checkpoints 3').optional(),
  'eval-episodes': intFlag(0, '--eval-episodes 10').optional(),
  csv: z.boolean().optional(),
  tensorboard: z.string().min(1).optional(),
  'no-progress': z.boolean().optional(),
});

const train: CommandSpec<TrainArgs> = {
  summary: 'Train a policy with TRPO (or CEM / CMA-ES with --algo); writes checkpoints, progress.jsonl and the final model into the run folder.',
  flags: trainFlags,
  notes: [
    'Settings come from the flags, then the --config file, then the tuned defaults of the environment.',
    'Ctrl-C stops after the current iteration and saves a checkpoint; a second Ctrl-C quits at once.',
  ],
  toArgs(values, _positionals, now) {
    const flags = validateFlags('train', trainSchema, values);
    const configPath = flags.config;
    const config = configPath === undefined ? {} : readJsonObjectFile('--config', configPath, 'agent options');
    const env = flags.env ?? envFromConfig(config, configPath) ?? DEFAULT_ENV;
    const seed = flags.seed ?? seedFromConfig(config, configPath) ?? DEFAULT_SEED;
    const resuming = flags.resume === true || flags['resume-from'] !== undefined;
    // Resuming, only what was given goes in (the run has the rest); a new run gets env and seed decided.
    const options: Record<string, unknown> = { ...config };
    if (!resuming || flags.env !== undefined) options.env = env;
    if (!resuming || flags.seed !== undefined) options.seed = seed;
    if (flags.algo !== undefined) options.algo = flags.algo;
    const envName = typeof env === 'string' ? (isModuleRef(env) ? moduleRefLabel(env) : env) : moduleRefLabel(String(env.module));
    if (flags['num-workers'] !== undefined) options.numWorkers = flags['num-workers'];
    if (flags['num-envs'] !== undefined) options.numEnvs = flags['num-envs'];

    if (flags.resume && flags['resume-from'] !== undefined) {
      throw new UsageError('--resume and --resume-from exclude each other: --resume continues --out, --resume-from a given checkpoint', 'train');
    }
    if (flags.resume && flags.out === undefined) {
      throw new UsageError('--resume continues the run in --out DIR: give --out (or --resume-from a checkpoint folder)', 'train');
    }
    let outDir = flags.out;
    if (outDir === undefined && flags['resume-from'] !== undefined) {
      outDir = runDirOfCheckpoint(flags['resume-from']);
      if (outDir === undefined) {
        throw new UsageError(`--resume-from ${flags['resume-from']}: not inside <run>/checkpoints/, so give the run folder with --out DIR`, 'train');
      }
    }
    return {
      env,
      seed,
      timesteps: flags.timesteps,
      outDir: outDir ?? path.join('runs', `${envName}-${seed}-${timestamp(now)}`),
      options,
      configPath,
      resumeFrom: flags['resume-from'] ?? (flags.resume ? outDir : undefined),
      checkpointEvery: flags['checkpoint-every'],
      keepCheckpoints: flags['keep-checkpoints'],
      evalEpisodes: flags['eval-episodes'] ?? 10,
      csv: flags.csv ?? false,
      tensorboardLog: flags.tensorboard,
      progress: !(flags['no-progress'] ?? false),
    };
  },
};

// ——— eval ———

const evalSchema = z.object({
  run: z.string().optional(),
  policy: z.string().optional(),
  env: envIdFlag.optional(),
  episodes: intFlag(1, '--episodes 10').optional(),
  seed: intFlag(0, '--seed 0').optional(),
  stochastic: z.boolean().optional(),
});

const evaluate: CommandSpec<EvalArgs> = {
  summary: 'Evaluate a trained policy: a saved run (--run DIR) or an exported ONNX file (--policy FILE --env ID).',
  flags: {
    run: { type: 'string', value: 'DIR', description: 'run folder written by trpo train' },
    policy: { type: 'string', value: 'FILE', description: 'ONNX policy written by trpo export (needs --env)' },
    env: { type: 'string', value: 'ID|FILE', description: 'environment to run the ONNX policy in (an id or your env module)' },
    episodes: { type: 'string', value: 'N', description: 'episodes to run', defaultText: '10' },
    seed: { type: 'string', value: 'N', description: 'seed of the first episode', defaultText: String(DEFAULT_SEED) },
    stochastic: { type: 'boolean', description: 'sample actions instead of taking the mean/argmax' },
  },
  toArgs(values) {
    const flags = validateFlags('eval', evalSchema, values);
    const common = { episodes: flags.episodes ?? 10, seed: flags.seed ?? DEFAULT_SEED, deterministic: !flags.stochastic };
    const source = policySource(flags, 'eval');
    return source.kind === 'run' ? { ...common, source: 'run', runDir: source.runDir } : { ...common, source: 'onnx', policyPath: source.policyPath, env: source.env };
  },
};

// ——— export ———

const exportSchema = z.object({
  run: z.string().optional(),
  out: z.string().optional(),
  stochastic: z.boolean().optional(),
  'no-clip': z.boolean().optional(),
  opset: intFlag(ONNX_MIN_OPSET, `--opset ${DEFAULT_OPSET}`, ONNX_MAX_OPSET).optional(),
  force: z.boolean().optional(),
});

const exportCommand: CommandSpec<ExportArgs> = {
  summary: 'Export a trained policy to ONNX, with observation normalization and action clipping inside the graph.',
  flags: {
    run: { type: 'string', value: 'DIR', description: 'run folder written by trpo train (required)' },
    out: { type: 'string', value: 'FILE', description: 'ONNX file to write', defaultText: '<run>/policy.onnx' },
    stochastic: { type: 'boolean', description: 'also output the distribution parameters (log_std or logits)' },
    'no-clip': { type: 'boolean', description: 'leave actions unclipped (not clipped to the action bounds)' },
    opset: { type: 'string', value: 'N', description: `ONNX opset version, ${ONNX_MIN_OPSET} to ${ONNX_MAX_OPSET}`, defaultText: String(DEFAULT_OPSET) },
    force: { type: 'boolean', description: 'replace an existing file at --out (never a file inside a run\'s model/ or checkpoints/)' },
  },
  toArgs(values) {
    const flags = validateFlags('export', exportSchema, values);
    if (flags.run === undefined) throw new UsageError('--run DIR is required: the run folder to export', 'export');
    return {
      runDir: flags.run,
      outPath: flags.out ?? path.join(flags.run, 'policy.onnx'),
      stochastic: flags.stochastic ?? false,
      clipActions: !(flags['no-clip'] ?? false),
      opset: flags.opset ?? DEFAULT_OPSET,
      force: flags.force ?? false,
    };
  },
};

// ——— sweep ———

const sweepSchema = z.object({
  envs: envListFlag.optional(),
  seeds: seedListFlag.optional(),
  timesteps: intFlag(1, '--timesteps 1000000').optional(),
  jobs: intFlag(1, '--jobs 2').optional(),
  out: z.string().optional(),
  spec: z.string().optional(),
  shard: shardFlag.optional(),
  cores: intFlag(1, '--cores 8').optional(),
  oversubscribe: z.boolean().optional(),
});

const sweep: CommandSpec<SweepArgs> = {
  summary: 'Run many trainings (environments × seeds × settings) and collect the results; rerunning resumes.',
  flags: {
    envs: { type: 'string', value: 'IDS', description: 'comma-separated environment ids, e.g. Hopper-v5,Walker2d-v5' },
    seeds: { type: 'string', value: 'LIST', description: 'seeds, e.g. 0-4 or 0,3,7', defaultText: '0' },
    timesteps: { type: 'string', value: 'N', description: 'env steps per run (required with --envs; overrides the spec\'s)' },
    jobs: { type: 'string', value: 'N', description: 'runs at once', defaultText: 'fit to the cores' },
    out: { type: 'string', value: 'DIR', description: 'sweep folder (required; the same folder resumes)' },
    spec: { type: 'string', value: 'FILE', description: 'JSON sweep spec (envs, seeds, option grids) instead of --envs/--seeds' },
    shard: { type: 'string', value: 'i/N', description: 'run only share i of N (0-based) for a job array' },
    cores: { type: 'string', value: 'N', description: 'core budget shared by the runs\' worker threads', defaultText: 'the cores this process may use' },
    oversubscribe: { type: 'boolean', description: 'run --jobs runs at once even if their threads exceed the cores' },
  },
  toArgs(values) {
    const flags = validateFlags('sweep', sweepSchema, values);
    if (flags.out === undefined) throw new UsageError('--out DIR is required: the sweep folder (running the same command again resumes it)', 'sweep');
    if (flags.spec !== undefined && (flags.envs !== undefined || flags.seeds !== undefined)) {
      throw new UsageError('--spec excludes --envs and --seeds: put them in the spec file', 'sweep');
    }
    if (flags.spec === undefined && flags.envs === undefined) {
      throw new UsageError('give --envs ID,ID (with --seeds) or --spec FILE', 'sweep');
    }
    return {
      outDir: flags.out,
      spec: flags.spec === undefined ? undefined : readJsonObjectFile('--spec', flags.spec, 'sweep settings'),
      specPath: flags.spec,
      envs: flags.envs,
      seeds: flags.envs === undefined ? undefined : (flags.seeds ?? [DEFAULT_SEED]),
      timesteps: flags.timesteps,
      jobs: flags.jobs,
      shard: flags.shard,
      cores: flags.cores,
      oversubscribe: flags.oversubscribe,
    };
  },
};

// ——— report ———

const reportSchema = z.object({ out: z.string().optional(), iqm: z.boolean().optional() });

const report: CommandSpec<ReportArgs> = {
  summary: 'Make learning-curve plots (SVG) and an HTML report of a sweep (shards merged).',
  flags: {
    out: { type: 'string', value: 'DIR', description: 'folder for report.html, curves/ and summary files', defaultText: 'the first sweep folder' },
    iqm: { type: 'boolean', description: 'curves show the interquartile mean over seeds (default: the mean), with its bootstrap 95% CI' },
  },
  positionals: [{ name: 'DIR...', description: 'sweep folder(s) written by trpo sweep (several: shards to merge)', variadic: true }],
  toArgs(values, positionals) {
    const flags = validateFlags('report', reportSchema, values);
    if (positionals.length === 0) throw new UsageError('the sweep folder is missing: trpo report DIR...', 'report');
    return { sweepDirs: positionals, outDir: flags.out ?? positionals[0], aggregate: flags.iqm ? 'iqm' : 'mean' };
  },
};

// ——— check-env ———

const checkEnvSchema = z.object({
  steps: intFlag(1, '--steps 100').optional(),
  seed: intFlag(0, '--seed 0').optional(),
});

const checkEnvCommand: CommandSpec<CheckEnvArgs> = {
  summary: "Check that an env keeps Gymnasium's contract (spaces, reset/step, finite values, seeding, state replay).",
  flags: {
    steps: { type: 'string', value: 'N', description: 'steps per checked trajectory', defaultText: '100' },
    seed: { type: 'string', value: 'N', description: 'seed of the checked trajectories', defaultText: String(DEFAULT_SEED) },
  },
  positionals: [{ name: 'ENV', description: 'your env module ./my-env.mjs[#export] (or an env id)' }],
  notes: ['Exit code 0 when no problem was found, 1 otherwise; every problem says what was expected, what came and the fix.'],
  toArgs(values, positionals) {
    const flags = validateFlags('check-env', checkEnvSchema, values);
    if (positionals.length !== 1) throw new UsageError('give one env: trpo check-env ./my-env.mjs[#export]', 'check-env');
    const parsed = envIdFlag.safeParse(positionals[0]);
    if (!parsed.success) throw new UsageError(`"${positionals[0]}": ${parsed.error.issues[0].message}`, 'check-env');
    return { env: parsed.data, steps: flags.steps ?? 100, seed: flags.seed ?? DEFAULT_SEED };
  },
};

// ——— view ———

const viewSchema = z.object({
  run: z.string().optional(),
  policy: z.string().optional(),
  env: envIdFlag.optional(),
  port: intFlag(0, '--port 8080').optional(),
  seed: intFlag(0, '--seed 0').optional(),
  stochastic: z.boolean().optional(),
  speed: z.enum(['0.25', '0.5', '1', '2', '4']).optional(),
  record: z.string().optional(),
  episodes: intFlag(1, '--episodes 1').optional(),
});

const view: CommandSpec<ViewArgs> = {
  summary: 'Watch a policy drive its robot in 3D in the browser (served on 127.0.0.1), or record a video of it.',
  flags: {
    run: { type: 'string', value: 'DIR', description: 'run folder written by trpo train' },
    policy: { type: 'string', value: 'FILE', description: 'ONNX policy written by trpo export (needs --env)' },
    env: { type: 'string', value: 'ID', description: 'environment to run the ONNX policy in' },
    port: { type: 'string', value: 'N', description: 'port on 127.0.0.1', defaultText: 'a free port' },
    seed: { type: 'string', value: 'N', description: 'seed of the first episode', defaultText: String(DEFAULT_SEED) },
    stochastic: { type: 'boolean', description: 'start with sampled actions instead of the mean/argmax' },
    speed: { type: 'string', value: 'X', description: 'playback speed: 0.25, 0.5, 1, 2 or 4', defaultText: '1' },
    record: { type: 'string', value: 'FILE', description: 'write a .webm video rendered in headless Chromium, then exit' },
    episodes: { type: 'string', value: 'N', description: 'episodes to record', defaultText: '1' },
  },
  toArgs(values) {
    const flags = validateFlags('view', viewSchema, values);
    const source = policySource(flags, 'view');
    if (flags.record !== undefined && !flags.record.endsWith('.webm')) {
      throw new UsageError(`--record ${flags.record}: the video is WebM; give a file name ending in .webm`, 'view');
    }
    return {
      source,
      port: flags.port ?? 0,
      seed: flags.seed ?? DEFAULT_SEED,
      deterministic: !flags.stochastic,
      speed: Number(flags.speed ?? '1'),
      record: flags.record,
      episodes: flags.episodes ?? 1,
    };
  },
};

export const COMMANDS: { [K in CommandName]: CommandSpec<CommandArgs[K]> } = {
  train,
  eval: evaluate,
  export: exportCommand,
  sweep,
  report,
  'check-env': checkEnvCommand,
  view,
};

// ——— helpers ———

type PolicySource = { kind: 'run'; runDir: string } | { kind: 'onnx'; policyPath: string; env: string };

/** Exactly one of --run DIR or --policy FILE --env ID (eval and view). */
function policySource(flags: { run?: string; policy?: string; env?: string }, command: CommandName): PolicySource {
  if ((flags.run === undefined) === (flags.policy === undefined)) {
    throw new UsageError('give exactly one of --run DIR or --policy FILE --env ID', command);
  }
  if (flags.run !== undefined) {
    if (flags.env !== undefined) throw new UsageError('--env is only for --policy: a run folder knows its environment', command);
    return { kind: 'run', runDir: flags.run };
  }
  if (flags.env === undefined) throw new UsageError('--policy needs --env ID: the environment to run the policy in', command);
  return { kind: 'onnx', policyPath: flags.policy as string, env: flags.env };
}

function envFromConfig(config: Record<string, unknown>, file: string | undefined): string | { module: string } | undefined {
  const value = config.env;
  if (value === undefined) return undefined;
  if (typeof value === 'object' && value !== null && typeof (value as { module?: unknown }).module === 'string') return value as { module: string };
  const parsed = envIdFlag.safeParse(value);
  if (!parsed.success) throw new UsageError(`--config ${file}: "env" is ${JSON.stringify(value)}; expected an environment id like Hopper-v5, a module path or { "module": … }`, 'train');
  return parsed.data;
}

function seedFromConfig(config: Record<string, unknown>, file: string | undefined): number | undefined {
  const value = config.seed;
  if (value === undefined) return undefined;
  if (!(typeof value === 'number' && Number.isSafeInteger(value) && value >= 0)) {
    throw new UsageError(`--config ${file}: "seed" is ${JSON.stringify(value)}; expected an integer >= 0`, 'train');
  }
  return value;
}

/** runs/x/checkpoints/000010 → runs/x; anything else → undefined. */
function runDirOfCheckpoint(checkpointDir: string): string | undefined {
  const parent = path.dirname(path.normalize(checkpointDir));
  return path.basename(parent) === CHECKPOINTS_SUBDIR ? path.dirname(parent) : undefined;
}

/** Local time as YYYYMMDD-HHMMSS: sorts by time and is safe in file names. */
export function timestamp(date: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}${p(date.getMonth() + 1)}${p(date.getDate())}-${p(date.getHours())}${p(date.getMinutes())}${p(date.getSeconds())}`;
}

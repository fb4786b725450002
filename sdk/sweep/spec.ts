// What a sweep is: environments × seeds × a grid of option settings, each cell one training run.
//
// The spec (a JSON file or CLI flags) is validated with zod; every TRPO option it sets is checked with the
// trainer's own schema before any run starts, so a typo fails in a second rather than in every child.
// Expansion is deterministic and each run gets a stable id `<env>__s<seed>__<settingsHash>`, where the hash
// covers exactly what the run does besides its seed (its options and timestep budget): re-running a sweep
// finds its earlier runs by id, and a changed setting never reuses a stale run directory.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { z } from 'zod';
import * as path from 'node:path';
import { isEnvId, listEnvs } from '../../envs/registry.js';
import { resolveAgentOptions } from '../agents.js';
import { isModuleRef, moduleRefLabel } from '../envs/ref.js';
import { parseOrThrow, ValidationError } from '../validation.js';

const MAX_SEED = 2 ** 31 - 1;
/** A sanity bound: a typo like `--seeds 0-100000` should fail loudly, not queue a year of work. */
const MAX_RUNS = 10_000;
/** Options the sweep sets itself for every run (env from `envs`, seed from `seeds`). */
const RESERVED_OPTIONS = ['env', 'seed'] as const;

const optionsObject = z.record(z.string(), z.unknown());

const seedsField = z.union(
  [z.array(z.number().int().min(0).max(MAX_SEED)).min(1), z.string().min(1)],
  { error: `must be a non-empty list of integer seeds 0…${MAX_SEED} ([0, 1, 2]) or a string of ranges ("0-4", "0,2,5-7")` },
);

export const sweepSpecSchema = z.strictObject({
  /** Environment ids, e.g. ["Hopper-v5", "Walker2d-v5"], or env modules "./my-env.mjs#createEnv". */
  envs: z
    .array(
      z
        .string()
        .refine((e) => isEnvId(e) || isModuleRef(e), { error: `must be one of ${listEnvs().join(', ')}, or a module path like ./my-env.mjs#createEnv` })
        // Module paths become absolute, so the runs (child processes) and a later resume find them from anywhere.
        .transform((e) => (isModuleRef(e) && !e.startsWith('file:') ? path.resolve(e) : e)),
    )
    .min(1, 'needs at least one environment'),
  /** Seeds as a list [0, 1, 2] or a string of ranges "0-4" / "0,2,5-7". */
  seeds: seedsField,
  /** Timestep budget of every run. */
  timesteps: z.number().int().positive(),
  /** TRPO options shared by every run (SB3 names, e.g. { "numWorkers": 1 }). */
  options: optionsObject.default({}),
  /** Option grids: every combination of the listed values is one setting, e.g. { "targetKl": [0.01, 0.02] }. */
  grid: z.record(z.string(), z.array(z.unknown()).min(1, 'needs at least one value')).default({}),
  /** Options for one environment only, e.g. { "Swimmer-v5": { "gamma": 0.9999 } }. */
  envOverrides: z.record(z.string(), optionsObject).default({}),
  /** At most this many runs at a time (the core budget may allow fewer). */
  jobs: z.number().int().positive().optional(),
});

export type SweepSpecInput = z.input<typeof sweepSpecSchema>;

/** A validated spec with its seeds expanded. */
export interface SweepSpec {
  envs: string[];
  seeds: number[];
  timesteps: number;
  options: Record<string, unknown>;
  grid: Record<string, unknown[]>;
  envOverrides: Record<string, Record<string, unknown>>;
  jobs?: number;
}

/** One training run of a sweep. */
export interface PlannedRun {
  /** `<env>__s<seed>__<settingsHash>`: stable across invocations, a folder name. */
  id: string;
  env: string;
  seed: number;
  totalTimesteps: number;
  /** First 8 hex digits of sha256 over the run's options and budget (canonical JSON); same for all seeds. */
  settingsHash: string;
  /** The grid point of this run ({} without a grid). */
  settings: Record<string, unknown>;
  /** The grid point for people: "targetKl=0.02, gamma=0.99", or "default" without a grid. */
  settingsLabel: string;
  /** What the trainer gets as its config: shared options < env overrides < grid point (env and seed not included). */
  options: Record<string, unknown>;
  /** Cores the run keeps busy: its worker threads (numWorkers, resolved like the trainer does), at least 1. */
  threads: number;
}

/**
 * Parse seeds: "3", "0-4" (inclusive), "0,2,5-7", or a list. Sorted, duplicates rejected (a duplicated seed
 * would be the same run twice). `field` names the flag or key in error messages.
 */
export function parseSeeds(input: string | readonly number[], field = 'seeds'): number[] {
  const seeds: number[] = [];
  if (typeof input === 'string') {
    for (const part of input.split(',').map((p) => p.trim())) {
      const match = /^(\d+)(?:-(\d+))?$/.exec(part);
      if (!match) {
        throw new ValidationError(`Invalid ${field}: got "${input}"; use a seed ("3"), a range ("0-4") or a list ("0,2,5-7")`, [field]);
      }
      const from = Number(match[1]);
      const to = match[2] === undefined ? from : Number(match[2]);
      if (to < from || to > MAX_SEED) {
        throw new ValidationError(`Invalid ${field}: range "${part}" must go up (from ≤ to) and stay ≤ ${MAX_SEED}`, [field]);
      }
      if (to - from >= MAX_RUNS) throw new ValidationError(`Invalid ${field}: range "${part}" has more than ${MAX_RUNS} seeds`, [field]);
      for (let s = from; s <= to; s++) seeds.push(s);
    }
  } else {
    seeds.push(...input);
  }
  const sorted = [...seeds].sort((a, b) => a - b);
  const duplicate = sorted.find((s, i) => i > 0 && sorted[i - 1] === s);
  if (duplicate !== undefined) throw new ValidationError(`Invalid ${field}: seed ${duplicate} is listed twice`, [field]);
  return sorted;
}

/** Validate a spec (an object, e.g. parsed JSON); `what` names its origin in error messages. */
export function parseSweepSpec(input: unknown, what = 'sweep spec'): SweepSpec {
  const raw = parseOrThrow(sweepSpecSchema, input, what);
  const problems: string[] = [];
  const duplicateEnv = raw.envs.find((e, i) => raw.envs.indexOf(e) !== i);
  if (duplicateEnv !== undefined) problems.push(`envs: "${duplicateEnv}" is listed twice`);
  const checkKeys = (where: string, keys: string[]) => {
    for (const key of keys) {
      if ((RESERVED_OPTIONS as readonly string[]).includes(key)) {
        problems.push(`${where}.${key}: set by the sweep itself; list values in "${key}s" instead`);
      }
    }
  };
  checkKeys('options', Object.keys(raw.options));
  checkKeys('grid', Object.keys(raw.grid));
  for (const [key, values] of Object.entries(raw.grid)) {
    if (key in raw.options) problems.push(`options.${key}: also swept by grid.${key}; remove one of them`);
    // A repeated value would plan the same run twice (two trainers writing one folder).
    const seen = values.map(canonicalJson);
    const repeated = seen.find((v, i) => seen.indexOf(v) !== i);
    if (repeated !== undefined) problems.push(`grid.${key}: the value ${repeated} is listed twice; list each value once`);
  }
  for (const [env, overrides] of Object.entries(raw.envOverrides)) {
    if (!(raw.envs as readonly string[]).includes(env)) problems.push(`envOverrides.${env}: not one of envs (${raw.envs.join(', ')})`);
    checkKeys(`envOverrides.${env}`, Object.keys(overrides));
    for (const key of Object.keys(overrides)) {
      if (key in raw.grid) problems.push(`envOverrides.${env}.${key}: also swept by grid.${key}; remove one of them`);
    }
  }
  if (problems.length > 0) throw new ValidationError(`Invalid ${what}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, problems);
  const seeds = parseSeeds(raw.seeds, `${what}: seeds`);
  const spec: SweepSpec = { envs: raw.envs, seeds, timesteps: raw.timesteps, options: raw.options, grid: raw.grid, envOverrides: raw.envOverrides };
  if (raw.jobs !== undefined) spec.jobs = raw.jobs;
  const runCount = spec.envs.length * spec.seeds.length * gridPoints(spec.grid).length;
  if (runCount > MAX_RUNS) throw new ValidationError(`Invalid ${what}: ${runCount} runs is more than ${MAX_RUNS}; split the sweep`, ['runs']);
  return spec;
}

/** Read and validate a JSON spec file; errors name the file. */
export function loadSweepSpecFile(file: string): SweepSpec {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`Cannot read sweep spec file ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new SyntaxError(`Sweep spec file ${file} is not valid JSON: ${(error as Error).message}`);
  }
  return parseSweepSpec(json, `sweep spec file ${file}`);
}

/** The cartesian product of the grid, keys in the spec's order, first key varying slowest. */
export function gridPoints(grid: Record<string, readonly unknown[]>): Array<Record<string, unknown>> {
  let points: Array<Record<string, unknown>> = [{}];
  for (const [key, values] of Object.entries(grid)) {
    points = points.flatMap((point) => values.map((value) => ({ ...point, [key]: value })));
  }
  return points;
}

/**
 * Every run of the sweep, in order env → setting → seed. Each (env, setting) is checked with the trainer's
 * option schema first, so a bad option throws here naming the env and setting.
 */
export function planRuns(spec: SweepSpec): PlannedRun[] {
  const runs: PlannedRun[] = [];
  for (const env of spec.envs) {
    for (const settings of gridPoints(spec.grid)) {
      const options = { ...spec.options, ...(spec.envOverrides[env] ?? {}), ...settings };
      const settingsLabel = formatSettings(settings);
      let numWorkers: number;
      try {
        numWorkers = resolveAgentOptions({ ...options, env, seed: spec.seeds[0] }).numWorkers;
      } catch (error) {
        const message = `Sweep run ${env} with settings "${settingsLabel}": ${(error as Error).message}`;
        throw error instanceof ValidationError ? new ValidationError(message, error.issues) : new Error(message);
      }
      const settingsHash = hashSettings(options, spec.timesteps);
      for (const seed of spec.seeds) {
        runs.push({
          id: `${isModuleRef(env) ? moduleRefLabel(env) : env}__s${seed}__${settingsHash}`,
          env,
          seed,
          totalTimesteps: spec.timesteps,
          settingsHash,
          settings,
          settingsLabel,
          options,
          threads: Math.max(1, numWorkers),
        });
      }
    }
  }
  return runs;
}

/** "targetKl=0.02, policyHiddenSizes=[64,64]"; "default" for the empty grid point. */
export function formatSettings(settings: Record<string, unknown>): string {
  const parts = Object.entries(settings).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length === 0 ? 'default' : parts.join(', ');
}

/** sha256 of the canonical JSON (keys sorted at every level) of { options, totalTimesteps }, 8 hex digits. */
export function hashSettings(options: Record<string, unknown>, totalTimesteps: number): string {
  return createHash('sha256').update(canonicalJson({ options, totalTimesteps })).digest('hex').slice(0, 8);
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

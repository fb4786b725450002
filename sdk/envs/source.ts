// Naming an environment: a built-in id ('Hopper-v5'), an id given to registerEnv ('MyRobot-v0'), or a module
// ({ module: './my-env.js', export: 'createEnv', options } or the string './my-env.js#createEnv').
// Rollouts run in worker threads, so an env travels as plain data — an EnvSource with the module's absolute URL —
// and every thread imports the module itself. That is also how a registration made in the main thread reaches the
// workers (and how config.json lets eval, export and resume find the env again in another process).
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { isEnvId, listEnvs, registerEnvFactory } from '../../envs/registry.js';
import { isModuleRef, parseModuleRef } from './ref.js';

export { isModuleRef, parseModuleRef };

/** How a user names an env that lives in a module. */
export interface ModuleEnvSpec {
  /** A path (relative ones resolve against the current directory), a file: URL, or a URL object. */
  module: string | URL;
  /** The export that makes envs: a factory `(options) => env | Promise<env>` or a class. Default: 'default'. */
  export?: string;
  /** Passed to the factory (TRPO's envOptions are merged over them). */
  options?: Record<string, unknown>;
  /** Time limit in steps (sets `truncated`), when the env has none of its own. */
  maxEpisodeSteps?: number;
}

/** A module env resolved to plain, cloneable data (what workers and run folders get). */
export interface EnvSource {
  readonly id: string;
  /** Absolute URL of the module. */
  readonly module: string;
  readonly export: string;
  readonly options: Record<string, unknown>;
  readonly maxEpisodeSteps?: number;
}

export type EnvRef = string | ModuleEnvSpec;

const registered = new Map<string, EnvSource>();

/** The module as an absolute URL: URLs stay, paths resolve against `cwd`. */
export function moduleUrl(module: string | URL, cwd = process.cwd()): string {
  if (module instanceof URL) return module.href;
  if (typeof module !== 'string' || module.length === 0) throw new TypeError(`env module: expected a path or URL, got ${String(module)}`);
  if (/^[a-z][a-z0-9+.-]+:/i.test(module) && !/^[a-z]:[\\/]/i.test(module)) return new URL(module).href;
  return pathToFileURL(path.resolve(cwd, module)).href;
}

function sourceOf(spec: ModuleEnvSpec, id: string | undefined, cwd: string): EnvSource {
  if (typeof spec !== 'object' || spec === null || !('module' in spec)) {
    throw new TypeError(`env: expected an id like "Hopper-v5", a module path like "./my-env.js#createEnv" or { module, export, options }, got ${JSON.stringify(spec)}`);
  }
  const url = moduleUrl(spec.module, cwd);
  const exportName = spec.export ?? 'default';
  const file = decodeURIComponent(new URL(url).pathname.split('/').pop() ?? 'env').replace(/\.[cm]?[jt]s$/, '');
  const source: EnvSource = {
    id: id ?? (exportName === 'default' ? file : `${file}#${exportName}`),
    module: url,
    export: exportName,
    options: { ...(spec.options ?? {}) },
  };
  if (spec.maxEpisodeSteps !== undefined) {
    if (!(Number.isSafeInteger(spec.maxEpisodeSteps) && spec.maxEpisodeSteps >= 1)) {
      throw new RangeError(`env ${source.id}: maxEpisodeSteps must be a positive integer, got ${spec.maxEpisodeSteps}`);
    }
    return { ...source, maxEpisodeSteps: spec.maxEpisodeSteps };
  }
  return source;
}

/**
 * Make `id` name the env of `spec` everywhere: TRPO, makeEnv, makeVecEnv (worker threads too), sweeps.
 * Relative module paths resolve against the current directory now.
 */
export function registerEnv(id: string, spec: ModuleEnvSpec | string): EnvSource {
  if (typeof id !== 'string' || !/^[A-Za-z][\w.:-]*$/.test(id)) {
    throw new TypeError(`registerEnv: id must start with a letter and hold letters, digits, _ . : - (e.g. "MyRobot-v0"), got ${JSON.stringify(id)}`);
  }
  if (isEnvId(id)) throw new Error(`registerEnv: "${id}" is a built-in env; choose another id`);
  const source = sourceOf(typeof spec === 'string' ? parseModuleRef(spec) : spec, id, process.cwd());
  registered.set(id, source);
  registerEnvFactory(id, async (options) => (await import('./load.js')).createSourceEnv(source, options ?? {}));
  return source;
}

/** An already resolved source (e.g. read back from a run's config.json). */
export function isEnvSource(v: unknown): v is EnvSource {
  const s = v as EnvSource;
  return typeof s === 'object' && s !== null && typeof s.id === 'string' && typeof s.module === 'string' && /^[a-z][a-z0-9+.-]+:/i.test(s.module) &&
    typeof s.export === 'string' && typeof s.options === 'object' && s.options !== null;
}

/** Ids added with registerEnv. */
export function registeredEnvs(): string[] {
  return [...registered.keys()];
}

/**
 * What an env reference means: undefined for a built-in id, the EnvSource of a registered id or a module.
 * Throws for an unknown id, listing the known ones.
 */
export function resolveEnvRef(ref: EnvRef, cwd = process.cwd()): EnvSource | undefined {
  if (typeof ref !== 'string') return sourceOf(ref, undefined, cwd);
  if (isEnvId(ref)) return undefined;
  const known = registered.get(ref);
  if (known) return known;
  if (isModuleRef(ref)) return sourceOf(parseModuleRef(ref), undefined, cwd);
  const custom = registered.size > 0 ? `; registered: ${registeredEnvs().join(', ')}` : '';
  throw new RangeError(
    `unknown env ${JSON.stringify(ref)}; built-in ids: ${listEnvs().join(', ')}${custom}. ` +
      'For your own env give a module path like ./my-env.js#createEnv, or registerEnv(id, { module }) first',
  );
}

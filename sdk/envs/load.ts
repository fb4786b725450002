// Importing a module env in this thread: the module, its export, one env per call, adapted to our Env.
// Failures name what is missing: the file (and where the path was resolved from), the export (and what the
// module does export), or what the export returned.
import { fileURLToPath } from 'node:url';
import { adaptEnv } from '../../envs/custom/adapter.js';
import { assertValidEnv } from '../../envs/custom/check.js';
import { describe, type UserEnv } from '../../envs/custom/contract.js';
import { makeEnv } from '../../envs/registry.js';
import type { Env } from '../../envs/types.js';
import type { EnvSource } from './source.js';

function where(url: string): string {
  return url.startsWith('file:') ? fileURLToPath(url) : url;
}

async function importModule(source: EnvSource): Promise<Record<string, unknown>> {
  try {
    return (await import(source.module)) as Record<string, unknown>;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_MODULE_NOT_FOUND' && (error as Error).message.includes(where(source.module))) {
      throw new Error(`env ${source.id}: module not found: ${where(source.module)} (relative paths resolve against the current directory)`, { cause: error });
    }
    throw new Error(`env ${source.id}: importing ${where(source.module)} failed: ${(error as Error).message}`, { cause: error });
  }
}

function isClass(f: unknown): boolean {
  return typeof f === 'function' && /^class[\s{]/.test(Function.prototype.toString.call(f));
}

/** The user's env object itself (not adapted): what checkEnv examines. */
export async function loadUserEnv(source: EnvSource, envOptions: Record<string, unknown> = {}): Promise<UserEnv> {
  const mod = await importModule(source);
  const make = mod[source.export];
  if (make === undefined) {
    const names = Object.keys(mod);
    throw new Error(
      `env ${source.id}: ${where(source.module)} has no export "${source.export}"; it exports ${names.length ? names.join(', ') : 'nothing'}. ` +
        'Name the export with #name (CLI) or { export: "name" }',
    );
  }
  if (typeof make !== 'function') {
    throw new TypeError(
      `env ${source.id}: export "${source.export}" of ${where(source.module)} is ${describe(make)}; expected a factory (options) => env or an env class ` +
        '(each worker thread makes its own envs, so export the maker, not an instance)',
    );
  }
  const options = { ...source.options, ...envOptions };
  const env = isClass(make)
    ? new (make as new (o: Record<string, unknown>) => UserEnv)(options)
    : await (make as (o: Record<string, unknown>) => UserEnv | Promise<UserEnv>)(options);
  return env;
}

/** One env of `source`, behind our Env interface. */
export async function createSourceEnv(source: EnvSource, envOptions: Record<string, unknown> = {}): Promise<Env> {
  return adaptEnv(await loadUserEnv(source, envOptions), { id: source.id, maxEpisodeSteps: source.maxEpisodeSteps });
}

/**
 * The env of `source`, checked with checkEnv first (what training does before it starts): a broken env fails
 * here with every problem listed, not hours later.
 */
export async function createCheckedEnv(source: EnvSource, envOptions: Record<string, unknown> = {}): Promise<Env> {
  const probe = await loadUserEnv(source, envOptions);
  assertValidEnv(probe, { id: source.id });
  return createSourceEnv(source, envOptions);
}

/** A built-in env (source undefined) or a module env. */
export function createEnv(id: string, source: EnvSource | undefined, envOptions: Record<string, unknown> = {}): Promise<Env> {
  return source ? createSourceEnv(source, envOptions) : makeEnv(id, envOptions);
}

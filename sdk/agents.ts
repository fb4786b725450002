// Which agent a run uses: `algo` in the options picks TRPO (the default), CEM or CMA-ES. The run folder, the
// CLI and sweeps go through here, so every algorithm gets the same checkpoints, logs, eval and export.
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { resolveCheckpointDir } from './run/checkpoint.js';
import { CEM, CMAES, loadEsAgent, resolveEsOptions } from './es/index.js';
import { resolveTrpoOptions } from './trpo/config.js';
import { TRPO } from './trpo/trpo.js';

export const ALGOS = ['trpo', 'cem', 'cmaes'] as const;
export type Algo = (typeof ALGOS)[number];

/** What the run folder needs from an agent (TRPO, CEM and CMAES all have it). */
export type Agent = TRPO | CEM | CMAES;

function algoOf(options: Record<string, unknown>): Algo {
  const algo = options.algo ?? 'trpo';
  if (!ALGOS.includes(algo as Algo)) throw new TypeError(`algo: got ${JSON.stringify(algo)}; expected one of ${ALGOS.join(', ')}`);
  return algo as Algo;
}

function withoutAlgo(options: Record<string, unknown>): Record<string, unknown> {
  const { algo: _algo, ...rest } = options;
  return rest;
}

/** A new agent for `options` (`algo` chooses; the rest are that agent's options). */
export function createAgent(options: Record<string, unknown>): Agent {
  const algo = algoOf(options);
  if (algo === 'cem') return new CEM(withoutAlgo(options));
  if (algo === 'cmaes') return new CMAES(withoutAlgo(options));
  return new TRPO(withoutAlgo(options));
}

/** Resolved options of any agent (validates them); used to plan sweeps. */
export function resolveAgentOptions(options: Record<string, unknown>): { algo: Algo; numWorkers: number } {
  const algo = algoOf(options);
  const resolved = algo === 'trpo' ? resolveTrpoOptions(withoutAlgo(options)) : resolveEsOptions(algo, withoutAlgo(options));
  return { algo, numWorkers: resolved.numWorkers };
}

/** Load whichever agent a checkpoint (or a folder written by save(), or a run folder) holds. */
export async function loadAgent(location: string, overrides: { numWorkers?: number } = {}): Promise<Agent> {
  const dir = await resolveCheckpointDir(location);
  if (!dir) throw new Error(`No checkpoint found at ${location} (expected a folder with manifest.json, or a run folder with checkpoints/)`);
  let algo: unknown;
  try {
    algo = (JSON.parse(await fsp.readFile(path.join(dir, 'config.json'), 'utf8')) as { algo?: unknown }).algo;
  } catch {
    algo = undefined; // the loader below reports a missing or corrupt file properly
  }
  return algo === 'cem' || algo === 'cmaes' ? (loadEsAgent(dir, overrides) as Promise<Agent>) : TRPO.load(dir, overrides);
}

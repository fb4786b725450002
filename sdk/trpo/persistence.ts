// How the parts of a training run that are not plain numbers go into a checkpoint: the envs' snapshots
// (each a Float64Array of MuJoCo integration state plus counters and RNG words) and a hash of the config.
import { createHash } from 'node:crypto';
import type { EnvSlotState } from '../vec-env/env-group.js';
import type { TrpoOptions } from './config.js';

type EnvStatesJson = Array<{
  envId: string; elapsedSteps: number; rng: number[]; extra: number[]; episodeReturn: number; episodeLength: number; noise: number[];
}>;

/** Float64Array parts go to arrays (`env<i>_physics`, `env<i>_obs`); the rest to JSON. */
export function envStatesToArrays(states: readonly EnvSlotState[] | undefined): { json: EnvStatesJson | null; arrays: Record<string, Float64Array> } {
  if (!states) return { json: null, arrays: {} };
  const arrays: Record<string, Float64Array> = {};
  const json = states.map((s, i) => {
    arrays[`env${i}_physics`] = s.env.physics.slice();
    arrays[`env${i}_obs`] = s.obs.slice();
    return {
      envId: s.env.envId, elapsedSteps: s.env.elapsedSteps, rng: [...s.env.rng], extra: [...s.env.extra],
      episodeReturn: s.episodeReturn, episodeLength: s.episodeLength, noise: [...s.noise],
    };
  });
  return { json, arrays };
}

export function envStatesFromArrays(json: unknown, arrays: Record<string, Float64Array>): EnvSlotState[] | undefined {
  if (json === null || json === undefined) return undefined;
  return (json as EnvStatesJson).map((s, i) => {
    const physics = arrays[`env${i}_physics`];
    const obs = arrays[`env${i}_obs`];
    if (!physics || !obs) throw new Error(`checkpoint is missing the state arrays of env ${i}`);
    return {
      env: { envId: s.envId, physics, elapsedSteps: s.elapsedSteps, rng: s.rng, extra: s.extra },
      obs, episodeReturn: s.episodeReturn, episodeLength: s.episodeLength, noise: s.noise,
    };
  });
}

/** A short stable hash of the options (key order normalized) for metadata and run ids. */
export function configHash(options: TrpoOptions | Record<string, unknown>): string {
  return createHash('sha256').update(stableStringify(options)).digest('hex').slice(0, 16);
}

function stableStringify(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(stableStringify).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${stableStringify((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

// Options of the derivative-free agents (CEM, CMA-ES): one zod schema each, sharing the env, network and run
// settings with TRPO's names. A bad option fails before any work, naming the field, the value and the fix.
import { z } from 'zod';
import { tunedDefaults } from '../trpo/defaults.js';
import { parseOrThrow } from '../validation.js';

const positiveInt = z.number().int().positive();

const common = {
  env: z.string().min(1).default('Hopper-v5'),
  envOptions: z.record(z.string(), z.unknown()).default({}),
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  /** Worker threads evaluating candidates (0 = the main thread). Results do not depend on it. */
  numWorkers: z.number().int().min(0).default(2),
  /** Episodes per candidate; its fitness is their mean undiscounted return. */
  episodesPerCandidate: positiveInt.default(1),
  /** Act with the policy's mode (Gaussian mean, categorical argmax) while evaluating candidates. */
  deterministic: z.boolean().default(true),
  /** Initial standard deviation of the search distribution around the initial network weights. */
  sigma0: z.number().positive().default(0.1),
  normalizeObservations: z.boolean().default(true),
  clipObs: z.number().positive().default(10),
  policyHiddenSizes: z.array(positiveInt).max(8).default([64, 64]),
  activation: z.enum(['tanh', 'relu']).default('tanh'),
  /** Log-std of a Gaussian policy; fixed (the search covers the MLP weights), used by stochastic actions. */
  logStdInit: z.number().default(0),
  checkpointEvery: z.number().int().min(0).default(10),
  keepCheckpoints: positiveInt.default(3),
};

export const cemOptionsSchema = z
  .object({
    algo: z.literal('cem'),
    ...common,
    popSize: z.number().int().min(2).default(50),
    /** Fraction of each generation kept as elites. */
    eliteFrac: z.number().gt(0).max(1).default(0.2),
    /** Extra noise (Szita & Lőrincz): its standard deviation at generation 0, decreasing linearly to 0. */
    extraStd: z.number().min(0).default(0.05),
    /** Generations until the extra noise reaches 0 (0 = no extra noise). */
    extraDecay: z.number().int().min(0).default(100),
  })
  .strict();

export const cmaesOptionsSchema = z
  .object({
    algo: z.literal('cmaes'),
    ...common,
    /** λ; default 4 + ⌊3 ln n⌋ for n searched parameters. */
    popSize: z.number().int().min(2).optional(),
    /** 'auto' = full up to 200 parameters, diagonal (sep-CMA-ES) above. */
    covariance: z.enum(['auto', 'full', 'diagonal']).default('auto'),
    /** IPOP restarts (each doubles λ) when CMA-ES's stopping criteria fire. */
    restarts: z.number().int().min(0).default(0),
  })
  .strict();

export type CemAgentOptions = z.output<typeof cemOptionsSchema>;
export type CmaesAgentOptions = z.output<typeof cmaesOptionsSchema>;
export type EsAgentOptions = CemAgentOptions | CmaesAgentOptions;
export type CemAgentOptionsInput = Omit<z.input<typeof cemOptionsSchema>, 'algo'>;
export type CmaesAgentOptionsInput = Omit<z.input<typeof cmaesOptionsSchema>, 'algo'>;

/** Network, normalization and env settings carried over from TRPO's tuned per-env defaults (same policy networks, same task). */
const SHARED_WITH_TRPO = ['policyHiddenSizes', 'activation', 'normalizeObservations', 'clipObs', 'envOptions'] as const;

export function resolveEsOptions(algo: 'cem' | 'cmaes', input: unknown): EsAgentOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`${algo.toUpperCase()} options must be an object, got ${input === null ? 'null' : typeof input}`);
  }
  const user = Object.fromEntries(Object.entries(input as Record<string, unknown>).filter(([, v]) => v !== undefined));
  if (user.algo !== undefined && user.algo !== algo) {
    throw new TypeError(`algo: got ${JSON.stringify(user.algo)} in ${algo.toUpperCase()} options; leave it out or use "${algo}"`);
  }
  const env = typeof user.env === 'string' ? user.env : 'Hopper-v5';
  const tuned = tunedDefaults(env) as Record<string, unknown>;
  const inherited = Object.fromEntries(SHARED_WITH_TRPO.filter((k) => tuned[k] !== undefined).map((k) => [k, tuned[k]]));
  const merged = { ...inherited, ...user, algo };
  return algo === 'cem'
    ? parseOrThrow(cemOptionsSchema, merged, 'CEM options')
    : parseOrThrow(cmaesOptionsSchema, merged, 'CMA-ES options');
}

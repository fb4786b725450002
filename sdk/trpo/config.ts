// TRPO options: one zod schema, SB3 names in camelCase, SB3/sb3-contrib defaults unless the per-env tuned
// defaults (defaults.ts) say otherwise. A bad option fails before any work, naming the field and the value.
import { z } from 'zod';
import { resolveEnvRef, type EnvRef } from '../envs/source.js';
import { parseOrThrow } from '../validation.js';
import { tunedDefaults } from './defaults.js';
import { policyArchitectureSchema } from './architecture.js';

const positiveInt = z.number().int().positive();
// Bounds that keep sizes allocatable and arithmetic finite: a value past them fails here, naming the option,
// instead of deep inside the kernels with an error that does not.
const MAX_ENVS = 4096;
const MAX_ROWS = 2 ** 22;
const MAX_WIDTH = 16_384;
const unitInterval = z.number().min(0).max(1);

// Vine defaults (sdk/trpo/vine.ts), measured with the tuned env defaults on 2 cores: InvertedPendulum-v5 reaches
// a deterministic 1000 within 150k env steps (trunk and branches, ~16 iterations, ≈ 4.6 s) for 8 of 8 seeds,
// CartPole-v1 500 within 150k (< 1 s); both stay there over 1M+ steps.
export const vineOptionsSchema = z
  .object({
    /** States sampled from the trunk trajectories per iteration (the paper's "rollout set"), spread over envs. */
    rolloutStates: positiveInt.default(64),
    /** Actions K tried from each rollout state, drawn from π (continuous; discrete spaces try every action). */
    branchActions: positiveInt.default(4),
    /** Steps H of each branch rollout, its first action included. */
    branchLength: positiveInt.default(50),
    /** Judge the line search by the paper's self-normalized estimator Σₖ rₖÂₖ / Σₖ rₖ (continuous actions). */
    selfNormalized: z.boolean().default(false),
  })
  .strict();

export const trpoOptionsSchema = z
  .object({
    /** A built-in or registered id, a module path './my-env.js#createEnv', or { module, export, options, maxEpisodeSteps }. */
    env: z
      .union([
        z.string().min(1),
        z.object({
          module: z.union([z.string().min(1), z.instanceof(URL)]),
          export: z.string().min(1).optional(),
          options: z.record(z.string(), z.unknown()).optional(),
          maxEpisodeSteps: z.int().min(1).optional(),
        }).strict(),
      ])
      .default('Hopper-v5'),
    /** Filled in by the SDK for module envs (plain data: what workers import, what a run folder records). */
    envSource: z
      .object({
        id: z.string().min(1),
        module: z.string().min(1),
        export: z.string().min(1),
        options: z.record(z.string(), z.unknown()),
        maxEpisodeSteps: z.int().min(1).optional(),
      })
      .strict()
      .optional(),
    envOptions: z.record(z.string(), z.unknown()).default({}),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),

    // Rollouts
    numEnvs: positiveInt.max(MAX_ENVS, `must be at most ${MAX_ENVS}`).default(2),
    /** Worker threads stepping the envs (0 = in the main thread). Defaults to min(numEnvs, 2). */
    numWorkers: z.number().int().min(0).optional(),
    nSteps: positiveInt.max(MAX_ROWS, `must be at most ${MAX_ROWS}`).default(1024),
    sampling: z.enum(['single-path', 'vine']).default('single-path'),
    vine: vineOptionsSchema.default(vineOptionsSchema.parse({})),

    // Returns and advantages
    gamma: z.number().gt(0).max(1).default(0.99),
    gaeLambda: unitInterval.default(0.95),
    normalizeAdvantage: z.boolean().default(true),
    normalizeObservations: z.boolean().default(true),
    normalizeReward: z.boolean().default(false),
    /**
     * When the observation statistics move: 'iteration' (frozen during each rollout, updated after it) or
     * 'step' (updated at every step before normalizing, as SB3's VecNormalize; same numbers for any numWorkers).
     */
    obsStatsUpdate: z.enum(['iteration', 'step']).default('iteration'),
    clipObs: z.number().positive().default(10),
    clipReward: z.number().positive().default(10),

    // Policy step
    targetKl: z.number().positive().max(100, 'must be at most 100 (a KL bound in nats; 0.01 is usual)').default(0.01),
    cgMaxSteps: positiveInt.max(10_000).default(15),
    cgDamping: z.number().min(0).default(0.1),
    cgResidualTol: z.number().min(0).default(1e-10),
    fvpSubsample: z.number().gt(0).max(1).default(1),
    lineSearchShrinkingFactor: z.number().gt(0).lt(1).default(0.8),
    lineSearchMaxIter: positiveInt.max(1000).default(10),
    fisher: z.enum(['analytic', 'empirical']).default('analytic'),
    klConstraint: z.enum(['mean', 'max']).default('mean'),
    stepRule: z.enum(['trust-region', 'natural-gradient']).default('trust-region'),
    /** Fixed step size of the natural-gradient baseline (stepRule 'natural-gradient'). */
    naturalGradientStepSize: z.number().positive().max(1e6).default(0.1),

    // Networks
    /** `{ kind: 'cnn', preset?, conv?, hidden?, image?, value? }` for image observations (architecture.ts). */
    policy: policyArchitectureSchema.optional(),
    policyHiddenSizes: z.array(positiveInt.max(MAX_WIDTH, `layer width must be at most ${MAX_WIDTH}`)).max(8).default([64, 64]),
    valueHiddenSizes: z.array(positiveInt.max(MAX_WIDTH, `layer width must be at most ${MAX_WIDTH}`)).max(8).default([64, 64]),
    activation: z.enum(['tanh', 'relu']).default('tanh'),
    /** exp(logStdInit) is the initial action std: beyond ±20 it over/underflows the Gaussian's arithmetic. */
    logStdInit: z.number().min(-20, 'must be at least -20 (std = e^logStdInit)').max(5, 'must be at most 5 (std = e^5 ≈ 148 already dwarfs any action range)').default(0),

    // Value function
    nCriticUpdates: positiveInt.max(100_000).default(10),
    learningRate: z.number().positive().max(10, 'must be at most 10 (Adam\'s step size; 1e-3 is usual)').default(1e-3),
    batchSize: positiveInt.max(MAX_ROWS, `must be at most ${MAX_ROWS}`).default(128),

    // Periodic evaluation (SB3's EvalCallback): every evalFreq env steps (0 = never), nEvalEpisodes
    // deterministic episodes on a separate env with the current, frozen normalization statistics.
    evalFreq: z.number().int().min(0).default(0),
    nEvalEpisodes: positiveInt.default(5),

    // Runs
    checkpointEvery: z.number().int().min(0).default(10),
    keepCheckpoints: positiveInt.default(3),
    logDir: z.string().optional(),
    csv: z.boolean().default(false),
    verbose: z.union([z.literal(0), z.literal(1)]).default(0),
  })
  .strict()
  .refine((o) => o.numWorkers === undefined || o.numWorkers <= o.numEnvs, {
    path: ['numWorkers'],
    message: 'must be at most numEnvs (each worker steps at least one env)',
  })
  .refine((o) => o.numEnvs * o.nSteps <= MAX_ROWS, {
    path: ['nSteps'],
    message: `numEnvs × nSteps (the rollout's rows) must be at most ${MAX_ROWS}`,
  });

/**
 * Resolved options: every default filled in, numWorkers decided; `env` is an id (a module env's id when
 * `envSource` is set).
 */
export type TrpoOptions = Omit<z.output<typeof trpoOptionsSchema>, 'numWorkers' | 'env'> & { numWorkers: number; env: string };
export type TrpoOptionsInput = z.input<typeof trpoOptionsSchema>;
export type VineOptions = z.output<typeof vineOptionsSchema>;

/**
 * Resolve user options: library defaults < tuned per-env defaults < the user's own values.
 * Throws a ValidationError naming every bad field before any work starts.
 */
export function resolveTrpoOptions(input: unknown): TrpoOptions {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new TypeError(`TRPO options must be an object, got ${input === null ? 'null' : typeof input}`);
  }
  const user = input as Record<string, unknown>;
  const env = typeof user.env === 'string' ? user.env : 'Hopper-v5';
  const tuned = tunedDefaults(env);
  const merged = { ...tuned, ...stripUndefined(user) };
  // The user's env options refine the tuned ones (Ant's observation choice survives { ctrlCostWeight: 1 }).
  if (isPlainObject(tuned.envOptions) && isPlainObject(user.envOptions)) merged.envOptions = { ...tuned.envOptions, ...user.envOptions };
  const options = parseOrThrow(trpoOptionsSchema, merged, 'TRPO options');
  // A run read back from disk carries its envSource; otherwise the env is looked up now (unknown ids fail here).
  const envSource = options.envSource ?? resolveEnvRef(options.env as EnvRef);
  const id = envSource?.id ?? (options.env as string);
  const numWorkers = options.numWorkers ?? Math.min(options.numEnvs, 2);
  return envSource ? { ...options, env: id, envSource, numWorkers } : { ...options, env: id, numWorkers };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

// Options of the vector env and of its calls, validated with zod so that a mistake names the field, the value
// and what is allowed (sdk/validation.ts). Schemas that depend on the env's sizes are built per VecEnv.
import { availableParallelism } from 'node:os';
import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import type { EnvSnapshot } from '../../envs/types.js';
import { parseOrThrow } from '../validation.js';
import type { EnvSlotState } from './env-group.js';
import type { ObsNormStats } from '../normalization/obs-normalizer.js';
import { convOptionsSchema } from '../policies/policy.js';

/** A module given as a URL string (file:, data:) or an absolute file path; resolved to a URL for import(). */
const moduleSpecifier = z
  .string()
  .min(1)
  .refine((s) => isAbsolute(s) || URL.canParse(s), 'must be an absolute path or a URL (e.g. import.meta.resolve(…))')
  .transform((s) => (isAbsolute(s) ? pathToFileURL(s).href : s));

export const vecEnvOptionsSchema = z
  .object({
    /** Number of envs stepped in lockstep. */
    numEnvs: z.int().min(1).max(4096),
    /** Worker threads (envs are spread evenly over them); 0 runs the envs in the main thread. Default min(numEnvs, cores). */
    numWorkers: z.int().min(0).optional(),
    /** Env i uses the stream (seed, i) of Rng for its resets and its action noise. */
    seed: z.int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER).default(0),
    /** Options passed to makeEnv(id, envOptions) for every env. */
    envOptions: z.record(z.string(), z.unknown()).default({}),
    /** A module exporting makeEnv(id, options): Promise<Env>, to run your own envs in the workers. */
    envModule: moduleSpecifier.optional(),
  })
  .strict()
  .refine((o) => o.numWorkers === undefined || o.numWorkers <= o.numEnvs, {
    path: ['numWorkers'],
    message: 'must be at most numEnvs (every worker steps at least one env)',
  });

export type VecEnvOptions = z.input<typeof vecEnvOptionsSchema>;
export type ResolvedVecEnvOptions = z.output<typeof vecEnvOptionsSchema> & { numWorkers: number };

export function resolveVecEnvOptions(input: unknown): ResolvedVecEnvOptions {
  const o = parseOrThrow(vecEnvOptionsSchema, input ?? {}, 'vector env options');
  return { ...o, numWorkers: o.numWorkers ?? Math.min(o.numEnvs, availableParallelism()) };
}

export const policyConfigSchema = z
  .object({
    /** Widths of the hidden layers of the policy MLP. */
    hiddenSizes: z.array(z.int().min(1)).max(16),
    activation: z.enum(['tanh', 'relu']).default('tanh'),
    /** Conv layers in front of the hidden layers (a CNN policy over image observations). */
    conv: convOptionsSchema.optional(),
    /** Element type of the policy kernels; use the trainer's so that both compute the same log-probs. */
    precision: z.enum(['f32', 'f64']).optional(),
    /** A module exporting createRolloutPolicy(shape) (see RolloutPolicy), to run your own policy class. */
    module: moduleSpecifier.optional(),
  })
  .strict();

export type PolicyConfig = z.input<typeof policyConfigSchema>;

/** Any Float64Array, whatever its buffer (z.instanceof would narrow it to an ArrayBuffer-backed one). */
const float64Array = z.custom<Float64Array>((v) => v instanceof Float64Array, 'must be a Float64Array');
const float32Array = z.custom<Float32Array>((v) => v instanceof Float32Array, 'must be a Float32Array');

const finiteArray = z.union([float64Array, float32Array, z.array(z.number())]).refine(
  (a) => Array.prototype.every.call(a, Number.isFinite),
  'must hold finite numbers only',
);

function lengthIs(n: number, what: string) {
  return (a: ArrayLike<number>) => a.length === n || `must have length ${n} (${what}), got ${a.length}`;
}

function obsNormSchema(obsDim: number) {
  return z
    .object({
      mean: finiteArray.refine((a) => a.length === obsDim, `must have length ${obsDim} (obsDim)`).transform((a) => Float64Array.from(a)),
      var: finiteArray
        .refine((a) => a.length === obsDim, `must have length ${obsDim} (obsDim)`)
        .refine((a) => Array.prototype.every.call(a, (v: number) => v >= 0), 'must be ≥ 0 everywhere')
        .transform((a) => Float64Array.from(a)),
      clip: z.number().positive().default(10),
      epsilon: z.number().min(0).default(1e-8),
    })
    .strict();
}

function parametersSchema(numParameters: number) {
  return z
    .custom<Float64Array>((v) => v instanceof Float64Array, 'must be a Float64Array (policy.getParameters())')
    .superRefine((p, ctx) => {
      const message = lengthIs(numParameters, 'the configured policy')(p);
      if (message !== true) ctx.addIssue({ code: 'custom', message });
      const bad = p.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) ctx.addIssue({ code: 'custom', message: `entry ${bad} is ${p[bad]}; parameters must be finite` });
    });
}

export interface CallDims {
  numEnvs: number;
  obsDim: number;
  actDim: number;
  numParameters: number;
}

export function collectOptionsSchema(d: CallDims) {
  return z
    .object({
      /** Policy parameters θ (policy.getParameters()). */
      parameters: parametersSchema(d.numParameters),
      /** Steps per env: the batch holds nSteps × numEnvs transitions. */
      nSteps: z.int().min(1).max(1_000_000),
      /** Frozen observation-normalization statistics; omit to feed raw observations to the policy. */
      obsNorm: obsNormSchema(d.obsDim).optional(),
      /**
       * Update the statistics at every step, as SB3's VecNormalize: obsNorm then holds `obsNormCount` samples,
       * and step t's observations of all envs are folded in before they are normalized. Omit to keep obsNorm
       * frozen for the whole collect.
       */
      obsNormCount: z.number().positive().optional(),
      /** Take the policy's mode instead of sampling. */
      deterministic: z.boolean().default(false),
      /** Rows t·numEnvs + i (strictly increasing) whose env state is snapshotted before acting (vine trunks). */
      snapshotAt: z.array(z.int().min(0)).default([]),
    })
    .strict()
    .superRefine((o, ctx) => {
      if (o.obsNormCount !== undefined && o.obsNorm === undefined) {
        ctx.addIssue({ code: 'custom', path: ['obsNormCount'], message: 'needs obsNorm (the statistics to update)' });
      }
      const rows = o.nSteps * d.numEnvs;
      o.snapshotAt.forEach((row, k) => {
        if (row >= rows || (k > 0 && row <= o.snapshotAt[k - 1])) {
          ctx.addIssue({
            code: 'custom',
            path: ['snapshotAt', k],
            message: `rows must be strictly increasing and below nSteps·numEnvs = ${rows}, got ${row}`,
          });
        }
      });
    });
}

export type CollectOptions = z.input<ReturnType<typeof collectOptionsSchema>>;
export type ResolvedCollectOptions = z.output<ReturnType<typeof collectOptionsSchema>> & { obsNorm?: ObsNormStats };

const snapshotSchema = z.custom<EnvSnapshot>(
  (s) => typeof s === 'object' && s !== null && (s as EnvSnapshot).physics instanceof Float64Array,
  'must be an EnvSnapshot (from getState() or collect({ snapshotAt }))',
);

export function branchOptionsSchema(d: CallDims) {
  return z
    .object({
      /** The states to branch from. */
      snapshots: z.array(snapshotSchema).min(1),
      /** Branches per snapshot (K). */
      branchesPerState: z.int().min(1),
      /** [snapshots][branchesPerState][actDim]: the first action of every branch. */
      firstActions: float64Array,
      /** Steps per branch, the first action included (H). */
      horizon: z.int().min(1),
      gamma: z.number().gt(0).max(1),
      /** One seed per snapshot for the policy noise after the first action (shared by its K branches). */
      seeds: z.array(z.int().min(-Number.MAX_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER)),
      parameters: parametersSchema(d.numParameters),
      obsNorm: obsNormSchema(d.obsDim).optional(),
      deterministic: z.boolean().default(false),
    })
    .strict()
    .superRefine((o, ctx) => {
      const actions = lengthIs(o.snapshots.length * o.branchesPerState * d.actDim, 'snapshots × branchesPerState × actDim');
      const seeds = lengthIs(o.snapshots.length, 'one per snapshot');
      for (const [key, check] of [['firstActions', actions(o.firstActions)], ['seeds', seeds(o.seeds)]] as const) {
        if (check !== true) ctx.addIssue({ code: 'custom', path: [key], message: check });
      }
    });
}

export type BranchOptions = z.input<ReturnType<typeof branchOptionsSchema>>;

export function candidateOptionsSchema(d: CallDims) {
  return z
    .object({
      /** One policy parameter vector per candidate (each policy.getParameters()-shaped). */
      candidates: z.array(parametersSchema(d.numParameters)).min(1),
      seed: z.int().min(0).max(Number.MAX_SAFE_INTEGER),
      /** One Rng stream per candidate (≥ CANDIDATE_STREAMS, e.g. CANDIDATE_STREAMS + generation·2¹⁶ + k). */
      streams: z.array(z.int().min(0).max(Number.MAX_SAFE_INTEGER)),
      /** Episodes per candidate; its return is their mean. */
      episodes: z.int().min(1).default(1),
      obsNorm: obsNormSchema(d.obsDim).optional(),
      deterministic: z.boolean().default(true),
      observationMoments: z.boolean().default(false),
    })
    .strict()
    .superRefine((o, ctx) => {
      const check = lengthIs(o.candidates.length, 'one per candidate')(o.streams);
      if (check !== true) ctx.addIssue({ code: 'custom', path: ['streams'], message: check });
    });
}

export type CandidateOptions = z.input<ReturnType<typeof candidateOptionsSchema>>;

export function slotStatesSchema(numEnvs: number, obsDim: number) {
  return z
    .array(
      z.custom<EnvSlotState>(
        (s) =>
          typeof s === 'object' && s !== null && (s as EnvSlotState).obs instanceof Float64Array &&
          (s as EnvSlotState).obs.length === obsDim && Array.isArray((s as EnvSlotState).noise),
        'must be an entry of VecEnv.getStates()',
      ),
    )
    .length(numEnvs, `must hold one state per env (${numEnvs})`);
}

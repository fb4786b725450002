// Shared-memory layouts of the vector env. The main thread allocates one SharedArrayBuffer per layout and every
// worker builds the same views over it from the same dimensions, so nothing is copied between threads per step:
// a worker writes its envs' rows, the main thread reads them after the worker's reply.
//
// Rows are env-major inside a step and time-major across steps: the value of env i at step t sits at row
// t·numEnvs + i, a row holding `obsDim` (or `actDim`) consecutive f64.

type RegionKind = 'f64' | 'i32' | 'u8';
type ViewOf<K extends RegionKind> = K extends 'f64' ? Float64Array : K extends 'i32' ? Int32Array : Uint8Array;
const BYTES: Record<RegionKind, number> = { f64: 8, i32: 4, u8: 1 };
type RegionSpec = Readonly<Record<string, readonly [RegionKind, number]>>;
export type Views<S extends RegionSpec> = { readonly [K in keyof S]: ViewOf<S[K][0]> };

/** Regions are laid out in declaration order, each aligned to 8 bytes. */
function carve<S extends RegionSpec>(spec: S, buffer?: SharedArrayBuffer): { buffer: SharedArrayBuffer; views: Views<S> } {
  let byteLength = 0;
  const offsets: number[] = [];
  for (const [kind, count] of Object.values(spec)) {
    offsets.push(byteLength);
    byteLength += Math.ceil((count * BYTES[kind]) / 8) * 8;
  }
  const shared = buffer ?? new SharedArrayBuffer(byteLength);
  if (shared.byteLength !== byteLength) {
    throw new RangeError(`shared buffer has ${shared.byteLength} bytes but the layout needs ${byteLength}`);
  }
  const views: Record<string, Float64Array | Int32Array | Uint8Array> = {};
  Object.entries(spec).forEach(([name, [kind, count]], r) => {
    const at = offsets[r];
    views[name] = kind === 'f64' ? new Float64Array(shared, at, count) : kind === 'i32' ? new Int32Array(shared, at, count) : new Uint8Array(shared, at, count);
  });
  return { buffer: shared, views: views as Views<S> };
}

/** Sizes that both sides of the shared buffers agree on. */
export interface BufferDims {
  readonly numEnvs: number;
  readonly obsDim: number;
  /** f64 per stored action: the Box size, or 1 for a Discrete action (its index). */
  readonly actDim: number;
}

/** At most this many info terms per env are carried by `step()` (MuJoCo v5 envs have about ten). */
export const MAX_INFO_KEYS = 32;

const stepSpec = (d: BufferDims) =>
  ({
    obs: ['f64', d.numEnvs * d.obsDim],
    actions: ['f64', d.numEnvs * d.actDim],
    rewards: ['f64', d.numEnvs],
    /** The last observation of the episode that ended at this step (valid where terminated or truncated). */
    finalObs: ['f64', d.numEnvs * d.obsDim],
    /** Info values in the order of the worker's info keys, MAX_INFO_KEYS slots per env. */
    info: ['f64', d.numEnvs * MAX_INFO_KEYS],
    /** Return and length of the episode that ended at this step (valid where terminated or truncated). */
    episodeReturn: ['f64', d.numEnvs],
    episodeLength: ['f64', d.numEnvs],
    terminated: ['u8', d.numEnvs],
    truncated: ['u8', d.numEnvs],
  }) as const;

export type StepBuffers = Views<ReturnType<typeof stepSpec>>;

/** Buffers of `reset()`/`step()`: one row per env. Allocates when `buffer` is not given. */
export function stepBuffers(d: BufferDims, buffer?: SharedArrayBuffer): { buffer: SharedArrayBuffer; views: StepBuffers } {
  return carve(stepSpec(d), buffer);
}

const rolloutSpec = (d: BufferDims, nSteps: number) => {
  const rows = nSteps * d.numEnvs;
  return {
    observations: ['f64', rows * d.obsDim],
    normalizedObservations: ['f64', rows * d.obsDim],
    actions: ['f64', rows * d.actDim],
    logProbs: ['f64', rows],
    rewards: ['f64', rows],
    finalObservations: ['f64', rows * d.obsDim],
    lastObservations: ['f64', d.numEnvs * d.obsDim],
    lastNormalizedObservations: ['f64', d.numEnvs * d.obsDim],
    terminated: ['u8', rows],
    truncated: ['u8', rows],
    /** The groups' per-step barrier when statistics are updated every step (step-barrier.ts). */
    barrier: ['i32', 4],
  } as const;
};

export type RolloutBuffers = Views<ReturnType<typeof rolloutSpec>>;

/** Buffers of one `collect()` of `nSteps` steps. Allocates when `buffer` is not given. */
export function rolloutBuffers(
  d: BufferDims,
  nSteps: number,
  buffer?: SharedArrayBuffer,
): { buffer: SharedArrayBuffer; views: RolloutBuffers } {
  return carve(rolloutSpec(d, nSteps), buffer);
}

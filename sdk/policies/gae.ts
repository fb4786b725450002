// Generalized advantage estimation over a time-major rollout buffer, computed by the wasm kernel (assembly/gae.ts
// has the recursion). Truncated episodes bootstrap from the value of their final observation; terminated ones
// do not.

import { GrowableArenaArray } from '../wasm/arena.js';
import { kernels } from '../wasm/loader.js';

export interface GaeInput {
  nSteps: number;
  numEnvs: number;
  /** Index t·numEnvs + e everywhere (time-major), length nSteps·numEnvs. */
  rewards: ArrayLike<number>;
  /** V(s_t). */
  values: ArrayLike<number>;
  /** 1 where step t ended the episode by termination (no bootstrap). */
  terminated: ArrayLike<number>;
  /** 1 where step t ended the episode by truncation (time limit). */
  truncated: ArrayLike<number>;
  /** V(final observation) where truncated; other entries are ignored. */
  truncationValues: ArrayLike<number>;
  /** V(observation after the last step), one per env. */
  lastValues: ArrayLike<number>;
  gamma: number;
  lambda: number;
}

export interface GaeResult {
  advantages: Float64Array;
  /** advantages + values: the value function's regression targets. */
  returns: Float64Array;
}

let scratch: { f64: GrowableArenaArray<'f64'>; flags: GrowableArenaArray<'u8'> } | undefined;

/** GAE(γ, λ) advantages and returns; pass `out` to reuse arrays. */
export function computeGae(input: GaeInput, out?: GaeResult): GaeResult {
  const { nSteps, numEnvs, gamma, lambda } = input;
  if (!Number.isInteger(nSteps) || nSteps < 1) throw new RangeError(`computeGae: nSteps must be a positive integer, got ${nSteps}`);
  if (!Number.isInteger(numEnvs) || numEnvs < 1) throw new RangeError(`computeGae: numEnvs must be a positive integer, got ${numEnvs}`);
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`computeGae: gamma must be in [0, 1], got ${gamma}`);
  if (!(lambda >= 0 && lambda <= 1)) throw new RangeError(`computeGae: lambda must be in [0, 1], got ${lambda}`);
  const size = nSteps * numEnvs;
  for (const field of ['rewards', 'values', 'terminated', 'truncated', 'truncationValues'] as const) {
    if (input[field].length !== size) {
      throw new RangeError(`computeGae: ${field} has length ${input[field].length}, expected nSteps·numEnvs = ${size}`);
    }
  }
  if (input.lastValues.length !== numEnvs) {
    throw new RangeError(`computeGae: lastValues has length ${input.lastValues.length}, expected numEnvs = ${numEnvs}`);
  }
  const result = out ?? { advantages: new Float64Array(size), returns: new Float64Array(size) };
  if (result.advantages.length !== size || result.returns.length !== size) {
    throw new RangeError(`computeGae: out.advantages and out.returns need length ${size}`);
  }
  const k = kernels();
  scratch ??= { f64: new GrowableArenaArray(k.arena, 'f64'), flags: new GrowableArenaArray(k.arena, 'u8') };
  // f64 layout: rewards, values, truncationValues, advantages, returns (size each), lastValues (numEnvs).
  const buffer = scratch.f64.ensure(5 * size + numEnvs);
  const flags = scratch.flags.ensure(2 * size);
  const f = buffer.view;
  f.set(input.rewards, 0);
  f.set(input.values, size);
  f.set(input.truncationValues, 2 * size);
  f.set(input.lastValues, 5 * size);
  const b = flags.view;
  for (let i = 0; i < size; i++) {
    b[i] = input.terminated[i] ? 1 : 0;
    b[size + i] = input.truncated[i] ? 1 : 0;
  }
  const at = (slot: number) => buffer.ptr + slot * size * 8;
  k.common.gae(at(0), at(1), flags.ptr, flags.ptr + size, at(2), at(5), nSteps, numEnvs, gamma, lambda, at(3), at(4));
  result.advantages.set(f.subarray(3 * size, 4 * size));
  result.returns.set(f.subarray(4 * size, 5 * size));
  return result;
}

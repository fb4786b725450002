// Helpers shared by the vec-env test files.
import { expect } from 'chai';
import { readdirSync } from 'node:fs';
import type { Space } from '../envs/types.js';

/** Await `promise`, expect it to reject with a message matching `message`, return the error. */
export async function expectRejection(promise: Promise<unknown>, message: RegExp): Promise<Error> {
  let error: unknown;
  await promise.then(
    () => undefined,
    (e: unknown) => (error = e),
  );
  expect(error, `expected a rejection matching ${message}`).to.be.instanceOf(Error);
  expect((error as Error).message).to.match(message);
  return error as Error;
}

/** Number of OS threads of this process (Linux), or undefined elsewhere. Each live worker thread adds one. */
export function threadCount(): number | undefined {
  try {
    return readdirSync('/proc/self/task').length;
  } catch {
    return undefined;
  }
}

/** Reference observation normalization: clip((x − mean)/√(var + ε), ±clip), one row at a time. */
export function normalizeReference(
  obs: ArrayLike<number>,
  stats: { mean: ArrayLike<number>; var: ArrayLike<number>; clip: number; epsilon: number },
): number[] {
  return Array.from(obs, (x, j) => Math.min(stats.clip, Math.max(-stats.clip, (x - stats.mean[j]) / Math.sqrt(stats.var[j] + stats.epsilon))));
}

/** Row `row` of a row-major array with rows of `width` values. */
export function row(values: Float64Array, index: number, width: number): Float64Array {
  return values.subarray(index * width, (index + 1) * width);
}

/** What a rollout sends to the env for a policy action (the tests' own clamp): Box actions clipped to the bounds. */
export function envAction(space: Space, action: ArrayLike<number>): Float64Array {
  if (space.type !== 'box') return Float64Array.from(action);
  return Float64Array.from(action, (a, k) => Math.min(space.high[k]!, Math.max(space.low[k]!, a)));
}

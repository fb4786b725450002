// Constructors for the observation and action spaces of envs/types.ts.
import type { BoxSpace, DiscreteSpace, Space } from './types.js';

/** A box of vectors with the given per-coordinate bounds (copied). */
export function boxSpace(low: ArrayLike<number>, high: ArrayLike<number>): BoxSpace {
  if (low.length !== high.length) {
    throw new RangeError(`box space: low has ${low.length} entries but high has ${high.length}`);
  }
  return { type: 'box', shape: [low.length], low: Float64Array.from(low), high: Float64Array.from(high) };
}

/** A box over all of R^dim (MuJoCo observations are unbounded, as in Gymnasium). */
export function unboundedBox(dim: number): BoxSpace {
  return boxSpace(new Float64Array(dim).fill(-Infinity), new Float64Array(dim).fill(Infinity));
}

export function discreteSpace(n: number): DiscreteSpace {
  if (!(Number.isSafeInteger(n) && n >= 1)) throw new RangeError(`discrete space: n must be a positive integer, got ${n}`);
  return { type: 'discrete', n };
}

/** How many numbers one action holds: the box size, or 1 for a discrete choice. */
export function actionLength(space: Space): number {
  return space.type === 'box' ? space.shape.reduce((a, b) => a * b, 1) : 1;
}

/**
 * out[i] = values[i] clamped to coordinate (i mod size)'s bounds of the box: one action or several rows of them.
 * `out` may be `values` itself. Allocation-free: rollouts call it on every step.
 */
export function clipToBox(space: BoxSpace, values: ArrayLike<number>, out: Float64Array): Float64Array {
  const { low, high } = space;
  const size = low.length;
  for (let i = 0; i < values.length; i++) {
    const k = i % size;
    const v = values[i];
    out[i] = v < low[k] ? low[k] : v > high[k] ? high[k] : v;
  }
  return out;
}

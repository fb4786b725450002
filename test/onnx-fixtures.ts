// Shared by the ONNX tests and bench: random policy specs, random observations, and an independent plain-TS
// float64 forward pass of a PolicyExportSpec (the definition in sdk/onnx/spec.ts, written with plain loops).

import { Rng } from '../sdk/rng.js';
import type { PolicyExportSpec } from '../sdk/onnx/spec.js';

export interface RandomSpecOptions {
  kind: 'gaussian' | 'categorical';
  /** [obsDim, ...hidden sizes, actDim]. */
  sizes: number[];
  activation?: 'tanh' | 'relu';
  obsNorm?: boolean;
  /** Clip bound of the normalized observation (Infinity: no clipping). */
  obsClip?: number;
  /** Gaussian: give action bounds; the second component is unbounded below to exercise ±Infinity. */
  bounds?: boolean;
  seed?: number;
}

/** A spec with weights ~ N(0, 1/inDim) (activations neither vanish nor saturate) and plausible statistics. */
export function randomSpec(options: RandomSpecOptions): PolicyExportSpec {
  const { kind, sizes, activation = 'tanh', obsNorm = true, obsClip = 3, bounds = kind === 'gaussian', seed = 0 } = options;
  const rng = new Rng(seed, 1);
  const obsDim = sizes[0];
  const actDim = sizes[sizes.length - 1];
  const normals = (n: number, scale: number) => Float64Array.from({ length: n }, () => scale * rng.normal());
  const layers = sizes.slice(1).map((outDim, i) => {
    const inDim = sizes[i];
    return { weight: normals(outDim * inDim, 1 / Math.sqrt(inDim)), bias: normals(outDim, 0.1), inDim, outDim };
  });
  const spec: PolicyExportSpec = {
    kind,
    obsDim,
    actDim,
    activation,
    layers,
    metadata: { envId: `Test-${sizes.join('x')}`, trainingTimesteps: 123_456, configHash: 'cafe0123', seed, algorithm: 'TRPO' },
  };
  if (kind === 'gaussian') spec.logStd = normals(actDim, 0.3);
  if (obsNorm) {
    spec.obsNorm = {
      mean: normals(obsDim, 2),
      var: Float64Array.from({ length: obsDim }, () => rng.uniformRange(0.05, 4)),
      clip: obsClip,
      epsilon: 1e-8,
    };
  }
  if (kind === 'gaussian' && bounds) {
    spec.actionLow = Float64Array.from({ length: actDim }, (_, i) => (i === 1 ? -Infinity : -rng.uniformRange(0.2, 1)));
    spec.actionHigh = Float64Array.from({ length: actDim }, () => rng.uniformRange(0.2, 1));
  }
  return spec;
}

/**
 * n raw observations, row-major, already float32 (the graph's input type) so both forwards see the same numbers.
 * They spread to ±4 normalized standard deviations, so the obsNorm clip at 3 is hit often but not always.
 */
export function randomObservations(spec: PolicyExportSpec, n: number, seed: number): Float32Array {
  const rng = new Rng(seed, 2);
  const obs = new Float32Array(n * spec.obsDim);
  for (let r = 0; r < n; r++) {
    for (let j = 0; j < spec.obsDim; j++) {
      const mean = spec.obsNorm?.mean[j] ?? 0;
      const std = spec.obsNorm ? Math.sqrt(spec.obsNorm.var[j]) : 1;
      obs[r * spec.obsDim + j] = mean + 4 * std * (rng.uniform() * 2 - 1);
    }
  }
  return obs;
}

export interface ReferenceOutput {
  /** Gaussian mean or categorical logits, row-major [batch][actDim]. */
  head: Float64Array;
  /** Gaussian: head clamped to the bounds (when clipActions) [batch][actDim]. Categorical: argmax index [batch]. */
  action: Float64Array;
  /** How many observation components the normalization clipped, and how many action components were clamped. */
  clippedObs: number;
  clampedActions: number;
}

/** The spec's forward pass in float64, one row at a time. */
export function referenceForward(spec: PolicyExportSpec, obs: ArrayLike<number>, batch: number, clipActions = true): ReferenceOutput {
  const A = spec.actDim;
  const head = new Float64Array(batch * A);
  const action = new Float64Array(spec.kind === 'gaussian' ? batch * A : batch);
  let clippedObs = 0;
  let clampedActions = 0;
  for (let r = 0; r < batch; r++) {
    let x = Array.from({ length: spec.obsDim }, (_, j) => obs[r * spec.obsDim + j]);
    if (spec.obsNorm) {
      const { mean, var: variance, epsilon, clip } = spec.obsNorm;
      x = x.map((v, j) => {
        const z = (v - mean[j]) / Math.sqrt(variance[j] + epsilon);
        if (Math.abs(z) > clip) clippedObs++;
        return Math.min(clip, Math.max(-clip, z));
      });
    }
    spec.layers.forEach((layer, i) => {
      const y: number[] = [];
      for (let o = 0; o < layer.outDim; o++) {
        let sum = layer.bias[o];
        for (let k = 0; k < layer.inDim; k++) sum += layer.weight[o * layer.inDim + k] * x[k];
        const hidden = i < spec.layers.length - 1;
        y.push(!hidden ? sum : spec.activation === 'tanh' ? Math.tanh(sum) : Math.max(0, sum));
      }
      x = y;
    });
    head.set(x, r * A);
    if (spec.kind === 'categorical') {
      let best = 0;
      for (let a = 1; a < A; a++) if (x[a] > x[best]) best = a;
      action[r] = best;
    } else {
      for (let a = 0; a < A; a++) {
        let value = x[a];
        if (clipActions && spec.actionLow && spec.actionHigh) {
          const clamped = Math.min(spec.actionHigh[a], Math.max(spec.actionLow[a], value));
          if (clamped !== value) clampedActions++;
          value = clamped;
        }
        action[r * A + a] = value;
      }
    }
  }
  return { head, action, clippedObs, clampedActions };
}

/** Largest |a[i] − b[i]|; throws if the lengths differ. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return Number.isNaN(max) ? Infinity : max;
}

// Observation normalization, the arithmetic and its frozen form. obs' = clip((obs − mean) / √(var + ε), ±clip),
// elementwise, as SB3's VecNormalize. Every place that normalizes — rollout workers, vine branches,
// agent.predict, evaluation, the ONNX graph's description — goes through `standardizeRows` with a divisor from
// `normalizationStd`: a division by √(var + ε) (not a multiplication by its reciprocal), so all of them agree
// to the bit and a policy sees exactly what it was trained on.

/**
 * Frozen observation statistics (the one type for rollouts, evaluation and export): the running mean and
 * population variance of each feature, the clip bound (Infinity for none) and ε.
 */
export interface ObsNormStats {
  mean: Float64Array;
  var: Float64Array;
  clip: number;
  epsilon: number;
}

/** SB3 VecNormalize defaults: clip_obs = 10, epsilon = 1e-8. */
export const DEFAULT_NORMALIZE_CLIP = 10;
export const DEFAULT_NORMALIZE_EPSILON = 1e-8;

/** std[j] = √(var[j] + ε): the divisor of each feature. */
export function normalizationStd(variance: ArrayLike<number>, epsilon: number, std: Float64Array): Float64Array {
  for (let j = 0; j < std.length; j++) std[j] = Math.sqrt(variance[j] + epsilon);
  return std;
}

/**
 * out = clip((x − mean) / std, ±clip) for every row of `x` (rows of mean.length numbers). `out` may be `x`.
 * No allocation: the workers run this on every env step.
 */
export function standardizeRows(
  x: ArrayLike<number>, out: Float64Array | Float32Array, mean: ArrayLike<number>, std: ArrayLike<number>, clip: number,
): void {
  const d = mean.length;
  for (let row = 0; row < x.length; row += d) {
    for (let j = 0; j < d; j++) {
      const z = (x[row + j] - mean[j]) / std[j];
      out[row + j] = z > clip ? clip : z < -clip ? -clip : z;
    }
  }
}

/** Applies ObsNormStats (frozen when loaded) without allocating per call; a copy when none are loaded. */
export class ObsNormalizer {
  private readonly mean: Float64Array;
  private readonly std: Float64Array;
  private clip = Infinity;
  private enabled = false;

  constructor(private readonly obsDim: number) {
    this.mean = new Float64Array(obsDim);
    this.std = new Float64Array(obsDim);
  }

  /** Freeze `stats` for the next calls of `apply`; `undefined` makes `apply` a copy. */
  load(stats: ObsNormStats | undefined): void {
    this.enabled = stats !== undefined;
    if (stats === undefined) return;
    for (let j = 0; j < this.obsDim; j++) this.mean[j] = stats.mean[j];
    normalizationStd(stats.var, stats.epsilon, this.std);
    this.clip = stats.clip;
  }

  /** Normalize one observation or several rows of them into `out`. */
  apply(obs: ArrayLike<number>, out: Float64Array): Float64Array {
    if (!this.enabled) {
      for (let i = 0; i < obs.length; i++) out[i] = obs[i];
      return out;
    }
    standardizeRows(obs, out, this.mean, this.std, this.clip);
    return out;
  }
}

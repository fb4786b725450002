// Running mean and variance, per feature: the statistics behind observation normalization and reward scaling
// (sdk/normalization/normalization.ts owns how the trainer uses them).
//
// Statistics are f64 per feature. A batch is merged with the parallel formula of Chan, Golub & LeVeque (1979):
// for running moments (μ_a, σ²_a, n_a) and batch moments (μ_b, σ²_b, n_b), with δ = μ_b − μ_a and n = n_a + n_b,
//   μ   = μ_a + δ·n_b/n
//   σ²  = (σ²_a·n_a + σ²_b·n_b + δ²·n_a·n_b/n) / n
// (population variances). The merge is associative, so the result does not depend on how the data is split
// into batches or in which order partial statistics are merged (up to rounding).
// As in SB3, the statistics start at mean 0, variance 1 with a tiny pseudo-count (1e-4): this keeps the first
// normalization finite and fades out after the first batch.

import { z } from 'zod';
import { DEFAULT_NORMALIZE_CLIP, DEFAULT_NORMALIZE_EPSILON, normalizationStd, standardizeRows } from './obs-normalizer.js';

/** SB3's initial pseudo-count. */
export const DEFAULT_INITIAL_COUNT = 1e-4;

export interface NormalizeOptions {
  /** Clip normalized values to [−clip, clip]; Infinity disables clipping. Default 10. */
  clip?: number;
  /** Added to the variance before the square root. Default 1e-8. */
  epsilon?: number;
}

/** JSON form of a RunningMeanStd (`toJSON()` / `fromJSON()`). */
export interface RunningMeanStdJSON {
  size: number;
  count: number;
  mean: number[];
  var: number[];
}

const jsonSchema = z
  .object({
    size: z.int().positive(),
    count: z.number().positive(),
    mean: z.array(z.number()),
    var: z.array(z.number().nonnegative()),
  })
  .strict()
  .superRefine((value, ctx) => {
    for (const key of ['mean', 'var'] as const) {
      if (value[key].length !== value.size) {
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `has ${value[key].length} entries but size is ${value.size}`,
        });
      }
    }
  });

export class RunningMeanStd {
  readonly size: number;
  readonly mean: Float64Array;
  readonly var: Float64Array;
  count: number;
  /** √(var + ε) of the last normalize() call's ε, recomputed per call (the statistics may have moved). */
  private std: Float64Array | undefined;
  /** Batch moments of update(), kept so that per-step updates in the workers do not allocate. */
  private batchMoments: { mean: Float64Array; var: Float64Array } | undefined;

  /** `size` features; `initialCount` is the pseudo-count of the mean-0, variance-1 prior (SB3: 1e-4). */
  constructor(size: number, { initialCount = DEFAULT_INITIAL_COUNT }: { initialCount?: number } = {}) {
    if (!(Number.isSafeInteger(size) && size > 0)) {
      throw new RangeError(`RunningMeanStd size must be a positive integer, got ${size}`);
    }
    if (!(initialCount > 0 && Number.isFinite(initialCount))) {
      throw new RangeError(`RunningMeanStd initialCount must be a positive finite number, got ${initialCount}`);
    }
    this.size = size;
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
    this.count = initialCount;
  }

  /**
   * Merge a batch of observations, row-major [rows, size]: `batch.length` must be a multiple of `size`.
   * The batch moments are computed in two passes (mean first, then squared deviations) for accuracy.
   */
  update(batch: ArrayLike<number>): void {
    const d = this.size;
    if (batch.length === 0) return;
    if (batch.length % d !== 0) {
      throw new RangeError(`RunningMeanStd.update: batch length ${batch.length} is not a multiple of size ${d}`);
    }
    const rows = batch.length / d;
    const moments = (this.batchMoments ??= { mean: new Float64Array(d), var: new Float64Array(d) });
    const batchMean = moments.mean.fill(0);
    const batchVar = moments.var.fill(0);
    for (let r = 0; r < rows; r++) for (let j = 0; j < d; j++) batchMean[j] += batch[r * d + j];
    for (let j = 0; j < d; j++) batchMean[j] /= rows;
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < d; j++) {
        const dev = batch[r * d + j] - batchMean[j];
        batchVar[j] += dev * dev;
      }
    }
    for (let j = 0; j < d; j++) batchVar[j] /= rows;
    this.updateFromMoments(batchMean, batchVar, rows);
  }

  /** Merge precomputed batch moments (population variance) of `batchCount` samples. */
  updateFromMoments(batchMean: ArrayLike<number>, batchVar: ArrayLike<number>, batchCount: number): void {
    if (batchMean.length !== this.size || batchVar.length !== this.size) {
      throw new RangeError(
        `RunningMeanStd.updateFromMoments: mean/var lengths ${batchMean.length}/${batchVar.length} must equal size ${this.size}`,
      );
    }
    if (!(batchCount > 0)) throw new RangeError(`RunningMeanStd: batchCount must be > 0, got ${batchCount}`);
    const total = this.count + batchCount;
    const crossWeight = (this.count * batchCount) / total;
    for (let j = 0; j < this.size; j++) {
      const delta = batchMean[j] - this.mean[j];
      const m2 = this.var[j] * this.count + batchVar[j] * batchCount + delta * delta * crossWeight;
      this.mean[j] += (delta * batchCount) / total;
      this.var[j] = m2 / total;
    }
    this.count = total;
  }

  /** Merge another running statistic (e.g. from another worker) into this one. */
  merge(other: RunningMeanStd): void {
    if (other.size !== this.size) {
      throw new RangeError(`RunningMeanStd.merge: sizes differ (${this.size} vs ${other.size})`);
    }
    this.updateFromMoments(other.mean, other.var, other.count);
  }

  /**
   * out = clip((obs − mean) / sqrt(var + epsilon), ±clip), elementwise; `obs` may hold several rows.
   * `out` may be `obs` itself (in-place). Returns `out`.
   */
  normalize<T extends Float32Array | Float64Array>(
    obs: ArrayLike<number>,
    out: T,
    { clip = DEFAULT_NORMALIZE_CLIP, epsilon = DEFAULT_NORMALIZE_EPSILON }: NormalizeOptions = {},
  ): T {
    const d = this.size;
    if (obs.length % d !== 0 || out.length < obs.length) {
      throw new RangeError(
        `RunningMeanStd.normalize: obs length ${obs.length} must be a multiple of size ${d} and fit in out (length ${out.length})`,
      );
    }
    if (!(clip > 0)) throw new RangeError(`normalize clip must be > 0 (Infinity for none), got ${clip}`);
    if (!(epsilon >= 0)) throw new RangeError(`normalize epsilon must be >= 0, got ${epsilon}`);
    const std = normalizationStd(this.var, epsilon, (this.std ??= new Float64Array(d)));
    standardizeRows(obs, out, this.mean, std, clip);
    return out;
  }

  clone(): RunningMeanStd {
    const copy = new RunningMeanStd(this.size, { initialCount: this.count });
    copy.mean.set(this.mean);
    copy.var.set(this.var);
    return copy;
  }

  /** Plain numbers; JSON round-trips f64 exactly (shortest round-trip decimal form). */
  toJSON(): RunningMeanStdJSON {
    return { size: this.size, count: this.count, mean: Array.from(this.mean), var: Array.from(this.var) };
  }

  static fromJSON(json: unknown): RunningMeanStd {
    const parsed = jsonSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
      throw new TypeError(`Invalid RunningMeanStd JSON (expected the output of toJSON()): ${problems}`);
    }
    const { size, count, mean, var: variance } = parsed.data;
    const rms = new RunningMeanStd(size, { initialCount: count });
    rms.mean.set(mean);
    rms.var.set(variance);
    return rms;
  }

  /** Flat f64 form for binary checkpoints: [count, mean[0..size), var[0..size)]. */
  toFloat64Array(): Float64Array {
    const flat = new Float64Array(1 + 2 * this.size);
    flat[0] = this.count;
    flat.set(this.mean, 1);
    flat.set(this.var, 1 + this.size);
    return flat;
  }

  static fromFloat64Array(flat: Float64Array): RunningMeanStd {
    const size = (flat.length - 1) / 2;
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new RangeError(`RunningMeanStd.fromFloat64Array: length ${flat.length} is not 1 + 2·size`);
    }
    return RunningMeanStd.fromJSON({
      size,
      count: flat[0],
      mean: Array.from(flat.subarray(1, 1 + size)),
      var: Array.from(flat.subarray(1 + size)),
    });
  }
}

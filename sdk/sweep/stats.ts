// Statistics over seeds for results tables. Mean ± std: std is the population standard deviation (ddof 0,
// numpy.std's default), the usual choice in RL results tables. Median and interquartile mean (IQM) with a
// percentile-bootstrap 95 % confidence interval, as Agarwal et al. (2021, "Deep RL at the edge of the
// statistical precipice") recommend for few seeds: IQM is the mean of the middle half, robust to one stuck or
// lucky seed, and the interval says how much a handful of seeds can tell.
import { Rng } from '../rng.js';

export interface MeanStd {
  mean: number;
  std: number;
  /** How many values (seeds) went in. */
  n: number;
}

/** Mean and population std; undefined for no values. */
export function meanStd(values: readonly number[]): MeanStd | undefined {
  if (values.length === 0) return undefined;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length;
  return { mean, std: Math.sqrt(variance), n: values.length };
}

/** "3318 ± 12", "312.4 ± 8.1", "0.52 ± 0.03": both numbers with the decimals the mean's size calls for. */
export function formatMeanStd(mean: number, std: number): string {
  if (!Number.isFinite(mean)) return '—';
  const abs = Math.abs(mean);
  const decimals = abs >= 1000 ? 0 : abs >= 100 ? 1 : 2;
  return `${mean.toFixed(decimals)} ± ${Number.isFinite(std) ? std.toFixed(decimals) : '—'}`;
}

/** Median (mean of the two middle values for an even count); NaN for no values. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/**
 * Interquartile mean: sort, drop ⌊n/4⌋ values at each end, average the rest (scipy.stats.trim_mean(x, 0.25),
 * which rliable uses). Below 4 values nothing is dropped; NaN for no values.
 */
export function iqm(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 4);
  const middle = sorted.slice(cut, sorted.length - cut);
  return middle.reduce((a, b) => a + b, 0) / middle.length;
}

/** Arithmetic mean; NaN for no values. */
export function mean(values: readonly number[]): number {
  return values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;
}

export interface BootstrapOptions {
  /** Resamples drawn (default 10 000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  confidence?: number;
  /** Seed of the resampling, so that a table is reproducible (default 0). */
  seed?: number;
}

/**
 * Percentile-bootstrap confidence interval of `statistic` over `values`: draw `resamples` samples of n values
 * with replacement, take the statistic of each, return its (1 − confidence)/2 and (1 + confidence)/2 quantiles
 * (linear interpolation between order statistics, numpy.percentile's default). NaN bounds for no values.
 */
export function bootstrapCi(
  values: readonly number[], statistic: (sample: readonly number[]) => number = mean,
  { resamples = 10_000, confidence = 0.95, seed = 0 }: BootstrapOptions = {},
): { low: number; high: number } {
  if (!(Number.isSafeInteger(resamples) && resamples >= 1)) throw new RangeError(`bootstrapCi: resamples must be a positive integer, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`bootstrapCi: confidence must be in (0, 1), got ${confidence}`);
  const n = values.length;
  if (n === 0) return { low: NaN, high: NaN };
  const rng = new Rng(seed);
  const sample = new Array<number>(n);
  const stats = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) sample[i] = values[rng.integer(n)];
    stats[b] = statistic(sample);
  }
  stats.sort();
  return { low: quantile(stats, (1 - confidence) / 2), high: quantile(stats, (1 + confidence) / 2) };
}

/** The q-quantile of sorted values, interpolating linearly between order statistics. */
function quantile(sorted: Float64Array, q: number): number {
  const at = q * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (at - lo) * (sorted[hi] - sorted[lo]);
}

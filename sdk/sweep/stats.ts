// Statistics over seeds: mean ± std (population std, ddof 0, numpy.std's default, the usual choice in RL results
// tables), the interquartile mean, and percentile-bootstrap confidence intervals (rliable's recommendations for
// few seeds). The one home of these functions: reports and benchmarks import them from here.
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

/**
 * Interquartile mean (Agarwal et al., 2021, "Deep RL at the Edge of the Statistical Precipice"): the mean of the
 * values left after dropping ⌊n/4⌋ from each end of the sorted list — scipy.stats.trim_mean(x, 0.25), as rliable
 * computes it. Robust to one outlying seed, less noisy than the median. Undefined for no values.
 */
export function iqm(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const cut = Math.floor(sorted.length / 4);
  const middle = sorted.slice(cut, sorted.length - cut);
  return middle.reduce((a, b) => a + b, 0) / middle.length;
}

export function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((a, b) => a + b, 0) / values.length;
}

export interface BootstrapOptions {
  /** Resamples drawn (default 2000). */
  resamples?: number;
  /** Coverage of the interval (default 0.95). */
  confidence?: number;
  /** Seed of the resampling, so a report is reproducible (default 0). */
  seed?: number;
}

/**
 * Percentile bootstrap confidence interval of `statistic` (default: the mean) over `values` (e.g. one number per
 * seed): resample n values with replacement `resamples` times and take the (1 ± confidence)/2 quantiles of the
 * statistic, with numpy's linear interpolation between order statistics. Undefined for no values.
 */
export function bootstrapCi(
  values: readonly number[],
  statistic: (sample: readonly number[]) => number | undefined = mean,
  { resamples = 2000, confidence = 0.95, seed = 0 }: BootstrapOptions = {},
): { low: number; high: number } | undefined {
  const n = values.length;
  if (n === 0) return undefined;
  const rng = new Rng(seed, 0);
  const stats = new Float64Array(resamples);
  const sample = new Array<number>(n);
  for (let b = 0; b < resamples; b++) {
    for (let i = 0; i < n; i++) sample[i] = values[rng.integer(n)];
    stats[b] = statistic(sample) as number;
  }
  stats.sort();
  const alpha = (1 - confidence) / 2;
  return { low: quantile(stats, alpha), high: quantile(stats, 1 - alpha) };
}

/** Quantile q of sorted values, linear between order statistics (numpy.percentile's default). */
function quantile(sorted: Float64Array, q: number): number {
  const position = q * (sorted.length - 1);
  const lo = Math.floor(position);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (position - lo) * (sorted[hi] - sorted[lo]);
}

// Learning curves: training return (rollout/ep_rew_mean) against timesteps, averaged over seeds.
// Seeds log at their own timesteps (and may stop at different points), so each curve is linearly interpolated
// onto a common evenly spaced grid; at each grid point the mean and population std are taken over the seeds
// whose logged range covers it (no extrapolation), and `n` says how many that was. Each point also carries the
// interquartile mean and percentile-bootstrap 95% confidence intervals of the mean and of the IQM over those seeds.
import { lastNumber, progressRecords } from './run-dir.js';
import { bootstrapCi, iqm, meanStd } from './stats.js';

export interface Curve {
  /** Timesteps, strictly increasing. */
  x: number[];
  y: number[];
}

export interface AggregateCurve {
  x: number[];
  mean: number[];
  std: number[];
  /** Seeds covering each point. */
  n: number[];
  /** Bootstrap 95% confidence interval of the mean over seeds. */
  meanCi: { low: number[]; high: number[] };
  /** Interquartile mean over seeds, and its bootstrap 95% confidence interval. */
  iqm: number[];
  iqmCi: { low: number[]; high: number[] };
}

export const RETURN_KEY = 'rollout/ep_rew_mean';
export const TIMESTEPS_KEY = 'time/total_timesteps';

/** A run's learning curve from its progress.jsonl: records without a finite return are left out. */
export function readCurve(runDir: string): Curve {
  const points = new Map<number, number>(); // a repeated timestep keeps its last value
  for (const record of progressRecords(runDir)) {
    const x = lastNumber([record], TIMESTEPS_KEY);
    const y = lastNumber([record], RETURN_KEY);
    if (x !== undefined && y !== undefined) points.set(x, y);
  }
  const xs = [...points.keys()].sort((a, b) => a - b);
  return { x: xs, y: xs.map((x) => points.get(x) as number) };
}

/** Linear interpolation of `curve` at `at`; undefined outside [first x, last x]. */
export function interpolate(curve: Curve, at: number): number | undefined {
  const { x, y } = curve;
  if (x.length === 0 || at < x[0] || at > x[x.length - 1]) return undefined;
  // Binary search for the last index with x[i] ≤ at.
  let lo = 0;
  let hi = x.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (x[mid] <= at) lo = mid;
    else hi = mid - 1;
  }
  if (lo === x.length - 1) return y[lo];
  const t = (at - x[lo]) / (x[lo + 1] - x[lo]);
  return y[lo] + t * (y[lo + 1] - y[lo]);
}

/**
 * Mean ± std over `curves` on `points` grid points from the earliest first timestep to the latest last one.
 * Grid points no curve covers are dropped.
 */
export function aggregateCurves(curves: readonly Curve[], points = 100): AggregateCurve {
  const out: AggregateCurve = { x: [], mean: [], std: [], n: [], meanCi: { low: [], high: [] }, iqm: [], iqmCi: { low: [], high: [] } };
  const nonEmpty = curves.filter((c) => c.x.length > 0);
  if (nonEmpty.length === 0) return out;
  const start = Math.min(...nonEmpty.map((c) => c.x[0]));
  const end = Math.max(...nonEmpty.map((c) => c.x[c.x.length - 1]));
  const count = end > start ? Math.max(2, points) : 1;
  for (let i = 0; i < count; i++) {
    const at = i === count - 1 ? end : start + ((end - start) * i) / (count - 1);
    const values = nonEmpty.map((c) => interpolate(c, at)).filter((v): v is number => v !== undefined);
    const stats = meanStd(values);
    if (stats === undefined) continue;
    out.x.push(at);
    out.mean.push(stats.mean);
    out.std.push(stats.std);
    out.n.push(stats.n);
    const meanCi = bootstrapCi(values)!;
    const iqmCi = bootstrapCi(values, iqm)!;
    out.meanCi.low.push(meanCi.low);
    out.meanCi.high.push(meanCi.high);
    out.iqm.push(iqm(values)!);
    out.iqmCi.low.push(iqmCi.low);
    out.iqmCi.high.push(iqmCi.high);
  }
  return out;
}

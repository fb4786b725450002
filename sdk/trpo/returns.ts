// From a collected batch to the numbers the update needs: (optionally) normalized rewards, values, GAE
// advantages and returns, and episode statistics. Everything runs in time order, so the result is the same
// whatever number of workers collected the batch.
import type { RolloutBatch } from '../vec-env/index.js';
import type { RunningMeanStd } from '../run/running-mean-std.js';

/** SB3 VecNormalize's reward scaling: r / √(Var[discounted return] + ε), clipped, per env. */
export interface RewardScaler {
  readonly returnStats: RunningMeanStd;
  /** Running discounted return of each env's current episode. */
  readonly discountedReturns: Float64Array;
}

/**
 * Scale rewards in place, step by step in time order: update each env's discounted return, fold the
 * numEnvs returns of the step into the statistics, divide by their standard deviation, clip; an ended
 * episode restarts its discounted return at 0.
 */
export function scaleRewards(
  batch: Pick<RolloutBatch, 'nSteps' | 'numEnvs' | 'terminated' | 'truncated'>,
  rewards: Float64Array,
  scaler: RewardScaler,
  o: { gamma: number; clipReward: number; epsilon?: number },
): void {
  const { nSteps, numEnvs } = batch;
  const ret = scaler.discountedReturns;
  const eps = o.epsilon ?? 1e-8;
  for (let t = 0; t < nSteps; t++) {
    const row = t * numEnvs;
    for (let e = 0; e < numEnvs; e++) ret[e] = ret[e] * o.gamma + rewards[row + e];
    scaler.returnStats.update(ret);
    const scale = 1 / Math.sqrt(scaler.returnStats.var[0] + eps);
    for (let e = 0; e < numEnvs; e++) {
      const r = rewards[row + e] * scale;
      rewards[row + e] = r > o.clipReward ? o.clipReward : r < -o.clipReward ? -o.clipReward : r;
      if (batch.terminated[row + e] || batch.truncated[row + e]) ret[e] = 0;
    }
  }
}

/** (A − mean) / (std + 1e-8) in place (SB3's advantage normalization; population std). */
export function normalizeInPlace(a: Float64Array): void {
  let mean = 0;
  for (let i = 0; i < a.length; i++) mean += a[i];
  mean /= a.length;
  let variance = 0;
  for (let i = 0; i < a.length; i++) variance += (a[i] - mean) ** 2;
  const std = Math.sqrt(variance / a.length);
  for (let i = 0; i < a.length; i++) a[i] = (a[i] - mean) / (std + 1e-8);
}

/** 1 − Var[returns − values] / Var[returns] (SB3's explained variance; NaN when returns are constant). */
export function explainedVariance(values: Float64Array, returns: Float64Array): number {
  const n = returns.length;
  let mr = 0, md = 0;
  for (let i = 0; i < n; i++) { mr += returns[i]; md += returns[i] - values[i]; }
  mr /= n; md /= n;
  let vr = 0, vd = 0;
  for (let i = 0; i < n; i++) {
    vr += (returns[i] - mr) ** 2;
    vd += (returns[i] - values[i] - md) ** 2;
  }
  return vr === 0 ? NaN : 1 - vd / vr;
}

/** Rows (t, e) whose step was cut by the time limit (they bootstrap from V(final observation)). */
export function truncatedRows(batch: Pick<RolloutBatch, 'truncated' | 'terminated'>): number[] {
  const rows: number[] = [];
  for (let i = 0; i < batch.truncated.length; i++) if (batch.truncated[i] && !batch.terminated[i]) rows.push(i);
  return rows;
}

/** Mean episode return and length over a window of the most recent episodes (SB3 keeps 100). */
export class EpisodeWindow {
  private returns: number[] = [];
  private lengths: number[] = [];
  total = 0;

  constructor(private readonly capacity = 100) {}

  add(ret: number, len: number): void {
    this.returns.push(ret);
    this.lengths.push(len);
    this.total++;
    if (this.returns.length > this.capacity) {
      this.returns.shift();
      this.lengths.shift();
    }
  }

  meanReturn(): number {
    return this.returns.length ? this.returns.reduce((a, b) => a + b, 0) / this.returns.length : NaN;
  }

  meanLength(): number {
    return this.lengths.length ? this.lengths.reduce((a, b) => a + b, 0) / this.lengths.length : NaN;
  }

  toJSON(): { returns: number[]; lengths: number[]; total: number } {
    return { returns: [...this.returns], lengths: [...this.lengths], total: this.total };
  }

  /** Replace the contents with a toJSON() record (checkpoint restore). */
  load(j: { returns: number[]; lengths: number[]; total: number }): void {
    this.returns = [...j.returns];
    this.lengths = [...j.lengths];
    this.total = j.total;
  }
}

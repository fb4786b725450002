// Mean ± std over seeds. std is the population standard deviation (ddof 0, numpy.std's default), the usual
// choice in RL results tables.

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

// Timing for the kernel benchmarks: the median of repeated runs after one warm-up.

export interface Timing {
  median: number;
  reps: number;
}

/** Median of repeated runs after one warm-up; repetitions shrink so one measurement takes about budgetMs. */
export function measure(run: () => void, budgetMs = 1500, maxReps = 15): Timing {
  const t0 = performance.now();
  run();
  const first = performance.now() - t0;
  const reps = Math.max(1, Math.min(maxReps, Math.floor(budgetMs / Math.max(first, 1e-3))));
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { median: times[reps >> 1], reps };
}

// Splitting a sweep over machines. A batch scheduler (Kubernetes Indexed Job, Slurm job array) starts N copies
// of the same `trpo sweep … --shard i/N` command; each takes a deterministic share of the run list. The share
// depends only on the run ids: sort them, deal them round-robin. So every shard agrees on the partition without
// talking to the others, each run lands in exactly one shard, and the shards stay balanced (sizes differ by at
// most one) whatever the order of envs and seeds in the spec.
import { ValidationError } from '../validation.js';

/** Shard `index` of `count`, 0-based (Kubernetes' JOB_COMPLETION_INDEX and `sbatch --array=0-N-1` count from 0). */
export interface Shard {
  index: number;
  count: number;
}

/** Parse "i/N" (0 ≤ i < N). */
export function parseShard(text: string, field = '--shard'): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || !(count >= 1) || !(index < count)) {
    throw new ValidationError(
      `Invalid ${field}: got "${text}"; use "i/N" with 0 ≤ i < N, e.g. "0/4" for the first of 4 shards`,
      [field],
    );
  }
  return { index, count };
}

/** The runs of shard `shard`, in their original order. */
export function selectShard<T extends { id: string }>(runs: readonly T[], shard: Shard): T[] {
  const sortedIds = runs.map((r) => r.id).sort();
  const mine = new Set(sortedIds.filter((_, position) => position % shard.count === shard.index));
  return runs.filter((r) => mine.has(r.id));
}

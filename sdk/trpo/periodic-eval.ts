// Periodic evaluation during training, as SB3's EvalCallback: every `evalFreq` env steps, `nEvalEpisodes`
// deterministic episodes on an env of its own (not one of the training envs), the policy seeing observations
// normalized with the current statistics, which evaluation never updates. The mean return is logged as
// eval/mean_reward (with eval/std_reward, eval/mean_ep_length, eval/std_ep_length); a new best is what the
// trainer keeps in best_model/.
//
// Episodes: evaluation j (0, 1, …) resets episode k with seed EVAL_SEED + j·nEvalEpisodes + k. Each evaluation
// sees new start states, as SB3's eval env does, and the numbers depend only on (j, θ, statistics): a resumed
// run evaluates exactly as an uninterrupted one. The final evaluation (seeds 10 000 + k) never shares a seed
// with these.
import type { Env } from '../../envs/types.js';
import type { EvaluationResult } from './evaluate.js';

export const EVAL_SEED = 20_000;

/** True when an iteration that takes the step count from `before` to `after` passes a multiple of evalFreq. */
export function evaluationDue(before: number, after: number, evalFreq: number): boolean {
  return evalFreq > 0 && Math.floor(after / evalFreq) > Math.floor(before / evalFreq);
}

/** The first episode seed of evaluation number `index`. */
export function evaluationSeed(index: number, episodes: number): number {
  return EVAL_SEED + index * episodes;
}

/** SB3's eval/* keys for one evaluation (population std, as numpy's). */
export function evaluationMetrics(e: EvaluationResult): Record<string, number> {
  const mean = e.meanLength;
  const lengthStd = Math.sqrt(e.lengths.reduce((a, l) => a + (l - mean) ** 2, 0) / e.lengths.length);
  return {
    'eval/mean_reward': e.meanReturn,
    'eval/std_reward': e.stdReturn,
    'eval/mean_ep_length': mean,
    'eval/std_ep_length': lengthStd,
  };
}

/** An evaluation env, kept open between evaluations; created on first use. */
export class EvalEnvHolder {
  private env: Env | undefined;

  constructor(private readonly make: () => Promise<Env>) {}

  async get(): Promise<Env> {
    return (this.env ??= await this.make());
  }

  close(): void {
    this.env?.close();
    this.env = undefined;
  }
}

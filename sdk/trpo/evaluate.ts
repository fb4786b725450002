// Evaluation episodes, shared by agent.evaluate(), `trpo eval --run` and `trpo eval --policy x.onnx`, so that
// the SDK and an exported ONNX file are judged on exactly the same episodes: episode k is reset with seed
// `seed + k`, and runs until terminated or truncated.
import type { Env } from '../../envs/types.js';

export interface EvaluationResult {
  episodes: number;
  returns: number[];
  lengths: number[];
  meanReturn: number;
  stdReturn: number;
  meanLength: number;
}

/** `act` maps one raw observation to the action to take (a Box vector, or [index] for Discrete). */
export type ActFn = (obs: Float64Array) => ArrayLike<number> | Promise<ArrayLike<number>>;

export async function runEpisodes(env: Env, act: ActFn, { episodes, seed }: { episodes: number; seed: number }): Promise<EvaluationResult> {
  if (!(Number.isSafeInteger(episodes) && episodes >= 1)) throw new RangeError(`episodes must be a positive integer, got ${episodes}`);
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  const returns: number[] = [];
  const lengths: number[] = [];
  for (let k = 0; k < episodes; k++) {
    let { obs } = env.reset({ seed: seed + k });
    let total = 0;
    let length = 0;
    for (;;) {
      const action = await act(obs);
      const step = env.step(env.actionSpace.type === 'discrete' ? action[0] : action);
      total += step.reward;
      length++;
      obs = step.obs;
      if (step.terminated || step.truncated) break;
    }
    returns.push(total);
    lengths.push(length);
  }
  const mean = returns.reduce((a, b) => a + b, 0) / episodes;
  const std = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / episodes);
  return { episodes, returns, lengths, meanReturn: mean, stdReturn: std, meanLength: lengths.reduce((a, b) => a + b, 0) / episodes };
}

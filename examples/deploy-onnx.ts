// Drive a simulated robot from an exported ONNX policy alone — the same loop a robot controller runs.
//
//   node dist/examples/deploy-onnx.js policy.onnx [--episodes 5] [--seed 0] [--sample]
//
// The file carries everything: the env id, the observation normalization, the action bounds. The program reads raw
// observations from the simulator, feeds them to the graph, and sends the action straight back. With --sample (and
// a file exported with `stochastic: true`) it samples from the policy's distribution instead of acting greedily.

import { parseArgs } from 'node:util';
import { makeEnv } from '../envs/index.js';
import { Rng } from '../sdk/rng.js';
import { loadOnnxPolicy, type OnnxAction, type OnnxPolicy } from '../sdk/onnx/index.js';

/** A draw from the exported distribution: Gaussian mean + σ·z (then the bounds), or a softmax sample of the logits. */
async function sampleAction(policy: OnnxPolicy, obs: Float64Array, rng: Rng): Promise<OnnxAction> {
  const dist = await policy.distribution(obs);
  if (dist.kind === 'categorical') {
    const max = Math.max(...dist.logits);
    const weights = Array.from(dist.logits, (logit) => Math.exp(logit - max));
    let u = rng.uniform() * weights.reduce((a, b) => a + b, 0);
    const index = weights.findIndex((w) => (u -= w) < 0);
    return index === -1 ? weights.length - 1 : index;
  }
  const { actionLow: low, actionHigh: high } = policy.metadata;
  return dist.mean.map((mean, i) => {
    const value = mean + Math.exp(dist.logStd[i]) * rng.normal();
    return low && high ? Math.min(high[i], Math.max(low[i], value)) : value;
  });
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      episodes: { type: 'string', default: '5' },
      seed: { type: 'string', default: '0' },
      sample: { type: 'boolean', default: false },
    },
  });
  const [path] = positionals;
  const episodes = Number(values.episodes);
  const seed = Number(values.seed);
  if (!path || !(Number.isInteger(episodes) && episodes > 0) || !Number.isSafeInteger(seed)) {
    throw new Error('usage: deploy-onnx <policy.onnx> [--episodes N ≥ 1] [--seed integer] [--sample]');
  }

  const policy = await loadOnnxPolicy(path);
  const { envId, kind, obsDim, actDim, normalizationInside, clipInside, trainingTimesteps } = policy.metadata;
  console.log(
    `${path}: ${kind} policy for ${envId} (obs ${obsDim}, actions ${actDim}), trained ${trainingTimesteps} steps; ` +
      `normalization ${normalizationInside ? 'inside the graph' : 'NOT inside: feed normalized observations'}, ` +
      `action clipping ${clipInside ? 'inside the graph' : 'not inside'}`,
  );
  const env = await makeEnv(envId);
  if (env.observationSpace.shape[0] !== obsDim) {
    throw new Error(`${envId} observes ${env.observationSpace.shape[0]} numbers but the policy takes ${obsDim}`);
  }
  const rng = new Rng(seed, 99);
  const returns: number[] = [];
  try {
    for (let episode = 0; episode < episodes; episode++) {
      let { obs } = env.reset({ seed: seed + episode });
      let total = 0;
      let steps = 0;
      for (;;) {
        const action = values.sample ? await sampleAction(policy, obs, rng) : await policy.act(obs);
        const result = env.step(action);
        total += result.reward;
        steps++;
        obs = result.obs;
        if (result.terminated || result.truncated) break;
      }
      returns.push(total);
      console.log(`episode ${episode + 1}: return ${total.toFixed(2)} over ${steps} steps`);
    }
  } finally {
    env.close();
    await policy.close();
  }
  const mean = returns.reduce((a, b) => a + b, 0) / returns.length;
  const std = Math.sqrt(returns.reduce((a, r) => a + (r - mean) ** 2, 0) / returns.length);
  console.log(`mean return ${mean.toFixed(2)} ± ${std.toFixed(2)} over ${episodes} episodes`);
}

await main();

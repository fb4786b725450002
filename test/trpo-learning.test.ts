// TRPO learns: the classic benchmarks reach their solved scores within small budgets (seconds on 2 cores),
// judged by a deterministic evaluation of the trained policy on fresh episodes.
import { expect } from 'chai';
import { TRPO } from '../sdk/trpo/trpo.js';

const cases = [
  { env: 'CartPole-v1', timesteps: 40_000, threshold: 475 },
  { env: 'InvertedPendulum-v5', timesteps: 80_000, threshold: 950 },
  { env: 'Pendulum-v1', timesteps: 150_000, threshold: -250 },
] as const;

describe('TRPO learning', function () {
  this.timeout(300_000);
  for (const c of cases) {
    it(`${c.env} reaches ${c.threshold} within ${c.timesteps} steps`, async () => {
      const agent = new TRPO({ env: c.env, seed: 0 });
      try {
        const result = await agent.learn({ totalTimesteps: c.timesteps });
        expect(result.timesteps).to.be.at.least(c.timesteps);
        const evaluation = await agent.evaluate({ episodes: 10, deterministic: true });
        expect(evaluation.meanReturn, `mean return ${evaluation.meanReturn}`).to.be.at.least(c.threshold);
      } finally {
        await agent.close();
      }
    });
  }
});

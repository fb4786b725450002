// The agent stays usable after a callback throws, and refuses a second learn() while one runs.
import { expect } from 'chai';
import { TRPO } from '../sdk/trpo/trpo.js';

describe('TRPO agent guards', function () {
  this.timeout(60_000);
  const options = { env: 'CartPole-v1', seed: 1, numEnvs: 2, numWorkers: 1, nSteps: 64 };

  it('a throwing onIteration ends learn() with its error and leaves the agent usable', async () => {
    const agent = new TRPO(options);
    try {
      let calls = 0;
      const error = await agent
        .learn({ totalTimesteps: 1024, callbacks: { onIteration: () => { calls++; throw new Error('callback broke'); } } })
        .then(() => undefined, (e: Error) => e);
      expect(error?.message).to.equal('callback broke');
      expect(calls).to.equal(1);
      const result = await agent.learn({ totalTimesteps: 512 });
      expect(result.timesteps).to.equal(512);
      expect((await agent.predict([0, 0, 0, 0])).length).to.equal(1);
    } finally {
      await agent.close();
    }
  });

  it('refuses a second learn() while the first runs, and the first finishes', async () => {
    const agent = new TRPO(options);
    try {
      const first = agent.learn({ totalTimesteps: 512 });
      const second = await agent.learn({ totalTimesteps: 512 }).then(() => undefined, (e: Error) => e);
      expect(second?.message).to.match(/already training \(an earlier learn\(\) has not finished\); await it/);
      expect((await first).timesteps).to.equal(512);
      expect((await agent.learn({ totalTimesteps: 768 })).timesteps).to.equal(768);
    } finally {
      await agent.close();
    }
  });
});

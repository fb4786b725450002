// The CEM and CMA-ES agents on real envs: they solve CartPole-v1 and InvertedPendulum-v5 in a small budget,
// results do not depend on the number of worker threads, a resumed run is bit-identical, options are checked.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CEM, CMAES, loadEsAgent, type EvolutionAgent } from '../sdk/es/index.js';

async function train(agent: EvolutionAgent, totalTimesteps: number, stopAfter?: number, checkpointDir?: string) {
  const curve: number[] = [];
  try {
    await agent.learn({
      totalTimesteps, checkpointDir,
      callbacks: { onIteration: (m) => (curve.push(m['rollout/ep_rew_mean'] as number), stopAfter === undefined || agent.iteration < stopAfter) },
    });
  } finally {
    await agent.close();
  }
  return curve;
}

describe('CEM and CMA-ES agents', function () {
  this.timeout(300_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'es-agent-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const solve = [
    { name: 'CMA-ES', make: () => new CMAES({ env: 'CartPole-v1', seed: 1 }), budget: 60_000, goal: 500 },
    { name: 'CEM', make: () => new CEM({ env: 'CartPole-v1', seed: 1 }), budget: 60_000, goal: 500 },
    { name: 'CMA-ES', make: () => new CMAES({ env: 'InvertedPendulum-v5', seed: 1 }), budget: 100_000, goal: 1000 },
    { name: 'CEM', make: () => new CEM({ env: 'InvertedPendulum-v5', seed: 1 }), budget: 100_000, goal: 1000 },
  ];
  for (const c of solve) {
    it(`${c.name} solves ${c.make().options.env} (deterministic return ${c.goal}) within ${c.budget} env steps`, async () => {
      const agent = c.make();
      await train(agent, c.budget);
      const { meanReturn } = await agent.evaluate({ episodes: 5 });
      expect(meanReturn).to.equal(c.goal);
    });
  }

  it('gives the same generations with 0, 1 and 2 worker threads', async () => {
    const runs = [];
    for (const numWorkers of [0, 1, 2]) {
      const agent = new CMAES({ env: 'InvertedPendulum-v5', seed: 3, numWorkers, popSize: 6 });
      const curve = await train(agent, 1e9, 3);
      runs.push({ curve, mean: Array.from(agent.optimizer!.mean), sigma: agent.optimizer!.sigma, steps: agent.numTimesteps });
    }
    expect(runs[0].curve).to.have.length(3);
    expect(runs[1]).to.deep.equal(runs[0]);
    expect(runs[2]).to.deep.equal(runs[0]);
  });

  for (const make of [() => new CEM({ env: 'InvertedPendulum-v5', seed: 2, popSize: 6, checkpointEvery: 2 }), () => new CMAES({ env: 'InvertedPendulum-v5', seed: 2, popSize: 6, checkpointEvery: 2 })]) {
    it(`${make().options.algo}: a run resumed from its checkpoint is bit-identical to an uninterrupted one`, async () => {
      const straight = make();
      const full = await train(straight, 1e9, 5);
      const dir = path.join(tmp, `${straight.options.algo}-ckpt`);
      const first = make();
      const head = await train(first, 1e9, 3, dir);
      const resumed = await loadEsAgent(dir);
      expect(resumed.iteration).to.equal(3);
      const tail = await train(resumed, 1e9, 5);
      expect([...head, ...tail]).to.deep.equal(full);
      expect(Array.from(await resumed.predict(new Float64Array(4).fill(0.1)))).to.deep.equal(Array.from(await straight.predict(new Float64Array(4).fill(0.1))));
      expect(resumed.optimizer!.getState()).to.deep.equal(straight.optimizer!.getState());
    });
  }

  it('saves, loads and predicts the same actions', async () => {
    const agent = new CEM({ env: 'CartPole-v1', seed: 0, popSize: 4, numWorkers: 0 });
    await train(agent, 1e9, 2);
    await agent.save(path.join(tmp, 'cem-model'));
    const again = await loadEsAgent(path.join(tmp, 'cem-model'));
    const obs = [0.01, -0.2, 0.03, 0.1];
    expect(Array.from(await again.predict(obs))).to.deep.equal(Array.from(await agent.predict(obs)));
    expect(again.numTimesteps).to.equal(agent.numTimesteps);
  });

  it('rejects bad options naming the field and the value', () => {
    expect(() => new CEM({ eliteFrac: 2 })).to.throw(/eliteFrac: got 2/);
    expect(() => new CMAES({ covariance: 'dense' as never })).to.throw(/covariance: got "dense"/);
    expect(() => new CMAES({ numEnvs: 4 } as never)).to.throw(/numEnvs: unknown option/);
    expect(() => new CEM({ algo: 'cmaes' } as never)).to.throw(/algo/);
  });
});

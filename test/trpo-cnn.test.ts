// CNN policies through the trainer: `policy: { kind: 'cnn' }` on a MinAtar game trains with rollout workers that
// run the CNN themselves, the update respects the trust region, and the option is checked against the env.
import { expect } from 'chai';
import { TRPO } from '../sdk/index.js';

describe('TRPO with CNN policies', () => {
  it('trains on MinAtar Breakout with worker-run CNN rollouts within the trust region', async function () {
    this.timeout(120_000);
    const agent = new TRPO({ env: 'MinAtar/Breakout-v1', numEnvs: 2, numWorkers: 1, nSteps: 128, seed: 3, policy: { kind: 'cnn', preset: 'paper' } });
    const metrics: Record<string, number | string | boolean>[] = [];
    await agent.learn({ totalTimesteps: 3 * 256, callbacks: { onIteration: (m) => void metrics.push({ ...m }) } });
    await agent.close();
    expect(metrics).to.have.length(3);
    for (const m of metrics) {
      expect(m['train/is_line_search_success']).to.equal(true);
      expect(m['train/kl_divergence'] as number).to.be.above(0).and.at.most(0.01 * 1.0001);
    }
    const again = new TRPO({ env: 'MinAtar/Breakout-v1', numEnvs: 2, numWorkers: 0, nSteps: 128, seed: 3, policy: { kind: 'cnn', preset: 'paper' } });
    const inMain: number[] = [];
    await again.learn({ totalTimesteps: 3 * 256, callbacks: { onIteration: (m) => void inMain.push(m['train/kl_divergence'] as number) } });
    await again.close();
    expect(inMain, 'workers and main thread give the same run').to.deep.equal(metrics.map((m) => m['train/kl_divergence']));
  });

  it('refuses a CNN on an env without image observations, and an image that does not match', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ env: 'CartPole-v1', policy: { kind: 'cnn' } }, /CartPole-v1 has no image observations; give policy\.image/],
      [{ env: 'CartPole-v1', policy: { kind: 'cnn', image: { height: 2, width: 3, channels: 1 } } }, /policy\.image is 2×3×1 = 6 numbers but CartPole-v1 observations have 4/],
    ];
    for (const [options, message] of cases) {
      let error: unknown;
      try {
        await new TRPO(options).setup();
      } catch (e) {
        error = e;
      }
      expect(String(error)).to.match(message);
    }
    expect(() => new TRPO({ env: 'CartPole-v1', policy: { kind: 'cnn', conv: [{ filters: 0, kernel: 3 }] } })).to.throw(/policy/);
  });
});

// Resume continues exactly: 2 iterations, checkpoint, load, 2 more gives bit-identical parameters, value
// function, optimizer and normalizer state to 4 straight (same seed, same worker count).
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { readCheckpoint } from '../sdk/run/checkpoint.js';
import { TRPO } from '../sdk/trpo/trpo.js';

const sameBits = (a: Float64Array, b: Float64Array) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('TRPO resume', function () {
  this.timeout(120_000);
  const cases = [
    { env: 'InvertedPendulum-v5', options: { numEnvs: 2, numWorkers: 2, nSteps: 256 } },
    { env: 'Pendulum-v1', options: { numEnvs: 2, numWorkers: 1, nSteps: 128, normalizeReward: true } },
    { env: 'Pendulum-v1', options: { numEnvs: 2, numWorkers: 2, nSteps: 128, obsStatsUpdate: 'step' as const } },
  ];
  for (const c of cases) {
    it(`2 + 2 iterations equal 4 straight on ${c.env} (${c.options.numWorkers} workers)`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-resume-'));
      const rows = c.options.numEnvs * c.options.nSteps;
      const options = { env: c.env, seed: 3, checkpointEvery: 1, ...c.options };
      try {
        const straight = new TRPO(options);
        await straight.learn({ totalTimesteps: 4 * rows });
        await straight.save(path.join(dir, 'straight'));
        await straight.close();

        const first = new TRPO(options);
        await first.learn({ totalTimesteps: 2 * rows, checkpointDir: path.join(dir, 'ckpt') });
        await first.close();
        const resumed = await TRPO.load(path.join(dir, 'ckpt'));
        expect(resumed.iteration).to.equal(2);
        await resumed.learn({ totalTimesteps: 4 * rows });
        await resumed.save(path.join(dir, 'resumed'));
        await resumed.close();

        const a = await readCheckpoint(path.join(dir, 'straight'));
        const b = await readCheckpoint(path.join(dir, 'resumed'));
        expect(Object.keys(b.arrays).sort()).to.deep.equal(Object.keys(a.arrays).sort());
        for (const name of Object.keys(a.arrays)) {
          expect(sameBits(a.arrays[name], b.arrays[name]), `array ${name} differs`).to.equal(true);
        }
        expect(b.json.trainer).to.deep.equal(a.json.trainer);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

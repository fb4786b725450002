import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeVecEnv } from '../sdk/vec-env/index.js';
import { FIXTURES_URL } from './vec-env-fixtures.js';
import { expectRejection, threadCount } from './vec-env-helpers.js';

/** Worker threads end asynchronously after terminate(); give the OS a moment to reap them. */
async function settledThreadCount(expected: number): Promise<number | undefined> {
  for (let k = 0; k < 50 && threadCount() !== expected; k++) await new Promise((r) => setTimeout(r, 20));
  return threadCount();
}

describe('VecEnv lifecycle: close, crashes', () => {
  it('close() ends every worker thread and later calls are refused', async () => {
    const before = threadCount();
    const vec = await makeVecEnv('Hopper-v5', { numEnvs: 3, numWorkers: 2 });
    await vec.reset();
    if (before !== undefined) expect(threadCount()).to.equal(before + 2);
    await vec.close();
    await vec.close(); // idempotent
    if (before !== undefined) expect(await settledThreadCount(before)).to.equal(before);
    await expectRejection(vec.step([0, 0, 0]), /step\(\) after close\(\)/);
  });

  for (const failBy of ['throw', 'exit'] as const) {
    it(`a worker that fails (${failBy}) rejects the pending call with its message, closes the rest, never hangs`, async () => {
      const before = threadCount();
      const vec = await makeVecEnv('CartPole-v1', {
        numEnvs: 3,
        numWorkers: 2,
        envModule: FIXTURES_URL,
        envOptions: { failAfterSteps: 3, failBy },
      });
      await vec.reset();
      for (let t = 0; t < 3; t++) await vec.step([0, 1, 0]);
      const message = failBy === 'throw' ? /vec-env worker \d \(envs \d–\d\): env \d \(CartPole-v1\) at its step \d+ .*: injected failure at step 4/ : /vec-env worker \d \(envs \d–\d\) exited unexpectedly with code 3/;
      await expectRejection(vec.step([0, 1, 0]), message);
      await expectRejection(vec.reset(), /closed after a worker failure/);
      if (before !== undefined) expect(await settledThreadCount(before), 'no worker left running').to.equal(before);
    });
  }

  it('a failure inside collect() surfaces the same way', async () => {
    const vec = await makeVecEnv('CartPole-v1', {
      numEnvs: 2,
      numWorkers: 2,
      envModule: FIXTURES_URL,
      envOptions: { failAfterSteps: 5, failBy: 'throw' },
    });
    const { numParameters } = await vec.configurePolicy({ hiddenSizes: [], module: FIXTURES_URL });
    await expectRejection(vec.collect({ parameters: new Float64Array(numParameters), nSteps: 10 }), /injected failure at step 6/);
    await vec.close();
  });

  it('close() during a collect() rejects the collect instead of leaving it pending', async () => {
    const vec = await makeVecEnv('Hopper-v5', { numEnvs: 2, numWorkers: 2 });
    const { numParameters } = await vec.configurePolicy({ hiddenSizes: [8] });
    const collecting = vec.collect({ parameters: new Float64Array(numParameters), nSteps: 5000 });
    const rejected = expectRejection(collecting, /was closed while a call was running/);
    await new Promise((resolve) => setTimeout(resolve, 50));
    await vec.close();
    await rejected;
  });

  it('a forgotten close() does not keep the process alive', () => {
    const vecEnvUrl = new URL('../sdk/vec-env/index.js', import.meta.url).href;
    const script = `
      const { makeVecEnv } = await import(${JSON.stringify(vecEnvUrl)});
      const vec = await makeVecEnv('CartPole-v1', { numEnvs: 2, numWorkers: 2 });
      await vec.reset();
      await vec.step([0, 1]);
      console.log('done');`;
    const dir = mkdtempSync(join(tmpdir(), 'vec-env-'));
    const file = join(dir, 'forgotten-close.mjs');
    writeFileSync(file, script);
    const child = spawnSync(process.execPath, [file], { encoding: 'utf8', timeout: 20_000 });
    rmSync(dir, { recursive: true });
    expect(child.stderr).to.equal('');
    expect(child.stdout.trim()).to.equal('done');
    expect(child.status, 'exited by itself (null: killed by the timeout)').to.equal(0);
  });
});

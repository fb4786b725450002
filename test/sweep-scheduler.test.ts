import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunFunction, RunRequest } from '../sdk/sweep/runner.js';
import { parseSweepSpec, planRuns } from '../sdk/sweep/spec.js';
import { concurrencyLimits, sweep, type SweepEvent } from '../sdk/sweep/sweep.js';
import { finishingRunner, tempDir, writeRunDir } from './sweep-fixtures.js';

/** Wraps a runner to record the largest number of threads (and runs) running at the same time. */
function measuringConcurrency(inner: RunFunction) {
  let threads = 0;
  let runs = 0;
  const peak = { threads: 0, runs: 0 };
  const runner: RunFunction = async (request) => {
    threads += request.run.threads;
    runs += 1;
    peak.threads = Math.max(peak.threads, threads);
    peak.runs = Math.max(peak.runs, runs);
    try {
      await inner(request);
    } finally {
      threads -= request.run.threads;
      runs -= 1;
    }
  };
  return { runner, peak };
}

/** A runner whose runs finish only when released: the oldest one each time the scheduler has settled. */
function gatedRunner() {
  const waiting: Array<() => void> = [];
  const finish = finishingRunner();
  const runner: RunFunction = async (request) => {
    await new Promise<void>((resolve) => waiting.push(resolve));
    await finish(request);
  };
  // The scheduler starts every run that fits synchronously after these events, so by the next macrotask it has.
  const onProgress = (e: SweepEvent) => {
    if (e.type === 'plan' || e.type === 'run-end') setImmediate(() => waiting.shift()?.());
  };
  return { runner, onProgress };
}

describe('sweep scheduler', () => {
  let out: string;
  beforeEach(() => { out = tempDir('sweep'); });
  afterEach(() => fs.rmSync(out, { recursive: true, force: true }));

  it('computes limits: cores bound the threads unless oversubscribing, jobs bound the runs', () => {
    expect(concurrencyLimits({ cores: 4 })).to.deep.equal({ maxRuns: Infinity, coreBudget: 4 });
    expect(concurrencyLimits({ cores: 4, jobs: 2 })).to.deep.equal({ maxRuns: 2, coreBudget: 4 });
    expect(concurrencyLimits({ cores: 2, jobs: 3, oversubscribe: true })).to.deep.equal({ maxRuns: 3, coreBudget: Infinity });
    expect(concurrencyLimits({ cores: 2, oversubscribe: true })).to.deep.equal({ maxRuns: 2, coreBudget: Infinity });
    expect(() => concurrencyLimits({ cores: 0 })).to.throw(RangeError, /sweep cores must be an integer >= 1, got 0/);
    expect(() => concurrencyLimits({ cores: 2, jobs: 1.5 })).to.throw(RangeError, /sweep jobs must be an integer >= 1, got 1.5/);
  });

  // Runs of 1 and 2 worker threads (four each, in that order), finished one at a time, oldest first, each once
  // the scheduler has started whatever fits: the schedule is deterministic, so the peaks are exact.
  const budgets: Array<{ cores: number; jobs?: number; oversubscribe?: boolean; peakThreads: number; peakRuns: number }> = [
    { cores: 4, peakThreads: 4, peakRuns: 4 },
    { cores: 3, peakThreads: 3, peakRuns: 3 },
    { cores: 4, jobs: 2, peakThreads: 4, peakRuns: 2 },
    { cores: 1, peakThreads: 2, peakRuns: 1 }, // a 2-thread run bigger than the budget runs alone
    { cores: 1, jobs: 3, oversubscribe: true, peakThreads: 6, peakRuns: 3 },
  ];
  for (const { peakThreads, peakRuns, ...limits } of budgets) {
    it(`keeps running threads within the budget: ${JSON.stringify(limits)}`, async () => {
      const gated = gatedRunner();
      const { runner, peak } = measuringConcurrency(gated.runner);
      const spec = { envs: ['Hopper-v5'], seeds: '0-3', timesteps: 100, grid: { numWorkers: [1, 2] } };
      const result = await sweep(spec, { out, runner, onProgress: gated.onProgress, ...limits });
      expect(result.runs.map((r) => r.outcome.status)).to.deep.equal(Array(8).fill('finished'));
      expect(peak).to.deep.equal({ threads: peakThreads, runs: peakRuns });
    });
  }

  it('skips finished runs, resumes interrupted ones from their checkpoints, starts the rest afresh', async () => {
    const spec = { envs: ['Hopper-v5'], seeds: '0-3', timesteps: 100, options: { numWorkers: 1 } };
    const [finished, interrupted, fresh, stale] = planRuns(parseSweepSpec(spec));
    const runDir = (id: string) => path.join(out, 'runs', id);
    await writeRunDir(runDir(finished.id), { env: 'Hopper-v5', seed: 0, totalTimesteps: 100, curve: [[100, 5]], result: { meanReturn: 42 } });
    await writeRunDir(runDir(interrupted.id), { env: 'Hopper-v5', seed: 1, totalTimesteps: 100, curve: [[50, 3]], checkpoint: true });
    // Killed before its first checkpoint: nothing to resume; the sweep deletes nothing, the trainer restarts it in place.
    await writeRunDir(runDir(stale.id), { env: 'Hopper-v5', seed: 3, totalTimesteps: 100, curve: [[20, 1]] });
    const calls: Array<RunRequest & { hadLog: boolean }> = [];
    const onStart = (r: RunRequest) => calls.push({ ...r, hadLog: fs.existsSync(path.join(r.runDir, 'progress.jsonl')) });
    const events: SweepEvent[] = [];
    const result = await sweep(spec, { out, cores: 1, runner: finishingRunner({ onStart }), onProgress: (e) => events.push(e) });

    expect(calls.map((c) => [c.run.id, c.resume, c.hadLog])).to.deep.equal([
      [interrupted.id, true, true], [fresh.id, false, false], [stale.id, false, true],
    ]);
    expect(result.runs.map((r) => r.outcome.status)).to.deep.equal(['skipped', 'finished', 'finished', 'finished']);
    const plan = events[0];
    expect(plan.type).to.equal('plan');
    if (plan.type === 'plan') {
      expect(plan.notes[0]).to.equal('Sweep: 4 runs; 1 finished already, 1 to resume.');
      // The interrupted run's 50 logged steps count as done; the finished one's 100 too.
      expect(plan.progress).to.deep.include({ total: 4, done: 1, running: 0, failed: 0, pending: 3, timestepsDone: 150, timestepsTotal: 400 });
    }
    // The options file handed to the trainer holds the run's options.
    expect(JSON.parse(fs.readFileSync(calls[0].optionsFile, 'utf8'))).to.deep.equal({ numWorkers: 1 });
    expect(calls[0].optionsFile).to.equal(path.join(runDir(interrupted.id), 'sweep-options.json'));
  });

  it('records a failing run in failed.json while the others finish, and retries it next time', async () => {
    const spec = { envs: ['Hopper-v5', 'Walker2d-v5'], seeds: '0-1', timesteps: 100, options: { numWorkers: 1 } };
    const doomed = planRuns(parseSweepSpec(spec))[1];
    const ok = finishingRunner({ delayMs: 5 });
    const failing: RunFunction = async (request) => {
      if (request.run.id === doomed.id) throw new Error('trainer exited with code 1:\nRangeError: NaN in the policy parameters');
      await ok(request);
    };
    const first = await sweep(spec, { out, cores: 2, runner: failing });
    expect(first.runs.map((r) => r.outcome.status)).to.deep.equal(['finished', 'failed', 'finished', 'finished']);
    const failedFile = path.join(out, 'runs', doomed.id, 'failed.json');
    const failure = JSON.parse(fs.readFileSync(failedFile, 'utf8'));
    expect(failure).to.deep.include({ status: 'failed', runId: doomed.id, exitCode: null, signal: null });
    expect(failure.error).to.match(/NaN in the policy parameters$/);
    const row = first.summary.runs.find((r) => r.id === doomed.id);
    expect(row).to.deep.include({ status: 'failed' });
    expect(row?.error).to.match(/NaN in the policy parameters/);

    // A runner that returns without a result.json is a failure too.
    const second = await sweep(spec, { out, cores: 2, runner: async () => {} });
    expect(second.runs.map((r) => r.outcome.status)).to.deep.equal(['skipped', 'failed', 'skipped', 'skipped']);
    const again = second.runs[1].outcome;
    expect(again.status === 'failed' && again.failure.error).to.equal('the trainer ended without writing result.json');

    const third = await sweep(spec, { out, cores: 2, runner: ok });
    expect(third.runs.map((r) => r.outcome.status)).to.deep.equal(['skipped', 'finished', 'skipped', 'skipped']);
    expect(fs.existsSync(failedFile)).to.equal(false);
  });

  it('stops on abort: running runs are asked to stop, pending runs are not started', async () => {
    const spec = { envs: ['Hopper-v5'], seeds: '0-3', timesteps: 100, options: { numWorkers: 1 } };
    const controller = new AbortController();
    const started: string[] = [];
    // Stands in for a trainer that checkpoints and returns (without result.json) when told to stop.
    const runner: RunFunction = async (request) => {
      started.push(request.run.id);
      await writeRunDir(request.runDir, { env: 'Hopper-v5', seed: request.run.seed, totalTimesteps: 100, curve: [[10, 1]], checkpoint: true });
      if (!request.signal.aborted) await new Promise((resolve) => request.signal.addEventListener('abort', resolve, { once: true }));
    };
    const onProgress = (e: SweepEvent) => { if (e.type === 'run-start' && e.progress.running === 2) controller.abort(); };
    const result = await sweep(spec, { out, cores: 2, runner, signal: controller.signal, onProgress });
    expect(result.interrupted).to.equal(true);
    expect(started).to.have.length(2);
    expect(result.runs.map((r) => r.outcome.status)).to.deep.equal(['interrupted', 'interrupted', 'interrupted', 'interrupted']);
    expect(result.summary.runs.map((r) => r.status)).to.deep.equal(['interrupted', 'interrupted', 'pending', 'pending']);

    // The next invocation resumes the two from their checkpoints.
    const calls: RunRequest[] = [];
    await sweep(spec, { out, cores: 2, runner: finishingRunner({ onStart: (r) => calls.push(r) }) });
    expect(calls.map((c) => c.resume)).to.deep.equal([true, true, false, false]);
  });

  it('reports aggregate env-steps/s and ETA from the running runs\' progress.jsonl', async () => {
    const spec = { envs: ['Hopper-v5'], seeds: '0-1', timesteps: 10_000, options: { numWorkers: 1 } };
    let seen: SweepEvent | undefined;
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => { release = resolve; setTimeout(resolve, 3000).unref(); });
    const runner: RunFunction = async (request) => {
      await writeRunDir(request.runDir, { env: 'Hopper-v5', seed: request.run.seed, totalTimesteps: 10_000, curve: [[2000, 1]] });
      await released;
      await finishingRunner()(request);
    };
    const onProgress = (e: SweepEvent) => {
      if (e.type === 'tick' && e.progress.stepsPerSecond === 2000) {
        seen = e;
        release();
      }
    };
    await sweep(spec, { out, cores: 2, runner, onProgress, pollIntervalMs: 10 });
    expect(seen?.progress).to.deep.include({ running: 2, timestepsDone: 4000, timestepsTotal: 20_000, stepsPerSecond: 2000, etaSeconds: 8 });
  });

  it('refuses a folder that holds a different sweep', async () => {
    await sweep({ envs: ['Hopper-v5'], seeds: [0], timesteps: 100 }, { out, runner: finishingRunner() });
    let error: Error | undefined;
    try {
      await sweep({ envs: ['Hopper-v5'], seeds: [0], timesteps: 200 }, { out, runner: finishingRunner() });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(/already holds a different sweep .* use another --out, or delete .*sweep\.json/);
  });

  it('writes sweep.json with the full run list and the summary files', async () => {
    const spec = { envs: ['Hopper-v5'], seeds: '0-1', timesteps: 100 };
    await sweep(spec, { out, runner: finishingRunner(), shard: '0/2' });
    const file = JSON.parse(fs.readFileSync(path.join(out, 'sweep.json'), 'utf8'));
    expect(file.format).to.equal('trpo-wasm-sweep');
    expect(file.runs.map((r: { id: string }) => r.id)).to.deep.equal(planRuns(parseSweepSpec(spec)).map((r) => r.id));
    for (const name of ['summary.json', 'summary.csv', 'summary-groups.csv']) expect(fs.existsSync(path.join(out, name)), name).to.equal(true);
  });
});

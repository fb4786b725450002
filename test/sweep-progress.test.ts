import { expect } from 'chai';
import { formatRunEnd, formatSweepLine, SweepProgressDisplay } from '../sdk/sweep/progress.js';
import { parseSweepSpec, planRuns } from '../sdk/sweep/spec.js';
import type { SweepEvent, SweepProgress } from '../sdk/sweep/sweep.js';

const progress = (p: Partial<SweepProgress> = {}): SweepProgress => ({
  total: 20, done: 3, running: 2, failed: 1, pending: 14, timestepsDone: 4_500_000, timestepsTotal: 20_000_000,
  stepsPerSecond: 12_345, etaSeconds: 1503, elapsedSeconds: 60, ...p,
});

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { chunks, stream: { isTTY, columns: 140, write: (c: string) => { chunks.push(c); return true; } } };
}

describe('sweep progress display', () => {
  const [run] = planRuns(parseSweepSpec({ envs: ['Hopper-v5'], seeds: [0], timesteps: 1000 }));

  it('formats the status line with counts, steps, aggregate rate and ETA', () => {
    expect(formatSweepLine(progress())).to.equal(
      'runs 3/20 done · 2 running · 1 failed · 4.50M/20.0M steps (22.5%) · 12.3k steps/s · ETA 25m03s');
    expect(formatSweepLine(progress({ stepsPerSecond: undefined, etaSeconds: undefined, timestepsDone: 0 })))
      .to.equal('runs 3/20 done · 2 running · 1 failed · 0/20.0M steps (0.0%) · — steps/s · ETA —');
  });

  it('formats how a run ended', () => {
    const result = { status: 'finished' as const, env: 'Hopper-v5', seed: 0, totalTimesteps: 1000, wallTimeS: 185, envStepsPerS: 10_200, eval: { episodes: 10, meanReturn: 3120.4, stdReturn: 50.2 } };
    expect(formatRunEnd(run.id, { status: 'finished', result })).to.equal(`finished ${run.id}: eval return 3120 ± 50 in 3m05s (10.2k steps/s)`);
    const failure = { status: 'failed' as const, runId: run.id, error: 'trainer exited with code 1:\nat x\nRangeError: bad', exitCode: 1, signal: null, failedAt: '' };
    expect(formatRunEnd(run.id, { status: 'failed', failure })).to.equal(`FAILED ${run.id}: RangeError: bad (full error in runs/${run.id}/failed.json)`);
    expect(formatRunEnd(run.id, { status: 'interrupted' })).to.match(/^stopped .* at its last checkpoint \(run the same command again to resume\)$/);
  });

  it('without a TTY: prints events as lines and the status at most every intervalSeconds (and when a run ends)', () => {
    const { chunks, stream } = capture(false);
    let now = 0;
    const display = new SweepProgressDisplay({ stream, intervalSeconds: 30, now: () => now });
    const events: SweepEvent[] = [
      { type: 'plan', runs: [run], limits: { maxRuns: 1, coreBudget: 2 }, notes: ['Sweep: 1 runs'], progress: progress() },
      { type: 'run-start', run, resume: true, progress: progress() },
      { type: 'tick', progress: progress() },
    ];
    for (const e of events) display.handle(e);
    now = 31;
    display.handle({ type: 'tick', progress: progress() });
    now = 32;
    display.handle({ type: 'run-end', run, outcome: { status: 'interrupted' }, progress: progress() });
    const status = formatSweepLine(progress()) + '\n';
    expect(chunks).to.deep.equal([
      'Sweep: 1 runs\n', status,
      `start ${run.id} (resuming from its checkpoint)\n`,
      status, // t = 31
      `${formatRunEnd(run.id, { status: 'interrupted' })}\n`, status,
    ]);
  });

  it('on a TTY: redraws one status line in place and prints events above it', () => {
    const { chunks, stream } = capture(true);
    const display = new SweepProgressDisplay({ stream });
    display.handle({ type: 'tick', progress: progress() });
    display.handle({ type: 'run-start', run, resume: false, progress: progress({ running: 3 }) });
    display.finish();
    expect(chunks[0]).to.match(/^\r\[#####-*\] runs 3\/20 done .*ETA 25m03s\x1b\[K$/);
    expect(chunks[1].startsWith(`\r\x1b[Kstart ${run.id}\n[#####`)).to.equal(true);
    expect(chunks[2]).to.match(/^\r\[#####-*\] runs 3\/20 done · 3 running/);
    expect(chunks[3]).to.equal('\n');
  });
});

import { expect } from 'chai';
import {
  estimateRemainingSeconds,
  formatBar,
  formatCount,
  formatDuration,
  formatMetric,
  formatProgressLine,
  formatSummary,
  ProgressReporter,
  type ProgressStream,
} from '../sdk/run/progress.js';

/** A stream that records what was written. */
function captureStream(tty: boolean, columns = 120): ProgressStream & { text: string } {
  return { isTTY: tty, columns, text: '', write(chunk: string) { this.text += chunk; return true; } };
}

describe('progress formatting', () => {
  const durations: Array<[number, string]> = [
    [0, '0s'], [42.4, '42s'], [59.6, '1m00s'], [185, '3m05s'], [3599, '59m59s'], [3600, '1h00m'],
    [7620, '2h07m'], [86400 + 4 * 3600 + 10, '1d04h'], [-1, '—'], [Infinity, '—'], [NaN, '—'],
  ];
  for (const [seconds, text] of durations) it(`formatDuration(${seconds}) = ${text}`, () => expect(formatDuration(seconds)).to.equal(text));

  const counts: Array<[number, string]> = [
    [0, '0'], [980, '980'], [999.4, '999'], [999.6, '1.00k'], [12345, '12.3k'], [999_499, '999k'], [999_500, '1.00M'],
    [1_000_000, '1.00M'], [2.5e9, '2.50G'], [-12345, '-12.3k'], [NaN, '—'],
  ];
  for (const [n, text] of counts) it(`formatCount(${n}) = ${text}`, () => expect(formatCount(n)).to.equal(text));

  const metrics: Array<[number | undefined, string]> = [[3.14159, '3.14'], [-250.04, '-250.0'], [3617.9, '3618'], [undefined, '—'], [NaN, '—']];
  for (const [x, text] of metrics) it(`formatMetric(${x}) = ${text}`, () => expect(formatMetric(x)).to.equal(text));

  it('estimates the remaining time from the rate, unknown without one', () => {
    expect(estimateRemainingSeconds(250_000, 1_000_000, 10_000)).to.equal(75);
    expect(estimateRemainingSeconds(1_100_000, 1_000_000, 10_000)).to.equal(0);
    expect(estimateRemainingSeconds(0, 100, 0)).to.equal(undefined);
    expect(estimateRemainingSeconds(0, 100, undefined)).to.equal(undefined);
  });

  it('draws a clamped bar', () => {
    expect(formatBar(0.5, 10)).to.equal('[#####-----]');
    expect(formatBar(1.7, 4)).to.equal('[####]');
    expect(formatBar(-1, 4)).to.equal('[----]');
  });

  it('formats a progress line and a summary', () => {
    expect(formatProgressLine({ iteration: 12, timesteps: 24_576, fps: 10_240, epRewMean: 312.44 }, 1_000_000)).to.equal(
      'it 12 · 24.6k/1.00M steps (2.5%) · 10.2k fps · ep_rew_mean 312.4 · ETA 1m35s',
    );
    expect(formatProgressLine({ iteration: 0, timesteps: 0 }, 1000)).to.equal('it 0 · 0/1.00k steps (0.0%) · — fps · ep_rew_mean — · ETA —');
    expect(formatSummary({ timesteps: 1e6, elapsedSeconds: 100, evaluation: { episodes: 10, meanReturn: 3512.3, stdReturn: 45.678 }, outDir: 'runs/h' }))
      .to.equal('Done: 1.00M steps in 1m40s (10.0k steps/s)\nEvaluation over 10 episodes: return 3512 ± 45.68\nRun saved in runs/h\n');
    expect(formatSummary({ timesteps: 5000, elapsedSeconds: 0, interrupted: true })).to.equal('Stopped early: 5.00k steps in 0s (— steps/s)\n');
  });
});

describe('ProgressReporter', () => {
  it('on a TTY redraws one line in place, fits the width, and ends it before the summary', () => {
    const stream = captureStream(true, 100);
    const reporter = new ProgressReporter({ stream, totalTimesteps: 10_000 });
    reporter.update({ iteration: 1, timesteps: 2048, fps: 1000 });
    reporter.note('checkpoint saved');
    reporter.update({ iteration: 2, timesteps: 4096, fps: 1000, epRewMean: 12 });
    reporter.finish({ timesteps: 4096, elapsedSeconds: 4 });
    const redraws = stream.text.split('\r').slice(1);
    expect(redraws[0].startsWith('[')).to.equal(true);
    expect(redraws[0]).to.include('it 1 · 2.05k/10.0k steps (20.5%)');
    expect(redraws[1]).to.match(/^\x1b\[Kcheckpoint saved\n\[.*it 1 /); // note above, then the line again
    expect(redraws[2]).to.include('ep_rew_mean 12.00 · ETA 6s\x1b[K\nDone: 4.10k steps');
    for (const r of redraws) expect(r.split('\n')[0].replace('\x1b[K', '').length).to.be.at.most(99);
    const narrow = captureStream(true, 40);
    new ProgressReporter({ stream: narrow, totalTimesteps: 10 }).update({ iteration: 1, timesteps: 1 });
    expect(narrow.text.replace('\r', '').replace('\x1b[K', '')).to.have.length(39);
  });

  it('off a TTY prints a plain line every interval of time or iterations', () => {
    const stream = captureStream(false);
    let clock = 0;
    const reporter = new ProgressReporter({ stream, totalTimesteps: 100, intervalSeconds: 10, intervalIterations: 5, now: () => clock });
    const printedAt: number[] = [];
    for (let iteration = 1; iteration <= 12; iteration++) {
      clock = iteration === 3 ? 10.5 : clock + 0.1; // a slow iteration 3 makes the time interval due
      const before = stream.text.length;
      reporter.update({ iteration, timesteps: iteration * 8 });
      if (stream.text.length > before) printedAt.push(iteration);
    }
    expect(printedAt).to.deep.equal([1, 3, 8]);
    expect(stream.text).to.not.include('\r');
    expect(stream.text.split('\n')[0]).to.equal('it 1 · 8/100 steps (8.0%) · — fps · ep_rew_mean — · ETA —');
    reporter.note('warning: line search failed');
    reporter.finish({ timesteps: 96, elapsedSeconds: 2 });
    expect(stream.text.endsWith('warning: line search failed\nDone: 96 steps in 2s (48 steps/s)\n')).to.equal(true);
  });
});

// The sweep's one overall progress display. On a terminal, a status line redrawn in place with run events
// printed above it; elsewhere (logs, CI, batch jobs) the events as lines and the status line every
// `intervalSeconds`. Number formatting is shared with the single-run progress (sdk/run/progress.ts).
import {
  estimateRemainingSeconds, formatBar, formatCount, formatDuration, type ProgressStream,
} from '../run/progress.js';
import { formatMeanStd } from './stats.js';
import type { SweepEvent, SweepProgress, RunOutcome } from './sweep.js';

const EMPTY = '—';

/** "runs 3/20 done · 2 running · 1 failed · 4.50M/20.0M steps (22.5%) · 12.3k steps/s · ETA 25m03s" */
export function formatSweepLine(p: SweepProgress): string {
  const percent = p.timestepsTotal > 0 ? (100 * p.timestepsDone) / p.timestepsTotal : 0;
  const eta = p.etaSeconds ?? estimateRemainingSeconds(p.timestepsDone, p.timestepsTotal, p.stepsPerSecond);
  return [
    `runs ${p.done}/${p.total} done`,
    `${p.running} running`,
    `${p.failed} failed`,
    `${formatCount(p.timestepsDone)}/${formatCount(p.timestepsTotal)} steps (${percent.toFixed(1)}%)`,
    `${p.stepsPerSecond === undefined ? EMPTY : formatCount(p.stepsPerSecond)} steps/s`,
    `ETA ${eta === undefined ? EMPTY : formatDuration(eta)}`,
  ].join(' · ');
}

/** The line printed when a run ends. */
export function formatRunEnd(runId: string, outcome: RunOutcome): string {
  switch (outcome.status) {
    case 'finished':
    case 'skipped': {
      const r = outcome.result;
      const evaluation = r.eval ? `: eval return ${formatMeanStd(r.eval.meanReturn, r.eval.stdReturn)}` : '';
      return `finished ${runId}${evaluation} in ${formatDuration(r.wallTimeS)} (${formatCount(r.envStepsPerS)} steps/s)`;
    }
    case 'failed': {
      const lastLine = outcome.failure.error.trim().split('\n').at(-1) ?? '';
      return `FAILED ${runId}: ${lastLine} (full error in runs/${runId}/failed.json)`;
    }
    case 'interrupted':
      return `stopped ${runId} at its last checkpoint (run the same command again to resume)`;
    case 'busy':
      return `skipped ${runId}: ${outcome.owner} is training it (left alone)`;
  }
}

export interface SweepProgressDisplayOptions {
  stream: ProgressStream;
  /** Defaults to `stream.isTTY`. */
  tty?: boolean;
  /** Non-TTY: status line at most this often (default 30 s). */
  intervalSeconds?: number;
  /** Seconds from an arbitrary origin; injected for tests. */
  now?: () => number;
}

export class SweepProgressDisplay {
  private readonly stream: ProgressStream;
  private readonly tty: boolean;
  private readonly intervalSeconds: number;
  private readonly now: () => number;
  private lastPrint = -Infinity;
  private openLine: string | undefined;

  constructor(options: SweepProgressDisplayOptions) {
    this.stream = options.stream;
    this.tty = options.tty ?? options.stream.isTTY === true;
    this.intervalSeconds = options.intervalSeconds ?? 30;
    this.now = options.now ?? (() => performance.now() / 1000);
  }

  /** Pass as `sweep(spec, { onProgress: (e) => display.handle(e) })`. */
  handle(event: SweepEvent): void {
    switch (event.type) {
      case 'plan':
        for (const note of event.notes) this.note(note);
        break;
      case 'run-start':
        this.note(`start ${event.run.id}${event.resume ? ' (resuming from its checkpoint)' : ''}`);
        break;
      case 'run-end':
        this.note(formatRunEnd(event.run.id, event.outcome));
        break;
      case 'tick':
        break;
    }
    this.status(event.progress, event.type === 'run-end');
  }

  /** Ends the in-place line (TTY) so that what follows starts on a fresh line. */
  finish(): void {
    if (this.openLine !== undefined) this.stream.write('\n');
    this.openLine = undefined;
  }

  private status(progress: SweepProgress, force: boolean): void {
    const line = formatSweepLine(progress);
    if (this.tty) {
      const width = Math.max(20, (this.stream.columns ?? 80) - 1);
      const barWidth = Math.min(22, width - line.length - 1);
      const fraction = progress.timestepsTotal > 0 ? progress.timestepsDone / progress.timestepsTotal : 0;
      this.openLine = (barWidth >= 10 ? `${formatBar(fraction, barWidth - 2)} ${line}` : line).slice(0, width);
      this.stream.write(`\r${this.openLine}\x1b[K`);
      return;
    }
    const t = this.now();
    if (!force && t - this.lastPrint < this.intervalSeconds) return;
    this.stream.write(line + '\n');
    this.lastPrint = t;
  }

  private note(text: string): void {
    if (this.openLine === undefined) this.stream.write(text + '\n');
    else this.stream.write(`\r\x1b[K${text}\n${this.openLine}`);
  }
}

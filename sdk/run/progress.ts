// Training progress for people: on a terminal, one line redrawn in place (bar, steps/total, fps, ep_rew_mean,
// ETA); in a log file or CI (not a TTY), a plain line every `intervalSeconds` or `intervalIterations`;
// a summary at the end. The formatting functions are pure; the stream and clock are injected for tests.

export interface ProgressUpdate {
  iteration: number;
  timesteps: number;
  /** Env steps per second (time/fps). */
  fps?: number;
  /** Mean episode return over recent episodes (rollout/ep_rew_mean); undefined before any episode ended. */
  epRewMean?: number;
}

export interface ProgressSummary {
  timesteps: number;
  elapsedSeconds: number;
  /** Final evaluation, if one was run. */
  evaluation?: { episodes: number; meanReturn: number; stdReturn: number };
  /** Where the run was written. */
  outDir?: string;
  /** True when the run stopped early (Ctrl-C / AbortSignal). */
  interrupted?: boolean;
}

/** The part of a writable stream the reporter uses (process.stdout/stderr fit). */
export interface ProgressStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface ProgressReporterOptions {
  stream: ProgressStream;
  totalTimesteps: number;
  /** Defaults to `stream.isTTY`. */
  tty?: boolean;
  /** Non-TTY: print at most this often (default 10 s)… */
  intervalSeconds?: number;
  /** …or every this many iterations, whichever comes first (default: time only). */
  intervalIterations?: number;
  /** Seconds from an arbitrary origin; injected for tests. */
  now?: () => number;
}

const EMPTY = '—';

/** 0–59 s → "42s", then "3m05s", then "2h07m", then "3d04h". Negative/non-finite → "—". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return EMPTY;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}m${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${pad(Math.floor((s % 3600) / 60))}m`;
  return `${Math.floor(s / 86400)}d${pad(Math.floor((s % 86400) / 3600))}h`;
}

/** Compact count: 980 → "980", 12 345 → "12.3k", 1 000 000 → "1.00M", 2.5e9 → "2.50G". */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return EMPTY;
  const abs = Math.abs(n);
  const scaled = (value: number, unit: string) => `${value.toPrecision(3)}${unit}`;
  // Thresholds just below each unit so that rounding never shows "1000k".
  if (abs >= 999.5e6) return scaled(n / 1e9, 'G');
  if (abs >= 999.5e3) return scaled(n / 1e6, 'M');
  if (abs >= 999.5) return scaled(n / 1e3, 'k');
  return String(Math.round(n));
}

/** A return or other signed metric with sensible precision: 3.14159 → "3.14", 3617.9 → "3618", NaN → "—". */
export function formatMetric(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return EMPTY;
  const abs = Math.abs(x);
  if (abs >= 1000) return x.toFixed(0);
  if (abs >= 100) return x.toFixed(1);
  return x.toFixed(2);
}

/** Seconds left at the current rate; undefined if the rate is unknown or zero. */
export function estimateRemainingSeconds(done: number, total: number, stepsPerSecond: number | undefined): number | undefined {
  if (stepsPerSecond === undefined || !(stepsPerSecond > 0)) return undefined;
  return Math.max(0, total - done) / stepsPerSecond;
}

/** `[#####-----]` with `width` cells; `fraction` is clamped to [0, 1]. */
export function formatBar(fraction: number, width: number): string {
  const filled = Math.round(Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0)) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** "it 12 · 24.6k/1.00M steps (2.5%) · 10.2k fps · ep_rew_mean 312.4 · ETA 1m36s" */
export function formatProgressLine(update: ProgressUpdate, totalTimesteps: number): string {
  const percent = totalTimesteps > 0 ? (100 * update.timesteps) / totalTimesteps : 0;
  const eta = estimateRemainingSeconds(update.timesteps, totalTimesteps, update.fps);
  return [
    `it ${update.iteration}`,
    `${formatCount(update.timesteps)}/${formatCount(totalTimesteps)} steps (${percent.toFixed(1)}%)`,
    `${update.fps === undefined ? EMPTY : formatCount(update.fps)} fps`,
    `ep_rew_mean ${formatMetric(update.epRewMean)}`,
    `ETA ${eta === undefined ? EMPTY : formatDuration(eta)}`,
  ].join(' · ');
}

/** The closing lines of a run. */
export function formatSummary(summary: ProgressSummary): string {
  const rate = summary.elapsedSeconds > 0 ? summary.timesteps / summary.elapsedSeconds : NaN;
  const lines = [
    `${summary.interrupted ? 'Stopped early' : 'Done'}: ${formatCount(summary.timesteps)} steps in ` +
      `${formatDuration(summary.elapsedSeconds)} (${formatCount(rate)} steps/s)`,
  ];
  const ev = summary.evaluation;
  if (ev) lines.push(`Evaluation over ${ev.episodes} episodes: return ${formatMetric(ev.meanReturn)} ± ${formatMetric(ev.stdReturn)}`);
  if (summary.outDir) lines.push(`Run saved in ${summary.outDir}`);
  return lines.join('\n') + '\n';
}

export class ProgressReporter {
  private readonly stream: ProgressStream;
  private readonly totalTimesteps: number;
  private readonly tty: boolean;
  private readonly intervalSeconds: number;
  private readonly intervalIterations: number;
  private readonly now: () => number;
  private lastPrintTime = -Infinity;
  private lastPrintIteration = -Infinity;
  private openLine: string | undefined; // the TTY line currently drawn

  constructor(options: ProgressReporterOptions) {
    this.stream = options.stream;
    this.totalTimesteps = options.totalTimesteps;
    this.tty = options.tty ?? options.stream.isTTY === true;
    this.intervalSeconds = options.intervalSeconds ?? 10;
    this.intervalIterations = options.intervalIterations ?? Infinity;
    this.now = options.now ?? (() => performance.now() / 1000);
  }

  update(update: ProgressUpdate): void {
    const line = formatProgressLine(update, this.totalTimesteps);
    if (this.tty) {
      const width = Math.max(20, (this.stream.columns ?? 80) - 1);
      const barWidth = Math.min(30, Math.max(0, width - line.length - 1));
      const full = barWidth >= 10 ? `${formatBar(update.timesteps / this.totalTimesteps, barWidth - 2)} ${line}` : line;
      // \r returns to column 0, \x1b[K clears what a longer previous line left behind.
      this.openLine = full.slice(0, width);
      this.stream.write(`\r${this.openLine}\x1b[K`);
      return;
    }
    const t = this.now();
    const due = t - this.lastPrintTime >= this.intervalSeconds || update.iteration - this.lastPrintIteration >= this.intervalIterations;
    if (!due) return;
    this.stream.write(line + '\n');
    this.lastPrintTime = t;
    this.lastPrintIteration = update.iteration;
  }

  /** A message line (a warning, a checkpoint note) printed above the progress line, which is then redrawn. */
  note(text: string): void {
    if (this.openLine === undefined) {
      this.stream.write(text + '\n');
      return;
    }
    this.stream.write(`\r\x1b[K${text}\n${this.openLine}`);
  }

  /** Ends the in-place line (TTY) and prints the summary. */
  finish(summary: ProgressSummary): void {
    if (this.openLine !== undefined) this.stream.write('\n');
    this.openLine = undefined;
    this.stream.write(formatSummary(summary));
  }
}

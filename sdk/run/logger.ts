// Per-iteration training log: one JSON object per line (JSONL, the source of truth) and an optional CSV view.
//
// Each record is written with one synchronous write of the whole line, so a crash leaves at most one torn
// (newline-less) line at the end; `readLog` skips it and `RunLogger.open` trims it before appending.
// Non-finite numbers (a skipped step's NaN KL) have no JSON form: they are written as the strings "NaN",
// "Infinity", "-Infinity" and turned back into numbers by `readLog`.
// The CSV has a stable column order: SB3's keys in the order below, then extra keys in first-seen order.
// When a record brings a key the CSV header lacks, the CSV is rebuilt from the JSONL with the wider header
// (rare: all SB3 keys are in the header from the start).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic.js';
import { explainingFsErrorsSync } from './fs-errors.js';

/** SB3's keys, in the CSV's column order. */
export const SB3_LOG_KEYS = [
  'time/iterations',
  'time/total_timesteps',
  'time/fps',
  'time/rollout_s',
  'time/update_s',
  'time/time_elapsed',
  'rollout/ep_rew_mean',
  'rollout/ep_len_mean',
  'train/kl_divergence',
  'train/policy_objective',
  'train/value_loss',
  'train/explained_variance',
  'train/is_line_search_success',
  'train/line_search_steps',
  'train/cg_iterations',
  'train/cg_residual',
] as const;

export type LogValue = number | boolean | string | null;
export type Sb3LogKey = (typeof SB3_LOG_KEYS)[number];

/** One iteration's metrics: SB3's keys (typed) plus any extra keys. */
export type LogRecord = { [K in Sb3LogKey]?: K extends 'train/is_line_search_success' ? boolean : number } & {
  [key: string]: LogValue | undefined;
};

export interface RunLoggerOptions {
  /** The JSONL file (created with its folder if missing). */
  jsonlPath: string;
  /** Also write this CSV file. */
  csvPath?: string;
  /**
   * Continue an existing log after this iteration (resume from a checkpoint): records with
   * `time/iterations` greater than it (logged after that checkpoint) are dropped. Without it, the files are
   * started afresh.
   */
  resumeAfterIteration?: number;
}

const NON_FINITE_TOKENS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

export class RunLogger {
  private readonly jsonlFd: number;
  private csvFd: number | undefined;
  private csvColumns: string[] = [];

  private constructor(private readonly options: RunLoggerOptions, kept: LogRecord[]) {
    fs.mkdirSync(path.dirname(options.jsonlPath), { recursive: true });
    if (options.resumeAfterIteration === undefined) {
      fs.writeFileSync(options.jsonlPath, '');
    } else {
      // Rewrite rather than truncate: drops both records after the checkpoint and a torn last line.
      writeFileAtomic(options.jsonlPath, kept.map(toJsonLine).join(''));
    }
    this.jsonlFd = fs.openSync(options.jsonlPath, 'a');
    if (options.csvPath !== undefined) this.rebuildCsv(kept);
  }

  /** Open (create, or continue with `resumeAfterIteration`) a run's log files. */
  static open(options: RunLoggerOptions): RunLogger {
    const after = options.resumeAfterIteration;
    if (after !== undefined && !(Number.isSafeInteger(after) && after >= 0)) {
      throw new RangeError(`resumeAfterIteration must be an integer >= 0, got ${after}`);
    }
    let kept: LogRecord[] = [];
    if (after !== undefined && fs.existsSync(options.jsonlPath)) {
      kept = readLog(options.jsonlPath).filter((r) => {
        const iteration = r['time/iterations'];
        return typeof iteration !== 'number' || iteration <= after;
      });
    }
    return new RunLogger(options, kept);
  }

  /** Append one iteration's record to the JSONL (and CSV) file; the bytes are handed to the OS before return. */
  log(record: LogRecord): void {
    const clean = validateRecord(record);
    explainingFsErrorsSync('append to', this.options.jsonlPath, () => writeAll(this.jsonlFd, toJsonLine(clean)));
    if (this.csvFd === undefined) return;
    const newKeys = Object.keys(clean).filter((k) => !this.csvColumns.includes(k));
    if (newKeys.length > 0) {
      this.rebuildCsv(readLog(this.options.jsonlPath));
    } else {
      const fd = this.csvFd;
      explainingFsErrorsSync('append to', this.options.csvPath as string, () => writeAll(fd, toCsvLine(this.csvColumns, clean)));
    }
  }

  close(): void {
    fs.closeSync(this.jsonlFd);
    if (this.csvFd !== undefined) fs.closeSync(this.csvFd);
    this.csvFd = undefined;
  }

  /** Write the whole CSV (header + rows) from records, atomically, and reopen it for appending. */
  private rebuildCsv(records: LogRecord[]): void {
    const csvPath = this.options.csvPath as string;
    const extra = new Set<string>();
    for (const r of records) for (const k of Object.keys(r)) if (!(SB3_LOG_KEYS as readonly string[]).includes(k)) extra.add(k);
    this.csvColumns = [...SB3_LOG_KEYS, ...extra];
    const body = [this.csvColumns.map(csvCell).join(',') + '\n', ...records.map((r) => toCsvLine(this.csvColumns, r))];
    if (this.csvFd !== undefined) fs.closeSync(this.csvFd);
    fs.mkdirSync(path.dirname(csvPath), { recursive: true });
    writeFileAtomic(csvPath, body.join(''));
    this.csvFd = fs.openSync(csvPath, 'a');
  }
}

/**
 * Read a JSONL log back. A torn last line (no final newline and not valid JSON: the write was interrupted) is
 * skipped; any other unreadable line is an error naming the file and line number.
 */
export function readLog(filePath: string): LogRecord[] {
  const text = fs.readFileSync(filePath, 'utf8');
  const lines = text.split('\n');
  const lastIsTorn = !text.endsWith('\n');
  const records: LogRecord[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      if (i === lines.length - 1 && lastIsTorn) break;
      throw new SyntaxError(`${filePath}:${i + 1}: not a JSON log record (${(error as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new SyntaxError(`${filePath}:${i + 1}: a log record must be a JSON object, got ${line.slice(0, 40)}`);
    }
    const record: LogRecord = {};
    for (const [k, v] of Object.entries(parsed)) {
      record[k] = typeof v === 'string' && v in NON_FINITE_TOKENS ? NON_FINITE_TOKENS[v] : (v as LogValue);
    }
    records.push(record);
  }
  return records;
}

function validateRecord(record: LogRecord): Record<string, LogValue> {
  const clean: Record<string, LogValue> = {};
  for (const [key, value] of Object.entries(record)) {
    if (value === undefined) continue;
    const ok = value === null || ['number', 'boolean', 'string'].includes(typeof value);
    if (!ok) {
      const kind = Array.isArray(value) ? 'an array' : `of type ${typeof value}`;
      throw new TypeError(`log record key "${key}" is ${kind}; use a number, boolean, string or null`);
    }
    clean[key] = value;
  }
  return clean;
}

function toJsonLine(record: LogRecord): string {
  return JSON.stringify(record, (_key, v) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v)) + '\n';
}

function toCsvLine(columns: readonly string[], record: LogRecord): string {
  return columns.map((c) => csvCell(record[c])).join(',') + '\n';
}

/** RFC 4180 cell: quoted only when it holds a comma, quote or line break. Missing → empty. */
function csvCell(value: LogValue | undefined): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One line per call: loop until every byte is written (a short write would otherwise tear the line). */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset);
}

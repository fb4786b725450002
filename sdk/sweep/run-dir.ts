// Where a sweep keeps its files, and what state a run's folder is in.
//
//   <out>/sweep.json                 the spec and the full run list (identical in every shard)
//   <out>/runs/<runId>/              one training run, a run folder (sdk/run/run-folder.ts) with, besides the
//       trainer's files:
//       sweep-options.json           the options the sweep passed as --config
//       output.log                   the child's stdout and stderr
//       failed.json                  written by the sweep when the run failed (error tail, exit code)
//   <out>/summary.json, summary.csv, summary-groups.csv, report.html, curves/<env>.svg
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { CHECKPOINTS_SUBDIR, listCheckpoints } from '../run/checkpoint.js';
import { writeFileAtomic } from '../run/atomic.js';
import { readLog, type LogRecord } from '../run/logger.js';
import { RUN_FILES, runResultSchema, type RunResultJson } from '../run/run-folder.js';
import { parseOrThrow } from '../validation.js';

export const SWEEP_FILE = 'sweep.json';
export const RUNS_SUBDIR = 'runs';
export const RESULT_FILE = RUN_FILES.result;
export const FAILED_FILE = RUN_FILES.failed;
export const PROGRESS_FILE = RUN_FILES.progress;
export const OPTIONS_FILE = RUN_FILES.sweepOptions;
export const OUTPUT_LOG = RUN_FILES.outputLog;
export { runResultSchema, type RunResultJson };

export function runDirOf(out: string, runId: string): string {
  return path.join(out, RUNS_SUBDIR, runId);
}

/** failed.json, written by the sweep. */
export const runFailureSchema = z.strictObject({
  status: z.literal('failed'),
  runId: z.string(),
  /** The last lines of the run's stderr (or of the thrown error). */
  error: z.string(),
  exitCode: z.number().nullable(),
  signal: z.string().nullable(),
  failedAt: z.string(),
});
export type RunFailureJson = z.infer<typeof runFailureSchema>;

export type RunState =
  | { kind: 'finished'; result: RunResultJson }
  | { kind: 'failed'; failure: RunFailureJson; resumable: boolean }
  | { kind: 'interrupted' } // has checkpoints, no result: resume it
  | { kind: 'new' }; // nothing to resume (absent, or stopped before its first checkpoint)

/** Read a JSON file and validate it; errors name the file. */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file} is not readable JSON (${(error as Error).message}); delete it to re-run that part of the sweep`);
  }
  return parseOrThrow(schema, json, `file ${file}`);
}

/** Write JSON atomically (sdk/run/atomic.ts), creating the folder if needed. */
export function writeJsonAtomically(file: string, value: unknown): void {
  writeTextAtomically(file, JSON.stringify(value, null, 2) + '\n');
}

export function writeTextAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic(file, text);
}

/** What to do with a run folder: a result wins; else a failure record; else checkpoints mean "resume". */
export async function inspectRunDir(runDir: string): Promise<RunState> {
  const resultFile = path.join(runDir, RESULT_FILE);
  if (fs.existsSync(resultFile)) return { kind: 'finished', result: readJsonFile(resultFile, runResultSchema) };
  const resumable = (await listCheckpoints(path.join(runDir, CHECKPOINTS_SUBDIR))).length > 0;
  const failedFile = path.join(runDir, FAILED_FILE);
  if (fs.existsSync(failedFile)) return { kind: 'failed', failure: readJsonFile(failedFile, runFailureSchema), resumable };
  return resumable ? { kind: 'interrupted' } : { kind: 'new' };
}

/** A run's per-iteration records (none before its first iteration). */
export function progressRecords(runDir: string): LogRecord[] {
  const file = path.join(runDir, PROGRESS_FILE);
  return fs.existsSync(file) ? readLog(file) : [];
}

/** The newest value of a numeric key in the records (non-finite values skipped). */
export function lastNumber(records: readonly LogRecord[], key: string): number | undefined {
  for (let i = records.length - 1; i >= 0; i--) {
    const value = records[i][key];
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return undefined;
}

/** A run's newest timesteps and env-steps/s (undefined before its first iteration). */
export function latestProgress(runDir: string): { timesteps: number; fps: number | undefined } | undefined {
  const records = progressRecords(runDir);
  const timesteps = lastNumber(records, 'time/total_timesteps');
  return timesteps === undefined ? undefined : { timesteps, fps: lastNumber(records, 'time/fps') };
}

// Results tables of a sweep: one row per run (final deterministic evaluation return, wall time, env-steps/s)
// and one row per (env, settings) with the mean ± population std (stats.ts) over its finished seeds.
// Written as summary.json (both tables), summary.csv (runs) and summary-groups.csv (groups).
import * as path from 'node:path';
import { collectRuns, type CollectedRun } from './collect.js';
import { meanStd, type MeanStd } from './stats.js';
import { lastNumber, progressRecords, writeJsonAtomically, writeTextAtomically } from './run-dir.js';

export type RunStatus = 'finished' | 'failed' | 'interrupted' | 'pending';

export interface RunRow {
  id: string;
  env: string;
  seed: number;
  settingsHash: string;
  settingsLabel: string;
  status: RunStatus;
  totalTimesteps: number;
  /** Timesteps trained so far (the budget when finished). */
  timesteps: number;
  /** Final deterministic evaluation (finished runs). */
  evalMeanReturn?: number;
  evalStdReturn?: number;
  evalEpisodes?: number;
  wallTimeS?: number;
  envStepsPerS?: number;
  /** The last training return logged (rollout/ep_rew_mean). */
  lastEpRewMean?: number;
  /** Why it failed (the error tail). */
  error?: string;
}

export interface GroupRow {
  env: string;
  settingsHash: string;
  settingsLabel: string;
  settings: Record<string, unknown>;
  /** Runs (seeds) in the group, and how many of them finished. */
  runs: number;
  finished: number;
  /** Over the finished seeds; undefined when none finished. */
  evalReturn?: MeanStd;
  wallTimeS?: MeanStd;
  envStepsPerS?: MeanStd;
}

export interface SweepSummary {
  generatedAt: string;
  /** The sweep folders the runs were collected from. */
  sources: string[];
  runs: RunRow[];
  groups: GroupRow[];
}

export function runRow({ run, runDir, state }: CollectedRun): RunRow {
  const row: RunRow = {
    id: run.id, env: run.env, seed: run.seed, settingsHash: run.settingsHash, settingsLabel: run.settingsLabel,
    status: 'pending', totalTimesteps: run.totalTimesteps, timesteps: 0,
  };
  if (runDir !== undefined) {
    const records = progressRecords(runDir);
    row.timesteps = lastNumber(records, 'time/total_timesteps') ?? 0;
    const lastReturn = lastNumber(records, 'rollout/ep_rew_mean');
    if (lastReturn !== undefined) row.lastEpRewMean = lastReturn;
  }
  if (state.kind === 'finished') {
    const r = state.result;
    Object.assign(row, { status: 'finished', timesteps: r.totalTimesteps, wallTimeS: r.wallTimeS, envStepsPerS: r.envStepsPerS });
    if (r.eval) Object.assign(row, { evalMeanReturn: r.eval.meanReturn, evalStdReturn: r.eval.stdReturn, evalEpisodes: r.eval.episodes });
  } else if (state.kind === 'failed') {
    Object.assign(row, { status: 'failed', error: state.failure.error });
  } else if (state.kind === 'interrupted') {
    row.status = 'interrupted';
  }
  return row;
}

/** Both tables from collected runs; groups in order of first appearance. */
export function summarize(collected: readonly CollectedRun[], sources: readonly string[]): SweepSummary {
  const runs = collected.map(runRow);
  const groups = new Map<string, { first: CollectedRun; rows: RunRow[] }>();
  collected.forEach((c, i) => {
    const key = `${c.run.env}\u0000${c.run.settingsHash}`;
    const group = groups.get(key) ?? { first: c, rows: [] };
    group.rows.push(runs[i]);
    groups.set(key, group);
  });
  const groupRows = [...groups.values()].map(({ first, rows }): GroupRow => {
    const finished = rows.filter((r) => r.status === 'finished');
    const stat = (pick: (r: RunRow) => number | undefined) => meanStd(finished.map(pick).filter((v): v is number => v !== undefined));
    const row: GroupRow = {
      env: first.run.env, settingsHash: first.run.settingsHash, settingsLabel: first.run.settingsLabel,
      settings: first.run.settings, runs: rows.length, finished: finished.length,
    };
    const evalReturn = stat((r) => r.evalMeanReturn);
    const wallTimeS = stat((r) => r.wallTimeS);
    const envStepsPerS = stat((r) => r.envStepsPerS);
    if (evalReturn) row.evalReturn = evalReturn;
    if (wallTimeS) row.wallTimeS = wallTimeS;
    if (envStepsPerS) row.envStepsPerS = envStepsPerS;
    return row;
  });
  return { generatedAt: new Date().toISOString(), sources: [...sources], runs, groups: groupRows };
}

const RUN_COLUMNS: Array<keyof RunRow> = [
  'id', 'env', 'seed', 'settingsHash', 'settingsLabel', 'status', 'totalTimesteps', 'timesteps',
  'evalMeanReturn', 'evalStdReturn', 'evalEpisodes', 'wallTimeS', 'envStepsPerS', 'lastEpRewMean', 'error',
];

export function runsCsv(runs: readonly RunRow[]): string {
  return toCsv(RUN_COLUMNS, runs.map((r) => RUN_COLUMNS.map((c) => r[c])));
}

export function groupsCsv(groups: readonly GroupRow[]): string {
  const columns = [
    'env', 'settingsHash', 'settingsLabel', 'runs', 'finished', 'evalReturnMean', 'evalReturnStd',
    'wallTimeSMean', 'wallTimeSStd', 'envStepsPerSMean', 'envStepsPerSStd',
  ];
  const rows = groups.map((g) => [
    g.env, g.settingsHash, g.settingsLabel, g.runs, g.finished, g.evalReturn?.mean, g.evalReturn?.std,
    g.wallTimeS?.mean, g.wallTimeS?.std, g.envStepsPerS?.mean, g.envStepsPerS?.std,
  ]);
  return toCsv(columns, rows);
}

function toCsv(columns: readonly string[], rows: ReadonlyArray<readonly unknown[]>): string {
  return [columns, ...rows].map((cells) => cells.map(csvCell).join(',') + '\n').join('');
}

/** RFC 4180: quoted only when needed; missing → empty. */
function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export const SUMMARY_FILES = { json: 'summary.json', runsCsv: 'summary.csv', groupsCsv: 'summary-groups.csv' } as const;

/** Write summary.json, summary.csv and summary-groups.csv into `out`. */
export function writeSummary(out: string, summary: SweepSummary): void {
  writeJsonAtomically(path.join(out, SUMMARY_FILES.json), summary);
  writeTextAtomically(path.join(out, SUMMARY_FILES.runsCsv), runsCsv(summary.runs));
  writeTextAtomically(path.join(out, SUMMARY_FILES.groupsCsv), groupsCsv(summary.groups));
}

/** Collect the runs of `sweepDirs`, summarize them and write the summary files into `out`. */
export async function writeSummaryFiles(sweepDirs: readonly string[], out: string): Promise<SweepSummary> {
  const summary = summarize(await collectRuns(sweepDirs), sweepDirs.map((d) => path.resolve(d)));
  writeSummary(out, summary);
  return summary;
}

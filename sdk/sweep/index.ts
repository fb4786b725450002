// Batch runs: the sweep scheduler, its spec, shards, results tables and the HTML report.
export { sweep, concurrencyLimits } from './sweep.js';
export type { SweepOptions, SweepResult, SweepEvent, SweepProgress, RunOutcome, ConcurrencyLimits } from './sweep.js';
export { parseSweepSpec, loadSweepSpecFile, planRuns, sweepSpecSchema } from './spec.js';
export type { SweepSpec, SweepSpecInput, PlannedRun } from './spec.js';
export { parseShard, selectShard, type Shard } from './shard.js';
export { childProcessRunner, RunFailedError } from './runner.js';
export type { RunFunction, RunRequest, ChildProcessRunnerOptions } from './runner.js';
export { buildReport, type ReportOptions, type ReportResult } from './report.js';
export { writeSummaryFiles } from './summary.js';
export type { SweepSummary, RunRow, GroupRow, RunStatus } from './summary.js';
export type { BootstrapOptions, MeanStd } from './stats.js';
export { bootstrapCi, iqm, median } from './stats.js';
export type { RunResultJson, RunFailureJson } from './run-dir.js';
export { renderLineChart, type LineChartSpec, type ChartSeries } from './svg.js';
export { SweepProgressDisplay, formatSweepLine } from './progress.js';

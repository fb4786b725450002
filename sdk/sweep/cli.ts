// `trpo sweep` and `trpo report`: the command-line faces of sweep() and buildReport(). Flags are parsed by the
// CLI layer (sdk/cli/commands.ts); these functions run the work and print what happened.
import * as path from 'node:path';
import type { CommandContext, ReportArgs, SweepArgs } from '../cli/commands.js';
import { UsageError } from '../cli/parse.js';
import { formatDuration } from '../run/progress.js';
import { ValidationError } from '../validation.js';
import { SweepProgressDisplay } from './progress.js';
import { buildReport } from './report.js';
import { SUMMARY_FILES } from './summary.js';
import { parseSweepSpec, planRuns, type SweepSpec } from './spec.js';
import { sweep, type SweepResult } from './sweep.js';

const EXIT_FAILURE = 1;

/** Runs the sweep; exit code 1 when a run failed (so a batch scheduler sees it), else 0. */
export async function runSweepCommand(args: SweepArgs, context: CommandContext): Promise<number> {
  const spec = specFromArgs(args);
  const display = new SweepProgressDisplay({ stream: context.stdout });
  let result: SweepResult;
  try {
    result = await sweep(spec, {
      out: args.outDir,
      shard: args.shard,
      jobs: args.jobs,
      cores: args.cores,
      oversubscribe: args.oversubscribe,
      signal: context.signal,
      onProgress: (event) => display.handle(event),
    });
  } finally {
    display.finish();
  }
  const count = (status: string) => result.runs.filter((r) => r.outcome.status === status).length;
  const verb = result.interrupted ? 'stopped' : 'done';
  context.stdout.write(
    `Sweep ${verb} in ${formatDuration(result.wallTimeS)}: ${count('finished')} finished, ${count('skipped')} already done, ` +
      `${count('failed')} failed, ${count('interrupted')} not finished` +
      `${count('busy') > 0 ? `, ${count('busy')} left to another process training them` : ''}.\n` +
      `Results: ${path.join(args.outDir, SUMMARY_FILES.runsCsv)} and ${path.join(args.outDir, SUMMARY_FILES.groupsCsv)}; ` +
      `plots and HTML: trpo report ${args.outDir}\n`,
  );
  if (result.interrupted) context.stdout.write('Run the same command again to resume.\n');
  return count('failed') > 0 ? EXIT_FAILURE : 0;
}

/** Writes the summary, the curves and report.html. */
export async function runReportCommand(args: ReportArgs, context: CommandContext): Promise<number> {
  const report = await buildReport(args.sweepDirs, { out: args.outDir, aggregate: args.aggregate });
  const runs = report.summary.runs;
  const finished = runs.filter((r) => r.status === 'finished').length;
  context.stdout.write(
    `Report of ${runs.length} runs (${finished} finished) from ${args.sweepDirs.join(', ')}:\n` +
      `  ${report.htmlFile}\n${report.svgFiles.map((f) => `  ${f}\n`).join('')}` +
      `  ${path.join(report.out, SUMMARY_FILES.json)}, ${SUMMARY_FILES.runsCsv}, ${SUMMARY_FILES.groupsCsv}\n`,
  );
  return 0;
}

/** The spec from --spec (with --timesteps/--jobs overriding it) or from --envs/--seeds/--timesteps. */
function specFromArgs(args: SweepArgs): SweepSpec {
  if (args.spec === undefined && args.timesteps === undefined) {
    throw new UsageError('--timesteps N is required with --envs: the budget of every run', 'sweep');
  }
  const input: Record<string, unknown> = args.spec !== undefined ? { ...args.spec } : { envs: args.envs, seeds: args.seeds };
  if (args.timesteps !== undefined) input.timesteps = args.timesteps;
  try {
    const spec = parseSweepSpec(input, args.specPath !== undefined ? `sweep spec file ${args.specPath}` : 'sweep flags');
    planRuns(spec); // checks every run's TRPO options: a bad one is a usage error, before any work
    return spec;
  } catch (error) {
    if (error instanceof ValidationError) throw new UsageError(error.message, 'sweep');
    throw error;
  }
}

// `buildReport(dirs)`: the results of a sweep — merged from one or more sweep folders (shards) — as
// summary.json / summary.csv / summary-groups.csv, one learning-curve SVG per environment (curves/<env>.svg,
// one line per setting) and a self-contained report.html.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { collectRuns, type CollectedRun } from './collect.js';
import { aggregateCurves, readCurve } from './curves.js';
import { renderReportHtml, type ReportChart } from './html.js';
import { writeTextAtomically } from './run-dir.js';
import { summarize, writeSummary, type SweepSummary } from './summary.js';
import { renderLineChart, type ChartSeries } from './svg.js';
import { isModuleRef, moduleRefLabel } from '../envs/ref.js';

export interface ReportOptions {
  /** Where to write (default: the first sweep folder). */
  out?: string;
  /** Points of the common timestep grid of the curves (default 100). */
  gridPoints?: number;
  /** Title of the page (default "Sweep report"). */
  title?: string;
  /**
   * The thick line per setting: the mean over seeds (default) or the interquartile mean (robust to an outlying
   * seed). The band is the percentile-bootstrap 95% confidence interval of that statistic; thin lines are seeds.
   */
  aggregate?: 'mean' | 'iqm';
}

export interface ReportResult {
  out: string;
  summary: SweepSummary;
  /** One per environment, in the order the environments appear in the run list. */
  svgFiles: string[];
  htmlFile: string;
}

export const REPORT_FILE = 'report.html';
export const CURVES_SUBDIR = 'curves';

export async function buildReport(sweepDirs: string | readonly string[], options: ReportOptions = {}): Promise<ReportResult> {
  const dirs = typeof sweepDirs === 'string' ? [sweepDirs] : [...sweepDirs];
  const out = options.out ?? dirs[0];
  const collected = await collectRuns(dirs);
  const summary = summarize(collected, dirs.map((d) => path.resolve(d)));
  fs.mkdirSync(out, { recursive: true });
  writeSummary(out, summary);

  const charts: ReportChart[] = [];
  const svgFiles: string[] = [];
  for (const [env, runs] of groupBy(collected, (c) => c.run.env)) {
    const svg = renderLineChart({
      title: `${env}: learning curves`,
      xLabel: 'timesteps',
      yLabel: 'training return (ep_rew_mean)',
      series: curveSeries(runs, options.gridPoints ?? 100, options.aggregate ?? 'mean'),
    });
    const file = path.join(out, CURVES_SUBDIR, `${isModuleRef(env) ? moduleRefLabel(env) : env}.svg`);
    writeTextAtomically(file, svg);
    svgFiles.push(file);
    charts.push({ env, svg });
  }
  const htmlFile = path.join(out, REPORT_FILE);
  writeTextAtomically(htmlFile, renderReportHtml({ title: options.title ?? 'Sweep report', summary, charts }));
  return { out, summary, svgFiles, htmlFile };
}

/** One series per setting of an environment: mean (or IQM) over the seeds, its bootstrap 95% CI, each seed. */
function curveSeries(runs: readonly CollectedRun[], gridPoints: number, aggregate: 'mean' | 'iqm'): ChartSeries[] {
  return [...groupBy(runs, (c) => c.run.settingsHash)].map(([, group]) => {
    const curves = group.flatMap((c) => (c.runDir === undefined ? [] : [readCurve(c.runDir)])).filter((c) => c.x.length > 0);
    const agg = aggregateCurves(curves, gridPoints);
    // Seeds that stopped early drop out of the mean where their curve ends: say so in the legend.
    const atEnd = agg.n.at(-1) ?? 0;
    const seeds = `${curves.length} seed${curves.length === 1 ? '' : 's'}${atEnd < curves.length ? `, ${atEnd} at the end` : ''}`;
    const ci = aggregate === 'iqm' ? agg.iqmCi : agg.meanCi;
    return {
      label: `${group[0].run.settingsLabel} (${aggregate === 'iqm' ? 'IQM' : 'mean'}, 95% CI, ${seeds})`,
      x: agg.x,
      y: aggregate === 'iqm' ? agg.iqm : agg.mean,
      lower: ci.low,
      upper: ci.high,
      thin: curves,
    };
  });
}

/** Groups in order of first appearance. */
function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = groups.get(k);
    if (list) list.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

// The sweep report as one self-contained HTML page: the results tables, the learning curves as inline SVG and
// the failed runs' errors. No scripts, no external styles, fonts or images: it can be mailed or archived.
import { formatCount, formatDuration, formatMetric } from '../run/progress.js';
import { formatMeanStd, type MeanStd } from './stats.js';
import type { RunRow, SweepSummary } from './summary.js';
import { escapeXml } from './svg.js';

export interface ReportChart {
  env: string;
  /** A standalone SVG document (renderLineChart's output). */
  svg: string;
}

export interface ReportPage {
  title: string;
  summary: SweepSummary;
  charts: readonly ReportChart[];
}

const STYLE = `
body { font: 14px/1.45 system-ui, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif; color: #222; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ddd; }
.meta, .note { color: #555; }
table { border-collapse: collapse; margin: .5rem 0; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #ddd; padding: .25rem .6rem; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } td.num { text-align: right; white-space: nowrap; }
.finished { color: #1a7f37; } .failed { color: #c62828; font-weight: 600; } .interrupted { color: #b26a00; } .pending { color: #777; }
figure { margin: 1rem 0; } figure svg { max-width: 100%; height: auto; }
pre { background: #f7f7f7; border: 1px solid #e5e5e5; padding: .5rem; overflow-x: auto; font-size: 12px; }
`;

export function renderReportHtml(page: ReportPage): string {
  const { summary } = page;
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeXml(page.title)}</title><style>${STYLE}</style></head>`,
    '<body>',
    `<h1>${escapeXml(page.title)}</h1>`,
    `<p class="meta">Generated ${escapeXml(summary.generatedAt)} from ${summary.sources.map((s) => `<code>${escapeXml(s)}</code>`).join(', ')}.<br>${statusLine(summary.runs)}</p>`,
    '<h2>Results</h2>',
    '<p class="note">Final deterministic evaluation return, wall time and env-steps/s: mean ± std over the finished seeds (population std).</p>',
    groupsTable(summary),
    '<h2>Learning curves</h2>',
    '<p class="note">Training return (<code>rollout/ep_rew_mean</code>) against timesteps, on a common grid: thick line = mean (or interquartile mean with <code>--iqm</code>) over seeds, band = its percentile-bootstrap 95% confidence interval, thin lines = the seeds.</p>',
    ...page.charts.map((c) => `<figure aria-label="${escapeXml(`Learning curves of ${c.env}`)}">\n${c.svg}</figure>`),
    '<h2>Runs</h2>',
    runsTable(summary.runs),
    ...failures(summary.runs),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

function statusLine(runs: readonly RunRow[]): string {
  const count = (status: RunRow['status']) => runs.filter((r) => r.status === status).length;
  const parts = (['finished', 'failed', 'interrupted', 'pending'] as const)
    .filter((s) => count(s) > 0)
    .map((s) => `<span class="${s}">${count(s)} ${s}</span>`);
  return `${runs.length} runs: ${parts.join(', ')}.`;
}

function plusMinus(stat: MeanStd | undefined, format: (x: number) => string): string {
  return stat === undefined ? '—' : `${format(stat.mean)} ± ${format(stat.std)}`;
}

function groupsTable(summary: SweepSummary): string {
  const rows = summary.groups.map((g) => [
    `<td>${escapeXml(g.env)}</td>`,
    `<td>${escapeXml(g.settingsLabel)} <span class="meta">(${escapeXml(g.settingsHash)})</span></td>`,
    `<td class="num">${g.finished}/${g.runs}</td>`,
    `<td class="num">${g.evalReturn === undefined ? '—' : formatMeanStd(g.evalReturn.mean, g.evalReturn.std)}</td>`,
    `<td class="num">${plusMinus(g.wallTimeS, formatDuration)}</td>`,
    `<td class="num">${plusMinus(g.envStepsPerS, formatCount)}</td>`,
  ]);
  return table(['Environment', 'Settings', 'Seeds finished', 'Eval return', 'Wall time', 'Env-steps/s'], rows);
}

function runsTable(runs: readonly RunRow[]): string {
  const rows = runs.map((r) => [
    `<td><code>${escapeXml(r.id)}</code></td>`,
    `<td class="num">${r.seed}</td>`,
    `<td class="${r.status}">${r.status}</td>`,
    `<td class="num">${formatCount(r.timesteps)}/${formatCount(r.totalTimesteps)}</td>`,
    `<td class="num">${r.evalMeanReturn === undefined ? '—' : formatMeanStd(r.evalMeanReturn, r.evalStdReturn ?? NaN)}</td>`,
    `<td class="num">${formatMetric(r.lastEpRewMean)}</td>`,
    `<td class="num">${r.wallTimeS === undefined ? '—' : formatDuration(r.wallTimeS)}</td>`,
    `<td class="num">${r.envStepsPerS === undefined ? '—' : formatCount(r.envStepsPerS)}</td>`,
  ]);
  return table(['Run', 'Seed', 'Status', 'Timesteps', 'Eval return', 'Last training return', 'Wall time', 'Env-steps/s'], rows);
}

function failures(runs: readonly RunRow[]): string[] {
  const failed = runs.filter((r) => r.status === 'failed');
  if (failed.length === 0) return [];
  return [
    '<h2>Failures</h2>',
    ...failed.map((r) => `<details open><summary><code>${escapeXml(r.id)}</code></summary><pre>${escapeXml(r.error ?? '')}</pre></details>`),
  ];
}

function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const head = `<tr>${headers.map((h) => `<th>${escapeXml(h)}</th>`).join('')}</tr>`;
  return `<table>\n<thead>${head}</thead>\n<tbody>\n${rows.map((cells) => `<tr>${cells.join('')}</tr>`).join('\n')}\n</tbody>\n</table>`;
}

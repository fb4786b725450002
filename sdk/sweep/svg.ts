// A small SVG line-chart writer for learning curves: lines with optional shaded bands (mean ± std), axes with
// "nice" ticks (1, 2, 5 × 10^k), grid lines, axis titles, a title and a legend below the plot. The output is a
// standalone SVG document that also works inlined in HTML (no ids, no external fonts or styles).

export interface ChartSeries {
  label: string;
  x: readonly number[];
  y: readonly number[];
  /** A shaded band from lower to upper (e.g. a confidence interval), one value per x. */
  lower?: readonly number[];
  upper?: readonly number[];
  /** Thin lines drawn under the series in its colour (e.g. one per seed). */
  thin?: readonly { x: readonly number[]; y: readonly number[] }[];
}

export interface LineChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  /** Width of the whole picture in px (default 720). */
  width?: number;
  /** Height of the plot area in px (default 320); the legend adds to the picture's height. */
  plotHeight?: number;
}

/** Okabe–Ito colours (distinguishable with colour-blindness), then grey; series beyond them cycle with dashes. */
export const SERIES_COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#999999'];
const DASHES = ['', '6 3', '2 2'];

const MARGIN = { left: 72, right: 24, top: 44 };
const LEGEND_ROW = 20;

export interface Axis {
  /** Domain, extended to whole tick steps. */
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/**
 * Ticks at multiples of a 1-2-5 step with a domain covering [min, max]: of the steps giving 4 to 8 ticks, the one
 * whose domain wastes the least room around the data (ties: fewer ticks).
 */
export function niceAxis(min: number, max: number): Axis {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return niceAxis(0, 1);
  if (max < min) [min, max] = [max, min];
  if (max === min) {
    const pad = min === 0 ? 1 : Math.abs(min) * 0.1;
    return niceAxis(min - pad, max + pad);
  }
  const decade = Math.floor(Math.log10(max - min));
  let best: Axis | undefined;
  for (let k = decade - 2; k <= decade + 1; k++) {
    for (const m of [1, 2, 5]) {
      const axis = axisWithStep(min, max, m * 10 ** k);
      if (axis.ticks.length < 4 || axis.ticks.length > 8) continue;
      const span = axis.max - axis.min;
      const bestSpan = best ? best.max - best.min : Infinity;
      if (span < bestSpan * (1 - 1e-9) || (span <= bestSpan * (1 + 1e-9) && best && axis.ticks.length < best.ticks.length)) best = axis;
    }
  }
  return best ?? axisWithStep(min, max, 10 ** decade);
}

function axisWithStep(min: number, max: number, step: number): Axis {
  const lo = Math.floor(min / step + 1e-9);
  const hi = Math.ceil(max / step - 1e-9);
  const ticks: number[] = [];
  for (let k = lo; k <= hi; k++) ticks.push(cleanZero(k * step));
  return { min: lo * step, max: hi * step, step, ticks };
}

/** Tick labels: "250k", "1.5M", "0.25", "−300"; the unit follows the largest tick, decimals follow the step. */
export function formatTick(value: number, axis: Pick<Axis, 'step' | 'ticks'>): string {
  const largest = Math.max(...axis.ticks.map(Math.abs));
  const [unit, suffix] = largest >= 1e6 ? [1e6, 'M'] : largest >= 1e4 ? [1e3, 'k'] : [1, ''];
  const step = axis.step / unit;
  let decimals = 0;
  while (decimals < 6 && Math.abs(Math.round(step * 10 ** decimals) - step * 10 ** decimals) > 1e-6) decimals++;
  const scaled = value / unit;
  if (Math.abs(scaled) < step / 2) return '0';
  const text = Math.abs(scaled).toFixed(decimals) + suffix;
  return scaled < 0 ? `−${text}` : text;
}

function cleanZero(x: number): number {
  return Object.is(x, -0) ? 0 : x;
}

/** XML-escape text for element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

const num = (v: number) => String(Math.round(v * 100) / 100);

export function renderLineChart(chart: LineChartSpec): string {
  const width = chart.width ?? 720;
  const plotHeight = chart.plotHeight ?? 320;
  const plot = { left: MARGIN.left, top: MARGIN.top, width: width - MARGIN.left - MARGIN.right, height: plotHeight };
  const legendTop = plot.top + plot.height + 56;
  const height = legendTop + Math.max(1, chart.series.length) * LEGEND_ROW + 8;

  const xs = chart.series.flatMap((s) => [...s.x, ...(s.thin ?? []).flatMap((t) => t.x)]);
  const ys = chart.series
    .flatMap((s) => [...s.y, ...(s.lower ?? []), ...(s.upper ?? []), ...(s.thin ?? []).flatMap((t) => t.y)])
    .filter(Number.isFinite);
  const xAxis = niceAxis(Math.min(0, ...xs), xs.length > 0 ? Math.max(...xs) : 1);
  const yAxis = niceAxis(ys.length > 0 ? Math.min(...ys) : 0, ys.length > 0 ? Math.max(...ys) : 1);
  const px = (x: number) => plot.left + ((x - xAxis.min) / (xAxis.max - xAxis.min)) * plot.width;
  const py = (y: number) => plot.top + plot.height - ((y - yAxis.min) / (yAxis.max - yAxis.min)) * plot.height;
  const bottom = plot.top + plot.height;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="system-ui, 'Segoe UI', Roboto, 'DejaVu Sans', Arial, sans-serif" font-size="12" fill="#222">`,
    `<title>${escapeXml(chart.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${num(width / 2)}" y="24" text-anchor="middle" font-size="15" font-weight="600">${escapeXml(chart.title)}</text>`,
  ];
  // Grid lines and tick labels.
  for (const t of yAxis.ticks) {
    parts.push(`<line x1="${plot.left}" x2="${plot.left + plot.width}" y1="${num(py(t))}" y2="${num(py(t))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${plot.left - 8}" y="${num(py(t) + 4)}" text-anchor="end">${escapeXml(formatTick(t, yAxis))}</text>`);
  }
  for (const t of xAxis.ticks) {
    parts.push(`<line x1="${num(px(t))}" x2="${num(px(t))}" y1="${plot.top}" y2="${bottom}" stroke="#f0f0f0"/>`);
    parts.push(`<line x1="${num(px(t))}" x2="${num(px(t))}" y1="${bottom}" y2="${bottom + 5}" stroke="#444"/>`);
    parts.push(`<text x="${num(px(t))}" y="${bottom + 18}" text-anchor="middle">${escapeXml(formatTick(t, xAxis))}</text>`);
  }
  parts.push(`<rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}" fill="none" stroke="#444"/>`);
  parts.push(`<text x="${num(plot.left + plot.width / 2)}" y="${bottom + 40}" text-anchor="middle" font-size="13">${escapeXml(chart.xLabel)}</text>`);
  const yTitleX = 18;
  const yTitleY = num(plot.top + plot.height / 2);
  parts.push(`<text x="${yTitleX}" y="${yTitleY}" transform="rotate(-90 ${yTitleX} ${yTitleY})" text-anchor="middle" font-size="13">${escapeXml(chart.yLabel)}</text>`);

  if (chart.series.every((s) => s.x.length === 0)) {
    parts.push(`<text x="${num(plot.left + plot.width / 2)}" y="${num(plot.top + plot.height / 2)}" text-anchor="middle" fill="#888">no data yet</text>`);
  }
  // Thin lines (seeds) first, then bands, so every main line is drawn on top of both.
  chart.series.forEach((s, i) => {
    for (const t of s.thin ?? []) {
      if (t.x.length < 2) continue;
      const points = t.x.map((x, k) => `${num(px(x))},${num(py(t.y[k]))}`);
      parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${colorOf(i)}" stroke-opacity="0.35" stroke-width="0.75"/>`);
    }
  });
  chart.series.forEach((s, i) => {
    if (!s.lower || !s.upper || s.x.length < 2) return;
    const upper = s.x.map((x, k) => `${num(px(x))},${num(py((s.upper as readonly number[])[k]))}`);
    const lower = s.x.map((x, k) => `${num(px(x))},${num(py((s.lower as readonly number[])[k]))}`).reverse();
    parts.push(`<polygon points="${[...upper, ...lower].join(' ')}" fill="${colorOf(i)}" fill-opacity="0.18" stroke="none"/>`);
  });
  chart.series.forEach((s, i) => {
    const points = s.x.map((x, k) => `${num(px(x))},${num(py(s.y[k]))}`);
    if (points.length === 1) {
      parts.push(`<circle cx="${num(px(s.x[0]))}" cy="${num(py(s.y[0]))}" r="3" fill="${colorOf(i)}"/>`);
    } else if (points.length > 1) {
      parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${colorOf(i)}" stroke-width="2"${dashOf(i)} stroke-linejoin="round"/>`);
    }
  });
  // Legend: one row per series under the axis title.
  chart.series.forEach((s, i) => {
    const y = legendTop + i * LEGEND_ROW;
    parts.push(`<rect x="${plot.left}" y="${y - 7}" width="28" height="14" fill="${colorOf(i)}" fill-opacity="0.18"/>`);
    parts.push(`<line x1="${plot.left}" x2="${plot.left + 28}" y1="${y}" y2="${y}" stroke="${colorOf(i)}" stroke-width="2"${dashOf(i)}/>`);
    parts.push(`<text x="${plot.left + 36}" y="${y + 4}">${escapeXml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

function colorOf(i: number): string {
  return SERIES_COLORS[i % SERIES_COLORS.length];
}

function dashOf(i: number): string {
  const dash = DASHES[Math.floor(i / SERIES_COLORS.length) % DASHES.length];
  return dash ? ` stroke-dasharray="${dash}"` : '';
}

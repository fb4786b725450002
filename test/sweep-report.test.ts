import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildReport } from '../sdk/sweep/report.js';
import { parseSweepSpec, planRuns } from '../sdk/sweep/spec.js';
import { formatMeanStd } from '../sdk/sweep/stats.js';
import { escapeXml, formatTick, niceAxis, renderLineChart } from '../sdk/sweep/svg.js';
import { writeSweepFile } from '../sdk/sweep/sweep-file.js';
import { tempDir, writeRunDir } from './sweep-fixtures.js';

/** Tags balance (every opened element is closed, in order): enough to catch a malformed writer. */
function expectBalancedTags(markup: string): void {
  const stack: string[] = [];
  const voidHtml = new Set(['meta', 'br', '!DOCTYPE']);
  for (const m of markup.matchAll(/<(\/?)(!?[A-Za-z]+)[^>]*?(\/?)>/g)) {
    const [, closing, name, selfClosing] = m;
    if (selfClosing || voidHtml.has(name)) continue;
    if (closing) expect(stack.pop(), `closing </${name}>`).to.equal(name);
    else stack.push(name);
  }
  expect(stack).to.deep.equal([]);
}

const count = (text: string, pattern: RegExp) => (text.match(pattern) ?? []).length;

describe('sweep report: SVG charts and HTML', () => {
  const axes: Array<[number, number, { min: number; max: number; step: number }]> = [
    [0, 1e6, { min: 0, max: 1e6, step: 200_000 }],
    [2048, 98_304, { min: 0, max: 100_000, step: 20_000 }],
    [-123, 3456, { min: -1000, max: 4000, step: 1000 }],
    [0.01, 0.043, { min: 0.01, max: 0.045, step: 0.005 }],
    [0, 30_720, { min: 0, max: 35_000, step: 5000 }], // not 0…40k: the least room wasted
    [5, 5, { min: 4.4, max: 5.6, step: 0.2 }],
    [0, 0, { min: -1, max: 1, step: 0.5 }],
  ];
  for (const [min, max, expected] of axes) {
    it(`puts 4 to 8 nice ticks on [${min}, ${max}]`, () => {
      const axis = niceAxis(min, max);
      expect(axis.step).to.be.closeTo(expected.step, 1e-12);
      expect(axis.min).to.be.closeTo(expected.min, 1e-9);
      expect(axis.max).to.be.closeTo(expected.max, 1e-9);
      expect(axis.min).to.be.at.most(min);
      expect(axis.max).to.be.at.least(max);
      expect(axis.ticks.length).to.equal(Math.round((axis.max - axis.min) / axis.step) + 1);
      expect(axis.ticks.length).to.be.within(4, 8);
    });
  }

  it('labels ticks with units by size and decimals by step', () => {
    const label = (min: number, max: number) => { const a = niceAxis(min, max); return a.ticks.map((t) => formatTick(t, a)); };
    expect(label(0, 1e6)).to.deep.equal(['0', '0.2M', '0.4M', '0.6M', '0.8M', '1.0M']);
    expect(label(0, 100_000)).to.deep.equal(['0', '20k', '40k', '60k', '80k', '100k']);
    expect(label(-123, 3456)).to.deep.equal(['−1000', '0', '1000', '2000', '3000', '4000']);
    expect(label(0.01, 0.043)).to.deep.equal(['0.010', '0.015', '0.020', '0.025', '0.030', '0.035', '0.040', '0.045']);
    expect(label(0, 0.5)).to.deep.equal(['0', '0.1', '0.2', '0.3', '0.4', '0.5']);
    expect(label(0, 2.5)).to.deep.equal(['0', '0.5', '1.0', '1.5', '2.0', '2.5']);
  });

  it('formats mean ± std with the decimals the mean calls for', () => {
    expect(formatMeanStd(3318.4, 12.04)).to.equal('3318 ± 12');
    expect(formatMeanStd(312.44, 8.06)).to.equal('312.4 ± 8.1');
    expect(formatMeanStd(-0.5, 0.031)).to.equal('-0.50 ± 0.03');
    expect(formatMeanStd(NaN, 1)).to.equal('—');
  });

  it('escapes text for XML', () => {
    expect(escapeXml(`a<b & "c" 'd'>`)).to.equal('a&lt;b &amp; &quot;c&quot; &#39;d&#39;&gt;');
  });

  it('draws a line per series, a band per series with std, axes, titles and an escaped legend', () => {
    const svg = renderLineChart({
      title: 'Hopper-v5 <test>', xLabel: 'timesteps', yLabel: 'return',
      series: [
        { label: 'targetKl=0.01 & more', x: [0, 500, 1000], y: [0, 10, 20], lower: [0, 5, 15], upper: [0, 15, 25] },
        { label: 'single point', x: [1000], y: [30] },
        { label: 'no band', x: [0, 1000], y: [5, 6] },
      ],
    });
    expect(svg).to.match(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" width="720" height="\d+" viewBox="0 0 720 \d+"/);
    expectBalancedTags(svg);
    expect(count(svg, /<polyline /g)).to.equal(2);
    expect(count(svg, /<polygon /g)).to.equal(1);
    expect(count(svg, /<circle /g)).to.equal(1);
    expect(svg).to.contain('>Hopper-v5 &lt;test&gt;</text>');
    expect(svg).to.contain('>targetKl=0.01 &amp; more</text>');
    expect(svg).to.contain('>timesteps</text>');
    expect(svg).to.match(/transform="rotate\(-90 [\d.]+ [\d.]+\)"[^>]*>return<\/text>/);
    for (const tick of ['0', '200', '400', '1000']) expect(svg).to.contain(`>${tick}</text>`);
    // The band's upper edge at x = 500 sits above (smaller y) its lower edge.
    const band = /<polygon points="([^"]+)"/.exec(svg)?.[1].split(' ').map((p) => p.split(',').map(Number)) ?? [];
    expect(band).to.have.length(6);
    expect(band[1][1]).to.be.lessThan(band[4][1]);
    expect(renderLineChart({ title: 't', xLabel: 'x', yLabel: 'y', series: [] })).to.contain('>no data yet</text>');
  });

  it('writes curves/<env>.svg and a self-contained report.html with tables, plots and failures', async () => {
    const out = tempDir('sweep-report');
    try {
      const spec = parseSweepSpec({ envs: ['Hopper-v5', 'Swimmer-v5'], seeds: '0-1', timesteps: 3000, grid: { targetKl: [0.01, 0.02] } });
      const runs = planRuns(spec);
      writeSweepFile(out, spec, runs);
      for (const [i, run] of runs.entries()) {
        if (i === 3) continue; // never started
        const runDir = path.join(out, 'runs', run.id);
        const curve: Array<[number, number]> = [[1000, i], [2000, 2 * i + run.seed], [3000, 3 * i]];
        if (i === 6) {
          await writeRunDir(runDir, { env: run.env, seed: run.seed, totalTimesteps: 3000, curve: curve.slice(0, 2) });
          fs.writeFileSync(path.join(runDir, 'failed.json'), JSON.stringify({
            status: 'failed', runId: run.id, error: 'Error: <bad> thing', exitCode: 1, signal: null, failedAt: new Date().toISOString(),
          }));
        } else {
          await writeRunDir(runDir, { env: run.env, seed: run.seed, totalTimesteps: 3000, curve, result: { meanReturn: 10 * i } });
        }
      }
      const report = await buildReport(out);
      expect(report.svgFiles).to.deep.equal([path.join(out, 'curves', 'Hopper-v5.svg'), path.join(out, 'curves', 'Swimmer-v5.svg')]);
      const hopper = fs.readFileSync(report.svgFiles[0], 'utf8');
      expectBalancedTags(hopper);
      // One thick line per setting (mean) and one thin line per seed under it; a CI band per setting.
      expect(count(hopper, /<polyline [^>]*stroke-width="2"/g)).to.equal(2);
      expect(count(hopper, /<polyline [^>]*stroke-width="0.75"/g)).to.equal(3);
      expect(count(hopper, /<polygon /g)).to.equal(2);
      expect(hopper).to.contain('>targetKl=0.01 (mean, 95% CI, 2 seeds)</text>');
      expect(hopper).to.contain('>targetKl=0.02 (mean, 95% CI, 1 seed)</text>');
      // The failed seed's curve stops at 2000 steps: the legend says it is missing at the end.
      expect(fs.readFileSync(report.svgFiles[1], 'utf8')).to.contain('>targetKl=0.02 (mean, 95% CI, 2 seeds, 1 at the end)</text>');
      const iqmReport = await buildReport(out, { out: path.join(out, 'iqm'), aggregate: 'iqm' });
      expect(fs.readFileSync(iqmReport.svgFiles[0], 'utf8')).to.contain('>targetKl=0.01 (IQM, 95% CI, 2 seeds)</text>');

      const html = fs.readFileSync(report.htmlFile, 'utf8');
      expect(report.htmlFile).to.equal(path.join(out, 'report.html'));
      expect(html.startsWith('<!DOCTYPE html>')).to.equal(true);
      expectBalancedTags(html);
      expect(count(html, /<svg /g)).to.equal(2);
      expect(count(html, /<table>/g)).to.equal(2);
      // Self-contained: nothing fetched from elsewhere.
      expect(html).to.not.match(/<script|<link|<img|src=|href=|@import|url\(/);
      expect(html).to.contain('8 runs: <span class="finished">6 finished</span>, <span class="failed">1 failed</span>, <span class="pending">1 pending</span>.');
      // Group row: Hopper targetKl=0.01 finished seeds 0, 1 with eval returns 0 and 10 → 5.00 ± 5.00.
      expect(html).to.match(/<td>Hopper-v5<\/td><td>targetKl=0\.01 <span class="meta">\([0-9a-f]{8}\)<\/span><\/td><td class="num">2\/2<\/td><td class="num">5\.00 ± 5\.00<\/td>/);
      expect(html).to.contain(`<details open><summary><code>${runs[6].id}</code></summary><pre>Error: &lt;bad&gt; thing</pre></details>`);
      for (const run of runs) expect(html).to.contain(`<code>${run.id}</code>`);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  });
});

// npm run bench:paper [-- --budget 1 --seeds 0-2 --jobs 2 --out bench-results/paper --envs … --methods … --report-only]
//
// The TRPO paper's Figure 4 comparison on this machine: InvertedPendulum-v5 (the paper's Cartpole), Swimmer-v5,
// Hopper-v5, Walker2d-v5 × TRPO single path, vine, natural gradient, empirical FIM, max KL (InvertedPendulum
// only), CEM and CMA-ES, δ = 0.01 (bench/paper-grid.ts). Each (task, method) cell is a resumable sweep
// (sdk/sweep) in <out>/<task>/<method>/, its seeds one at a time with one worker thread; `--jobs` cells run at
// once. Re-running continues: finished runs are skipped, interrupted ones resume from their checkpoints.
// Ctrl-C checkpoints the running runs and writes the report of what is done.
//
// Report (<out>/report.md, report.html, <task>-steps.svg, <task>-wall.svg, results.json): per task one panel of
// learning curves (training return, rollout/ep_rew_mean: TRPO's stochastic policy, the ES population's mean
// candidate) with the mean and a 95% Student-t confidence band over seeds, against env steps and against wall
// seconds; and a table of the final deterministic evaluation (10 episodes, result.json) and wall time per run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { aggregateCurves, readCurve, type Curve } from '../sdk/sweep/curves.js';
import { progressRecords } from '../sdk/sweep/run-dir.js';
import { renderLineChart, type ChartSeries } from '../sdk/sweep/svg.js';
import { sweep } from '../sdk/sweep/index.js';
import { ciHalfWidth, ENVS, METHODS, planCells, type Cell, type Method } from './paper-grid.js';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'bench-results/paper' },
    budget: { type: 'string', default: '1' },
    seeds: { type: 'string', default: '0-2' },
    jobs: { type: 'string', default: '2' },
    envs: { type: 'string', default: ENVS.join(',') },
    methods: { type: 'string', default: METHODS.map((m) => m.id).join(',') },
    'report-only': { type: 'boolean', default: false },
  },
});
const out = values.out as string;
const budget = Number(values.budget);
const jobs = Number(values.jobs);
if (!(budget > 0)) throw new Error(`bench:paper --budget must be a positive scale factor (1 = the default budgets), got ${values.budget}`);
if (!(Number.isSafeInteger(jobs) && jobs >= 1)) throw new Error(`bench:paper --jobs must be a positive integer, got ${values.jobs}`);
const envs = (values.envs as string).split(',');
const methods = (values.methods as string).split(',').map((id) => {
  const m = METHODS.find((x) => x.id === id);
  if (!m) throw new Error(`bench:paper --methods: unknown method "${id}"; methods: ${METHODS.map((x) => x.id).join(', ')}`);
  return m;
});
const cells = planCells(envs, methods, budget);
const cellDir = (c: Pick<Cell, 'env'> & { method: Pick<Method, 'id'> }) => path.join(out, c.env, c.method.id);

async function runGrid(signal: AbortSignal): Promise<void> {
  const queue = [...cells];
  const started = performance.now();
  let done = 0;
  const worker = async () => {
    for (let cell = queue.shift(); cell && !signal.aborted; cell = queue.shift()) {
      const t0 = performance.now();
      const result = await sweep(
        { envs: [cell.env], seeds: values.seeds as string, timesteps: cell.timesteps, options: { ...cell.method.options, numWorkers: 1 } },
        { out: cellDir(cell), cores: 1, jobs: 1, signal, pollIntervalMs: 60_000 },
      );
      const failed = result.runs.filter((r) => r.outcome.status === 'failed').length;
      done++;
      console.log(
        `[${done}/${cells.length}] ${cell.env} ${cell.method.label}: ${cell.timesteps} steps × ${result.runs.length} seeds in ` +
          `${((performance.now() - t0) / 1000).toFixed(0)} s${failed ? `, ${failed} FAILED (see ${cellDir(cell)})` : ''} ` +
          `(elapsed ${((performance.now() - started) / 60_000).toFixed(1)} min)`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, cells.length) }, worker));
}

interface RunData {
  steps: Curve;
  wall: Curve;
  evalReturn?: number;
  wallTimeS?: number;
  finished: boolean;
}

/** A run's curves against env steps and against its own wall seconds (Σ of each iteration's time). */
function readRun(runDir: string): RunData {
  const steps = readCurve(runDir);
  const wall: Curve = { x: [], y: [] };
  let seconds = 0;
  for (const r of progressRecords(runDir)) {
    const elapsed = r['time/time_elapsed'];
    seconds = typeof elapsed === 'number' ? elapsed : seconds + Number(r['time/rollout_s'] ?? 0) + Number(r['time/update_s'] ?? 0);
    const y = r['rollout/ep_rew_mean'];
    if (typeof y === 'number' && Number.isFinite(y) && (wall.x.length === 0 || seconds > wall.x[wall.x.length - 1])) {
      wall.x.push(seconds);
      wall.y.push(y);
    }
  }
  const resultFile = path.join(runDir, 'result.json');
  const result = fs.existsSync(resultFile) ? (JSON.parse(fs.readFileSync(resultFile, 'utf8')) as { eval?: { meanReturn: number }; wallTimeS: number }) : undefined;
  return { steps, wall, evalReturn: result?.eval?.meanReturn, wallTimeS: result?.wallTimeS, finished: result !== undefined };
}

function band(curves: Curve[], label: string): ChartSeries {
  const a = aggregateCurves(curves, 60);
  const half = a.std.map((s, i) => ciHalfWidth(a.n[i] > 1 ? s * Math.sqrt(a.n[i] / (a.n[i] - 1)) : 0, a.n[i]));
  return { label, x: a.x, y: a.mean, lower: a.mean.map((m, i) => m - half[i]), upper: a.mean.map((m, i) => m + half[i]) };
}

function meanSd(xs: number[]): string {
  if (xs.length === 0) return '–';
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1)) : 0;
  return `${m.toFixed(1)} ± ${sd.toFixed(1)}`;
}

function writeReport(): void {
  const md: string[] = [
    '# The TRPO paper\'s Figure 4 on this machine',
    '',
    `Budget scale ${budget} (env steps per run: ${envs.map((e) => `${e} ${cells.find((c) => c.env === e)?.timesteps ?? '–'}`).join(', ')}), seeds ${values.seeds}, δ = 0.01.`,
    'Curves: training return (TRPO: the stochastic policy\'s episodes; CEM/CMA-ES: the mean over the generation\'s candidates), mean and 95% Student-t band over seeds.',
    'Table: deterministic evaluation of the final policy (10 episodes) and wall time per run, mean ± sd over seeds.',
    '',
    '| task | method | final return (eval) | final training return | wall s / run | seeds done |',
    '|---|---|---|---|---|---|',
  ];
  const results: unknown[] = [];
  const htmlFigures: string[] = [];
  for (const env of envs) {
    const seriesSteps: ChartSeries[] = [];
    const seriesWall: ChartSeries[] = [];
    for (const method of methods) {
      if (method.envs && !method.envs.includes(env)) continue;
      const runsRoot = path.join(cellDir({ env, method }), 'runs');
      const runs = fs.existsSync(runsRoot) ? fs.readdirSync(runsRoot).sort().map((d) => readRun(path.join(runsRoot, d))) : [];
      const withData = runs.filter((r) => r.steps.x.length > 0);
      if (withData.length > 0) {
        seriesSteps.push(band(withData.map((r) => r.steps), method.label));
        seriesWall.push(band(withData.map((r) => r.wall), method.label));
      }
      const finished = runs.filter((r) => r.finished);
      const evals = finished.map((r) => r.evalReturn).filter((v): v is number => v !== undefined);
      const lastTrain = withData.map((r) => r.steps.y[r.steps.y.length - 1]);
      const walls = finished.map((r) => r.wallTimeS as number);
      md.push(`| ${env} | ${method.label} | ${meanSd(evals)} | ${meanSd(lastTrain)} | ${meanSd(walls)} | ${finished.length}/${runs.length} |`);
      results.push({ env, method: method.id, evalReturns: evals, finalTrainingReturns: lastTrain, wallTimeS: walls, finished: finished.length, runs: runs.length });
    }
    for (const [kind, series, xLabel] of [['steps', seriesSteps, 'env steps'], ['wall', seriesWall, 'wall seconds (per run)']] as const) {
      const svg = renderLineChart({ title: `${env}: return vs ${xLabel}`, xLabel, yLabel: 'return', series });
      fs.writeFileSync(path.join(out, `${env}-${kind}.svg`), svg);
      htmlFigures.push(`<figure>${svg}</figure>`);
    }
  }
  md.push('', ...envs.flatMap((e) => [`![${e}, env steps](${e}-steps.svg) ![${e}, wall seconds](${e}-wall.svg)`]));
  fs.mkdirSync(out, { recursive: true });
  fs.writeFileSync(path.join(out, 'report.md'), `${md.join('\n')}\n`);
  fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify({ budget, seeds: values.seeds, cells: results }, null, 2)}\n`);
  const table = md.filter((l) => l.startsWith('|')).map((l) => `<tr>${l.split('|').slice(1, -1).map((c) => `<td>${c.trim()}</td>`).join('')}</tr>`);
  fs.writeFileSync(
    path.join(out, 'report.html'),
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>TRPO paper, Figure 4</title></head><body><h1>TRPO paper, Figure 4</h1>` +
      `<p>${md[2]}</p><table border="1">${table.filter((_, i) => i !== 1).join('')}</table>${htmlFigures.join('')}</body></html>\n`,
  );
  console.log(`report: ${path.join(out, 'report.md')}, report.html, <task>-steps.svg / -wall.svg`);
}

fs.mkdirSync(out, { recursive: true });
if (!values['report-only']) {
  const total = cells.reduce((a, c) => a + c.timesteps, 0) * (values.seeds as string).split(',').reduce((a, p) => {
    const [from, to] = p.split('-').map(Number);
    return a + (to === undefined ? 1 : to - from + 1);
  }, 0);
  console.log(`bench:paper: ${cells.length} cells, ${total.toLocaleString('en')} env steps in all, ${jobs} at a time → ${out}`);
  const controller = new AbortController();
  process.once('SIGINT', () => controller.abort());
  await runGrid(controller.signal);
}
writeReport();

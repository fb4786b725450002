// npm run bench:sweep [-- --env Hopper-v5 --timesteps 30000 --repeats 1 --cores 2] — parallel efficiency of
// `trpo sweep`: 4 short real training runs (seeds 0-3, one worker thread each) on 2 cores.
// Baseline, measured in the same round: the same 4 runs one at a time (jobs 1); each run's wall time is taken
// from its start to its end as the sweep sees it (process start, training, final evaluation). Then the 4 runs as
// one sweep with the core budget filled (2 at a time). Rounds alternate which goes first so machine noise hits
// both alike. Prints medians over rounds and
//   speedup = Σ single-run wall times / parallel sweep wall time, efficiency = speedup / runs at a time.
// Needs the built trainer CLI (npm run build). Asserts nothing.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { sweep, type SweepEvent } from '../sdk/sweep/index.js';

const { values } = parseArgs({
  options: {
    env: { type: 'string', default: 'Hopper-v5' },
    timesteps: { type: 'string', default: '30000' },
    repeats: { type: 'string', default: '1' },
    cores: { type: 'string', default: '2' },
  },
});
const env = values.env as string;
const timesteps = Number(values.timesteps);
const repeats = Number(values.repeats);
const cores = Number(values.cores);
for (const [flag, value] of [['--timesteps', timesteps], ['--repeats', repeats], ['--cores', cores]] as const) {
  if (!(Number.isSafeInteger(value) && value >= 1)) throw new Error(`bench:sweep ${flag} must be a positive integer, got ${value}`);
}

const RUNS = 4;
const spec = { envs: [env], seeds: `0-${RUNS - 1}`, timesteps, options: { numWorkers: 1 } };

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

interface Measured {
  wallS: number;
  /** Each run's own wall time (start → end as the sweep saw it). */
  runWallS: number[];
  envSteps: number;
  peakRunning: number;
}

async function measure(jobs: number | undefined, root: string): Promise<Measured> {
  const out = fs.mkdtempSync(path.join(root, 'sweep-'));
  const startedAt = new Map<string, number>();
  const runWallS: number[] = [];
  let peakRunning = 0;
  const onProgress = (e: SweepEvent) => {
    peakRunning = Math.max(peakRunning, e.progress.running);
    if (e.type === 'run-start') startedAt.set(e.run.id, performance.now());
    if (e.type === 'run-end') runWallS.push((performance.now() - (startedAt.get(e.run.id) as number)) / 1000);
  };
  const result = await sweep(spec, { out, jobs, cores, onProgress, pollIntervalMs: 60_000 });
  const failed = result.runs.filter((r) => r.outcome.status !== 'finished');
  if (failed.length > 0) {
    const first = failed[0].outcome;
    throw new Error(`bench:sweep: ${failed.length} run(s) did not finish: ${first.status === 'failed' ? first.failure.error : first.status}`);
  }
  const envSteps = result.runs.reduce((sum, r) => sum + (r.outcome.status === 'finished' ? r.outcome.result.totalTimesteps : 0), 0);
  fs.rmSync(out, { recursive: true, force: true });
  return { wallS: result.wallTimeS, runWallS, envSteps, peakRunning };
}

async function main(): Promise<void> {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trpo-bench-sweep-'));
  console.log(`bench:sweep — ${RUNS} runs of ${env}, ${timesteps} timesteps each, numWorkers 1, core budget ${cores}, ` +
    `${repeats} round(s); machine: ${os.availableParallelism()} cores, load average ${os.loadavg()[0].toFixed(1)}`);
  const sequential: Measured[] = [];
  const parallel: Measured[] = [];
  try {
    for (let round = 0; round < repeats; round++) {
      const order = round % 2 === 0 ? ['sequential', 'parallel'] : ['parallel', 'sequential'];
      for (const which of order) {
        const m = which === 'sequential' ? await measure(1, root) : await measure(undefined, root);
        (which === 'sequential' ? sequential : parallel).push(m);
        console.log(`  round ${round + 1} ${which.padEnd(10)} wall ${m.wallS.toFixed(1)} s, runs ${m.runWallS.map((s) => s.toFixed(1)).join(' / ')} s, ` +
          `up to ${m.peakRunning} at a time`);
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  const sumSingle = median(sequential.map((m) => m.runWallS.reduce((a, b) => a + b, 0)));
  const parallelWall = median(parallel.map((m) => m.wallS));
  const atOnce = Math.max(...parallel.map((m) => m.peakRunning));
  const speedup = sumSingle / parallelWall;
  const steps = parallel[0].envSteps;
  console.log('');
  console.log('                                      median');
  console.log(`  Σ single-run wall times (jobs 1)    ${sumSingle.toFixed(1).padStart(7)} s   ${(steps / sumSingle).toFixed(0).padStart(6)} env-steps/s`);
  console.log(`  parallel sweep wall time (${atOnce} at once) ${parallelWall.toFixed(1).padStart(6)} s   ${(steps / parallelWall).toFixed(0).padStart(6)} env-steps/s`);
  console.log(`  speedup ${speedup.toFixed(2)}×, parallel efficiency ${((100 * speedup) / atOnce).toFixed(0)} % (speedup / ${atOnce} runs at a time)`);
  console.log(`  load average at the end: ${os.loadavg()[0].toFixed(1)} (other processes on the cores lower both numbers)`);
}

await main();

// Test helpers for the sweep tests: run folders in the shape the trainer leaves them (progress.jsonl written
// with the real RunLogger, checkpoints with the real saveCheckpoint, result.json), and an injectable runner
// that produces such folders, so the scheduler can be tested without training anything.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { saveCheckpoint } from '../sdk/run/checkpoint.js';
import { RunLogger } from '../sdk/run/logger.js';
import type { RunFunction, RunRequest } from '../sdk/sweep/runner.js';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `trpo-${prefix}-`));
}

export interface FakeRun {
  env: string;
  seed: number;
  totalTimesteps: number;
  /** [timesteps, ep_rew_mean] per iteration. */
  curve?: Array<[number, number]>;
  /** Written as result.json when given. */
  result?: { meanReturn: number; stdReturn?: number; wallTimeS?: number; envStepsPerS?: number };
  /** Also save a checkpoint (an interrupted run has one and no result). */
  checkpoint?: boolean;
}

/** A run folder as the trainer leaves it. */
export async function writeRunDir(runDir: string, run: FakeRun): Promise<void> {
  fs.mkdirSync(runDir, { recursive: true });
  // What a trainer writes first: the marker that makes the folder a run folder (sdk/run/run-folder.ts).
  const marker = path.join(runDir, 'run.json');
  if (!fs.existsSync(marker)) {
    fs.writeFileSync(marker, JSON.stringify({ format: 'trpo-wasm-run', formatVersion: 1, createdAt: new Date().toISOString(), configSha256: null }));
  }
  const logger = RunLogger.open({ jsonlPath: path.join(runDir, 'progress.jsonl') });
  (run.curve ?? []).forEach(([timesteps, ret], i) => {
    logger.log({ 'time/iterations': i + 1, 'time/total_timesteps': timesteps, 'time/fps': 1000, 'rollout/ep_rew_mean': ret });
  });
  logger.close();
  if (run.checkpoint) {
    const last = run.curve?.at(-1)?.[0] ?? 0;
    await saveCheckpoint(path.join(runDir, 'checkpoints'), { iteration: run.curve?.length ?? 0, timesteps: last, json: { config: {} }, arrays: {} });
  }
  if (run.result) {
    const r = run.result;
    fs.writeFileSync(path.join(runDir, 'result.json'), JSON.stringify({
      status: 'finished', env: run.env, seed: run.seed, totalTimesteps: run.totalTimesteps,
      wallTimeS: r.wallTimeS ?? 10, envStepsPerS: r.envStepsPerS ?? 1000,
      eval: { episodes: 5, meanReturn: r.meanReturn, stdReturn: r.stdReturn ?? 0 },
    }));
  }
}

/** A runner that "trains" by writing a finished run folder; the return is seed-dependent so tables differ. */
export function finishingRunner(options: { delayMs?: number; onStart?: (request: RunRequest) => void } = {}): RunFunction {
  return async (request) => {
    options.onStart?.(request);
    await sleep(options.delayMs ?? 0);
    const { run, runDir } = request;
    const half = Math.floor(run.totalTimesteps / 2);
    await writeRunDir(runDir, {
      env: run.env, seed: run.seed, totalTimesteps: run.totalTimesteps,
      curve: [[half, 10 * run.seed], [run.totalTimesteps, 20 * run.seed]],
      result: { meanReturn: 100 + run.seed },
    });
  };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// One training run on disk — what `trpo train` and `trpo sweep` execute. A run folder holds config.json
// (resolved options), progress.jsonl (one record per iteration, SB3 keys), checkpoints/ (resumable),
// best_model/ (with evalFreq: the agent at its best periodic evaluation), and on success model/ (the final
// agent) and result.json (final deterministic evaluation, best periodic evaluation and speed).
import { existsSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import { CHECKPOINTS_SUBDIR, resolveCheckpointDir } from '../run/checkpoint.js';
import { RunLogger, type LogRecord } from '../run/logger.js';
import { ProgressReporter, type ProgressStream } from '../run/progress.js';
import { tunedTimesteps } from './defaults.js';
import { createAgent, loadAgent, type Agent } from '../agents.js';
import type { IterationMetrics } from './trpo.js';

export interface TrainRunSpec {
  /** Agent options, env and seed included; `algo` ('trpo' default, 'cem', 'cmaes') picks the agent. */
  options: Record<string, unknown>;
  /** Total env steps of the run (default: the env's tuned budget). */
  totalTimesteps?: number;
  out: string;
  /** Continue from the run folder's latest checkpoint, or from this checkpoint location. */
  resume?: boolean | string;
  signal?: AbortSignal;
  onIteration?: (metrics: IterationMetrics) => void;
  /** Episodes of the final deterministic evaluation (0: none). */
  evalEpisodes?: number;
  csv?: boolean;
  /** Where progress goes (none when omitted). */
  progress?: ProgressStream;
}

export interface RunResult {
  status: 'finished' | 'stopped';
  env: string;
  seed: number;
  totalTimesteps: number;
  wallTimeS: number;
  envStepsPerS: number;
  eval?: { episodes: number; meanReturn: number; stdReturn: number };
  /** With evalFreq: the best mean return of the periodic evaluations (the agent then is in best_model/). */
  bestEval?: { evaluations: number; meanReturn: number };
  outDir: string;
}

export const RESULT_FILE = 'result.json';
export const PROGRESS_FILE = 'progress.jsonl';
export const BEST_MODEL_SUBDIR = 'best_model';

export async function trainRun(spec: TrainRunSpec): Promise<RunResult> {
  const out = spec.out;
  const resumeFrom = spec.resume === true ? out : spec.resume || undefined;
  const checkpointRoot = path.join(out, CHECKPOINTS_SUBDIR);
  let agent: Agent;
  if (resumeFrom !== undefined) {
    const dir = await resolveCheckpointDir(resumeFrom);
    if (!dir) throw new Error(`Cannot resume: no checkpoint in ${resumeFrom}. Start a new run without --resume.`);
    agent = await loadAgent(dir, pickNumWorkers(spec.options));
  } else {
    if (existsSync(path.join(out, PROGRESS_FILE)) || existsSync(checkpointRoot)) {
      throw new Error(`Run folder ${out} already holds a run. Continue it with --resume, or choose another --out.`);
    }
    agent = createAgent(spec.options);
  }
  const o = agent.options;
  const totalTimesteps = spec.totalTimesteps ?? tunedTimesteps(o.env);
  await fsp.mkdir(out, { recursive: true });
  await writeJsonAtomically(path.join(out, 'config.json'), { ...o, totalTimesteps });

  const logger = RunLogger.open({
    jsonlPath: path.join(out, PROGRESS_FILE),
    csvPath: spec.csv ? path.join(out, 'progress.csv') : undefined,
    resumeAfterIteration: resumeFrom !== undefined ? agent.iteration : undefined,
  });
  const progress = spec.progress ? new ProgressReporter({ stream: spec.progress, totalTimesteps }) : undefined;
  const started = performance.now();
  const stepsAtStart = agent.numTimesteps;
  try {
    const learned = await agent.learn({
      totalTimesteps,
      signal: spec.signal,
      checkpointDir: checkpointRoot,
      bestModelDir: path.join(out, BEST_MODEL_SUBDIR),
      callbacks: {
        onIteration: (m) => {
          logger.log(m as LogRecord);
          progress?.update({
            iteration: m['time/iterations'] as number, timesteps: m['time/total_timesteps'] as number,
            fps: m['time/fps'] as number, epRewMean: m['rollout/ep_rew_mean'] as number,
          });
          spec.onIteration?.(m);
        },
      },
    });
    const wallTimeS = (performance.now() - started) / 1000;
    const result: RunResult = {
      status: learned.stoppedEarly ? 'stopped' : 'finished',
      env: o.env,
      seed: o.seed,
      totalTimesteps: agent.numTimesteps,
      wallTimeS,
      envStepsPerS: (agent.numTimesteps - stepsAtStart) / wallTimeS,
      outDir: out,
    };
    // Periodic evaluation is TRPO's (evalFreq); the evolution-strategy agents have none.
    const best = 'bestEvaluation' in agent ? agent.bestEvaluation : undefined;
    if (best && best.bestMeanReward !== null) result.bestEval = { evaluations: best.evaluations, meanReturn: best.bestMeanReward };
    if (!learned.stoppedEarly) {
      await agent.close();
      const episodes = spec.evalEpisodes ?? 10;
      if (episodes > 0) {
        const e = await agent.evaluate({ episodes, deterministic: true });
        result.eval = { episodes, meanReturn: e.meanReturn, stdReturn: e.stdReturn };
      }
      await agent.save(path.join(out, 'model'));
      await writeJsonAtomically(path.join(out, RESULT_FILE), result);
    }
    progress?.finish({
      timesteps: agent.numTimesteps, elapsedSeconds: wallTimeS, evaluation: result.eval, outDir: out,
      interrupted: learned.stoppedEarly,
    });
    return result;
  } finally {
    logger.close();
    await agent.close();
  }
}

function pickNumWorkers(options: Record<string, unknown>): { numWorkers?: number } {
  return typeof options.numWorkers === 'number' ? { numWorkers: options.numWorkers } : {};
}

async function writeJsonAtomically(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp-${process.pid}`;
  await fsp.writeFile(tmp, `${JSON.stringify(value, null, 2)}\n`);
  await fsp.rename(tmp, file);
}

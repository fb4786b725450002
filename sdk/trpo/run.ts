// One training run on disk — what `trpo train` and `trpo sweep` execute — in a run folder owned by
// sdk/run/run-folder.ts (layout, lock, config checksum, result.json). With evalFreq, best_model/ holds the agent
// at its best periodic evaluation, and result.json records that evaluation.
//
// Starting and resuming follow one rule: a run continues to its own target with its own settings.
// - New folder (or one of ours without a checkpoint: a failed or early-stopped start): train from scratch.
// - `resume`: the options and the target come from the run; `totalTimesteps` may raise the target (said so);
//   any other setting given that differs from the run's is refused, naming the difference. A run without a
//   checkpoint yet starts again from the beginning with its recorded settings.
// - A folder holding checkpoints is never started over without `resume`.
import * as path from 'node:path';
import { resolveCheckpointDir } from '../run/checkpoint.js';
import { RunLogger, type LogRecord } from '../run/logger.js';
import { ProgressReporter, type ProgressStream } from '../run/progress.js';
import { inspectRunFolder, RunFolder, RUN_FILES } from '../run/run-folder.js';
import { tunedTimesteps } from './defaults.js';
import { createAgent, loadAgent, type Agent } from '../agents.js';
import type { IterationMetrics } from './trpo.js';

export interface TrainRunSpec {
  /**
   * Agent options the user gave (env and seed included when given; `algo` picks TRPO, CEM or CMA-ES). On resume
   * they must match the run's.
   */
  options: Record<string, unknown>;
  /** Total env steps of the run (new run: default the env's tuned budget; resume: raises the run's target). */
  totalTimesteps?: number;
  out: string;
  /** Continue the run in `out` (true), or continue it from this checkpoint folder. */
  resume?: boolean | string;
  signal?: AbortSignal;
  onIteration?: (metrics: IterationMetrics) => void;
  /** Told what this segment does before training starts (the CLI prints it as its header). */
  onStart?: (plan: SegmentPlan) => void;
  /** Notices (a stale lock taken over, a raised target); default: none. */
  notice?: (message: string) => void;
  /** Episodes of the final deterministic evaluation (0: none). */
  evalEpisodes?: number;
  csv?: boolean;
  /** Also write TensorBoard event files under this folder (`<folder>/<run folder name>_<n>/`). */
  tensorboardLog?: string;
  /** Where progress goes (none when omitted). */
  progress?: ProgressStream;
  /** Token of the run lock a parent process (a sweep) holds for this run. */
  lockToken?: string;
}

export interface SegmentPlan {
  /** 'trpo', 'cem' or 'cmaes'. */
  algo: string;
  env: string;
  seed: number;
  /** The run's target, in env steps. */
  totalTimesteps: number;
  /** Steps already trained (the checkpoint's). */
  startTimesteps: number;
  resumed: boolean;
  /** The target before `totalTimesteps` raised it. */
  extendedFrom?: number;
}

export interface RunResult {
  status: 'finished' | 'stopped';
  env: string;
  seed: number;
  totalTimesteps: number;
  /** Over every segment of the run (see runResultSchema). */
  wallTimeS: number;
  envStepsPerS: number;
  eval?: { episodes: number; meanReturn: number; stdReturn: number };
  /** With evalFreq: the best mean return of the periodic evaluations (the agent then is in best_model/). */
  bestEval?: { evaluations: number; meanReturn: number };
  outDir: string;
}

export const RESULT_FILE = RUN_FILES.result;
export const PROGRESS_FILE = RUN_FILES.progress;
export const BEST_MODEL_SUBDIR = RUN_FILES.bestModel;

/** Options a resumed run may take from the command line without conflicting with its recorded settings. */
const FREE_ON_RESUME = new Set(['numWorkers', 'checkpointEvery', 'keepCheckpoints', 'verbose']);

export async function trainRun(spec: TrainRunSpec): Promise<RunResult> {
  // A new run's options are validated (and its env built) before anything is written.
  if (spec.resume === true && inspectRunFolder(spec.out).kind === 'empty') {
    throw new Error(`Cannot resume: ${spec.out} holds no run yet. Start it without --resume.`);
  }
  let fresh: Agent | undefined;
  if (!spec.resume) {
    fresh = createAgent(spec.options);
    await setupOrClose(fresh);
  }
  let folder: RunFolder;
  try {
    folder = RunFolder.open(spec.out, { command: 'trpo train', inheritLockToken: spec.lockToken, notice: spec.notice });
  } catch (error) {
    await fresh?.close();
    throw error;
  }
  try {
    const { agent, plan } = await prepareSegment(folder, spec, fresh);
    try {
      return await trainSegment(folder, agent, plan, spec);
    } finally {
      await agent.close();
    }
  } finally {
    folder.release();
  }
}

async function setupOrClose(agent: Agent): Promise<void> {
  try {
    await agent.setup();
  } catch (error) {
    await agent.close();
    throw error;
  }
}

/** Decide what this segment trains (see the file comment) and bring the folder into that state. */
async function prepareSegment(folder: RunFolder, spec: TrainRunSpec, fresh: Agent | undefined): Promise<{ agent: Agent; plan: SegmentPlan }> {
  const out = folder.dir;
  const checkpoint = typeof spec.resume === 'string' ? await resolveCheckpointDir(spec.resume) : await folder.latestCheckpoint();
  if (typeof spec.resume === 'string' && checkpoint === undefined) {
    throw new Error(`Cannot resume from ${spec.resume}: no complete checkpoint there (a folder with manifest.json).`);
  }
  const config = folder.readConfig();
  const recordedTarget = typeof config?.totalTimesteps === 'number' ? config.totalTimesteps : undefined;

  if (!spec.resume) {
    if (checkpoint !== undefined) {
      const what = folder.isFinished() ? 'a finished run' : 'a run with checkpoints';
      const resume = folder.isFinished() ? `train it further with --resume --timesteps N (N > ${recordedTarget ?? 'its target'})` : 'continue it with --resume';
      throw new Error(`${out} already holds ${what}: ${resume}, or choose another --out.`);
    }
    // Ours without a checkpoint (a failed or early-stopped start): nothing to lose, start it again in place.
    folder.clearForRestart();
    const agent = fresh as Agent;
    const totalTimesteps = spec.totalTimesteps ?? tunedTimesteps(agent.options.env);
    folder.writeConfig({ ...agent.options, totalTimesteps });
    return { agent, plan: { algo: algoOf(agent), env: agent.options.env, seed: agent.options.seed, totalTimesteps, startTimesteps: 0, resumed: false } };
  }

  if (checkpoint === undefined) {
    if (config === undefined) throw new Error(`Cannot resume: ${out} holds no run yet. Start it without --resume.`);
    // Stopped before its first checkpoint: start again from the beginning, with the run's own settings.
    const recorded = { ...config };
    delete recorded.totalTimesteps;
    refuseConflicts(spec.options, { algo: 'trpo', ...recorded });
    spec.notice?.(`note: ${out} has no checkpoint yet; starting it from the beginning with its recorded settings.`);
    folder.clearForRestart();
    const agent = createAgent({ ...recorded, ...pickFree(spec.options) });
    await setupOrClose(agent);
    const totalTimesteps = targetOf(spec, recordedTarget ?? tunedTimesteps(agent.options.env), 0);
    folder.writeConfig({ ...agent.options, totalTimesteps });
    return { agent, plan: { algo: algoOf(agent), env: agent.options.env, seed: agent.options.seed, totalTimesteps, startTimesteps: 0, resumed: false } };
  }

  // A damaged checkpoint is refused by the loader, naming the file and the earlier checkpoints to use.
  const agent = await loadAgent(checkpoint, pickFree(spec.options));
  try {
    refuseConflicts(spec.options, { algo: 'trpo', ...(agent.options as unknown as Record<string, unknown>) });
    const previous = recordedTarget ?? tunedTimesteps(agent.options.env);
    const totalTimesteps = targetOf(spec, previous, agent.numTimesteps);
    if (totalTimesteps > previous) spec.notice?.(`note: raising the run's target from ${previous} to ${totalTimesteps} steps (--timesteps).`);
    if (totalTimesteps <= agent.numTimesteps && folder.isFinished()) {
      throw new Error(`${out} is finished (${agent.numTimesteps} steps of ${previous}); to train further give a larger target: --resume --timesteps N.`);
    }
    folder.removeResult(); // it described the run before this segment
    folder.writeConfig({ ...agent.options, totalTimesteps });
    const plan: SegmentPlan = {
      algo: algoOf(agent), env: agent.options.env, seed: agent.options.seed, totalTimesteps, startTimesteps: agent.numTimesteps, resumed: true,
      ...(totalTimesteps > previous ? { extendedFrom: previous } : {}),
    };
    return { agent, plan };
  } catch (error) {
    await agent.close();
    throw error;
  }
}

function algoOf(agent: Agent): string {
  return (agent.options as { algo?: string }).algo ?? 'trpo';
}

/** The segment's target: the run's own, raised by `totalTimesteps` if given; lowering it is refused. */
function targetOf(spec: TrainRunSpec, recorded: number, trained: number): number {
  const wanted = spec.totalTimesteps;
  if (wanted === undefined) return recorded;
  if (wanted < recorded) {
    throw new Error(
      `--timesteps ${wanted} is below the run's target of ${recorded} steps (${trained} trained); resuming continues to the run's ` +
        `own target. Drop --timesteps, or give one above ${recorded} to extend the run.`,
    );
  }
  return wanted;
}

function pickFree(options: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([k, v]) => FREE_ON_RESUME.has(k) && v !== undefined));
}

/** Refuse settings given with --resume that differ from the run's, naming each difference. */
function refuseConflicts(given: Record<string, unknown>, recorded: Record<string, unknown>): void {
  const differences: string[] = [];
  for (const [key, value] of Object.entries(given)) {
    if (value === undefined || FREE_ON_RESUME.has(key)) continue;
    if (!sameValue(value, recorded[key])) {
      differences.push(`${key}: given ${JSON.stringify(value)}, the run has ${JSON.stringify(recorded[key] ?? null)}`);
    }
  }
  if (differences.length > 0) {
    throw new Error(
      `--resume continues the run with its own settings, but these differ:\n${differences.map((d) => `  - ${d}`).join('\n')}\n` +
        'Drop them (the run knows its env, seed and options), or start a new run with another --out.',
    );
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    if (Array.isArray(a) !== Array.isArray(b)) return false;
    // An object given may set fewer keys than the resolved one (defaults filled in): compare what was given.
    return ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) &&
      (!Array.isArray(a) || ka.length === kb.length);
  }
  return Object.is(a, b);
}

async function trainSegment(folder: RunFolder, agent: Agent, plan: SegmentPlan, spec: TrainRunSpec): Promise<RunResult> {
  spec.onStart?.(plan);
  const started = performance.now();
  const logger = RunLogger.open({
    jsonlPath: folder.file('progress'),
    csvPath: spec.csv ? folder.file('progressCsv') : undefined,
    resumeAfterIteration: plan.resumed ? agent.iteration : undefined,
  });
  const progress = spec.progress ? new ProgressReporter({ stream: spec.progress, totalTimesteps: plan.totalTimesteps }) : undefined;
  try {
    const learned = await agent.learn({
      totalTimesteps: plan.totalTimesteps,
      signal: spec.signal,
      checkpointDir: folder.checkpointRoot,
      bestModelDir: folder.file('bestModel'),
      tensorboardLog: spec.tensorboardLog,
      tbLogName: path.basename(path.resolve(folder.dir)),
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
    // TRPO keeps its training time in its checkpoints, so the total covers every segment.
    const wallTimeS = 'trainingSeconds' in agent ? agent.trainingSeconds : (performance.now() - started) / 1000;
    const result: RunResult = {
      status: learned.stoppedEarly ? 'stopped' : 'finished',
      env: plan.env,
      seed: plan.seed,
      totalTimesteps: agent.numTimesteps,
      wallTimeS,
      envStepsPerS: agent.numTimesteps / wallTimeS,
      outDir: folder.dir,
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
      await agent.save(folder.file('model'));
      folder.writeResult({ ...result, status: 'finished' });
    }
    progress?.finish({
      timesteps: agent.numTimesteps, elapsedSeconds: wallTimeS, evaluation: result.eval, outDir: folder.dir,
      interrupted: learned.stoppedEarly,
    });
    return result;
  } finally {
    logger.close();
  }
}

// `sweep(spec, options)`: run every training run of a sweep (or of one shard of it) on this machine.
//
// Scheduling: runs start in list order while they fit the core budget — each run keeps `threads` cores busy
// (its worker threads) and the running total stays ≤ `cores` unless `oversubscribe` is set; a run bigger than
// the whole budget runs alone. `jobs` caps the number of runs at a time on top of that.
// Re-running a sweep continues it: finished runs (result.json) are skipped, interrupted ones (checkpoints,
// no result) and failed ones are resumed from their newest checkpoint (or restarted if they have none).
// A failing run is recorded in failed.json and the others go on. Aborting `signal` asks every running child to
// checkpoint and stop, starts nothing new, and resolves once they have stopped.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { isTempFileName } from '../run/atomic.js';
import { RunLockedError } from '../run/lock.js';
import { RunFolder } from '../run/run-folder.js';
import { childProcessRunner, RunFailedError, type RunFunction } from './runner.js';
import {
  FAILED_FILE, inspectRunDir, RUNS_SUBDIR, SWEEP_FILE, latestProgress, OPTIONS_FILE, readJsonFile, RESULT_FILE, runDirOf, runResultSchema,
  writeJsonAtomically, type RunFailureJson, type RunResultJson,
} from './run-dir.js';
import { parseShard, selectShard, type Shard } from './shard.js';
import { parseSweepSpec, planRuns, type PlannedRun, type SweepSpec, type SweepSpecInput } from './spec.js';
import { readSweepFile, writeSweepFile } from './sweep-file.js';
import { writeSummaryFiles, type SweepSummary } from './summary.js';

export interface SweepOptions {
  /** Folder of the sweep (created if needed); re-use it to continue a sweep. */
  out: string;
  /** Run only this share of the run list ("i/N" or { index, count }). */
  shard?: string | Shard;
  /** Runs at a time, at most (overrides the spec's `jobs`). Default: as many as the core budget allows. */
  jobs?: number;
  /** Core budget (default: os.availableParallelism()). */
  cores?: number;
  /** Ignore the core budget: run `jobs` runs at a time whatever their threads. */
  oversubscribe?: boolean;
  /** Abort to stop: running children checkpoint and stop, pending runs are not started. */
  signal?: AbortSignal;
  /** Called on the plan, when runs start and end, and every `pollIntervalMs` with fresh progress. */
  onProgress?: (event: SweepEvent) => void;
  /** How a run is trained (default: a `trpo train` child process per run). */
  runner?: RunFunction;
  /** How often running runs' progress.jsonl are read for the progress display (default 2000 ms). */
  pollIntervalMs?: number;
}

export type RunOutcome =
  | { status: 'finished'; result: RunResultJson }
  | { status: 'skipped'; result: RunResultJson } // finished before this invocation
  | { status: 'failed'; failure: RunFailureJson }
  | { status: 'interrupted' } // stopped by the signal (or never started because of it)
  | { status: 'busy'; owner: string }; // another process writes this run (e.g. a second sweep): left alone

export interface SweepProgress {
  /** Runs in this invocation (the shard's share). */
  total: number;
  /** Finished, including runs finished before this invocation. */
  done: number;
  running: number;
  failed: number;
  pending: number;
  timestepsDone: number;
  timestepsTotal: number;
  /** Sum of the running runs' latest env-steps/s (time/fps); undefined before any reported one. */
  stepsPerSecond: number | undefined;
  /** Remaining timesteps at the current aggregate rate. */
  etaSeconds: number | undefined;
  elapsedSeconds: number;
}

export interface ConcurrencyLimits {
  /** Runs at a time, at most. */
  maxRuns: number;
  /** Sum of running runs' threads, at most (Infinity when oversubscribing). */
  coreBudget: number;
}

export type SweepEvent =
  | { type: 'plan'; runs: PlannedRun[]; limits: ConcurrencyLimits; notes: string[]; progress: SweepProgress }
  | { type: 'run-start'; run: PlannedRun; resume: boolean; progress: SweepProgress }
  | { type: 'run-end'; run: PlannedRun; outcome: RunOutcome; progress: SweepProgress }
  | { type: 'tick'; progress: SweepProgress };

export interface SweepResult {
  out: string;
  runs: Array<{ run: PlannedRun; outcome: RunOutcome }>;
  /** True when the signal stopped the sweep before every run ended. */
  interrupted: boolean;
  wallTimeS: number;
  /** The summary of every run in `out` (all shards that wrote there so far). */
  summary: SweepSummary;
}

/** How many runs may run at once, and how many worker threads they may keep busy together. */
export function concurrencyLimits(limits: { jobs?: number; cores: number; oversubscribe?: boolean }): ConcurrencyLimits {
  for (const [field, value] of [['jobs', limits.jobs], ['cores', limits.cores]] as const) {
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 1)) {
      throw new RangeError(`sweep ${field} must be an integer >= 1, got ${value}`);
    }
  }
  if (limits.oversubscribe) return { maxRuns: limits.jobs ?? limits.cores, coreBudget: Infinity };
  return { maxRuns: limits.jobs ?? Infinity, coreBudget: limits.cores };
}

/** Run a sweep (see the file comment). `spec` is validated first; nothing starts if it is invalid. */
export async function sweep(specInput: SweepSpecInput | SweepSpec, options: SweepOptions): Promise<SweepResult> {
  const startTime = performance.now();
  const spec = parseSweepSpec(specInput);
  const allRuns = planRuns(spec);
  const shard = typeof options.shard === 'string' ? parseShard(options.shard) : options.shard;
  const runs = shard ? selectShard(allRuns, shard) : allRuns;
  const runner = options.runner ?? childProcessRunner();
  const signal = options.signal ?? new AbortController().signal;
  const cores = options.cores ?? os.availableParallelism();
  const limits = concurrencyLimits({ jobs: options.jobs ?? spec.jobs, cores, oversubscribe: options.oversubscribe });

  fs.mkdirSync(options.out, { recursive: true });
  claimSweepFolder(options.out, spec, allRuns);

  // Where each run stands before we start.
  type Slot = { run: PlannedRun; runDir: string; resume: boolean; timesteps: number; fps?: number; outcome?: RunOutcome };
  const slots: Slot[] = [];
  for (const run of runs) {
    const runDir = runDirOf(options.out, run.id);
    const state = await inspectRunDir(runDir);
    const slot: Slot = { run, runDir, resume: false, timesteps: 0 };
    if (state.kind === 'finished') {
      slot.outcome = { status: 'skipped', result: state.result };
      slot.timesteps = run.totalTimesteps;
    } else {
      slot.resume = state.kind === 'interrupted' || (state.kind === 'failed' && state.resumable);
      slot.timesteps = slot.resume ? (latestProgress(runDir)?.timesteps ?? 0) : 0;
    }
    slots.push(slot);
  }

  const pending = slots.filter((s) => s.outcome === undefined);
  const running = new Set<Slot>();
  const progress = (): SweepProgress => {
    let rate: number | undefined;
    for (const s of running) if (s.fps !== undefined) rate = (rate ?? 0) + s.fps;
    const count = (status: RunOutcome['status'][]) => slots.filter((s) => s.outcome && status.includes(s.outcome.status)).length;
    const remaining = slots.filter((s) => s.outcome === undefined).reduce((sum, s) => sum + Math.max(0, s.run.totalTimesteps - s.timesteps), 0);
    return {
      total: slots.length,
      done: count(['finished', 'skipped']),
      running: running.size,
      failed: count(['failed']),
      pending: pending.length,
      timestepsDone: slots.reduce((sum, s) => sum + Math.min(s.timesteps, s.run.totalTimesteps), 0),
      timestepsTotal: slots.reduce((sum, s) => sum + s.run.totalTimesteps, 0),
      stepsPerSecond: rate,
      etaSeconds: rate !== undefined && rate > 0 ? remaining / rate : undefined,
      elapsedSeconds: (performance.now() - startTime) / 1000,
    };
  };
  const emit = (event: SweepEvent) => options.onProgress?.(event);
  emit({ type: 'plan', runs, limits, notes: planNotes(slots, limits, allRuns.length, shard), progress: progress() });

  const trainOne = async (slot: Slot): Promise<void> => {
    // The sweep locks the run folder, prepares it, and hands the lock to its trainer; a run another process
    // holds (a second sweep on the same folder) is left alone. Nothing of a run folder is ever deleted here:
    // the trainer restarts a run without a checkpoint in place.
    let folder: RunFolder;
    try {
      folder = RunFolder.open(slot.runDir, { command: 'trpo sweep', notice: () => undefined });
    } catch (error) {
      if (error instanceof RunLockedError) {
        slot.outcome = { status: 'busy', owner: `${error.owner.command} (pid ${error.owner.pid} on ${error.owner.host})` };
      } else {
        slot.outcome = await outcomeOf(slot.run, slot.runDir, error, false); // e.g. a folder that is not a run's
      }
      return;
    }
    const optionsFile = path.join(slot.runDir, OPTIONS_FILE);
    let error: unknown;
    try {
      fs.rmSync(path.join(slot.runDir, FAILED_FILE), { force: true });
      writeJsonAtomically(optionsFile, slot.run.options);
      await runner({ run: slot.run, runDir: slot.runDir, optionsFile, resume: slot.resume, signal, lockToken: folder.lockToken });
    } catch (e) {
      error = e;
    } finally {
      folder.release(); // a no-op once the trainer took the lock over
    }
    slot.outcome = await outcomeOf(slot.run, slot.runDir, error, signal.aborted);
    slot.timesteps = slot.outcome.status === 'finished' ? slot.run.totalTimesteps : (latestProgress(slot.runDir)?.timesteps ?? 0);
    if (slot.outcome.status === 'failed') recordFailure(slot.runDir, slot.outcome.failure);
  };

  const poll = setInterval(() => {
    for (const s of running) {
      try {
        const latest = latestProgress(s.runDir);
        if (latest) Object.assign(s, latest);
      } catch {
        // A log being rewritten at this instant (resume) is read again at the next tick.
      }
    }
    emit({ type: 'tick', progress: progress() });
  }, options.pollIntervalMs ?? 2000);
  poll.unref();

  const inFlight = new Map<Slot, Promise<Slot>>();
  try {
    while (!signal.aborted && (pending.length > 0 || inFlight.size > 0)) {
      const used = [...running].reduce((sum, s) => sum + s.run.threads, 0);
      const next = running.size < limits.maxRuns
        ? pending.findIndex((s) => running.size === 0 || used + s.run.threads <= limits.coreBudget)
        : -1;
      if (next >= 0) {
        const [slot] = pending.splice(next, 1);
        running.add(slot);
        emit({ type: 'run-start', run: slot.run, resume: slot.resume, progress: progress() });
        inFlight.set(slot, trainOne(slot).then(() => slot));
        continue;
      }
      const ended = await Promise.race(inFlight.values());
      inFlight.delete(ended);
      running.delete(ended);
      emit({ type: 'run-end', run: ended.run, outcome: ended.outcome as RunOutcome, progress: progress() });
    }
    // Stopped: wait for the children to checkpoint and exit.
    for (const [slot, done] of inFlight) {
      await done;
      running.delete(slot);
      emit({ type: 'run-end', run: slot.run, outcome: slot.outcome as RunOutcome, progress: progress() });
    }
  } finally {
    clearInterval(poll);
  }
  for (const slot of pending) slot.outcome = { status: 'interrupted' };

  const summary = await writeSummaryFiles([options.out], options.out);
  return {
    out: options.out,
    runs: slots.map((s) => ({ run: s.run, outcome: s.outcome as RunOutcome })),
    interrupted: signal.aborted,
    wallTimeS: (performance.now() - startTime) / 1000,
    summary,
  };
}

/** failed.json, written under the run's lock (taken over from the trainer that died); skipped if someone else took it. */
function recordFailure(runDir: string, failure: RunFailureJson): void {
  let folder: RunFolder;
  try {
    folder = RunFolder.open(runDir, { command: 'trpo sweep', notice: () => undefined });
  } catch (error) {
    if (error instanceof RunLockedError) return;
    throw error;
  }
  try {
    writeJsonAtomically(path.join(runDir, FAILED_FILE), failure);
  } finally {
    folder.release();
  }
}

/** What became of a run whose runner returned (or threw `error`). */
async function outcomeOf(run: PlannedRun, runDir: string, error: unknown, aborted: boolean): Promise<RunOutcome> {
  const resultFile = path.join(runDir, RESULT_FILE);
  if (fs.existsSync(resultFile)) {
    try {
      return { status: 'finished', result: readJsonFile(resultFile, runResultSchema) };
    } catch (e) {
      error = e;
    }
  } else if (aborted) {
    return { status: 'interrupted' };
  }
  const failure: RunFailureJson = {
    status: 'failed',
    runId: run.id,
    error: error === undefined ? `the trainer ended without writing ${RESULT_FILE}` : errorText(error),
    exitCode: error instanceof RunFailedError ? error.exitCode : null,
    signal: error instanceof RunFailedError ? error.signal : null,
    failedAt: new Date().toISOString(),
  };
  return { status: 'failed', failure };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Write sweep.json, or check that the folder's existing one describes the same runs. */
function claimSweepFolder(out: string, spec: SweepSpec, runs: PlannedRun[]): void {
  const existing = readSweepFile(out);
  if (existing === undefined) {
    // Never write into a folder of the user's: a new sweep needs a new or empty folder.
    const entries = fs.readdirSync(out).filter((name) => !isTempFileName(name) && name !== RUNS_SUBDIR);
    if (entries.length > 0) {
      throw new Error(
        `${out} is not empty and holds no ${SWEEP_FILE}, so it is not a sweep folder (it holds ${entries.slice(0, 5).join(', ')}); ` +
          'nothing was written to it. Choose a new or empty folder for the sweep.',
      );
    }
    writeSweepFile(out, spec, runs);
    return;
  }
  const ids = (list: Array<{ id: string }>) => list.map((r) => r.id).sort().join('\n');
  if (ids(existing.runs) !== ids(runs)) {
    throw new Error(
      `${out} already holds a different sweep (its sweep.json lists other runs); ` +
        `use another --out, or delete ${path.join(out, 'sweep.json')} to replace its run list`,
    );
  }
}

function planNotes(slots: Array<{ run: PlannedRun; outcome?: RunOutcome; resume: boolean }>, limits: ConcurrencyLimits, totalRuns: number, shard?: Shard): string[] {
  const notes: string[] = [];
  const share = shard ? ` (shard ${shard.index}/${shard.count} of ${totalRuns})` : '';
  const skipped = slots.filter((s) => s.outcome?.status === 'skipped').length;
  const resumed = slots.filter((s) => s.outcome === undefined && s.resume).length;
  notes.push(`Sweep: ${slots.length} runs${share}; ${skipped} finished already, ${resumed} to resume.`);
  const threads = Math.max(1, ...slots.map((s) => s.run.threads));
  if (Number.isFinite(limits.coreBudget)) {
    const fit = Math.max(1, Math.floor(limits.coreBudget / threads));
    const atOnce = Math.min(fit, limits.maxRuns);
    notes.push(`Up to ${atOnce} run(s) at a time: ${limits.coreBudget} cores, ${threads} worker thread(s) per run.`);
    if (limits.maxRuns !== Infinity && limits.maxRuns > fit) {
      notes.push(`jobs ${limits.maxRuns} would oversubscribe the cores; set numWorkers lower in options, or pass --oversubscribe.`);
    }
    if (threads > limits.coreBudget) notes.push(`A run needs ${threads} threads, more than ${limits.coreBudget} cores: such runs run alone.`);
  } else {
    notes.push(`Up to ${limits.maxRuns} run(s) at a time (oversubscribing: core budget ignored).`);
  }
  return notes;
}

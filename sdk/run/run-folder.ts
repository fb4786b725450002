// The one owner of a run folder: its layout, which folders count as ours, its lock, config.json with the
// checksum that catches hand edits, and result.json's schema. Train, resume, eval, export and sweep all go
// through here.
//
//   <run>/run.json          marks the folder as a trpo-wasm run; holds config.json's sha256
//   <run>/lock.json         present while a process writes the run (sdk/run/lock.ts)
//   <run>/config.json       the resolved options and the run's target (totalTimesteps)
//   <run>/progress.jsonl    one record per iteration (progress.csv with --csv)
//   <run>/checkpoints/      resumable checkpoints (sdk/run/checkpoint.ts), newest named by `latest`
//   <run>/model/            the final agent; <run>/best_model/ the best periodically evaluated one
//   <run>/result.json       written last when the run reaches its target (schema below)
//   <run>/sweep-options.json, output.log, failed.json   written by a sweep around its trainer
//
// Rules: nothing is ever written into a folder that is neither empty nor a run of ours; every write is atomic
// (sdk/run/atomic.ts); only the lock holder writes.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { parseOrThrow } from '../validation.js';
import { isTempFileName, removeTempFiles, writeJsonAtomic } from './atomic.js';
import { CHECKPOINTS_SUBDIR, CheckpointError, listCheckpoints, MANIFEST_FILE, readCheckpoint, resolveCheckpointDir } from './checkpoint.js';
import { explainFsError, explainingFsErrorsSync } from './fs-errors.js';
import { acquireLock, LOCK_FILE, type RunLock } from './lock.js';

export const RUN_FILES = {
  marker: 'run.json',
  lock: LOCK_FILE,
  config: 'config.json',
  progress: 'progress.jsonl',
  progressCsv: 'progress.csv',
  checkpoints: CHECKPOINTS_SUBDIR,
  model: 'model',
  bestModel: 'best_model',
  result: 'result.json',
  sweepOptions: 'sweep-options.json',
  outputLog: 'output.log',
  failed: 'failed.json',
} as const;

const RUN_FORMAT = 'trpo-wasm-run';
const RUN_FORMAT_VERSION = 1;

const markerSchema = z.object({
  format: z.literal(RUN_FORMAT),
  formatVersion: z.int().positive(),
  createdAt: z.string(),
  /** sha256 of config.json as we last wrote it; null before the first one. */
  configSha256: z.string().nullable(),
  /** The checksum of a config.json being replaced right now (a crash between the two writes is no hand edit). */
  pendingConfigSha256: z.string().optional(),
});
type RunMarker = z.infer<typeof markerSchema>;

/** result.json, written when a run reaches its target. Time and speed cover every segment of a resumed run. */
export const runResultSchema = z.looseObject({
  status: z.literal('finished'),
  env: z.string(),
  seed: z.number(),
  totalTimesteps: z.number(),
  /** Training wall time over all segments (work lost to a crash after the last checkpoint is not counted). */
  wallTimeS: z.number(),
  /** totalTimesteps / wallTimeS. */
  envStepsPerS: z.number(),
  /** Absent when the run was trained without a final evaluation. */
  eval: z.looseObject({ episodes: z.number(), meanReturn: z.number(), stdReturn: z.number() }).optional(),
  /** The run folder, as it was given when the run finished. */
  outDir: z.string().optional(),
});
export type RunResultJson = z.infer<typeof runResultSchema>;

/** Our own files: a folder holding only these (and temp files) is a run folder, or one a sweep prepared. */
const OWN_NAMES = new Set<string>(Object.values(RUN_FILES));
const PREPARED_NAMES = new Set<string>([RUN_FILES.lock, RUN_FILES.sweepOptions, RUN_FILES.outputLog, RUN_FILES.failed]);

export type RunFolderKind =
  | { kind: 'empty' } // absent or empty: a new run may start
  | { kind: 'foreign'; entries: string[] } // holds things that are not ours: never written to
  | { kind: 'run'; hasConfig: boolean; finished: boolean };

/** What `dir` holds, without writing anything. */
export function inspectRunFolder(dir: string): RunFolderKind {
  let entries: string[];
  try {
    if (!fs.statSync(dir).isDirectory()) {
      throw new Error(`${dir} is a file, not a folder: give a folder for the run (a new or empty one).`);
    }
    entries = fs.readdirSync(dir).filter((name) => !isTempFileName(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'empty' };
    throw explainFsError(error, 'read the run folder', dir);
  }
  if (entries.length === 0) return { kind: 'empty' };
  // A folder holding only our lock or a sweep's preparations (no file the trainer writes) is ours too.
  const prepared = entries.every((name) => PREPARED_NAMES.has(name));
  const ours = prepared || entries.includes(RUN_FILES.marker) || isLegacyRun(dir, entries);
  const strangers = entries.filter((name) => !OWN_NAMES.has(name));
  if (!ours || strangers.length > 0) {
    // A run folder with extra files of the user's is still refused: we would not know what is whose.
    return { kind: 'foreign', entries: ours ? strangers : entries };
  }
  return { kind: 'run', hasConfig: entries.includes(RUN_FILES.config), finished: entries.includes(RUN_FILES.result) };
}

/** Runs written before run.json existed: a checkpoint root with a complete checkpoint. */
function isLegacyRun(dir: string, entries: string[]): boolean {
  if (!entries.includes(RUN_FILES.checkpoints)) return false;
  const root = path.join(dir, RUN_FILES.checkpoints);
  try {
    return fs.readdirSync(root).some((name) => /^\d+$/.test(name) && fs.existsSync(path.join(root, name, MANIFEST_FILE)));
  } catch {
    return false;
  }
}

function foreignFolderMessage(dir: string, entries: string[]): string {
  const shown = entries.slice(0, 5).join(', ') + (entries.length > 5 ? `, … (${entries.length} entries)` : '');
  return `${dir} is not empty and is not a trpo-wasm run folder (it holds ${shown}); nothing was written to it. ` +
    'Choose a new or empty folder for the run.';
}

export interface OpenRunFolderOptions {
  /** Shown to other processes refused by the lock. */
  command: string;
  /** A lock our parent holds for us (TRPO_LOCK_TOKEN from a sweep). */
  inheritLockToken?: string;
  notice?: (message: string) => void;
}

/** A run folder held under its lock. Only the holder writes; `release()` when done. */
export class RunFolder {
  private constructor(readonly dir: string, private readonly lock: RunLock) {}

  /** Create (if needed) and lock `dir`; refuses foreign folders and folders another process writes. */
  static open(dir: string, options: OpenRunFolderOptions): RunFolder {
    const before = inspectRunFolder(dir);
    if (before.kind === 'foreign') throw new Error(foreignFolderMessage(dir, before.entries));
    explainingFsErrorsSync('create the run folder', dir, () => fs.mkdirSync(dir, { recursive: true }));
    const lock = acquireLock(dir, { command: options.command, inheritToken: options.inheritLockToken, notice: options.notice });
    try {
      // Look again now that nobody else can write: the folder may have changed since the first look.
      const now = inspectRunFolder(dir);
      if (now.kind === 'foreign') throw new Error(foreignFolderMessage(dir, now.entries));
      const folder = new RunFolder(dir, lock);
      removeTempFiles(dir);
      if (!fs.existsSync(folder.file('marker'))) folder.writeMarker({ configSha256: null });
      return folder;
    } catch (error) {
      lock.release();
      throw error;
    }
  }

  /** The lock's token, for handing the lock to a child process (LOCK_TOKEN_ENV). */
  get lockToken(): string {
    return this.lock.info.token;
  }

  file(name: keyof typeof RUN_FILES): string {
    return path.join(this.dir, RUN_FILES[name]);
  }

  get checkpointRoot(): string {
    return this.file('checkpoints');
  }

  /** The newest complete checkpoint folder, if any. */
  async latestCheckpoint(): Promise<string | undefined> {
    return resolveCheckpointDir(this.checkpointRoot);
  }

  isFinished(): boolean {
    return fs.existsSync(this.file('result'));
  }

  /**
   * config.json, checked against the checksum recorded when we wrote it: a hand-edited file is refused (the
   * settings of a run cannot change under its checkpoints). Undefined when there is none yet.
   */
  readConfig(): Record<string, unknown> | undefined {
    const file = this.file('config');
    if (!fs.existsSync(file)) return undefined;
    const bytes = explainingFsErrorsSync('read', file, () => fs.readFileSync(file));
    const marker = this.readMarker();
    const digest = sha256(bytes);
    if (marker.configSha256 !== null && digest !== marker.configSha256 && digest !== marker.pendingConfigSha256) {
      throw new Error(
        `${file} was changed after trpo wrote it (its sha256 differs from the one in ${RUN_FILES.marker}); a run's settings cannot ` +
          `change under its checkpoints, so it is not used and not overwritten. Put the original back (a copy is in each ` +
          `checkpoint's config.json), or start a new run with the edited file: trpo train --config ${file} --out NEW_DIR.`,
      );
    }
    return parseJsonObject(bytes, file);
  }

  /** Write config.json and record its checksum (crash-safe: either checksum is accepted in between). */
  writeConfig(config: Record<string, unknown>): void {
    const text = JSON.stringify(config, null, 2) + '\n';
    const digest = sha256(Buffer.from(text, 'utf8'));
    const marker = this.readMarker();
    this.writeMarker({ configSha256: marker.configSha256, pendingConfigSha256: digest });
    writeJsonAtomic(this.file('config'), config);
    this.writeMarker({ configSha256: digest });
  }

  /** Start the run again from nothing (it has no checkpoint to lose): remove what an earlier attempt left. */
  clearForRestart(): void {
    for (const name of ['progress', 'progressCsv', 'checkpoints', 'model', 'bestModel', 'result'] as const) {
      fs.rmSync(this.file(name), { recursive: true, force: true });
    }
  }

  writeResult(result: RunResultJson): void {
    writeJsonAtomic(this.file('result'), parseOrThrow(runResultSchema, result, 'result.json'));
  }

  removeResult(): void {
    fs.rmSync(this.file('result'), { force: true });
  }

  release(): void {
    this.lock.release();
  }

  private readMarker(): RunMarker {
    const file = this.file('marker');
    return parseOrThrow(markerSchema, parseJsonObject(explainingFsErrorsSync('read', file, () => fs.readFileSync(file)), file), file);
  }

  private writeMarker(fields: Pick<RunMarker, 'configSha256' | 'pendingConfigSha256'>): void {
    let createdAt = new Date().toISOString();
    if (fs.existsSync(this.file('marker'))) createdAt = this.readMarker().createdAt;
    writeJsonAtomic(this.file('marker'), { format: RUN_FORMAT, formatVersion: RUN_FORMAT_VERSION, createdAt, ...fields });
  }
}

/**
 * The folder to load a run's agent from, for eval and export: its final model, else its newest checkpoint.
 * A damaged model is refused with the run's newest good checkpoint named as the way out.
 */
export async function runModelDir(runDir: string): Promise<string> {
  const model = path.join(runDir, RUN_FILES.model);
  if (fs.existsSync(path.join(runDir, MANIFEST_FILE))) return runDir; // a checkpoint or model folder itself
  if (!fs.existsSync(model)) {
    const latest = await resolveCheckpointDir(path.join(runDir, RUN_FILES.checkpoints));
    if (latest) return latest;
    throw new Error(`${runDir} holds no trained model and no checkpoint (is it a run folder written by trpo train?)`);
  }
  try {
    await readCheckpoint(model);
    return model;
  } catch (error) {
    if (!(error instanceof CheckpointError)) throw error;
    const good = await newestGoodCheckpoint(path.join(runDir, RUN_FILES.checkpoints));
    const way = good
      ? `The run's newest good checkpoint is ${good}: use it with --run ${good}, or continue the run from it with trpo train --out ${runDir} --resume-from ${good}.`
      : `The run has no good checkpoint either: train it again.`;
    throw new CheckpointError(error.file, error.problem, way);
  }
}

/**
 * The saved-model or checkpoint folder that `file` would land in (a folder with manifest.json, or a run's
 * checkpoints/ root), if any: writing there would damage a run's data, so callers refuse it.
 */
export function runDataFolderOf(file: string): string | undefined {
  let dir = path.dirname(path.resolve(file));
  for (let depth = 0; depth < 3; depth++) {
    if (fs.existsSync(path.join(dir, MANIFEST_FILE))) return dir;
    if (path.basename(dir) === RUN_FILES.checkpoints && fs.existsSync(path.join(path.dirname(dir), RUN_FILES.marker))) return dir;
    dir = path.dirname(dir);
  }
  return undefined;
}

/** The newest checkpoint under `root` that reads back intact (checksums verified). */
export async function newestGoodCheckpoint(root: string): Promise<string | undefined> {
  for (const { dir } of (await listCheckpoints(root)).reverse()) {
    try {
      await readCheckpoint(dir);
      return dir;
    } catch (error) {
      if (!(error instanceof CheckpointError)) throw error;
    }
  }
  return undefined;
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function parseJsonObject(bytes: Uint8Array, file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file} must hold a JSON object`);
  return value as Record<string, unknown>;
}

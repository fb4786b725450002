// Checkpoints: a folder of payload files plus a manifest that lists each file's byte length and sha256.
//
// Layout of one checkpoint (e.g. runs/x/checkpoints/000012/):
//   manifest.json   format, version, created time, iteration, timesteps, { file → bytes, sha256 }
//   config.json     and any other JSON payloads (`json`)
//   <name>.f64      Float64Array payloads (`arrays`): raw little-endian f64, so values restore bit-exactly
// Every file is written atomically (sdk/run/atomic.ts); the manifest goes last, so its presence marks a
// complete checkpoint and an interrupted write leaves only a folder without one (ignored by readers).
// Several checkpoints live side by side under a root (runs/x/checkpoints/) with a `latest` pointer file, and
// only the last `keep` are kept.

import { createHash } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { removeTempFiles, syncFolder, writeFileAtomic } from './atomic.js';
import { explainingFsErrors } from './fs-errors.js';

export const CHECKPOINT_FORMAT = 'trpo-wasm-checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
/** Name of the pointer file in a checkpoint root; it holds the folder name of the newest checkpoint. */
export const LATEST_FILE = 'latest';
/** Where a run folder keeps its checkpoints. */
export const CHECKPOINTS_SUBDIR = 'checkpoints';

const PAYLOAD_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]*$/;

/** What a checkpoint stores. `json.config` becomes config.json; `arrays.policy` becomes policy.f64. */
export interface CheckpointData {
  iteration: number;
  timesteps: number;
  json: { config: unknown; [name: string]: unknown };
  arrays: Record<string, Float64Array>;
}

const fileEntrySchema = z.object({
  bytes: z.int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits'),
});

const manifestSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  formatVersion: z.int().positive(),
  createdAt: z.iso.datetime(),
  iteration: z.int().nonnegative(),
  timesteps: z.int().nonnegative(),
  files: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_-]*\.(json|f64)$/, 'must be <name>.json or <name>.f64'), fileEntrySchema),
});

export type CheckpointManifest = z.infer<typeof manifestSchema>;

export interface Checkpoint {
  dir: string;
  manifest: CheckpointManifest;
  json: Record<string, unknown>;
  arrays: Record<string, Float64Array>;
}

/** A checkpoint that cannot be read: names the file, what is wrong with it and what to do. */
export class CheckpointError extends Error {
  constructor(readonly file: string, readonly problem: string, readonly remedy: string) {
    super(`Checkpoint file ${file} ${problem}. ${remedy}`);
    this.name = 'CheckpointError';
  }
}

// Payloads are the f64 bytes as they sit in memory, so the format is little-endian only.
function assertLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new Error('trpo-wasm checkpoints need a little-endian machine');
}

/** Write a complete checkpoint into `dir` (created if needed; an older checkpoint there is replaced). */
export async function writeCheckpoint(dir: string, data: CheckpointData): Promise<CheckpointManifest> {
  assertLittleEndian();
  for (const [field, value] of [['iteration', data.iteration], ['timesteps', data.timesteps]] as const) {
    if (!(Number.isSafeInteger(value) && value >= 0)) {
      throw new RangeError(`writeCheckpoint: ${field} must be an integer >= 0, got ${value}`);
    }
  }
  if (data.json.config === undefined) throw new TypeError('writeCheckpoint: json.config is required (it becomes config.json)');
  const payloads = new Map<string, Uint8Array>();
  for (const [name, value] of Object.entries(data.json)) {
    payloads.set(`${checkName(name)}.json`, Buffer.from(stringifyStrict(value, name) + '\n', 'utf8'));
  }
  for (const [name, array] of Object.entries(data.arrays)) {
    if (!(array instanceof Float64Array)) throw new TypeError(`writeCheckpoint: arrays.${name} must be a Float64Array`);
    payloads.set(`${checkName(name)}.f64`, new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
  }

  await explainingFsErrors('create the checkpoint folder', dir, () => fsp.mkdir(dir, { recursive: true }));
  // Drop an older manifest first: while payloads are replaced the folder must not look complete.
  await fsp.rm(path.join(dir, MANIFEST_FILE), { force: true });
  syncFolder(dir);
  const files: CheckpointManifest['files'] = {};
  for (const [file, bytes] of payloads) {
    writeFileAtomic(path.join(dir, file), bytes);
    files[file] = { bytes: bytes.byteLength, sha256: sha256(bytes) };
  }
  testPauseBeforeManifest(dir);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    iteration: data.iteration,
    timesteps: data.timesteps,
    files,
  };
  writeFileAtomic(path.join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n');
  removeTempFiles(dir);
  return manifest;
}

/** Read and verify a checkpoint folder: every listed file must exist with the listed length and sha256. */
export async function readCheckpoint(dir: string): Promise<Checkpoint> {
  assertLittleEndian();
  const remedy = await earlierCheckpointsRemedy(dir);
  const manifestPath = path.join(dir, MANIFEST_FILE);
  let manifestText: string;
  try {
    manifestText = await fsp.readFile(manifestPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new CheckpointError(manifestPath, 'is missing, so the checkpoint is incomplete (an interrupted write) or the folder is not a checkpoint', remedy);
  }
  let manifestJson: unknown;
  try {
    manifestJson = JSON.parse(manifestText);
  } catch (error) {
    throw new CheckpointError(manifestPath, `is not valid JSON (${(error as Error).message})`, remedy);
  }
  const parsed = manifestSchema.safeParse(manifestJson);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ');
    throw new CheckpointError(manifestPath, `is not a valid manifest: ${problems}`, remedy);
  }
  const manifest = parsed.data;
  if (manifest.formatVersion > CHECKPOINT_FORMAT_VERSION) {
    throw new CheckpointError(
      manifestPath,
      `has format version ${manifest.formatVersion}, newer than this trpo-wasm reads (${CHECKPOINT_FORMAT_VERSION})`,
      'Upgrade trpo-wasm to read it.',
    );
  }

  const json: Record<string, unknown> = {};
  const arrays: Record<string, Float64Array> = {};
  for (const [file, expected] of Object.entries(manifest.files)) {
    const filePath = path.join(dir, file);
    let bytes: Buffer;
    try {
      bytes = await fsp.readFile(filePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      throw new CheckpointError(filePath, 'is missing (listed in manifest.json)', remedy);
    }
    if (bytes.byteLength !== expected.bytes) {
      const what = bytes.byteLength < expected.bytes ? 'is truncated' : 'is longer than recorded';
      throw new CheckpointError(filePath, `${what}: ${bytes.byteLength} bytes, manifest.json says ${expected.bytes}`, remedy);
    }
    if (sha256(bytes) !== expected.sha256) {
      throw new CheckpointError(filePath, 'is corrupt: its sha256 does not match manifest.json', remedy);
    }
    const name = file.slice(0, file.lastIndexOf('.'));
    if (file.endsWith('.json')) {
      json[name] = JSON.parse(bytes.toString('utf8'));
    } else {
      if (bytes.byteLength % 8 !== 0) {
        throw new CheckpointError(filePath, `has ${bytes.byteLength} bytes, not a whole number of f64 values`, remedy);
      }
      const array = new Float64Array(bytes.byteLength / 8);
      new Uint8Array(array.buffer).set(bytes); // copy: the Buffer may not be 8-byte aligned
      arrays[name] = array;
    }
  }
  if (!('config' in json)) throw new CheckpointError(path.join(dir, 'config.json'), 'is not listed in manifest.json', remedy);
  return { dir, manifest, json, arrays };
}

/** Folder name of a checkpoint: the iteration, zero-padded so names sort like numbers. */
export function checkpointDirName(iteration: number): string {
  return String(iteration).padStart(6, '0');
}

export interface SaveCheckpointOptions {
  /** How many of the newest checkpoints to keep (default 3). */
  keep?: number;
}

/**
 * Save `data` as `root/<iteration>/`, point `root/latest` at it, then prune: keep the newest `keep`
 * checkpoints. Checkpoints of later iterations (left by a run that was resumed from an earlier checkpoint)
 * belong to the abandoned continuation and are removed, as are incomplete folders of interrupted writes.
 */
export async function saveCheckpoint(root: string, data: CheckpointData, { keep = 3 }: SaveCheckpointOptions = {}): Promise<string> {
  if (!(Number.isSafeInteger(keep) && keep >= 1)) throw new RangeError(`saveCheckpoint: keep must be an integer >= 1, got ${keep}`);
  const name = checkpointDirName(data.iteration);
  const dir = path.join(root, name);
  await writeCheckpoint(dir, data);
  writeFileAtomic(path.join(root, LATEST_FILE), name + '\n');
  removeTempFiles(root); // of a `latest` write that was interrupted
  const entries = await numberedDirs(root);
  const kept = new Set<number>();
  for (const entry of entries.filter((e) => e.iteration <= data.iteration).reverse()) {
    if (kept.size < keep && (await exists(path.join(entry.dir, MANIFEST_FILE)))) kept.add(entry.iteration);
  }
  for (const entry of entries) {
    if (!kept.has(entry.iteration)) await fsp.rm(entry.dir, { recursive: true, force: true });
  }
  return dir;
}

/** Complete checkpoints under `root` (folders with a manifest), oldest first. */
export async function listCheckpoints(root: string): Promise<Array<{ iteration: number; dir: string }>> {
  const complete = [];
  for (const entry of await numberedDirs(root)) {
    if (await exists(path.join(entry.dir, MANIFEST_FILE))) complete.push(entry);
  }
  return complete;
}

/**
 * The checkpoint folder to resume from, given a checkpoint folder, a checkpoint root or a run folder (that
 * holds `checkpoints/`). Uses the `latest` pointer, or the newest complete checkpoint if the pointer is
 * missing or stale. Returns undefined when there is none.
 */
export async function resolveCheckpointDir(location: string): Promise<string | undefined> {
  if (await exists(path.join(location, MANIFEST_FILE))) return location;
  const nested = path.join(location, CHECKPOINTS_SUBDIR);
  const root = (await exists(nested)) ? nested : location;
  try {
    const name = (await fsp.readFile(path.join(root, LATEST_FILE), 'utf8')).trim();
    const pointed = path.join(root, name);
    if (/^\d+$/.test(name) && (await exists(path.join(pointed, MANIFEST_FILE)))) return pointed;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  return (await listCheckpoints(root)).at(-1)?.dir;
}

// ——— helpers ———

function checkName(name: string): string {
  if (!PAYLOAD_NAME.test(name)) {
    throw new RangeError(`writeCheckpoint: payload name "${name}" must be letters, digits, _ or - (it becomes a file name)`);
  }
  return name;
}

/** JSON.stringify that refuses NaN/Infinity instead of silently writing null. */
function stringifyStrict(value: unknown, name: string): string {
  return JSON.stringify(value, function (key, v) {
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new RangeError(`writeCheckpoint: json.${name} has ${v} at key "${key}"; JSON cannot hold it`);
    }
    return v;
  }, 2);
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Test hook for the fault-injection tests: with TRPO_TEST_CHECKPOINT_PAUSE_MS set, announce on stderr that a
 * checkpoint's payloads are written but its manifest is not, and block that long, so a test can SIGKILL the
 * process in the middle of a checkpoint write. Unset (always, outside tests) it does nothing.
 */
function testPauseBeforeManifest(dir: string): void {
  const ms = Number(process.env.TRPO_TEST_CHECKPOINT_PAUSE_MS);
  if (!(ms > 0)) return;
  process.stderr.write(`[test] checkpoint-write ${dir}\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

async function exists(p: string): Promise<boolean> {
  try {
    await fsp.stat(p);
    return true;
  } catch {
    return false;
  }
}

async function numberedDirs(root: string): Promise<Array<{ iteration: number; dir: string }>> {
  let names: string[];
  try {
    names = await fsp.readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .filter((n) => /^\d+$/.test(n))
    .map((n) => ({ iteration: Number(n), dir: path.join(root, n) }))
    .sort((a, b) => a.iteration - b.iteration);
}

/** The remedy part of an error: which earlier complete checkpoints sit beside `dir`. */
async function earlierCheckpointsRemedy(dir: string): Promise<string> {
  const root = path.dirname(dir);
  const own = Number(path.basename(dir)); // NaN for a folder outside a checkpoint root: nothing is "later"
  const earlier = (await listCheckpoints(root)).filter((c) => !(c.iteration >= own)).reverse();
  if (earlier.length === 0) return `No earlier checkpoint in ${root}: start the run again.`;
  const names = earlier.map((c) => path.basename(c.dir)).join(', ');
  return `Use an earlier checkpoint in ${root}/ (${names}), e.g. --resume-from ${path.join(root, path.basename(earlier[0].dir))}`;
}

// The exclusive lock of a run folder: at most one process writes a run at a time.
//
// The lock is `<run>/lock.json`, holding who owns it: pid, host, the process's start time (so a pid reused by
// another program after a crash is not mistaken for the owner), a random token, the command and when it
// started. It is created atomically — written complete to a temp file, then hard-linked to its name, which
// fails if the name exists (O_EXCL semantics without a window where the file exists half-written).
// A lock whose owner is gone (same host, pid not running or running a different process) is stale: the next
// writer takes it over and says so. A lock from another host cannot be checked from here and is refused, with
// the fix named. Takeovers are serialized by a second, short-lived lock file so two processes that both found
// the same stale lock cannot both take it.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { writeJsonAtomic } from './atomic.js';
import { explainFsError, FileSystemError } from './fs-errors.js';

export const LOCK_FILE = 'lock.json';
/** Environment variable through which a sweep hands the run lock it holds to its trainer child. */
export const LOCK_TOKEN_ENV = 'TRPO_LOCK_TOKEN';
const TAKEOVER_SUFFIX = '.takeover';

const lockInfoSchema = z.object({
  pid: z.int().positive(),
  host: z.string(),
  /** Start time of the process (Linux: clock ticks after boot, from /proc/<pid>/stat); null where unknown. */
  processStart: z.string().nullable(),
  token: z.string(),
  command: z.string(),
  startedAt: z.string(),
});
export type LockInfo = z.infer<typeof lockInfoSchema>;

/** The folder is locked by a running process (or by one on another host): names the owner and the way out. */
export class RunLockedError extends Error {
  constructor(readonly dir: string, readonly owner: LockInfo, message: string) {
    super(message);
    this.name = 'RunLockedError';
  }
}

export interface RunLock {
  readonly file: string;
  readonly info: LockInfo;
  /** Remove the lock (only if it is still ours). Safe to call twice. */
  release(): void;
}

export interface AcquireLockOptions {
  /** What the owner is doing, shown to anyone refused ("trpo train", "trpo sweep"). */
  command: string;
  /** Told when a stale lock is taken over (default: process.stderr). */
  notice?: (message: string) => void;
  /**
   * Token of a lock our parent process holds for us (a sweep locks a run, then starts its trainer): that lock
   * is taken over without a gap in which a third process could grab the folder.
   */
  inheritToken?: string;
}

/** Take the lock of `dir` (which must exist), or throw RunLockedError naming the owner. */
export function acquireLock(
  dir: string,
  { command, notice = (m) => process.stderr.write(`${m}\n`), inheritToken }: AcquireLockOptions,
): RunLock {
  const file = path.join(dir, LOCK_FILE);
  const info: LockInfo = {
    pid: process.pid,
    host: os.hostname(),
    processStart: processStartTime(process.pid),
    token: randomBytes(8).toString('hex'),
    command,
    startedAt: new Date().toISOString(),
  };
  for (let attempt = 0; attempt < 50; attempt++) {
    if (createExclusive(file, info)) return heldLock(file, info);
    const owner = readLockFile(file);
    if (owner === undefined) continue; // released between our two steps: try again
    if (inheritToken !== undefined && owner.token === inheritToken) {
      writeJsonAtomic(file, info); // the parent waits for us: replacing its lock in place leaves no gap
      return heldLock(file, info);
    }
    const state = ownerState(owner);
    if (state === 'running') {
      throw new RunLockedError(
        dir, owner,
        `${dir} is in use by another process: ${owner.command} (pid ${owner.pid}, started ${owner.startedAt}). ` +
          `Wait for it to finish, or stop it (kill -INT ${owner.pid}) and run this again.`,
      );
    }
    if (state === 'other-host') {
      throw new RunLockedError(
        dir, owner,
        `${dir} is locked by ${owner.command} on host ${owner.host} (pid ${owner.pid}, started ${owner.startedAt}); ` +
          `this host (${os.hostname()}) cannot tell whether it still runs. If it does not, delete ${file} and run this again.`,
      );
    }
    if (takeOver(file, owner, info)) {
      notice(`note: ${dir} was locked by ${owner.command} (pid ${owner.pid}, started ${owner.startedAt}), which is no longer running; taking over its lock.`);
      return heldLock(file, info);
    }
  }
  throw new Error(`Cannot lock ${dir}: its lock file keeps changing (other processes are starting in it); try again.`);
}

/** Who holds the lock of `dir`, and whether that process still runs (undefined: no lock). */
export function inspectLock(dir: string): { owner: LockInfo; state: 'running' | 'stale' | 'other-host' } | undefined {
  const owner = readLockFile(path.join(dir, LOCK_FILE));
  return owner && { owner, state: ownerState(owner) };
}

function heldLock(file: string, info: LockInfo): RunLock {
  let released = false;
  return {
    file,
    info,
    release() {
      if (released) return;
      released = true;
      if (readLockFile(file)?.token === info.token) fs.rmSync(file, { force: true });
    },
  };
}

/** Create `file` holding `info` if it does not exist; false if it does. */
function createExclusive(file: string, info: LockInfo): boolean {
  // A hidden temp name that removeTempFiles recognizes, should we die before the finally.
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    fs.writeFileSync(temp, JSON.stringify(info, null, 2) + '\n', { flag: 'wx' });
    fs.linkSync(temp, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw explainFsError(error, 'create the lock file', file);
  } finally {
    fs.rmSync(temp, { force: true });
  }
}

function readLockFile(file: string): LockInfo | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw explainFsError(error, 'read the lock file', file);
  }
  let parsed: ReturnType<typeof lockInfoSchema.safeParse>;
  try {
    parsed = lockInfoSchema.safeParse(JSON.parse(text));
  } catch {
    parsed = { success: false } as ReturnType<typeof lockInfoSchema.safeParse>;
  }
  if (!parsed.success) {
    throw new FileSystemError(`${file} is not a trpo-wasm lock file (unreadable). If no trpo process uses this folder, delete it.`, undefined, file);
  }
  return parsed.data;
}

function ownerState(owner: LockInfo): 'running' | 'stale' | 'other-host' {
  if (owner.host !== os.hostname()) return 'other-host';
  if (!processAlive(owner.pid)) return 'stale';
  // The pid runs, but is it the same process? A reused pid has another start time.
  const start = processStartTime(owner.pid);
  return owner.processStart !== null && start !== null && start !== owner.processStart ? 'stale' : 'running';
}

/** Replace the stale lock `seen` by ours, unless someone else got there first. */
function takeOver(file: string, seen: LockInfo, info: LockInfo): boolean {
  const guardFile = file + TAKEOVER_SUFFIX;
  if (!createExclusive(guardFile, info)) {
    const guard = readLockFile(guardFile);
    if (guard && ownerState(guard) !== 'running') fs.rmSync(guardFile, { force: true }); // a takeover that died midway
    return false;
  }
  try {
    if (readLockFile(file)?.token !== seen.token) return false; // changed meanwhile: look again
    fs.rmSync(file, { force: true });
    return createExclusive(file, info);
  } finally {
    fs.rmSync(guardFile, { force: true });
  }
}

export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Linux: field 22 of /proc/<pid>/stat (start time after boot); null elsewhere or when unreadable. */
function processStartTime(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields 3, 4, … (comm may hold spaces)
    return fields[22 - 3] ?? null;
  } catch {
    return null;
  }
}

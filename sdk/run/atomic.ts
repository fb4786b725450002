// The one way trpo-wasm writes a file that must never be seen half-written: write a temp file in the same
// folder, fsync it, rename it over the target (or link it, when an existing file must not be replaced), then
// fsync the folder so the rename itself survives a power loss. A reader sees the old file or the new one,
// never a mix; a crash at any moment leaves at most a temp file (named `.<name>.tmp-…`, swept by
// removeTempFiles).
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { explainFsError, FileSystemError } from './fs-errors.js';

const TEMP_MARK = '.tmp-';

export interface AtomicWriteOptions {
  /** Replace an existing file (default true). With false an existing target is refused (EEXIST), atomically. */
  overwrite?: boolean;
}

/** Write `data` to `target` atomically and durably (see the file comment). Errors name the path and the fix. */
export function writeFileAtomic(target: string, data: string | Uint8Array, { overwrite = true }: AtomicWriteOptions = {}): void {
  const dir = path.dirname(target);
  const temp = path.join(dir, `.${path.basename(target)}${TEMP_MARK}${process.pid}-${randomBytes(4).toString('hex')}`);
  let fd: number | undefined;
  try {
    fd = fs.openSync(temp, 'wx');
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let offset = 0;
    while (offset < bytes.byteLength) offset += fs.writeSync(fd, bytes, offset, bytes.byteLength - offset);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    if (overwrite) {
      fs.renameSync(temp, target);
    } else {
      fs.linkSync(temp, target); // fails with EEXIST if the target exists: no window in which it is replaced
      fs.unlinkSync(temp);
    }
    syncFolder(dir);
  } catch (error) {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(temp, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST' && !overwrite) {
      throw new FileSystemError(`Refusing to overwrite ${target}: the file exists. Choose another path, or remove it first.`, 'EEXIST', target);
    }
    throw explainFsError(error, 'write', target);
  }
}

/** writeFileAtomic of `value` as pretty JSON with a final newline. */
export function writeJsonAtomic(target: string, value: unknown, options?: AtomicWriteOptions): void {
  writeFileAtomic(target, JSON.stringify(value, null, 2) + '\n', options);
}

/** fsync a folder, so that renames and creations inside it are on disk (a no-op where folders cannot be opened). */
export function syncFolder(dir: string): void {
  let fd: number;
  try {
    fd = fs.openSync(dir, 'r');
  } catch (error) {
    if (process.platform === 'win32') return;
    throw explainFsError(error, 'open folder', dir);
  }
  try {
    fs.fsyncSync(fd);
  } catch (error) {
    // Some file systems (and Windows) refuse fsync on a folder; the data files themselves were synced.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'EISDIR') throw explainFsError(error, 'sync folder', dir);
  } finally {
    fs.closeSync(fd);
  }
}

/** Remove temp files left in `dir` by interrupted atomic writes (of any process: call it while holding the lock). */
export function removeTempFiles(dir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  for (const name of names) if (isTempFileName(name)) fs.rmSync(path.join(dir, name), { force: true });
}

/** Temp files of atomic writes (`.<name>.tmp-…`, and `<name>.tmp-…` of earlier versions). */
export function isTempFileName(name: string): boolean {
  return name.includes(TEMP_MARK);
}

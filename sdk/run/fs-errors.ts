// File-system failures as messages a user can act on: what we were doing, with which path, what the system
// said in words, and the way out — instead of a bare "ENOSPC: no space left on device, write".

/** A file-system error explained: `code` is the errno name, `path` the file or folder concerned. */
export class FileSystemError extends Error {
  constructor(message: string, readonly code: string | undefined, readonly path: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FileSystemError';
  }
}

const EXPLANATIONS: Record<string, { what: string; fix: string }> = {
  EEXIST: { what: 'it already exists', fix: 'choose another path, or move the existing one away' },
  ENOSPC: { what: 'the disk is full', fix: 'free some space on that disk (or choose a folder on another disk) and run the command again' },
  EDQUOT: { what: 'the disk quota is used up', fix: 'free some space within your quota and run the command again' },
  EACCES: { what: 'permission denied', fix: 'choose a folder you can write to, or fix its permissions' },
  EPERM: { what: 'operation not permitted', fix: 'choose a folder you own, or fix its permissions' },
  EROFS: { what: 'the file system is read-only', fix: 'choose a folder on a writable disk' },
  ENOENT: { what: 'no such file or folder', fix: 'check the path (a parent folder may be missing)' },
  ENOTDIR: { what: 'a part of the path is a file, not a folder', fix: 'check the path: a file stands where a folder is expected' },
  EISDIR: { what: 'it is a folder, not a file', fix: 'give the path of a file' },
  ENOTEMPTY: { what: 'the folder is not empty', fix: 'choose an empty or new folder' },
  EMFILE: { what: 'too many open files', fix: 'raise the limit (ulimit -n) or run fewer jobs at once' },
  EXDEV: { what: 'the paths are on different disks', fix: 'keep the files on one disk' },
};

/**
 * Turn a Node file-system error into a FileSystemError naming `doing` ("write checkpoint file"), the path and
 * the fix; anything that is not an errno error is returned unchanged.
 */
export function explainFsError(error: unknown, doing: string, file: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (!(error instanceof Error) || typeof code !== 'string' || error instanceof FileSystemError) return error;
  const known = EXPLANATIONS[code];
  const what = known?.what ?? error.message;
  const fix = known ? ` Fix: ${known.fix}.` : '';
  return new FileSystemError(`Cannot ${doing} ${file}: ${what} (${code}).${fix}`, code, file, { cause: error });
}

/** Run `work`; an errno error becomes a FileSystemError that names `doing` and `file`. */
export async function explainingFsErrors<T>(doing: string, file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw explainFsError(error, doing, file);
  }
}

/** Synchronous form of explainingFsErrors. */
export function explainingFsErrorsSync<T>(doing: string, file: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw explainFsError(error, doing, file);
  }
}

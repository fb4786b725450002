// Run infrastructure around the trainer: the iteration log, checkpoints, progress.
export * from './logger.js';
export * from './checkpoint.js';
export * from './progress.js';
export { writeFileAtomic, writeJsonAtomic } from './atomic.js';
export { FileSystemError } from './fs-errors.js';
export { RunLockedError, type LockInfo } from './lock.js';
export { RunFolder, RUN_FILES, inspectRunFolder, runResultSchema, type RunResultJson } from './run-folder.js';

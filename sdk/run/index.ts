// Run infrastructure around the trainer: the iteration log, checkpoints, progress.
export * from './logger.js';
export * from './checkpoint.js';
export * from './progress.js';

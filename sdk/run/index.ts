// Run infrastructure around the trainer: observation statistics, the iteration log, checkpoints, progress.
export * from './running-mean-std.js';
export * from './logger.js';
export * from './checkpoint.js';
export * from './progress.js';

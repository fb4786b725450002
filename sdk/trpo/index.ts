// The TRPO agent and what comes with it: options, runs on disk, evaluation.
export { TRPO, type IterationMetrics, type LearnOptions, type LearnResult } from './trpo.js';
export { resolveTrpoOptions, trpoOptionsSchema, type TrpoOptions, type TrpoOptionsInput, type VineOptions } from './config.js';
export { tunedDefaults, tunedEnvs, tunedTimesteps } from './defaults.js';
export { trainRun, type RunResult, type TrainRunSpec } from './run.js';
export { runEpisodes, type ActFn, type EvaluationResult } from './evaluate.js';
export { trpoUpdate, type UpdateInputs, type UpdateResult, type UpdateSettings } from './update.js';

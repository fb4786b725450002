// Normalization: running statistics, the observation normalizer and the reward scaler (SB3's VecNormalize).
export * from './running-mean-std.js';
export * from './obs-normalizer.js';
export { Normalization, RewardScaler, type NormalizationOptions, type ObsStatsUpdate, type RolloutObsNorm } from './normalization.js';

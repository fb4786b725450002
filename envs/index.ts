// The environments' public surface, re-exported from the package root (sdk/index.ts).
export { makeEnv, listEnvs, isEnvId, type EnvId, type EnvOptionsById } from './registry.js';
export { createStepOutput } from './base-env.js';
export type { AntOptions } from './ant.js';
export type { CartPoleOptions } from './cartpole.js';
export type { HalfCheetahOptions } from './half-cheetah.js';
export type { HumanoidOptions } from './humanoid.js';
export type { InvertedDoublePendulumOptions, InvertedPendulumOptions } from './inverted-pendulums.js';
export type { PendulumOptions } from './pendulum.js';
export type { HopperOptions, Walker2dOptions } from './planar-walkers.js';
export type { ReacherOptions } from './reacher.js';
export type { SwimmerOptions } from './swimmer.js';
export type { MinAtarOptions } from './minatar/index.js';
export type {
  BoxSpace, DiscreteSpace, Env, EnvSnapshot, ResetArgs, ResetResult, Space, StepInfo, StepOutput, StepResult,
} from './types.js';
export { boxSpace, discreteSpace, unboundedBox } from './spaces.js';
export { adaptEnv, isNativeEnv, type AdaptOptions } from './custom/adapter.js';
export { checkEnv, assertValidEnv, formatReport, type CheckEnvOptions, type EnvCheckReport } from './custom/check.js';
export {
  EnvContractError, type EnvProblem, type UserEnv, type UserEnvFactory, type UserSpace, type UserBoxSpace,
  type UserDiscreteSpace, type UserStepResult, type UserStepOutput,
} from './custom/contract.js';
export { MjcfEnv, createMjcfEnv, type MjcfTask, type MjcfSim, type MjcfSource } from './custom/mjcf-task.js';

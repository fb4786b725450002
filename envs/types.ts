// The environment contract shared by every env, the vector env and the trainer.
// Gymnasium semantics: reset → { obs, info }; step → { obs, reward, terminated, truncated, info }.
// `terminated` means the task ended (the MDP reached a terminal state: do not bootstrap);
// `truncated` means the time limit cut the episode (bootstrap from the value of the last obs).

/** A box of real vectors; `low`/`high` may hold ±Infinity. */
export interface BoxSpace {
  readonly type: 'box';
  readonly shape: readonly number[];
  readonly low: Float64Array;
  readonly high: Float64Array;
}

/** A finite set {0, …, n−1}. */
export interface DiscreteSpace {
  readonly type: 'discrete';
  readonly n: number;
}

export type Space = BoxSpace | DiscreteSpace;

/** Per-step information: reward terms (`reward_forward`, `reward_ctrl`, …) and positions/velocities. */
export type StepInfo = Record<string, number>;

export interface ResetResult {
  obs: Float64Array;
  info: StepInfo;
}

export interface StepResult {
  obs: Float64Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info: StepInfo;
}

/**
 * Reusable output of the allocation-free step used by the vector env's hot loop.
 * `obs` has length obsDim and is overwritten in place; `info` keys are fixed per env.
 */
export interface StepOutput {
  readonly obs: Float64Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  readonly info: StepInfo;
}

/** Everything needed to replay an env bit-identically from this point (vine sampling). */
export interface EnvSnapshot {
  readonly envId: string;
  /** MuJoCo mjSTATE_INTEGRATION vector, or the plain state of a classic-control env. */
  readonly physics: Float64Array;
  readonly elapsedSteps: number;
  /** Internal RNG state (the env's own noise generator). */
  readonly rng: readonly number[];
  /** Any other env-specific value (e.g. Reacher's goal is inside `physics`; CartPole's steps-beyond-done). */
  readonly extra: readonly number[];
}

export interface ResetArgs {
  seed?: number;
  /** With `seed`: selects an independent noise stream (`new Rng(seed, stream)`), e.g. the env's index in a vector env. */
  stream?: number;
  options?: Record<string, unknown>;
}

export interface Env {
  readonly id: string;
  readonly observationSpace: BoxSpace;
  readonly actionSpace: Space;
  /** Environment-seconds per step (timestep × frameSkip for MuJoCo): the control period on the robot. */
  readonly dt: number;
  readonly maxEpisodeSteps: number;
  /**
   * What observation index i means, with its unit, e.g. `"qpos[1] torso position along z, slide joint rootz (m)"`.
   * Length obsDim when given. Exported to ONNX metadata (`observation_labels`) for whoever deploys the policy.
   */
  readonly observationLabels?: readonly string[];
  /**
   * Box actions: what action index i drives, with its unit (length actDim). Discrete actions: what choice i does
   * (length n). Exported to ONNX metadata (`action_labels`).
   */
  readonly actionLabels?: readonly string[];
  /** Image observations (e.g. MinAtar): the shape of the flat observation read as height × width × channels (NHWC). */
  readonly observationImage?: { readonly height: number; readonly width: number; readonly channels: number };
  reset(args?: ResetArgs): ResetResult;
  step(action: ArrayLike<number> | number): StepResult;
  /** Allocation-free step: reads `action`, writes into `out`. Same semantics as `step`. */
  stepInto(action: ArrayLike<number>, out: StepOutput): void;
  /** Allocation-free reset into `out.obs` (out.info gets the reset info). */
  resetInto(args: ResetArgs | undefined, out: StepOutput): void;
  getState(): EnvSnapshot;
  setState(snapshot: EnvSnapshot): void;
  close(): void;
}

// What a user's own environment looks like: Gymnasium's contract in JavaScript. Everything beyond the spaces,
// reset and step is optional; envs/custom/adapter.ts fills in the rest. No Node built-ins here (browser-safe).
import type { BoxSpace, DiscreteSpace } from '../types.js';

type Numbers = ArrayLike<number>;

/** `{ type: 'box', shape, low, high }`; low/high are arrays, typed arrays or one number for every entry. */
export interface UserBoxSpace {
  type: 'box';
  shape: readonly number[];
  low: Numbers | number;
  high: Numbers | number;
}

export interface UserDiscreteSpace {
  type: 'discrete';
  n: number;
}

export type UserSpace = UserBoxSpace | UserDiscreteSpace | BoxSpace | DiscreteSpace;

export type UserInfo = Record<string, unknown>;

export interface UserStepResult {
  obs: Numbers;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  info?: UserInfo;
}

/** The reusable output of the optional allocation-free path (`stepInto`/`resetInto`). */
export interface UserStepOutput {
  readonly obs: Float64Array;
  reward: number;
  terminated: boolean;
  truncated: boolean;
  readonly info: Record<string, number>;
}

/** Gymnasium's env contract. `reset`/`step` may also be the only methods besides the spaces. */
export interface UserEnv {
  observationSpace: UserSpace;
  actionSpace: UserSpace;
  reset(args?: { seed?: number; options?: Record<string, unknown> }): { obs: Numbers; info?: UserInfo };
  /** Box actions arrive as a Float64Array, discrete ones as an integer. */
  step(action: Float64Array | number): UserStepResult;
  /** Seconds of environment time per step (the robot's control period). */
  dt?: number;
  /** Time limit: the SDK sets `truncated` after this many steps. */
  maxEpisodeSteps?: number;
  observationLabels?: readonly string[];
  actionLabels?: readonly string[];
  /** Exact state as numbers (vine sampling, checkpoints): setState(getState()) must replay bit-identically. */
  getState?(): Numbers;
  setState?(state: Float64Array): void;
  /** Allocation-free step: write into `out` instead of returning a new object. */
  stepInto?(action: Float64Array | number, out: UserStepOutput): void;
  close?(): void;
}

/** A module's export that makes envs: a factory (sync or async) or a class. */
export type UserEnvFactory = ((options: Record<string, unknown>) => UserEnv | Promise<UserEnv>) | (new (options: Record<string, unknown>) => UserEnv);

/** One broken promise of an env: which field, what was expected, what came, and how to fix it. */
export interface EnvProblem {
  field: string;
  expected: string;
  got: string;
  fix: string;
}

export function formatProblem(p: EnvProblem): string {
  return `${p.field}: expected ${p.expected}, got ${p.got}. Fix: ${p.fix}`;
}

/** A contract violation found while running an env (adapter guards) or by checkEnv. */
export class EnvContractError extends Error {
  constructor(readonly envId: string, readonly problems: readonly EnvProblem[], context = '') {
    super(
      problems.length === 1
        ? `${envId}${context}: ${formatProblem(problems[0])}`
        : `${envId}${context}: ${problems.length} problems:\n${problems.map((p) => `  - ${formatProblem(p)}`).join('\n')}`,
    );
    this.name = 'EnvContractError';
  }
}

/** A short description of any value for error messages. */
export function describe(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 37)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value) || ArrayBuffer.isView(value)) {
    const a = value as ArrayLike<unknown>;
    const head = Array.from({ length: Math.min(a.length, 4) }, (_, i) => String(a[i])).join(', ');
    return `${Array.isArray(value) ? 'Array' : value.constructor.name}(${a.length}) [${head}${a.length > 4 ? ', …' : ''}]`;
  }
  return `an object with keys ${Object.keys(value as object).slice(0, 6).join(', ') || '(none)'}`;
}

function isNumbers(v: unknown): v is Numbers {
  return Array.isArray(v) || (ArrayBuffer.isView(v) && !(v instanceof DataView));
}

/**
 * A user space as one of ours (bounds copied into Float64Arrays), or the problems that prevent it.
 * `which` names the field (observationSpace / actionSpace) in the messages.
 */
export function normalizeSpace(raw: unknown, which: string): { space?: BoxSpace | DiscreteSpace; problems: EnvProblem[] } {
  const problems: EnvProblem[] = [];
  const bad = (field: string, expected: string, got: unknown, fix: string) => problems.push({ field: `${which}${field}`, expected, got: describe(got), fix });
  const exampleBox = "{ type: 'box', shape: [3], low: [-1, -1, -1], high: [1, 1, 1] }";
  if (typeof raw !== 'object' || raw === null) {
    bad('', `a space object like ${exampleBox} or { type: 'discrete', n: 4 }`, raw, `give the env a ${which} property`);
    return { problems };
  }
  const s = raw as Record<string, unknown>;
  if (s.type === 'discrete') {
    if (!(Number.isSafeInteger(s.n) && (s.n as number) >= 1)) bad('.n', 'an integer ≥ 1 (the number of actions)', s.n, 'set n to the number of choices');
    return problems.length ? { problems } : { space: { type: 'discrete', n: s.n as number }, problems };
  }
  if (s.type !== 'box') {
    bad('.type', "'box' or 'discrete'", s.type, `write the space as ${exampleBox}`);
    return { problems };
  }
  const shape = s.shape;
  if (!(Array.isArray(shape) && shape.length >= 1 && shape.every((d) => Number.isSafeInteger(d) && d >= 1))) {
    bad('.shape', 'an array of positive integers, e.g. [3]', shape, 'give the shape of the vector (observations are flattened in row-major order)');
    return { problems };
  }
  const size = shape.reduce((a: number, b: number) => a * b, 1);
  const bounds: Float64Array[] = [];
  for (const key of ['low', 'high'] as const) {
    const v = s[key];
    if (typeof v === 'number' && !Number.isNaN(v)) bounds.push(new Float64Array(size).fill(v));
    else if (isNumbers(v) && v.length === size && Array.prototype.every.call(v, (x: unknown) => typeof x === 'number' && !Number.isNaN(x))) {
      bounds.push(Float64Array.from(v));
    } else {
      bad(`.${key}`, `${size} numbers (one per entry of shape [${shape.join(', ')}]; ±Infinity allowed) or one number`, v, `give ${key} as an array of length ${size}`);
    }
  }
  if (problems.length) return { problems };
  const [low, high] = bounds;
  const crossed = low.findIndex((l, i) => !(l <= high[i]));
  if (crossed >= 0) {
    bad(`.low[${crossed}]`, `low ≤ high (high[${crossed}] is ${high[crossed]})`, low[crossed], 'swap or correct the bounds');
    return { problems };
  }
  return { space: { type: 'box', shape: [size], low, high }, problems };
}

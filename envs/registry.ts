// makeEnv(id, options) and listEnvs(): the one entry point to every environment.
// MuJoCo envs load the WebAssembly module (once per thread) and compile their model (once per thread), hence
// the Promise; options are validated before any of that, so a typo fails fast.
import { AntEnv, type AntOptions } from './ant.js';
import { CartPoleEnv, type CartPoleOptions } from './cartpole.js';
import { HalfCheetahEnv, type HalfCheetahOptions } from './half-cheetah.js';
import { HumanoidEnv, type HumanoidOptions } from './humanoid.js';
import {
  InvertedDoublePendulumEnv, InvertedPendulumEnv,
  type InvertedDoublePendulumOptions, type InvertedPendulumOptions,
} from './inverted-pendulums.js';
import { PendulumEnv, type PendulumOptions } from './pendulum.js';
import { HopperEnv, Walker2dEnv, type HopperOptions, type Walker2dOptions } from './planar-walkers.js';
import { ReacherEnv, type ReacherOptions } from './reacher.js';
import { SwimmerEnv, type SwimmerOptions } from './swimmer.js';
import { MINATAR_GAMES, type MinAtarOptions } from './minatar/index.js';
import type { Env } from './types.js';

/** Constructor options of each env id (Gymnasium's keyword arguments in camelCase, plus maxEpisodeSteps). */
export interface EnvOptionsById {
  'Swimmer-v5': SwimmerOptions;
  'Hopper-v5': HopperOptions;
  'Walker2d-v5': Walker2dOptions;
  'HalfCheetah-v5': HalfCheetahOptions;
  'Ant-v5': AntOptions;
  'Humanoid-v5': HumanoidOptions;
  'InvertedPendulum-v5': InvertedPendulumOptions;
  'InvertedDoublePendulum-v5': InvertedDoublePendulumOptions;
  'Reacher-v5': ReacherOptions;
  'Pendulum-v1': PendulumOptions;
  'CartPole-v1': CartPoleOptions;
  'MinAtar/Breakout-v1': MinAtarOptions;
  'MinAtar/SpaceInvaders-v1': MinAtarOptions;
  'MinAtar/Freeway-v1': MinAtarOptions;
  'MinAtar/Asterix-v1': MinAtarOptions;
}

export type EnvId = keyof EnvOptionsById;

const FACTORIES: { [K in EnvId]: (options?: EnvOptionsById[K]) => Env | Promise<Env> } = {
  'Swimmer-v5': (o) => SwimmerEnv.create(o),
  'Hopper-v5': (o) => HopperEnv.create(o),
  'Walker2d-v5': (o) => Walker2dEnv.create(o),
  'HalfCheetah-v5': (o) => HalfCheetahEnv.create(o),
  'Ant-v5': (o) => AntEnv.create(o),
  'Humanoid-v5': (o) => HumanoidEnv.create(o),
  'InvertedPendulum-v5': (o) => InvertedPendulumEnv.create(o),
  'InvertedDoublePendulum-v5': (o) => InvertedDoublePendulumEnv.create(o),
  'Reacher-v5': (o) => ReacherEnv.create(o),
  'Pendulum-v1': (o) => new PendulumEnv(o),
  'CartPole-v1': (o) => new CartPoleEnv(o),
  ...MINATAR_GAMES,
};

/** Every env id makeEnv accepts. */
export function listEnvs(): EnvId[] {
  return Object.keys(FACTORIES) as EnvId[];
}

export function isEnvId(id: string): id is EnvId {
  return Object.hasOwn(FACTORIES, id);
}

/** Envs added at run time (registerEnv in sdk/envs/source.ts puts module envs here). */
const customFactories = new Map<string, (options?: Record<string, unknown>) => Promise<Env>>();

/** Let makeEnv(id) create a custom env; built-in ids cannot be replaced. */
export function registerEnvFactory(id: string, factory: (options?: Record<string, unknown>) => Promise<Env>): void {
  if (isEnvId(id)) throw new Error(`"${id}" is a built-in env id`);
  customFactories.set(id, factory);
}

/** Create env `id`; unknown ids and invalid options are rejected with an error naming the problem. */
export async function makeEnv<K extends EnvId>(id: K, options?: EnvOptionsById[K]): Promise<Env>;
export async function makeEnv(id: string, options?: Record<string, unknown>): Promise<Env>;
export async function makeEnv(id: string, options?: Record<string, unknown>): Promise<Env> {
  const custom = customFactories.get(id);
  if (custom) return custom(options);
  if (!isEnvId(id)) {
    const extra = customFactories.size > 0 ? `; registered: ${[...customFactories.keys()].join(', ')}` : '';
    throw new RangeError(`makeEnv: unknown env id ${JSON.stringify(id)}; known ids: ${listEnvs().join(', ')}${extra}`);
  }
  const factory = FACTORIES[id] as (options?: Record<string, unknown>) => Env | Promise<Env>;
  return factory(options);
}

// The MinAtar games as env factories for the registry.
import { Asterix } from './asterix.js';
import { Breakout } from './breakout.js';
import { Freeway } from './freeway.js';
import { MinAtarEnv, type MinAtarOptions } from './minatar-env.js';
import { SpaceInvaders } from './space-invaders.js';

export { MinAtarEnv, type MinAtarOptions } from './minatar-env.js';

export const MINATAR_GAMES = {
  'MinAtar/Breakout-v1': (o?: MinAtarOptions) => new MinAtarEnv('Breakout', new Breakout(), o),
  'MinAtar/SpaceInvaders-v1': (o?: MinAtarOptions) => new MinAtarEnv('SpaceInvaders', new SpaceInvaders(), o),
  'MinAtar/Freeway-v1': (o?: MinAtarOptions) => new MinAtarEnv('Freeway', new Freeway(), o),
  'MinAtar/Asterix-v1': (o?: MinAtarOptions) => new MinAtarEnv('Asterix', new Asterix(), o),
} as const;

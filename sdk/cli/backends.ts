// Which function runs each command. Each is a lazy import, so that `trpo --help` never loads MuJoCo,
// the kernels or onnxruntime.

import type { CommandArgs, CommandContext, CommandName } from './commands.js';

/** Runs a command; resolves to its exit code (undefined = 0). Throwing prints the error and exits 1. */
export type CommandRunner<A> = (args: A, context: CommandContext) => Promise<number | void>;

export type Backends = { [K in CommandName]: CommandRunner<CommandArgs[K]> };

export const backends: Backends = {
  train: async (args, ctx) => (await import('../trpo/cli.js')).runTrain(args, ctx),
  eval: async (args, ctx) => (await import('../trpo/cli.js')).runEval(args, ctx),
  export: async (args, ctx) => (await import('../trpo/cli.js')).runExport(args, ctx),
  sweep: async (args, ctx) => (await import('../sweep/cli.js')).runSweepCommand(args, ctx),
  report: async (args, ctx) => (await import('../sweep/cli.js')).runReportCommand(args, ctx),
  'check-env': async (args, ctx) => (await import('./check-env.js')).runCheckEnv(args, ctx),
  view: async (args, ctx) => (await import('../view/cli.js')).runView(args, ctx),
};

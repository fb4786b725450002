// Which function runs each command. A command whose implementation is not written yet answers
// "not available yet" with exit code 2. To plug one in, replace its line with a lazy import (so that
// `trpo --help` never loads MuJoCo or onnxruntime), for example:
//   train: async (args, ctx) => (await import('../trpo/cli.js')).runTrain(args, ctx),

import type { CommandArgs, CommandContext, CommandName } from './commands.js';

/** Runs a command; resolves to its exit code (undefined = 0). Throwing prints the error and exits 1. */
export type CommandRunner<A> = (args: A, context: CommandContext) => Promise<number | void>;

export type Backends = { [K in CommandName]: CommandRunner<CommandArgs[K]> };

export const NOT_AVAILABLE_EXIT_CODE = 2;

export function notAvailableYet(command: CommandName): CommandRunner<unknown> {
  return async (_args, context) => {
    context.stderr.write(`trpo ${command}: not available yet in this version of trpo-wasm\n`);
    return NOT_AVAILABLE_EXIT_CODE;
  };
}

export const backends: Backends = {
  train: async (args, ctx) => (await import('../trpo/cli.js')).runTrain(args, ctx),
  eval: async (args, ctx) => (await import('../trpo/cli.js')).runEval(args, ctx),
  export: async (args, ctx) => (await import('../trpo/cli.js')).runExport(args, ctx),
  sweep: async (args, ctx) => (await import('../sweep/cli.js')).runSweepCommand(args, ctx),
  report: async (args, ctx) => (await import('../sweep/cli.js')).runReportCommand(args, ctx),
};

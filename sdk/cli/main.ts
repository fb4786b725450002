// `trpo <command> [flags]`: picks the command, parses and validates its flags, runs it, maps the outcome to an
// exit code: 0 done, 1 the command failed, 2 bad command line (or command not available yet), 130 stopped by
// Ctrl-C after a clean stop.

import { readFileSync } from 'node:fs';
import { backends as defaultBackends, type Backends } from './backends.js';
import { COMMANDS, type CommandArgs, type CommandContext, type CommandName } from './commands.js';
import { formatHelp, tokenize, UsageError } from './parse.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERRUPTED = 130;

export interface CliIO {
  stdout: CommandContext['stdout'];
  stderr: CommandContext['stderr'];
  /** Aborted on Ctrl-C (see handleInterrupts); a never-aborted signal if omitted. */
  signal?: AbortSignal;
  /** Clock for default run folder names; injected for tests. */
  now?: () => Date;
}

const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

export async function main(argv: readonly string[], io: CliIO, runners: Backends = defaultBackends): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(generalHelp());
    return EXIT_USAGE;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    const topic = rest[0];
    if (first === 'help' && topic !== undefined && isCommand(topic)) io.stdout.write(commandHelp(topic));
    else io.stdout.write(generalHelp());
    return EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(`trpo-wasm ${packageVersion()}\n`);
    return EXIT_OK;
  }
  if (!isCommand(first)) {
    const hint = first.startsWith('-') ? 'the command comes first: trpo <command> [flags]' : `unknown command "${first}"`;
    io.stderr.write(`trpo: ${hint}; commands: ${COMMAND_NAMES.join(', ')}. Run 'trpo --help'.\n`);
    return EXIT_USAGE;
  }
  return runCommand(first, rest, io, runners);
}

async function runCommand<K extends CommandName>(name: K, argv: string[], io: CliIO, runners: Backends): Promise<number> {
  const spec = COMMANDS[name];
  let args: CommandArgs[K];
  try {
    const line = tokenize(name, spec.flags, spec.positionals ?? [], argv);
    if (line.help) {
      io.stdout.write(commandHelp(name));
      return EXIT_OK;
    }
    args = spec.toArgs(line.values, line.positionals, io.now?.() ?? new Date());
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`trpo ${name}: ${error.message}\nRun 'trpo ${name} --help' for its flags.\n`);
    return EXIT_USAGE;
  }
  const signal = io.signal ?? new AbortController().signal;
  const runner: Backends[K] = runners[name];
  let code: number;
  try {
    code = (await runner(args, { signal, stdout: io.stdout, stderr: io.stderr })) ?? EXIT_OK;
  } catch (error) {
    const usage = error instanceof UsageError;
    io.stderr.write(`trpo ${name}: ${usage ? '' : 'error: '}${error instanceof Error ? error.message : String(error)}\n`);
    return usage ? EXIT_USAGE : EXIT_FAILURE;
  }
  return code === EXIT_OK && signal.aborted ? EXIT_INTERRUPTED : code;
}

function isCommand(name: string): name is CommandName {
  return (COMMAND_NAMES as string[]).includes(name);
}

function commandHelp(name: CommandName): string {
  const spec = COMMANDS[name];
  return formatHelp(name, spec.summary, spec.flags, spec.positionals, spec.notes);
}

function generalHelp(): string {
  const width = Math.max(...COMMAND_NAMES.map((n) => n.length)) + 2;
  return [
    'Usage: trpo <command> [flags]',
    '',
    'Train locomotion policies with TRPO on MuJoCo (WebAssembly), evaluate them and export them to ONNX.',
    '',
    'Commands:',
    ...COMMAND_NAMES.map((n) => `  ${n.padEnd(width)}${COMMANDS[n].summary}`),
    '',
    "Run 'trpo <command> --help' for a command's flags; 'trpo --version' for the version.",
    '',
  ].join('\n');
}

function packageVersion(): string {
  // dist/sdk/cli/main.js → the package root is three folders up.
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

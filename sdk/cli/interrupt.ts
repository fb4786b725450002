// Ctrl-C for long runs: the first SIGINT (or SIGTERM, as batch schedulers send before killing a job) aborts an
// AbortController so the trainer stops after the current iteration and writes a checkpoint; a second signal
// quits at once with 128 + the signal number (130 for SIGINT).

import type { EventEmitter } from 'node:events';

export interface InterruptHandler {
  /** Aborted on the first signal. */
  readonly signal: AbortSignal;
  /** Stop listening (restores the default: the next Ctrl-C kills the process). */
  dispose(): void;
}

export interface InterruptOptions {
  /** Where signals come from (default: process). */
  source?: Pick<EventEmitter, 'on' | 'off'>;
  /** Where the notices go (default: process.stderr). */
  stderr?: { write(chunk: string): unknown };
  /** How to quit on the second signal (default: process.exit). */
  exit?: (code: number) => void;
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export function handleInterrupts({
  source = process,
  stderr = process.stderr,
  exit = (code) => process.exit(code),
}: InterruptOptions = {}): InterruptHandler {
  const controller = new AbortController();
  const listeners = (Object.keys(EXIT_CODES) as Array<keyof typeof EXIT_CODES>).map((name) => {
    const listener = () => {
      if (!controller.signal.aborted) {
        stderr.write(`\n${name === 'SIGINT' ? 'Ctrl-C' : name}: stopping after the current iteration and saving a checkpoint (Ctrl-C again to quit now)\n`);
        controller.abort(new Error(`interrupted by ${name}`));
        return;
      }
      stderr.write('Quitting now, without a checkpoint.\n');
      exit(EXIT_CODES[name]);
    };
    source.on(name, listener);
    return [name, listener] as const;
  });
  return {
    signal: controller.signal,
    dispose() {
      for (const [name, listener] of listeners) source.off(name, listener);
    },
  };
}

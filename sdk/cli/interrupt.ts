// Ctrl-C for long runs: the first SIGINT (or SIGTERM, as batch schedulers send before killing a job) aborts an
// AbortController so the trainer stops after the current iteration and writes a checkpoint; a second signal
// quits at once with 128 + the signal number (130 for SIGINT).
//
// Two ways the signal can miss us, handled here too:
// - `npx trpo …` runs us under `sh -c`, and npm forwards a SIGINT/SIGTERM only to that shell. dash (Debian's
//   sh) dies of SIGTERM, orphaning us; it catches SIGINT and sits on it until we exit. So when npm started us
//   (npm_lifecycle_event is set), the parent going away counts as the first signal, and so does the waiting
//   shell waking up (Linux: its context-switch count in /proc moves; an idle shell waiting on us only wakes
//   for a signal it catches, i.e. SIGINT).
// - A sweep starts its trainers with an IPC channel; if the sweep dies (even by SIGKILL) the channel closes and
//   the trainer exits at once (exitWithParent), so no orphan keeps writing a run that a re-run will resume.

import type { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';

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
  /** Treat the loss of the parent process as a first signal (default: when npm started us). */
  watchParent?: boolean;
  /** The parent's pid, read again on every check (default: process.ppid). */
  parentPid?: () => number;
  /** How often the parent shell has woken up so far (undefined: unknown, or the parent is not a shell). */
  parentWakeups?: (pid: number) => number | undefined;
  /** How often the parent is checked, in ms (default 500). */
  parentPollMs?: number;
}

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;

export function handleInterrupts({
  source = process,
  stderr = process.stderr,
  exit = (code) => process.exit(code),
  watchParent = process.env.npm_lifecycle_event !== undefined,
  parentPid = () => process.ppid,
  parentWakeups = shellWakeups,
  parentPollMs = 500,
}: InterruptOptions = {}): InterruptHandler {
  const controller = new AbortController();
  const stop = (what: string) => {
    stderr.write(`\n${what}: stopping after the current iteration and saving a checkpoint (Ctrl-C again to quit now)\n`);
    controller.abort(new Error(`interrupted by ${what}`));
  };
  const listeners = (Object.keys(EXIT_CODES) as Array<keyof typeof EXIT_CODES>).map((name) => {
    const listener = () => {
      if (!controller.signal.aborted) {
        stop(name === 'SIGINT' ? 'Ctrl-C' : name);
        return;
      }
      stderr.write('Quitting now, without a checkpoint.\n');
      exit(EXIT_CODES[name]);
    };
    source.on(name, listener);
    return [name, listener] as const;
  });
  let poll: NodeJS.Timeout | undefined;
  if (watchParent) {
    const parent = parentPid();
    let wakeups: number | undefined; // the baseline is read at the first check, once the shell waits on us
    let first = true;
    poll = setInterval(() => {
      const gone = parentPid() !== parent;
      const now = gone ? undefined : parentWakeups(parent);
      const woke = !first && wakeups !== undefined && now !== undefined && now > wakeups;
      first = false;
      wakeups ??= now;
      if (!gone && !woke) return;
      clearInterval(poll);
      if (controller.signal.aborted) return;
      stop(gone ? `parent process ${parent} ended (a signal to npx reached only npm's shell)` : `npm's shell (pid ${parent}) received a signal (kill -INT to npx)`);
    }, parentPollMs);
    poll.unref();
  }
  return {
    signal: controller.signal,
    dispose() {
      clearInterval(poll);
      for (const [name, listener] of listeners) source.off(name, listener);
    },
  };
}

/** Linux: voluntary + involuntary context switches of `pid` if it is a shell (sh, dash, bash), else undefined. */
function shellWakeups(pid: number): number | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    if (!/^Name:\s*(sh|dash|bash)\s*$/m.test(status)) return undefined;
    const count = (key: string) => Number(new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(status)?.[1] ?? NaN);
    const total = count('voluntary_ctxt_switches') + count('nonvoluntary_ctxt_switches');
    return Number.isFinite(total) ? total : undefined;
  } catch {
    return undefined;
  }
}

/** Exit code of a trainer whose sweep went away. */
export const EXIT_PARENT_GONE = 129;

/**
 * When started with an IPC channel (by a sweep), exit as soon as the channel closes: the parent is gone. The
 * run keeps its last checkpoint; the lock this process leaves is stale and taken over by the next writer.
 */
export function exitWithParent({ stderr = process.stderr, exit = (code: number) => process.exit(code) } = {}): void {
  if (!process.channel) return;
  process.on('disconnect', () => {
    stderr.write('trpo: the sweep that started this trainer is gone; exiting (the run resumes from its last checkpoint)\n');
    exit(EXIT_PARENT_GONE);
  });
  process.channel.unref(); // the channel alone must not keep a finished trainer alive
}

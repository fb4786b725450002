// How a sweep runs one training run. The default runs each in its own Node process
// (`node <package>/dist/sdk/cli.js train …`): a run that crashes, leaks or hangs takes only itself down, its
// stderr tail becomes the error the sweep records, and each child has its own MuJoCo instance and threads.
//
// Children are started in their own process group (`detached`), so a Ctrl-C on the terminal reaches only the
// sweep, which forwards exactly one SIGINT to each child: the trainer's first SIGINT means "checkpoint and
// stop", a second one would mean "exit now". Children still alive when the sweep process exits get SIGTERM;
// if the sweep is killed outright, each child sees its IPC channel close and exits.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LOCK_TOKEN_ENV } from '../run/lock.js';
import { OUTPUT_LOG } from './run-dir.js';
import type { PlannedRun } from './spec.js';

/** What the sweep asks a runner to do: train `run` into `runDir` (resuming its checkpoints if `resume`). */
export interface RunRequest {
  run: PlannedRun;
  runDir: string;
  /** JSON file holding `run.options`, for the trainer's --config. */
  optionsFile: string;
  resume: boolean;
  /** Aborted when the sweep is stopped: stop cleanly, after a checkpoint. */
  signal: AbortSignal;
  /** Token of the run lock the sweep holds; the trainer takes it over (LOCK_TOKEN_ENV). */
  lockToken?: string;
}

/**
 * Trains one run. Resolves when the run ended normally (it then has result.json, unless it was stopped);
 * rejects when it failed, with the reason in the error message.
 */
export type RunFunction = (request: RunRequest) => Promise<void>;

/** A child that exited with an error: its exit code or signal and the end of what it printed. */
export class RunFailedError extends Error {
  constructor(readonly exitCode: number | null, readonly signal: string | null, readonly tail: string) {
    super(`trainer ${exitCode !== null ? `exited with code ${exitCode}` : `was killed by ${signal}`}${tail ? `:\n${tail}` : ''}`);
    this.name = 'RunFailedError';
  }
}

export interface ChildProcessRunnerOptions {
  /** The CLI to run (default: this package's dist/sdk/cli.js). */
  cliPath?: string;
  /** Extra Node flags for the children (e.g. ["--max-old-space-size=4096"]). */
  execArgv?: string[];
  /** After the stop request, wait this long for the child's checkpoint before killing it (default 120 s). */
  stopTimeoutMs?: number;
  /** Lines of stderr kept for the error message (default 20). */
  tailLines?: number;
}

const DEFAULT_CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const TAIL_BYTES = 16 * 1024;

/** The default runner: one `trpo train` child process per run. */
export function childProcessRunner(options: ChildProcessRunnerOptions = {}): RunFunction {
  const cliPath = options.cliPath ?? DEFAULT_CLI;
  if (!fs.existsSync(cliPath)) {
    throw new Error(`trainer CLI not found at ${cliPath}; build the package first (npm run build)`);
  }
  const stopTimeoutMs = options.stopTimeoutMs ?? 120_000;
  const tailLines = options.tailLines ?? 20;
  return (request) =>
    new Promise<void>((resolve, reject) => {
      const { run, runDir } = request;
      fs.mkdirSync(runDir, { recursive: true });
      const log = fs.openSync(path.join(runDir, OUTPUT_LOG), 'a');
      const args = [
        ...(options.execArgv ?? []),
        cliPath, 'train',
        '--env', run.env,
        '--seed', String(run.seed),
        '--timesteps', String(run.totalTimesteps),
        '--out', runDir,
        '--config', request.optionsFile,
        ...(request.resume ? ['--resume'] : []),
      ];
      // The IPC channel is the trainer's lifeline: when the sweep dies, even by SIGKILL, the channel closes
      // and the trainer exits (sdk/cli/interrupt.ts exitWithParent), so no orphan keeps writing the run.
      const env = { ...process.env, ...(request.lockToken ? { [LOCK_TOKEN_ENV]: request.lockToken } : {}) };
      const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], env });
      child.channel?.unref(); // the sweep's own exit must not wait for the channel
      trackChild(child);
      let stderrTail = '';
      child.stdout!.on('data', (chunk: Buffer) => fs.writeSync(log, chunk));
      child.stderr!.on('data', (chunk: Buffer) => {
        fs.writeSync(log, chunk);
        stderrTail = (stderrTail + chunk.toString('utf8')).slice(-TAIL_BYTES);
      });

      let killTimer: NodeJS.Timeout | undefined;
      const stop = () => {
        child.kill('SIGINT');
        killTimer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs);
        killTimer.unref();
      };
      if (request.signal.aborted) stop();
      else request.signal.addEventListener('abort', stop, { once: true });

      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return; // a child that fails to start emits both 'error' and 'close'
        settled = true;
        liveChildren.delete(child);
        request.signal.removeEventListener('abort', stop);
        clearTimeout(killTimer);
        fs.closeSync(log);
        if (error) reject(error);
        else resolve();
      };
      child.on('error', (error) => finish(new Error(`cannot start the trainer (${process.execPath} ${cliPath}): ${error.message}`)));
      child.on('close', (code, signal) => {
        if (code === 0) finish();
        else finish(new RunFailedError(code, signal, lastLines(stderrTail, tailLines)));
      });
    });
}

function lastLines(text: string, count: number): string {
  return text.trimEnd().split('\n').slice(-count).join('\n');
}

// Detached children do not die with the sweep: make sure they do.
const liveChildren = new Set<ChildProcess>();
let exitHookInstalled = false;

function trackChild(child: ChildProcess): void {
  liveChildren.add(child);
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of liveChildren) c.kill('SIGTERM');
  });
}

// How the main thread drives an EnvGroup: in a worker thread (one message per command, the data itself in
// shared memory) or in-process. Both look the same to VecEnv.
//
// Why one message per command rather than Atomics.wait/notify: measured on the 2-core target machine, a round
// trip to two workers costs ≈ 50 µs by message and ≈ 25–40 µs by Atomics (waitAsync on the main thread) — a
// small difference next to a MuJoCo step, and nothing at all for collect(), which is one message per iteration.
// Messages keep the workers on their event loop (async policy loading, crash events) and need no spin protocol.
import { Worker } from 'node:worker_threads';
import type { GroupConfig, GroupSpaces } from './commands.js';
import { EnvGroup } from './env-group.js';

export const COMMANDS = [
  'attach', 'reset', 'step', 'configurePolicy', 'collect', 'evaluateBranches', 'evaluateCandidates', 'getStates', 'setStates',
] as const;
export type CommandName = (typeof COMMANDS)[number];
export type CommandArg<C extends CommandName> = Parameters<EnvGroup[C]>[0];
export type CommandResult<C extends CommandName> = Awaited<ReturnType<EnvGroup[C]>>;

/** Run command `cmd` on `group` (the worker's dispatcher and the in-process backend share it). */
export function runCommand<C extends CommandName>(group: EnvGroup, cmd: C, arg: CommandArg<C>): CommandResult<C> | Promise<CommandResult<C>> {
  const method = group[cmd] as (arg: CommandArg<C>) => CommandResult<C> | Promise<CommandResult<C>>;
  return method.call(group, arg);
}

/** Messages between the main thread and a worker. */
export type WorkerRequest = { id: number; cmd: CommandName; arg: unknown };
export type WorkerReply =
  | { type: 'ready'; spaces: GroupSpaces; dims: EnvGroup['dims'] }
  | { type: 'failed'; error: SerializedError }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; error: SerializedError };
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  return error instanceof Error
    ? { name: error.name, message: error.message, stack: error.stack }
    : { name: 'Error', message: String(error) };
}

export interface GroupBackend {
  readonly spaces: GroupSpaces;
  readonly dims: EnvGroup['dims'];
  /** Resolves with the command's result; rejects with the group's error, or when its worker dies. */
  call<C extends CommandName>(cmd: C, arg: CommandArg<C>): Promise<CommandResult<C>>;
  close(): Promise<void>;
}

/** numWorkers = 0: the group lives in the main thread. */
export class InlineBackend implements GroupBackend {
  private constructor(private readonly group: EnvGroup) {}

  static async start(config: GroupConfig): Promise<InlineBackend> {
    return new InlineBackend(await EnvGroup.create(config));
  }

  get spaces(): GroupSpaces { return this.group.spaces; }
  get dims(): EnvGroup['dims'] { return this.group.dims; }

  async call<C extends CommandName>(cmd: C, arg: CommandArg<C>): Promise<CommandResult<C>> {
    return runCommand(this.group, cmd, arg);
  }

  async close(): Promise<void> {
    this.group.close();
  }
}

type Pending = { resolve: (value: unknown) => void; reject: (error: Error) => void };

/**
 * One worker thread running one EnvGroup. The worker is unref'd while idle, so a forgotten close() never keeps
 * the process alive, and ref'd while a command is pending, so awaiting a command does.
 */
export class ThreadBackend implements GroupBackend {
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();
  private failure: Error | undefined;
  private closing = false;
  spaces!: GroupSpaces;
  dims!: EnvGroup['dims'];

  private constructor(private readonly worker: Worker, private readonly label: string) {}

  static start(config: GroupConfig, label: string): Promise<ThreadBackend> {
    const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: config });
    const backend = new ThreadBackend(worker, label);
    return new Promise<ThreadBackend>((resolve, reject) => {
      // Until 'ready', a failure rejects the start; afterwards it rejects the pending commands.
      backend.pending.set(-1, {
        resolve: () => resolve(backend),
        reject: (error) => reject(error),
      });
      worker.on('message', (message: WorkerReply) => backend.onMessage(message));
      worker.on('error', (error) => backend.fail(new Error(`${label} crashed: ${error.message}`, { cause: error })));
      worker.on('messageerror', (error) => backend.fail(new Error(`${label}: undecodable message: ${error.message}`)));
      worker.on('exit', (code) => {
        if (!backend.closing) backend.fail(new Error(`${label} exited unexpectedly with code ${code}`));
      });
    });
  }

  call<C extends CommandName>(cmd: C, arg: CommandArg<C>): Promise<CommandResult<C>> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error(`${this.label} is closed`));
    const id = this.nextId++;
    if (this.pending.size === 0) this.worker.ref();
    return new Promise<CommandResult<C>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage({ id, cmd, arg } satisfies WorkerRequest);
    });
  }

  /** Terminate the worker; a command still running is rejected. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.rejectPending(new Error(`${this.label} was closed while a call was running`));
    await this.worker.terminate();
  }

  private onMessage(message: WorkerReply): void {
    if (this.closing) return; // replies racing a close or failure: their callers were already rejected
    if (message.type === 'ready') {
      this.spaces = message.spaces;
      this.dims = message.dims;
      this.settle(-1).resolve(this);
    } else if (message.type === 'failed') {
      this.fail(this.remoteError(message.error));
    } else if (message.ok) {
      this.settle(message.id).resolve(message.value);
    } else {
      this.settle(message.id).reject(this.remoteError(message.error));
    }
  }

  private settle(id: number): Pending {
    const entry = this.pending.get(id);
    if (entry === undefined) throw new Error(`internal: ${this.label} replied to unknown request ${id}`);
    this.pending.delete(id);
    if (this.pending.size === 0) this.worker.unref();
    return entry;
  }

  private remoteError(error: SerializedError): Error {
    const wrapped = new Error(`${this.label}: ${error.message}`);
    wrapped.stack = `${wrapped.name}: ${wrapped.message}\n--- in the worker ---\n${error.stack ?? error.message}`;
    return wrapped;
  }

  /** A dead worker fails every pending and future command, and is terminated. */
  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    this.rejectPending(error);
    this.closing = true;
    void this.worker.terminate();
  }

  private rejectPending(error: Error): void {
    for (const entry of this.pending.values()) entry.reject(error);
    this.pending.clear();
  }
}

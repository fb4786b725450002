// A second thread for Fisher-vector products. The TRPO update runs on one thread while the rollout workers are
// idle; a KernelHelper lets every FVP (and so every CG iteration, still inside wasm) split its states in two
// halves computed at the same time on the same shared memory. Between commands the helper sleeps in
// Atomics.wait and uses no CPU.
//
// Protocol (control block of assembly/fisher.ts, in the arena): the main thread's kernel writes the arguments,
// bumps the command word and notifies; the helper runs fisherRows, sets the done word and notifies back.

import { Worker } from 'node:worker_threads';
import type { ArenaArray } from './arena.js';
import { kernels } from './loader.js';

/** Words of the control block (assembly/fisher.ts); a failed command leaves its UTF-8 message at `message`. */
export const CONTROL = { command: 0, done: 16, args: 32, failed: 48, message: 64, words: 128 } as const;

export class KernelHelper {
  private closed = false;

  private constructor(private readonly worker: Worker, private readonly control: ArenaArray<'i32'>) {
    worker.unref();
  }

  /** Start a helper for the calling thread's kernels (resolves once it is waiting for work). */
  static async start(): Promise<KernelHelper> {
    const { memory, arena } = kernels();
    const control = arena.array('i32', CONTROL.words);
    const worker = new Worker(new URL('./helper-worker.js', import.meta.url), {
      workerData: { memory, control: control.ptr },
    });
    await new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    return new KernelHelper(worker, control);
  }

  /** Address of the control block (for the batch's Helper struct). */
  get controlPtr(): number {
    if (this.closed) throw new Error('KernelHelper: used after close()');
    return this.control.ptr;
  }

  /** Explain a trap raised by the main thread after the helper reported a failure (undefined if it did not). */
  describeFailure(): string | undefined {
    const words = this.control.view;
    if (words[CONTROL.failed] === 0) return undefined;
    const bytes = new Uint8Array(words.buffer, words.byteOffset + CONTROL.message * 4, (CONTROL.words - CONTROL.message) * 4);
    const end = bytes.indexOf(0);
    return `kernel helper thread failed: ${new TextDecoder().decode(bytes.slice(0, end < 0 ? bytes.length : end))}`;
  }

  /** Stop the helper thread and release its control block. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.worker.terminate();
    this.control.release();
  }
}

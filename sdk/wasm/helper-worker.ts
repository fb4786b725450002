// Entry of a KernelHelper thread: instantiate the kernels on the main thread's shared memory, then serve
// commands from the control block forever (the main thread terminates it).

import { parentPort, workerData } from 'node:worker_threads';
import { CONTROL } from './helper.js';
import { instantiateOnMemory, type WasmMemory } from './loader.js';

const { memory, control: controlPtr } = workerData as { memory: WasmMemory; control: number };
const kernels = instantiateOnMemory(memory);
const control = new Int32Array(memory.buffer, controlPtr, CONTROL.words);
const arg = (i: number): number => control[CONTROL.args + i] >>> 0;

let seen = Atomics.load(control, CONTROL.command);
parentPort!.postMessage({ ready: true });
for (;;) {
  Atomics.wait(control, CONTROL.command, seen);
  const command = Atomics.load(control, CONTROL.command);
  if (command === seen) continue;
  seen = command;
  try {
    const k = arg(9) === 0 ? kernels.f32 : kernels.f64;
    k.fisherRows(arg(0), arg(1), arg(2), arg(3), arg(4), arg(5), arg(6), arg(7) !== 0, arg(8));
  } catch (error) {
    // The main thread is blocked in wasm until `done`: leave the message where it can read it synchronously.
    const room = new Uint8Array(memory.buffer, controlPtr + CONTROL.message * 4, (CONTROL.words - CONTROL.message) * 4);
    room.fill(0);
    room.set(new TextEncoder().encode(String(error)).subarray(0, room.length - 1));
    Atomics.store(control, CONTROL.failed, 1);
  }
  Atomics.store(control, CONTROL.done, command);
  Atomics.notify(control, CONTROL.done);
}

// The arena allocator (on a stand-in memory that detaches on growth, the strict case) and the loader in a
// worker thread.
import { expect } from 'chai';
import { Worker } from 'node:worker_threads';
import { Arena, GrowableArenaArray, type ArenaMemory } from '../sdk/wasm/arena.js';
import { kernels } from '../sdk/wasm/loader.js';
import { GaussianMlpPolicy } from '../sdk/index.js';
import { normals, seeded } from './kernels-fixtures.js';

const PAGE = 65536;

/** A memory whose growth replaces the buffer (like a non-shared WebAssembly.Memory: old views detach). */
function detachingMemory(pages: number): ArenaMemory & { grows: number } {
  let buffer = new ArrayBuffer(pages * PAGE);
  return {
    grows: 0,
    buffer: () => buffer,
    grow(more: number) {
      const next = new ArrayBuffer(buffer.byteLength + more * PAGE);
      new Uint8Array(next).set(new Uint8Array(buffer));
      buffer = next;
      this.grows++;
    },
  };
}

describe('wasm loader and arena', () => {
  it('hands out 16-byte aligned, zero-filled blocks above the base', () => {
    const arena = new Arena(detachingMemory(1), 100);
    const a = arena.alloc(3), b = arena.alloc(40);
    expect(a).to.equal(112);
    expect(b).to.equal(128);
    expect(b % 16).to.equal(0);
    arena.view('u8', a, 16).fill(255);
    arena.release(a);
    const c = arena.alloc(8);
    expect(c).to.equal(a);
    expect(Array.from(arena.view('u8', c, 16))).to.deep.equal(new Array(16).fill(0));
  });

  it('reuses freed space first-fit and coalesces neighbours', () => {
    const arena = new Arena(detachingMemory(1), 0);
    const [a, b, c] = [arena.alloc(32), arena.alloc(32), arena.alloc(32)];
    arena.release(a);
    arena.release(b);
    expect(arena.alloc(64)).to.equal(a);
    arena.release(c);
    expect(arena.alloc(16)).to.equal(c); // c returned to the top region and handed out again
    expect(() => arena.release(12345)).to.throw(/not an allocated block/);
    expect(arena.bytesInUse).to.equal(80);
  });

  it('grows the memory and ArenaArray views follow the new buffer, keeping their contents', () => {
    const memory = detachingMemory(1);
    const arena = new Arena(memory, 0);
    const small = arena.array('f64', 100);
    small.view.set(normals(seeded(1), 100));
    const before = Float64Array.from(small.view);
    const big = arena.array('f32', 3 * PAGE);
    expect(memory.grows).to.be.at.least(1);
    expect(Array.from(small.view)).to.deep.equal(Array.from(before));
    big.view[big.length - 1] = 7;
    expect(big.view[big.length - 1]).to.equal(7);
    big.release();
    expect(() => big.view).to.throw(/released/);
  });

  it('GrowableArenaArray reallocates only for a larger length', () => {
    const arena = new Arena(detachingMemory(1), 0);
    const scratch = new GrowableArenaArray(arena, 'i32');
    const first = scratch.ensure(10);
    expect(scratch.ensure(5)).to.equal(first);
    expect(scratch.ensure(11)).to.not.equal(first);
    scratch.release();
    expect(arena.bytesInUse).to.equal(0);
  });

  it('instantiates once per thread and exposes both precisions', () => {
    expect(kernels()).to.equal(kernels());
    expect(kernels().f32.bytesPerElement).to.equal(4);
    expect(kernels().f64.bytesPerElement).to.equal(8);
  });

  it('loads in a worker thread with its own instance and computes the same policy output', async () => {
    const obs = Array.from(normals(seeded(2), 3 * 17));
    const policy = new GaussianMlpPolicy({ obsDim: 17, actionDim: 6, seed: 7 });
    const expected = Array.from(policy.forward(obs).mean);
    policy.dispose();
    const script = `
      const { parentPort, workerData } = require('node:worker_threads');
      import(workerData.sdk).then(({ GaussianMlpPolicy }) => {
        const policy = new GaussianMlpPolicy({ obsDim: 17, actionDim: 6, seed: 7 });
        parentPort.postMessage(Array.from(policy.forward(workerData.obs).mean));
      });`;
    const sdk = new URL('../sdk/index.js', import.meta.url).href;
    const worker = new Worker(script, { eval: true, workerData: { sdk, obs } });
    const mean = await new Promise<number[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    expect(mean).to.deep.equal(expected);
  });
});

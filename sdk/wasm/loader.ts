// The only module that touches `WebAssembly`. Per thread (main, worker_threads worker or Web Worker) it compiles
// build/kernels.wasm once, creates the module's memory, instantiates, and owns the single Arena every policy,
// batch and value function of that thread allocates from. Each worker thread gets its own instance simply by
// importing this module (module state is per thread).
//
// The memory is a shared WebAssembly.Memory (the module declares it shared) so a helper thread can run the same
// kernels on the same buffers; on a single thread it behaves like any other memory. Shared memory never detaches
// on growth, but views are still refreshed by ArenaArray so nothing depends on that.

//
// Only fetching the bytes differs per platform (package.json "imports" #kernel-bytes): Node reads the file
// synchronously on first use; a browser compiles asynchronously first with loadKernels (fetch + compileStreaming,
// or bytes it already has).

import { readKernelBytes } from '#kernel-bytes';
import { Arena } from './arena.js';

/** Must equal abiVersion() in assembly/index.ts. */
const ABI_VERSION = 5;
const INITIAL_PAGES = 256; // 16 MiB
const MAXIMUM_PAGES = 65536; // the 4 GiB limit of wasm32

export type Precision = 'f32' | 'f64';

/** A WebAssembly.Memory as far as the SDK needs it. */
export interface WasmMemory {
  readonly buffer: ArrayBufferLike;
  grow(pages: number): number;
}

/**
 * The part of the global WebAssembly API used here, typed locally: the compile target's lib has no WebAssembly
 * declarations (they live in the DOM lib), and keeping them out of the public types spares consumers the same.
 */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  compile(bytes: ArrayBuffer | ArrayBufferView): Promise<object>;
  compileStreaming?(response: Response | PromiseLike<Response>): Promise<object>;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

type Ptr = number;

/** Kernels that exist once per precision (exported with suffix F32 / F64). */
export interface PrecisionKernels {
  readonly precision: Precision;
  readonly bytesPerElement: 4 | 8;
  mlpWorkspaceBytes(net: Ptr): number;
  mlpPack(net: Ptr): void;
  mlpForward(net: Ptr, x: Ptr, n: number, hidden: Ptr, out: Ptr, ws: Ptr): void;
  mlpJvp(net: Ptr, x: Ptr, n: number, hidden: Ptr, v: Ptr, tOut: Ptr, ws: Ptr): void;
  mlpVjp(net: Ptr, x: Ptr, n: number, hidden: Ptr, g: Ptr, grad: Ptr, ws: Ptr): void;
  gaussianLogProb(mean: Ptr, logStd: Ptr, actions: Ptr, n: number, A: number, out: Ptr): void;
  gaussianEntropy(logStd: Ptr, A: number): number;
  gaussianKl(meanOld: Ptr, logStdOld: Ptr, meanNew: Ptr, logStdNew: Ptr, n: number, A: number, out: Ptr): void;
  gaussianKlGrad(meanOld: Ptr, logStdOld: Ptr, meanNew: Ptr, logStdNew: Ptr, n: number, A: number, gMean: Ptr, gLogStd: Ptr): void;
  softmax(logits: Ptr, n: number, K: number, probs: Ptr): void;
  categoricalLogProb(logits: Ptr, actions: Ptr, n: number, K: number, out: Ptr): void;
  categoricalEntropy(logits: Ptr, n: number, K: number, out: Ptr): void;
  categoricalKl(logitsOld: Ptr, logitsNew: Ptr, n: number, K: number, out: Ptr): void;
  categoricalKlGrad(logitsOld: Ptr, logitsNew: Ptr, n: number, K: number, g: Ptr): void;
  policyForwardOld(net: Ptr, batch: Ptr, ws: Ptr): void;
  policySurrogateGradient(net: Ptr, batch: Ptr, advantages: Ptr, grad: Ptr, ws: Ptr): number;
  policyEvaluate(net: Ptr, batch: Ptr, advantages: Ptr, ws: Ptr, result: Ptr): void;
  /** `helper`: a Helper struct (assembly/fisher.ts) to split the rows with a helper thread, or 0. */
  fisherVectorProduct(net: Ptr, batch: Ptr, v: Ptr, out: Ptr, damping: number, empirical: boolean, ws: Ptr, helper: Ptr): void;
  /** The helper thread's share of one FVP: rows [r0, r1) added into out. */
  fisherRows(net: Ptr, batch: Ptr, tangent: Ptr, v: Ptr, out: Ptr, r0: number, r1: number, empirical: boolean, ws: Ptr): void;
  conjugateGradient(
    net: Ptr, batch: Ptr, rhs: Ptr, x: Ptr, maxIterations: number, residualTol: number, damping: number,
    empirical: boolean, ws: Ptr, work: Ptr, info: Ptr, helper: Ptr,
  ): number;
  adamStep(params: Ptr, grad: Ptr, m: Ptr, v: Ptr, count: number, lr: number, beta1: number, beta2: number, epsilon: number, step: number): void;
  mseLoss(pred: Ptr, target: Ptr, n: number, g: Ptr): number;
}

/** Kernels independent of the precision. */
export interface CommonKernels {
  mlpParamCount(net: Ptr): number;
  mlpInputCount(net: Ptr): number;
  mlpHiddenCount(net: Ptr, n: number): number;
  mlpJacobianCount(net: Ptr, n: number): number;
  mlpJacobianScratchCount(net: Ptr): number;
  mlpPolicyParamCount(net: Ptr, kind: number): number;
  gae(
    rewards: Ptr, values: Ptr, terminated: Ptr, truncated: Ptr, truncationValues: Ptr, lastValues: Ptr,
    nSteps: number, numEnvs: number, gamma: number, lambda: number, advantages: Ptr, returns: Ptr,
  ): void;
  gatherRows(src: Ptr, rowBytes: number, indices: Ptr, count: number, dst: Ptr): void;
}

const PRECISION_KERNELS = [
  'mlpWorkspaceBytes', 'mlpPack', 'mlpForward', 'mlpJvp', 'mlpVjp', 'gaussianLogProb', 'gaussianEntropy',
  'gaussianKl', 'gaussianKlGrad', 'softmax', 'categoricalLogProb', 'categoricalEntropy', 'categoricalKl',
  'categoricalKlGrad', 'policyForwardOld', 'policySurrogateGradient', 'policyEvaluate', 'fisherVectorProduct',
  'fisherRows', 'conjugateGradient', 'adamStep', 'mseLoss',
] as const;
const COMMON_KERNELS = [
  'mlpParamCount', 'mlpInputCount', 'mlpHiddenCount', 'mlpJacobianCount', 'mlpJacobianScratchCount', 'mlpPolicyParamCount', 'gae', 'gatherRows',
] as const;

/** One thread's kernels: the instance, its memory, and the arena over that memory. */
export interface Kernels {
  readonly common: CommonKernels;
  readonly f32: PrecisionKernels;
  readonly f64: PrecisionKernels;
  readonly arena: Arena;
  /** The shared memory, to hand to a helper thread (`instantiateOnMemory`). */
  readonly memory: WasmMemory;
}

let compiled: object | undefined;
let threadKernels: Kernels | undefined;

/** Where loadKernels gets build/kernels.wasm: its URL, a fetch Response, or its bytes. */
export type KernelSource = string | URL | Response | ArrayBuffer | ArrayBufferView;

/**
 * Compiles the kernels asynchronously from `source` so that kernels() needs no synchronous read (required in a
 * browser; optional in Node). A second call is a no-op. Streams the compile when given a URL or a Response.
 */
export async function loadKernels(source: KernelSource): Promise<void> {
  if (compiled) return;
  let module: object;
  if (typeof source === 'string' || source instanceof URL || isResponse(source)) {
    const response = isResponse(source) ? source : await fetch(source);
    if (!response.ok) throw new Error(`trpo-wasm: fetching the kernels from ${response.url || String(source)} failed: HTTP ${response.status}`);
    const streamable = wasm.compileStreaming && /application\/wasm/.test(response.headers.get('content-type') ?? '');
    module = streamable ? await wasm.compileStreaming!(response) : await wasm.compile(await response.arrayBuffer());
  } else {
    module = await wasm.compile(source);
  }
  compiled ??= module;
}

function isResponse(value: unknown): value is Response {
  return typeof Response !== 'undefined' && value instanceof Response;
}

/** The kernels of the calling thread, instantiated on first use. */
export function kernels(): Kernels {
  threadKernels ??= instantiate(new wasm.Memory({ initial: INITIAL_PAGES, maximum: MAXIMUM_PAGES, shared: true }), true);
  return threadKernels;
}

/**
 * A second instance on an existing shared memory (a helper thread working on the caller's buffers). It has no
 * arena of its own: all allocation stays with the thread that owns the memory.
 */
export function instantiateOnMemory(memory: WasmMemory): Omit<Kernels, 'arena'> {
  return instantiate(memory, false);
}

function instantiate(memory: WasmMemory, withArena: true): Kernels;
function instantiate(memory: WasmMemory, withArena: false): Omit<Kernels, 'arena'>;
function instantiate(memory: WasmMemory, withArena: boolean): Kernels | Omit<Kernels, 'arena'> {
  compiled ??= new wasm.Module(readKernelBytes());
  const instance = new wasm.Instance(compiled, {
    env: {
      memory,
      abort: (message: number, file: number, line: number, column: number) => {
        throw new Error(`wasm kernel abort: ${readString(memory, message)} at ${readString(memory, file)}:${line}:${column}`);
      },
    },
  });
  const exports = instance.exports;
  const abi = (exports.abiVersion as () => number)();
  if (abi !== ABI_VERSION) {
    throw new Error(`build/kernels.wasm has ABI ${abi} but the SDK expects ${ABI_VERSION}: run \`npm run build:wasm\``);
  }
  const pick = <N extends string>(names: readonly N[], suffix: string): Record<N, unknown> => {
    const out = {} as Record<N, unknown>;
    for (const name of names) {
      const fn = exports[name + suffix];
      if (typeof fn !== 'function') throw new Error(`build/kernels.wasm lacks export ${name + suffix}: run \`npm run build:wasm\``);
      out[name] = fn;
    }
    return out;
  };
  const f32 = { ...pick(PRECISION_KERNELS, 'F32'), precision: 'f32', bytesPerElement: 4 } as unknown as PrecisionKernels;
  const f64 = { ...pick(PRECISION_KERNELS, 'F64'), precision: 'f64', bytesPerElement: 8 } as unknown as PrecisionKernels;
  const common = pick(COMMON_KERNELS, '') as unknown as CommonKernels;
  if (!withArena) return { common, f32, f64, memory };
  const base = (exports.heapBase as () => number)();
  const arena = new Arena({ buffer: () => memory.buffer, grow: (pages) => void memory.grow(pages) }, base);
  return { common, f32, f64, memory, arena };
}

/** An AssemblyScript string (UTF-16, byte length at ptr − 4), copied out of the (possibly shared) memory. */
function readString(memory: WasmMemory, ptr: number): string {
  if (ptr === 0) return '(no message)';
  const bytes = new Uint32Array(memory.buffer, ptr - 4, 1)[0];
  const units = new Uint16Array(bytes >>> 1);
  units.set(new Uint16Array(memory.buffer, ptr, bytes >>> 1));
  return String.fromCharCode(...units);
}

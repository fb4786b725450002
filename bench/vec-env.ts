// npm run bench:vecenv — env-steps/s of VecEnv.collect() (the workers run a 64×64 policy) with 1 and 2 workers,
// and of the per-step VecEnv.step() path, against a single env's raw stepInto loop in the main thread measured
// in the same run. Also measured: the same raw loop in 2 threads at once — what the machine can give in parallel
// right now (shared cores make this vary). Measurements are interleaved round by round so machine noise hits all
// of them alike. Prints the median and the best round of each (the best: the rate when no other process got in
// the way), each with its ratio to the raw loop's; asserts nothing. Goal: collect, 2 workers ≥ 1.8 × raw loop.
// Last, the cost of one synchronisation round trip to 2 idle workers by message (what VecEnv uses) and by
// Atomics.notify/waitAsync, the alternative considered.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { makeEnv } from '../envs/registry.js';
import { createStepOutput } from '../envs/base-env.js';
import { Rng } from '../sdk/rng.js';
import { makeVecEnv, type VecEnv } from '../sdk/vec-env/index.js';

const ROUNDS = 7;
const COLLECTS_PER_SAMPLE = 3;
const NUM_ENVS = 2;
const HIDDEN_SIZES = [64, 64];

interface Case {
  id: string;
  /** Steps per env of one collect() (SB3's TRPO default: 1024 per env). */
  nSteps: number;
  /** Calls of step() (each steps every env). */
  stepCalls: number;
  /** Steps of each raw loop (long enough to time reliably). */
  rawSteps: number;
}

const CASES: Case[] = [
  { id: 'Hopper-v5', nSteps: 1024, stepCalls: 1000, rawSteps: 6000 },
  { id: 'CartPole-v1', nSteps: 4096, stepCalls: 4000, rawSteps: 400_000 },
];

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function randomAction(vec: { actionSpace: VecEnv['actionSpace'] }, rng: Rng, out: Float64Array): void {
  const space = vec.actionSpace;
  for (let j = 0; j < out.length; j++) {
    out[j] = space.type === 'box' ? rng.uniformRange(space.low[j % space.shape[0]], space.high[j % space.shape[0]]) : rng.integer(space.n);
  }
}

/** Env-steps/s of one env stepped with random actions in a plain loop, auto-resetting: the baseline. */
async function rawLoop(id: string, steps: number): Promise<number> {
  const env = await makeEnv(id);
  const out = createStepOutput(env);
  const rng = new Rng(0);
  const action = new Float64Array(env.actionSpace.type === 'box' ? env.actionSpace.shape[0] : 1);
  env.resetInto({ seed: 0 }, out);
  const start = performance.now();
  for (let t = 0; t < steps; t++) {
    randomAction(env, rng, action);
    env.stepInto(action, out);
    if (out.terminated || out.truncated) env.resetInto(undefined, out);
  }
  const seconds = (performance.now() - start) / 1000;
  env.close();
  return steps / seconds;
}

/**
 * `threads` threads (this file as a worker) that each run the raw loop on request; `run()` starts them together
 * and returns their combined env-steps/s. They live for all rounds, so they are as warm as the main thread.
 */
async function rawLoopThreads(id: string, steps: number, threads: number) {
  const workers = Array.from({ length: threads }, () => new Worker(new URL(import.meta.url), { workerData: { role: 'raw', id, steps } }));
  const next = (w: Worker) => new Promise((resolve, reject) => w.once('message', resolve).once('error', reject));
  await Promise.all(workers.map(next)); // warmed up and ready
  return {
    async run(): Promise<number> {
      const start = performance.now();
      const done = workers.map(next);
      for (const w of workers) w.postMessage('go');
      await Promise.all(done);
      return (threads * steps) / ((performance.now() - start) / 1000);
    },
    close: () => Promise.all(workers.map((w) => w.terminate())),
  };
}

/** Env-steps/s of COLLECTS_PER_SAMPLE back-to-back iterations (one alone is short enough to be noise-bound). */
async function collectRate(vec: VecEnv, parameters: Float64Array, nSteps: number): Promise<number> {
  const start = performance.now();
  for (let k = 0; k < COLLECTS_PER_SAMPLE; k++) await vec.collect({ parameters, nSteps });
  return (COLLECTS_PER_SAMPLE * nSteps * vec.numEnvs) / ((performance.now() - start) / 1000);
}

async function stepRate(vec: VecEnv, calls: number): Promise<number> {
  const rng = new Rng(1);
  const actions = new Float64Array(vec.numEnvs * vec.actDim);
  const start = performance.now();
  for (let t = 0; t < calls; t++) {
    randomAction(vec, rng, actions);
    await vec.step(actions);
  }
  return (calls * vec.numEnvs) / ((performance.now() - start) / 1000);
}

async function benchCase({ id, nSteps, stepCalls, rawSteps }: Case): Promise<void> {
  const vecs = new Map<number, VecEnv>();
  const parameters = new Map<number, Float64Array>();
  for (const numWorkers of [1, 2]) {
    const vec = await makeVecEnv(id, { numEnvs: NUM_ENVS, numWorkers, seed: 0 });
    const { numParameters } = await vec.configurePolicy({ hiddenSizes: HIDDEN_SIZES, activation: 'tanh' });
    const rng = new Rng(2);
    parameters.set(numWorkers, Float64Array.from({ length: numParameters }, () => 0.1 * rng.normal()));
    await vec.collect({ parameters: parameters.get(numWorkers)!, nSteps: 64 }); // warm-up (JIT, first reset)
    vecs.set(numWorkers, vec);
  }
  const rawThreads = await rawLoopThreads(id, rawSteps, 2);
  const samples = new Map<string, number[]>();
  const record = (label: string, rate: number) => samples.set(label, [...(samples.get(label) ?? []), rate]);
  for (let round = 0; round < ROUNDS; round++) {
    record('single env, raw stepInto loop', await rawLoop(id, rawSteps));
    record('raw loop in 2 threads at once', await rawThreads.run());
    for (const w of [1, 2]) {
      const workers = w === 1 ? '1 worker' : `${w} workers`;
      record(`collect(), ${workers}`, await collectRate(vecs.get(w)!, parameters.get(w)!, nSteps));
      record(`step(), ${workers}`, await stepRate(vecs.get(w)!, stepCalls));
    }
  }
  for (const vec of vecs.values()) await vec.close();
  await rawThreads.close();
  const raw = median(samples.get('single env, raw stepInto loop')!);
  const best = Math.max(...samples.get('single env, raw stepInto loop')!);
  console.log(`\n${id}  (${NUM_ENVS} envs; collect: ${nSteps} steps/env, policy ${HIDDEN_SIZES.join('×')} tanh; ${ROUNDS} rounds)`);
  console.log(`  ${''.padEnd(30)} ${'median'.padStart(9)}  ${'ratio'.padStart(6)}   ${'best'.padStart(9)}  ${'ratio'.padStart(6)}   env-steps/s`);
  for (const [label, values] of samples) {
    const rate = median(values);
    const top = Math.max(...values);
    const column = (v: number, base: number) => `${Math.round(v).toString().padStart(9)}  ×${(v / base).toFixed(2)}`;
    console.log(`  ${label.padEnd(30)} ${column(rate, raw)}   ${column(top, best)}`);
  }
}

type SyncMode = 'message' | 'atomics';

/** Atomics.waitAsync (in Node ≥ 16, missing from the ES2022 typings this project compiles against). */
const waitAsync = (Atomics as unknown as {
  waitAsync(array: Int32Array, index: number, value: number): { async: boolean; value: Promise<string> | string };
}).waitAsync.bind(Atomics);

/** Mean µs of one round trip to `threads` idle workers, over `trips` trips. */
async function roundTripMicros(mode: SyncMode, threads: number, trips: number): Promise<number> {
  const control = new Int32Array(new SharedArrayBuffer(4 * (threads + 1)));
  const workers = Array.from({ length: threads }, (_, index) =>
    new Worker(new URL(import.meta.url), { workerData: { role: 'echo', mode, control, index } }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  let seq = 0;
  const trip = async (): Promise<void> => {
    if (mode === 'message') {
      await Promise.all(workers.map((w) => new Promise((resolve) => { w.once('message', resolve); w.postMessage(0); })));
      return;
    }
    seq++;
    Atomics.store(control, 0, seq);
    Atomics.notify(control, 0);
    for (let i = 0; i < threads; i++) {
      const wait = waitAsync(control, 1 + i, seq - 1);
      if (wait.async) await wait.value;
    }
  };
  for (let k = 0; k < trips / 10; k++) await trip(); // warm-up
  const start = performance.now();
  for (let k = 0; k < trips; k++) await trip();
  const micros = ((performance.now() - start) * 1000) / trips;
  await Promise.all(workers.map((w) => w.terminate()));
  return micros;
}

/** Worker side of roundTripMicros: answer each trip, by message or by bumping its Atomics slot. */
function echo(mode: SyncMode, control: Int32Array, index: number): void {
  const port = parentPort!;
  port.on('message', (m) => port.postMessage(m)); // also keeps the worker alive while it waits on Atomics
  if (mode === 'atomics') {
    void (async () => {
      for (let seq = 0; ; ) {
        const wait = waitAsync(control, 0, seq);
        if (wait.async) await wait.value;
        seq = Atomics.load(control, 0);
        Atomics.store(control, 1 + index, seq);
        Atomics.notify(control, 1 + index);
      }
    })();
  }
  port.postMessage('ready');
}

if (isMainThread) {
  console.log(`vec-env benchmark — ${new Date().toISOString()}, node ${process.version}`);
  for (const c of CASES) await benchCase(c);
  const trips: Record<SyncMode, number[]> = { message: [], atomics: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const mode of ['message', 'atomics'] as const) trips[mode].push(await roundTripMicros(mode, 2, 5000));
  }
  console.log(`\nsync round trip to 2 idle workers (medians of ${ROUNDS})`);
  console.log(`  postMessage (used)              ${median(trips.message).toFixed(1).padStart(6)} µs`);
  console.log(`  Atomics.notify / waitAsync      ${median(trips.atomics).toFixed(1).padStart(6)} µs`);
} else if (workerData.role === 'raw') {
  const { id, steps } = workerData as { id: string; steps: number };
  await rawLoop(id, steps); // warm-up: JIT and model compilation stay out of the timing
  parentPort!.postMessage('ready');
  parentPort!.on('message', async () => parentPort!.postMessage(await rawLoop(id, steps)));
} else {
  const { mode, control, index } = workerData as { mode: SyncMode; control: Int32Array; index: number };
  echo(mode, control, index);
}

// npm run bench:kernels [-- --quick]
// Median wall time of the TRPO update's kernels (forward, surrogate gradient, one Fisher-vector product, CG with
// 10 iterations) for Gaussian MLP policies, GFLOP/s, and the speed-up over a plain-TypeScript implementation
// (test/kernels-reference.ts, f64 loops) measured in the same run. Batches use the automatic Jacobian-cache
// choice (sdk/policies/batch.ts); where it is on, the cache's cost and the uncached FVP/CG are shown too.
// --quick: N = 10 000 only.
// The plain-TS side gets a time budget: slow cases run fewer repetitions, and its CG(10) is skipped when it
// would take over 20 s (shown as "—").

import { Worker } from 'node:worker_threads';
import { GaussianMlpPolicy, KernelHelper, cg } from '../sdk/index.js';
import { Rng } from '../sdk/rng.js';
import type { Precision } from '../sdk/wasm/loader.js';
import * as ref from '../test/kernels-reference.js';
import { measure, type Timing } from './timing.js';

const NETWORKS = [[11, 64, 64, 3], [17, 64, 64, 6], [348, 256, 256, 17]];
const SIZES = process.argv.includes('--quick') ? [10_000] : [2048, 10_000, 50_000];
const GOAL = { dims: '17→64→64→6', n: 10_000, fvpMs: 12, fvp2Ms: 7, cgMs: 70 };


/** FLOPs of one pass: 2·N·Σ in·out (forward); gradient adds the backward products; FVP is JVP + VJP. */
function flops(dims: number[], n: number) {
  let all = 0, afterFirst = 0;
  for (let l = 0; l + 1 < dims.length; l++) {
    all += 2 * n * dims[l] * dims[l + 1];
    if (l > 0) afterFirst += 2 * n * dims[l] * dims[l + 1];
  }
  const vjp = all + afterFirst; // weight gradients of every layer, input gradients of all but the first
  return { forward: all, gradient: vjp, fvp: 2 * vjp, cg10: 20 * vjp };
}

interface Row {
  op: string;
  wasm: Timing;
  flop: number;
  plain?: Timing;
}

/**
 * The four operations on a batch with the automatic Jacobian-cache choice. When that choice is "cache", also its
 * one-off cost (forwardOld with the cache) and FVP / CG(10) without it, for comparison. `forward` is always the
 * plain forwardOld (network forward keeping activations, old log-probs). With a helper, FVP and CG(10) again on
 * two threads.
 */
function benchWasm(dims: number[], n: number, precision: Precision, rng: Rng, helper?: KernelHelper): Row[] {
  const policy = new GaussianMlpPolicy({ obsDim: dims[0], actionDim: dims[3], hiddenSizes: [dims[1], dims[2]], precision, seed: 1 });
  const obs = new Float64Array(n * dims[0]);
  rng.fillNormal(obs);
  const actions = new Float64Array(n * dims[3]);
  rng.fillNormal(actions);
  const advantages = new Float64Array(n);
  rng.fillNormal(advantages);
  const out = new Float64Array(policy.numParameters);
  const f = flops(dims, n);
  const prepare = (jacobianCache?: boolean, withHelper?: KernelHelper) => {
    const batch = policy.createBatch(n, { jacobianCache, helper: withHelper });
    batch.load(obs, actions, n);
    batch.forwardOld();
    return batch;
  };
  const auto = prepare();
  const plain = auto.usesJacobianCache ? prepare(false) : auto;
  const { grad } = auto.surrogateGradient(advantages);
  const fvp = (batch: typeof auto) => measure(() => batch.fisherVectorProduct(grad, out, { damping: 0.1 }));
  const cg10 = (batch: typeof auto) => measure(() => batch.conjugateGradient(grad, { maxSteps: 10, residualTol: 0, damping: 0.1 }), 3000, 9);
  const rows: Row[] = [
    { op: 'forward', wasm: measure(() => plain.forwardOld()), flop: f.forward },
    { op: 'surrogate gradient', wasm: measure(() => auto.surrogateGradient(advantages)), flop: f.gradient },
    { op: 'FVP', wasm: fvp(auto), flop: f.fvp },
    { op: 'CG(10)', wasm: cg10(auto), flop: f.cg10 },
  ];
  if (auto.usesJacobianCache) {
    rows.push(
      { op: 'forward + J. cache', wasm: measure(() => auto.forwardOld()), flop: 0 },
      { op: 'FVP, no J. cache', wasm: fvp(plain), flop: f.fvp },
      { op: 'CG(10), no J. cache', wasm: cg10(plain), flop: f.cg10 },
    );
    plain.dispose();
  }
  if (helper) {
    const parallel = prepare(undefined, helper);
    rows.push({ op: 'FVP, 2 threads', wasm: fvp(parallel), flop: f.fvp }, { op: 'CG(10), 2 threads', wasm: cg10(parallel), flop: f.cg10 });
    parallel.dispose();
  }
  auto.dispose();
  policy.dispose();
  return rows;
}

/** Median µs of policy.act on a single observation with caller-owned outputs (what a rollout worker does). */
function actMicroseconds(dims: number[], rng: Rng): number {
  const policy = new GaussianMlpPolicy({ obsDim: dims[0], actionDim: dims[3], hiddenSizes: [dims[1], dims[2]], seed: 1 });
  const obs = new Float64Array(dims[0]);
  rng.fillNormal(obs);
  const options = { rng, out: { action: new Float64Array(dims[3]), logProb: new Float64Array(1) } };
  const calls = 2000;
  const { median } = measure(() => {
    for (let i = 0; i < calls; i++) policy.act(obs, options);
  });
  policy.dispose();
  return (median / calls) * 1000;
}

/** The same four operations with the plain-TS reference (f64 loops, activations cached like the wasm batch). */
function benchPlain(dims: number[], n: number, rows: Row[], rng: Rng): void {
  const net = { dims, activation: 'tanh' as const };
  const P = ref.paramCount(net);
  const A = dims[3];
  const theta = new Float64Array(P + A);
  for (let i = 0; i < P; i++) theta[i] = 0.1 * rng.normal();
  const x = new Float64Array(n * dims[0]);
  rng.fillNormal(x);
  const actions = new Float64Array(n * A);
  rng.fillNormal(actions);
  const advantages = new Float64Array(n);
  rng.fillNormal(advantages);
  let acts = ref.forward(net, theta, x, n);
  const invVar = Array.from({ length: A }, (_, j) => Math.exp(-2 * theta[P + j]));
  const gradient = (): Float64Array => {
    const mean = acts[acts.length - 1];
    const cot = new Float64Array(n * A);
    for (let i = 0; i < n * A; i++) cot[i] = (advantages[Math.floor(i / A)] * (actions[i] - mean[i]) * invVar[i % A]) / n;
    return ref.vjp(net, theta, acts, n, cot);
  };
  const fvp = (v: Float64Array, out: Float64Array): void => {
    const jv = ref.jvp(net, theta, acts, n, v);
    for (let i = 0; i < jv.length; i++) jv[i] *= invVar[i % A] / n;
    out.set(ref.vjp(net, theta, acts, n, jv));
    for (let j = 0; j < A; j++) out[P + j] = 2 * v[P + j];
    for (let i = 0; i < out.length; i++) out[i] += 0.1 * v[i];
  };
  const g = new Float64Array(P + A);
  g.set(gradient());
  const out = new Float64Array(P + A);
  rows[0].plain = measure(() => { acts = ref.forward(net, theta, x, n); }, 1500, 5);
  rows[1].plain = measure(() => gradient(), 1500, 5);
  rows[2].plain = measure(() => fvp(g, out), 1500, 5);
  if (10 * rows[2].plain.median < 20_000) rows[3].plain = measure(() => cg(fvp, g, { maxSteps: 10, residualTol: 0 }), 1, 1);
}

function printTable(title: string, rows: Row[]): void {
  console.log(`\n${title}`);
  console.log('  op                    wasm ms (reps)   GFLOP/s   plain-TS ms (reps)   speed-up');
  for (const { op, wasm, flop, plain } of rows) {
    // GFLOP/s counts the products of the plain method (see flops), so the Jacobian cache shows as a higher rate.
    const gflops = flop > 0 ? (flop / (wasm.median * 1e6)).toFixed(1) : '—';
    const plainText = plain ? `${plain.median.toFixed(1).padStart(11)} (${plain.reps})` : '—'.padStart(15);
    const speedup = plain ? `${(plain.median / wasm.median).toFixed(1)}×` : '—';
    console.log(`  ${op.padEnd(20)} ${wasm.median.toFixed(2).padStart(9)} (${String(wasm.reps).padStart(2)})  ${gflops.padStart(8)}   ${plainText.padStart(18)}   ${speedup.padStart(8)}`);
  }
}

/**
 * How many cores this process can use right now: the time of two busy threads over that of one (1.0 = two free
 * cores, 2.0 = one). The machine is shared; 2-thread rows only mean something near 1.0.
 */
async function coreContention(): Promise<number> {
  const code = `const { parentPort } = require('node:worker_threads'); let x = 0; const t = performance.now();
    for (let i = 0; i < 6e7; i++) x = (x + i * 7) % 1000003; parentPort.postMessage(performance.now() - t);`;
  const spin = (threads: number) => Promise.all(Array.from({ length: threads }, () =>
    new Promise<number>((resolve) => new Worker(code, { eval: true }).once('message', resolve))));
  const [one] = await spin(1);
  return Math.max(...(await spin(2))) / one;
}

async function main(): Promise<void> {
  const rng = new Rng(2024);
  const helper = await KernelHelper.start();
  console.log(`trpo-wasm kernel benchmark — Node ${process.version}, medians (tanh Gaussian MLP policies); one thread unless marked`);
  const contention = (ratio: number) => `two busy threads take ${ratio.toFixed(2)}× the time of one (1.00: two free cores)`;
  console.log(`At the start ${contention(await coreContention())}.`);
  const goalRows: Row[] = [];
  for (const dims of NETWORKS) {
    for (const n of SIZES) {
      const rows = benchWasm(dims, n, 'f32', rng, helper);
      benchPlain(dims, n, rows, rng);
      const name = dims.join('→');
      printTable(`${name}, N = ${n}, f32`, rows);
      if (name === GOAL.dims && n === GOAL.n) goalRows.push(...rows);
    }
  }
  await helper.close();
  console.log(`\nAt the end of the f32 runs ${contention(await coreContention())}.`);
  console.log(`act on one observation (rollout path, caller-owned outputs): ${NETWORKS.map((d) => `${d.join('→')} ${actMicroseconds(d, rng).toFixed(2)} µs`).join(', ')}`);
  // Precision choice: the same policy in f64.
  const f64 = benchWasm([17, 64, 64, 6], 10_000, 'f64', rng);
  printTable('17→64→64→6, N = 10000, f64 (for the precision choice; plain-TS not rerun)', f64);
  if (goalRows.length > 0) {
    const row = (op: string) => goalRows.find((r) => r.op === op)!.wasm.median;
    const check = (ms: number, goal: number) => `${ms.toFixed(2)} ms (goal ≤ ${goal}: ${ms <= goal ? 'met' : 'missed'})`;
    console.log(`\nGoals at ${GOAL.dims}, N = ${GOAL.n}, f32: FVP ${check(row('FVP'), GOAL.fvpMs)}, ` +
      `FVP on 2 threads ${check(row('FVP, 2 threads'), GOAL.fvp2Ms)}, CG(10) ${check(row('CG(10)'), GOAL.cgMs)}, ` +
      `CG(10) on 2 threads ${check(row('CG(10), 2 threads'), GOAL.cgMs)}.`);
    console.log(`f64 / f32 time: FVP ${(f64[2].wasm.median / row('FVP')).toFixed(2)}×, CG(10) ${(f64[3].wasm.median / row('CG(10)')).toFixed(2)}×.`);
  }
}

await main();

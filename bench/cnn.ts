// npm run bench:cnn [-- --quick]
// CNN policy kernels on 10 × 10 × 4 images (MinAtar's observation size): median wall time and GFLOP/s of the
// forward pass, the VJP (the surrogate gradient) and one Fisher-vector product of a categorical CNN policy at
// batch 2048, f32 on one thread, and the speed-up over the plain-TypeScript f64 reference (test/cnn-reference.ts:
// direct loops, forward + JVP + metric + VJP) measured in the same run. Networks: MinAtar's (conv 16 3×3 stride 1,
// dense 128) and the TRPO paper's Atari network (two conv layers of 16 filters, stride 2, dense 20).
// The machine may be shared: a calibration row runs the MLP FVP of bench:kernels (17→64→64→6, N = 10 000) in the
// same run, so GFLOP/s can be read against what the dense kernels reach at that moment.
// --quick: fewer repetitions.

import { CategoricalMlpPolicy, GaussianMlpPolicy } from '../sdk/index.js';
import { Rng } from '../sdk/rng.js';
import { cnnForward, cnnJvp, cnnVjp, refCnn, type RefCnn, type RefConvSpec } from '../test/cnn-reference.js';
import { measure } from './timing.js';

const IMAGE = { height: 10, width: 10, channels: 4 };
const N = 2048;
const ACTIONS = 6;
const GOAL = { fvpGflops: 25, fvpSpeedup: 10 };
const QUICK = process.argv.includes('--quick');

const NETWORKS: { name: string; conv: RefConvSpec[]; hidden: number[] }[] = [
  { name: 'MinAtar: conv 16k3s1 → 128', conv: [{ filters: 16, kernel: 3, stride: 1 }], hidden: [128] },
  { name: 'paper: conv 16k3s2p1 ×2 → 20', conv: [{ filters: 16, kernel: 3, stride: 2, padding: 1 }, { filters: 16, kernel: 3, stride: 2, padding: 1 }], hidden: [20] },
];

/** Median milliseconds of `run` (bench/timing.ts). */
function median(run: () => void, budgetMs: number, maxReps: number): number {
  return measure(run, budgetMs, maxReps).median;
}

/** FLOPs: 2·n·pixels·patch·out per layer forward; JVP and VJP each do every layer once more except the first. */
function flops(net: RefCnn) {
  const per = net.layers.map((l) => 2 * N * l.outH * l.outW * l.kh * l.kw * l.inC * l.outC);
  const all = per.reduce((a, b) => a + b, 0);
  const derivative = all + all - per[0];
  return { forward: all, vjp: derivative, fvp: 2 * derivative };
}

const rng = new Rng(3);
const obsDim = IMAGE.height * IMAGE.width * IMAGE.channels;
const obs = Float64Array.from({ length: N * obsDim }, () => (rng.uniform() < 0.1 ? 1 : 0));
const actions = Float64Array.from({ length: N }, () => Math.floor(rng.uniform() * ACTIONS));
const advantages = Float64Array.from({ length: N }, () => rng.normal());
const budget = QUICK ? 600 : 2000;

console.log(`CNN kernels, batch ${N}, ${IMAGE.height}×${IMAGE.width}×${IMAGE.channels} inputs, ${ACTIONS} actions, f32, one thread (medians)`);
console.log('network                         op        wasm ms   GFLOP/s   plain-TS ms   speed-up');
for (const spec of NETWORKS) {
  const policy = new CategoricalMlpPolicy({ obsDim, numActions: ACTIONS, hiddenSizes: spec.hidden, activation: 'relu', conv: { image: IMAGE, layers: spec.conv }, seed: 1 });
  const batch = policy.createBatch(N);
  batch.load(obs, actions, N);
  batch.forwardOld();
  const v = Float64Array.from({ length: policy.numParameters }, () => rng.normal());
  const out = new Float64Array(policy.numParameters);
  const ref = refCnn(IMAGE, spec.conv, spec.hidden, ACTIONS, 'relu');
  const theta = policy.getParameters();
  const acts = cnnForward(ref, theta, obs, N);
  const g = Float64Array.from({ length: N * ACTIONS }, () => rng.normal());
  const f = flops(ref);
  const rows: [string, number, number, number][] = [
    ['forward', median(() => batch.forwardOld(), budget, 30), f.forward, median(() => cnnForward(ref, theta, obs, N), budget, 5)],
    ['VJP', median(() => batch.surrogateGradient(advantages), budget, 30), f.vjp, median(() => cnnVjp(ref, theta, acts, N, g), budget, 5)],
    ['FVP', median(() => batch.fisherVectorProduct(v, out, { damping: 0.1 }), budget, 30), f.fvp,
      median(() => cnnVjp(ref, theta, acts, N, cnnJvp(ref, theta, acts, N, v)), budget, 5)],
  ];
  for (const [op, ms, flop, plainMs] of rows) {
    const gflops = flop / ms / 1e6;
    console.log(`${spec.name.padEnd(32)}${op.padEnd(8)}${ms.toFixed(2).padStart(9)}${gflops.toFixed(1).padStart(10)}${plainMs.toFixed(1).padStart(14)}${(plainMs / ms).toFixed(1).padStart(10)}×`);
  }
  const fvp = rows[2];
  console.log(`  goal FVP ≥ ${GOAL.fvpGflops} GFLOP/s and ≥ ${GOAL.fvpSpeedup}× plain TS: ${(fvp[2] / fvp[1] / 1e6).toFixed(1)} GFLOP/s, ${(fvp[3] / fvp[1]).toFixed(1)}×`);
  batch.dispose();
  policy.dispose();
}

{
  const n = 10_000;
  const policy = new GaussianMlpPolicy({ obsDim: 17, actionDim: 6, hiddenSizes: [64, 64], seed: 1 });
  const batch = policy.createBatch(n);
  batch.load(Float64Array.from({ length: n * 17 }, () => rng.normal()), Float64Array.from({ length: n * 6 }, () => rng.normal()), n);
  batch.forwardOld();
  const v = Float64Array.from({ length: policy.numParameters }, () => rng.normal());
  const out = new Float64Array(policy.numParameters);
  const ms = median(() => batch.fisherVectorProduct(v, out, { damping: 0.1 }), budget, 30);
  const vjp = 2 * n * (17 * 64 + 64 * 64 + 64 * 6) + 2 * n * (64 * 64 + 64 * 6);
  console.log(`calibration: MLP FVP 17→64→64→6, N = ${n}: ${ms.toFixed(2)} ms, ${(2 * vjp / ms / 1e6).toFixed(1)} GFLOP/s (the same kernels' dense speed right now)`);
  batch.dispose();
  policy.dispose();
}

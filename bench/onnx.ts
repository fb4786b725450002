// npm run bench:onnx — onnxruntime-node latency (batch 1) and throughput (batch 256) of exported policies, beside a
// plain-TS float64 forward of the same spec and the SDK's own wasm forward (GaussianMlpPolicy.act, deterministic, the
// MLP only) measured in the same run. Prints medians and ratios; asserts nothing.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportOnnx } from '../sdk/onnx/export.js';
import { loadOnnxPolicy, type OnnxPolicy } from '../sdk/onnx/runtime.js';
import type { PolicyExportSpec } from '../sdk/onnx/spec.js';
import { GaussianMlpPolicy } from '../sdk/policies/index.js';
import { randomObservations, randomSpec } from '../test/onnx-fixtures.js';

const LATENCY_CALLS = 3000;
const THROUGHPUT_CALLS = 300;
const BATCH = 256;

/** A plain-TS forward with preallocated buffers: the baseline an SDK user would write without ONNX. */
function plainForward(spec: PolicyExportSpec): (obs: Float32Array, batch: number, out: Float64Array) => void {
  const norm = spec.obsNorm;
  const invStd = norm ? norm.var.map((v) => 1 / Math.sqrt(v + norm.epsilon)) : undefined;
  const widest = Math.max(spec.obsDim, ...spec.layers.map((l) => l.outDim));
  let x = new Float64Array(widest);
  let y = new Float64Array(widest);
  const low = spec.actionLow;
  const high = spec.actionHigh;
  return (obs, batch, out) => {
    for (let r = 0; r < batch; r++) {
      for (let j = 0; j < spec.obsDim; j++) {
        const v = obs[r * spec.obsDim + j];
        x[j] = norm ? Math.min(norm.clip, Math.max(-norm.clip, (v - norm.mean[j]) * invStd![j])) : v;
      }
      spec.layers.forEach((layer, i) => {
        const { weight, bias, inDim, outDim } = layer;
        const hidden = i < spec.layers.length - 1;
        for (let o = 0; o < outDim; o++) {
          let sum = bias[o];
          const row = o * inDim;
          for (let k = 0; k < inDim; k++) sum += weight[row + k] * x[k];
          y[o] = !hidden ? sum : spec.activation === 'tanh' ? Math.tanh(sum) : sum > 0 ? sum : 0;
        }
        [x, y] = [y, x];
      });
      for (let a = 0; a < spec.actDim; a++) {
        out[r * spec.actDim + a] = low && high ? Math.min(high[a], Math.max(low[a], x[a])) : x[a];
      }
    }
  };
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Median microseconds per call of `fn` (sync or async), after a warm-up of a tenth of the calls. */
async function medianMicros(calls: number, fn: (i: number) => unknown): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < calls + calls / 10; i++) {
    const start = process.hrtime.bigint();
    await fn(i);
    const micros = Number(process.hrtime.bigint() - start) / 1000;
    if (i >= calls / 10) samples.push(micros);
  }
  return median(samples);
}

interface Row {
  policy: string;
  runtime: string;
  latencyUs: number;
  throughput: number;
}

async function benchPolicy(name: string, spec: PolicyExportSpec, dir: string): Promise<Row[]> {
  const path = join(dir, `${name}.onnx`);
  await exportOnnx(spec, path);
  const obs = randomObservations(spec, 1024, 1);
  const d = spec.obsDim;
  const one = (i: number) => obs.subarray((i % 1024) * d, ((i % 1024) + 1) * d);
  const batchObs = (i: number) => obs.subarray(((i * BATCH) % 1024) * d, (((i * BATCH) % 1024) + BATCH) * d);

  const forward = plainForward(spec);
  const out = new Float64Array(BATCH * spec.actDim);
  const rows: Row[] = [
    {
      policy: name,
      runtime: 'plain TS (f64)',
      latencyUs: await medianMicros(LATENCY_CALLS, (i) => forward(one(i), 1, out)),
      throughput: BATCH / (await medianMicros(THROUGHPUT_CALLS, (i) => forward(batchObs(i), BATCH, out))) * 1e6,
    },
  ];
  rows.push(await sdkRow(name, spec, one, batchObs));
  for (const threads of [1, 2]) {
    const policy: OnnxPolicy = await loadOnnxPolicy(path, { threads });
    rows.push({
      policy: name,
      runtime: `onnxruntime ${threads} thread${threads > 1 ? 's' : ''}`,
      latencyUs: await medianMicros(LATENCY_CALLS, (i) => policy.act(one(i))),
      throughput: BATCH / (await medianMicros(THROUGHPUT_CALLS, (i) => policy.act(batchObs(i), { batch: BATCH }))) * 1e6,
    });
    await policy.close();
  }
  return rows;
}

/** The SDK's wasm policy with the spec's weights (θ = each layer's W then b, log-std last). */
async function sdkRow(name: string, spec: PolicyExportSpec, one: (i: number) => Float32Array, batchObs: (i: number) => Float32Array): Promise<Row> {
  const sizes = [spec.obsDim, ...spec.layers.slice(0, -1).map((l) => l.outDim)];
  const policy = new GaussianMlpPolicy({ obsDim: spec.obsDim, actionDim: spec.actDim, hiddenSizes: sizes.slice(1), activation: spec.activation });
  policy.setParameters([...spec.layers.flatMap((l) => [...l.weight, ...l.bias]), ...(spec.logStd ?? new Float64Array(spec.actDim))]);
  const out1 = { action: new Float64Array(spec.actDim), logProb: new Float64Array(1) };
  const outB = { action: new Float64Array(BATCH * spec.actDim), logProb: new Float64Array(BATCH) };
  const row = {
    policy: name,
    runtime: 'SDK wasm (f32, MLP)',
    latencyUs: await medianMicros(LATENCY_CALLS, (i) => policy.act(one(i), { deterministic: true, out: out1 })),
    throughput: BATCH / (await medianMicros(THROUGHPUT_CALLS, (i) => policy.act(batchObs(i), { deterministic: true, out: outB }))) * 1e6,
  };
  policy.dispose();
  return row;
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'trpo-bench-onnx-'));
  const policies: [string, PolicyExportSpec][] = [
    ['hopper 11→64→64→3', randomSpec({ kind: 'gaussian', sizes: [11, 64, 64, 3] })],
    ['humanoid 376→256→256→17', randomSpec({ kind: 'gaussian', sizes: [376, 256, 256, 17] })],
  ];
  console.log(`ONNX policy inference: median of ${LATENCY_CALLS} single-observation calls, ${THROUGHPUT_CALLS} batch-${BATCH} calls`);
  console.log('policy                     runtime                 batch-1 µs   vs TS   batch-256 obs/s   vs TS');
  try {
    for (const [name, spec] of policies) {
      const rows = await benchPolicy(name, spec, dir);
      const baseline = rows[0];
      for (const row of rows) {
        console.log(
          `${row.policy.padEnd(26)} ${row.runtime.padEnd(22)} ${row.latencyUs.toFixed(1).padStart(11)} ` +
            `${(row.latencyUs / baseline.latencyUs).toFixed(2).padStart(6)}× ${Math.round(row.throughput).toLocaleString('en-US').padStart(17)} ` +
            `${(row.throughput / baseline.throughput).toFixed(2).padStart(6)}×`,
        );
      }
    }
    console.log('goal: onnxruntime batch-1 latency ≤ 50 µs for the 64×64 policy');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();

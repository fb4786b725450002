// loadOnnxPolicy: runs an exported trpo-wasm policy with onnxruntime-node.
//
// The file is read once: protobufjs decodes it to check that trpo-wasm wrote it (metadata_props) and that its graph
// is unchanged since export (SHA-256), then onnxruntime builds a session from the same bytes.

import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import ort from 'onnxruntime-node';
import { z } from 'zod';
import { parseOrThrow } from '../validation.js';
import type { OnnxPolicyMetadata } from './metadata.js';
import { checkPolicyDigests, decodePolicyFile } from './policy-file.js';

/** One observation of obsDim numbers, raw (the graph normalizes it when metadata.normalizationInside). */
export type OnnxObservation = Float32Array | Float64Array | readonly number[];
/** Gaussian: action vector (float32, length actDim). Categorical: action index. */
export type OnnxAction = Float32Array | number;

export interface OnnxGaussianDistribution {
  kind: 'gaussian';
  batch: number;
  /** Unclamped means, row-major [batch][actDim]. */
  mean: Float32Array;
  /** State-independent log standard deviations [actDim]. */
  logStd: Float32Array;
}

export interface OnnxCategoricalDistribution {
  kind: 'categorical';
  batch: number;
  /** Unnormalized log-probabilities, row-major [batch][actDim]. */
  logits: Float32Array;
}

export type OnnxPolicyDistribution = OnnxGaussianDistribution | OnnxCategoricalDistribution;

const loadOptionsSchema = z
  .object({
    /** onnxruntime intra-op threads; 1 gives the lowest single-observation latency. */
    threads: z.number().int().min(1).default(1),
  })
  .strict();

export type LoadOnnxPolicyOptions = z.input<typeof loadOptionsSchema>;

/** A batch given flat: `batch` rows of obsDim numbers, row-major. */
export interface OnnxFlatBatch {
  batch: number;
}

export class OnnxPolicy {
  private closed = false;

  private constructor(
    readonly path: string,
    readonly metadata: OnnxPolicyMetadata,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Internal: use loadOnnxPolicy. */
  static async create(path: string, options: LoadOnnxPolicyOptions = {}): Promise<OnnxPolicy> {
    const { threads } = parseOrThrow(loadOptionsSchema, options, 'loadOnnxPolicy options');
    const bytes = await readFile(path);
    const metadata = await readPolicyMetadata(bytes, path);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes, {
        intraOpNumThreads: threads,
        interOpNumThreads: 1,
        executionMode: 'sequential',
        graphOptimizationLevel: 'all',
      });
    } catch (error) {
      throw new Error(`corrupt ONNX file ${path}: onnxruntime cannot load it (${(error as Error).message})`);
    }
    checkSessionMatches(session, metadata, path);
    return new OnnxPolicy(path, metadata, session);
  }

  get kind(): 'gaussian' | 'categorical' {
    return this.metadata.kind;
  }

  get obsDim(): number {
    return this.metadata.obsDim;
  }

  get actDim(): number {
    return this.metadata.actDim;
  }

  /** The deterministic action for one observation. */
  act(obs: OnnxObservation): Promise<OnnxAction>;
  /** The deterministic actions for a batch given as rows. */
  act(obs: readonly OnnxObservation[]): Promise<OnnxAction[]>;
  /** The deterministic actions for a flat batch of `batch` rows of obsDim numbers. */
  act(obs: OnnxObservation, layout: OnnxFlatBatch): Promise<OnnxAction[]>;
  async act(obs: OnnxObservation | readonly OnnxObservation[], layout?: OnnxFlatBatch): Promise<OnnxAction | OnnxAction[]> {
    const { data, batch, single } = this.toInputTensor(obs, layout);
    const { action } = await this.run(data, batch, ['action']);
    const actions: OnnxAction[] = [];
    if (this.kind === 'categorical') {
      const indices = action.data as BigInt64Array;
      for (let i = 0; i < batch; i++) actions.push(Number(indices[i]));
    } else {
      const values = action.data as Float32Array;
      for (let i = 0; i < batch; i++) actions.push(values.subarray(i * this.actDim, (i + 1) * this.actDim));
    }
    return single ? actions[0] : actions;
  }

  /** The distribution parameters (needs a file exported with `stochastic: true`); same inputs as `act`. */
  async distribution(obs: OnnxObservation | readonly OnnxObservation[], layout?: OnnxFlatBatch): Promise<OnnxPolicyDistribution> {
    if (!this.metadata.stochastic) {
      throw new Error(`${this.path} has no distribution outputs: export it with { stochastic: true } to sample actions`);
    }
    const { data, batch } = this.toInputTensor(obs, layout);
    if (this.kind === 'categorical') {
      const { logits } = await this.run(data, batch, ['logits']);
      return { kind: 'categorical', batch, logits: logits.data as Float32Array };
    }
    const { mean, log_std: logStd } = await this.run(data, batch, ['mean', 'log_std']);
    return { kind: 'gaussian', batch, mean: mean.data as Float32Array, logStd: logStd.data as Float32Array };
  }

  /** Releases the onnxruntime session; later calls throw. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.session.release();
  }

  private async run(data: Float32Array, batch: number, outputs: string[]): Promise<Record<string, ort.Tensor>> {
    if (this.closed) throw new Error(`OnnxPolicy for ${this.path} is closed`);
    const feeds = { obs: new ort.Tensor('float32', data, [batch, this.obsDim]) };
    return (await this.session.run(feeds, outputs)) as Record<string, ort.Tensor>;
  }

  /** Copies observations into one float32 [batch, obsDim] buffer, checking sizes and finiteness. */
  private toInputTensor(obs: OnnxObservation | readonly OnnxObservation[], layout?: OnnxFlatBatch): { data: Float32Array; batch: number; single: boolean } {
    const d = this.obsDim;
    if (isRows(obs)) {
      if (layout !== undefined) throw new Error('act/distribution: { batch } is for a flat batch; rows (number[][]) carry their own count');
      if (obs.length === 0) throw new Error('act/distribution: the batch is empty; give at least one observation');
      const data = new Float32Array(obs.length * d);
      obs.forEach((row, r) => {
        if (row.length !== d) {
          throw new Error(`observation row ${r} has ${row.length} numbers but this policy (${this.metadata.envId}) takes obsDim = ${d}`);
        }
        copyFinite(row, data, r * d, `observation row ${r}`);
      });
      return { data, batch: obs.length, single: false };
    }
    const batch = layout?.batch ?? 1;
    if (!Number.isSafeInteger(batch) || batch < 1) throw new Error(`act/distribution: batch = ${batch} is invalid; use a positive integer`);
    if (obs.length !== batch * d) {
      const hint = layout ? `batch ${batch} × obsDim ${d} = ${batch * d}` : `obsDim = ${d} (for a flat batch pass { batch: n }, or rows as number[][])`;
      throw new Error(`observation has ${obs.length} numbers but this policy (${this.metadata.envId}) takes ${hint}`);
    }
    const data = new Float32Array(batch * d);
    copyFinite(obs, data, 0, 'observation');
    return { data, batch, single: layout === undefined };
  }
}

/** Loads a policy exported by exportOnnx. Throws "not a trpo-wasm policy" or "corrupt ONNX file" for bad files. */
export function loadOnnxPolicy(path: string, options?: LoadOnnxPolicyOptions): Promise<OnnxPolicy> {
  return OnnxPolicy.create(path, options);
}

/** Decodes the file's ModelProto and metadata without running it. */
export async function readPolicyMetadata(bytes: Uint8Array, source: string): Promise<OnnxPolicyMetadata> {
  const file = decodePolicyFile(bytes, source);
  await checkPolicyDigests(file, source, (data) => createHash('sha256').update(data).digest('hex'));
  return file.metadata;
}

function checkSessionMatches(session: ort.InferenceSession, metadata: OnnxPolicyMetadata, path: string): void {
  const missing = metadata.outputs.filter((name) => !session.outputNames.includes(name));
  const input = session.inputMetadata.find((value) => value.name === 'obs');
  const inputDim = input?.isTensor ? input.shape[1] : undefined;
  if (missing.length > 0 || inputDim !== metadata.obsDim) {
    throw new Error(
      `corrupt ONNX file ${path}: the graph (input obs [batch, ${String(inputDim)}], outputs ${session.outputNames.join(', ')}) ` +
        `does not match its metadata (obsDim ${metadata.obsDim}, outputs ${metadata.outputs.join(', ')})`,
    );
  }
}

function isRows(obs: OnnxObservation | readonly OnnxObservation[]): obs is readonly OnnxObservation[] {
  return Array.isArray(obs) && obs.length > 0 && typeof obs[0] !== 'number';
}

function copyFinite(source: ArrayLike<number>, target: Float32Array, offset: number, what: string): void {
  for (let i = 0; i < source.length; i++) {
    const value = source[i];
    if (!Number.isFinite(value)) throw new Error(`${what}[${i}] is ${value}; observations must be finite numbers`);
    target[offset + i] = value;
  }
}

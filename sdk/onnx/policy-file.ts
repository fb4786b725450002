// Reading a trpo-wasm policy file without onnxruntime and without Node built-ins (the browser entry uses it; the
// Node loader shares the decoding and the digest check): decode the ModelProto, check that trpo-wasm wrote it,
// and take the weights out of its initializers by the names the export gives them (sdk/onnx/graph.ts).
import { checkMetadataDigest, ForeignModelError, metadataDigestText, parseMetadataProps, type OnnxPolicyMetadata } from './metadata.js';
import { decodeModel, graphFieldBytes, OnnxDataType, type DecodedModel } from './onnx-schema.js';

export interface DecodedPolicyFile {
  model: DecodedModel;
  /** The serialized graph as stored, whose SHA-256 the metadata records. */
  graph: Uint8Array;
  /** The metadata entries as stored; metadata_sha256 records the SHA-256 of metadataDigestText(props). */
  props: Record<string, string>;
  metadata: OnnxPolicyMetadata;
}

/** Decodes `bytes` as a trpo-wasm policy file; the caller checks both digests (checkPolicyDigests). */
export function decodePolicyFile(bytes: Uint8Array, source: string): DecodedPolicyFile {
  let model: DecodedModel;
  let graph: Uint8Array | undefined;
  try {
    model = decodeModel(bytes);
    graph = graphFieldBytes(bytes);
  } catch (error) {
    throw new Error(`corrupt ONNX file ${source} (or not an ONNX file at all): it does not parse as an ONNX ModelProto (${(error as Error).message})`);
  }
  if (graph === undefined) {
    throw new ForeignModelError(`${source} is not a trpo-wasm policy: it is not an ONNX model (no graph)`);
  }
  const props: Record<string, string> = {};
  for (const { key, value } of model.metadata_props) props[key] = value;
  return { model, graph, props, metadata: parseMetadataProps(props, source) };
}

/**
 * Refuse a file edited or damaged after export: the metadata's and the graph's SHA-256 must be the ones recorded.
 * `sha256Hex` is the platform's hash (node:crypto or WebCrypto), so this module needs neither.
 */
export async function checkPolicyDigests(
  file: DecodedPolicyFile, source: string, sha256Hex: (data: Uint8Array) => string | Promise<string>,
): Promise<void> {
  checkMetadataDigest(file.props, await sha256Hex(new TextEncoder().encode(metadataDigestText(file.props))), source);
  const digest = await sha256Hex(file.graph);
  if (digest !== file.metadata.graphSha256) {
    throw new Error(`corrupt ONNX file ${source}: the graph's SHA-256 ${digest} differs from the ${file.metadata.graphSha256} recorded at export (damaged or edited file; export it again)`);
  }
}

/** The numbers of a policy file: what the graph computes, as float32 values exactly as stored. */
export interface PolicyWeights {
  /** Per layer: W row-major [outDim][inDim] and b, as the graph's Gemm (transB = 1) uses them. */
  layers: { weight: Float32Array; bias: Float32Array; inDim: number; outDim: number }[];
  /** When the graph normalizes: (obs − mean) / std, clipped to ±metadata.obsClip. */
  obsMean?: Float32Array;
  obsStd?: Float32Array;
  /** Gaussian files exported with `stochastic: true`. */
  logStd?: Float32Array;
}

/** The initializers of a decoded trpo-wasm policy, by the names graph.ts gives them. */
export function policyWeights(file: DecodedPolicyFile, source: string): PolicyWeights {
  const tensors = new Map<string, { dims: number[]; values: Float32Array }>();
  for (const t of file.model.graph?.initializer ?? []) {
    if (t.data_type !== OnnxDataType.FLOAT) continue;
    const raw = t.raw_data;
    const values = new Float32Array(raw.length / 4);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true); // ONNX raw_data is little-endian
    tensors.set(t.name, { dims: t.dims.map(Number), values });
  }
  const need = (name: string, length: number): Float32Array => {
    const t = tensors.get(name);
    if (t === undefined || t.values.length !== length) {
      throw new Error(`corrupt ONNX file ${source}: initializer ${name} is ${t ? `of ${t.values.length} numbers` : 'missing'}, expected ${length} numbers`);
    }
    return t.values;
  };
  const m = file.metadata;
  const dims = [m.obsDim, ...m.hiddenSizes, m.actDim];
  const layers = dims.slice(1).map((outDim, i) => {
    const inDim = dims[i];
    return { weight: need(`layer${i}_weight`, outDim * inDim), bias: need(`layer${i}_bias`, outDim), inDim, outDim };
  });
  const weights: PolicyWeights = { layers };
  if (m.normalizationInside) {
    weights.obsMean = need('obs_mean', m.obsDim);
    weights.obsStd = need('obs_std', m.obsDim);
  }
  if (m.kind === 'gaussian' && m.stochastic) weights.logStd = need('log_std_param', m.actDim);
  return weights;
}

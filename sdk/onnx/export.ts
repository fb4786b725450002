// exportOnnx: validates a PolicyExportSpec, builds the graph and writes the .onnx file atomically.

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { writeFileAtomic } from '../run/atomic.js';
import { version } from '../version.js';
import { parseOrThrow } from '../validation.js';
import { buildPolicyGraph, irVersionForOpset, MAX_OPSET, MIN_OPSET } from './graph.js';
import { METADATA_SHA256_KEY, metadataDigestText, metadataProps, PRODUCER_NAME } from './metadata.js';
import { encodeGraph, encodeModel, type ModelMessage } from './onnx-schema.js';
import { validatePolicySpec, type PolicyExportSpec } from './spec.js';

const exportOptionsSchema = z
  .object({
    /** Also output the distribution parameters (Gaussian: mean and log_std; categorical: logits). */
    stochastic: z.boolean().default(false),
    /** Clamp the Gaussian action to [actionLow, actionHigh] inside the graph. */
    clipActions: z.boolean().default(true),
    /** ai.onnx opset the file declares. */
    opset: z.number().int().min(MIN_OPSET).max(MAX_OPSET).default(17),
    /** Replace an existing file at the path (false: an existing file is refused, atomically). */
    overwrite: z.boolean().default(true),
  })
  .strict();

export type ExportOnnxOptions = z.input<typeof exportOptionsSchema>;

export interface ExportOnnxResult {
  path: string;
  bytes: number;
  /** Graph output names, `action` first. */
  outputs: string[];
}

/** Builds the ONNX model for `spec` and serializes it (no file I/O). */
export function policyToOnnxBytes(spec: PolicyExportSpec, options: ExportOnnxOptions = {}): { bytes: Uint8Array; outputs: string[] } {
  const { stochastic, clipActions, opset } = parseOrThrow(exportOptionsSchema, options, 'exportOnnx options');
  validatePolicySpec(spec);
  const built = buildPolicyGraph(spec, { stochastic, clipActions, opset });
  const props = metadataProps(spec, {
    producerVersion: version,
    normalizationInside: built.normalizationInside,
    clipInside: built.clipInside,
    stochastic,
    outputs: built.outputs,
    opset,
    graphSha256: createHash('sha256').update(encodeGraph(built.graph)).digest('hex'),
  });
  props[METADATA_SHA256_KEY] = createHash('sha256').update(metadataDigestText(props)).digest('hex'); // with graph_sha256, the whole file is covered
  const model: ModelMessage = {
    ir_version: irVersionForOpset(opset),
    producer_name: PRODUCER_NAME,
    producer_version: version,
    doc_string: `TRPO ${spec.kind} policy for ${spec.metadata.envId}; feed raw observations to input "obs"`,
    graph: built.graph,
    opset_import: [{ domain: '', version: opset }],
    metadata_props: Object.entries(props).map(([key, value]) => ({ key, value })),
  };
  return { bytes: encodeModel(model), outputs: built.outputs };
}

/**
 * Writes `spec` as an ONNX file at `path` (temp file + rename, so readers never see a partial file).
 * Throws before writing anything when the spec is inconsistent or holds a non-finite parameter.
 */
export async function exportOnnx(spec: PolicyExportSpec, path: string, options: ExportOnnxOptions = {}): Promise<ExportOnnxResult> {
  const { overwrite } = parseOrThrow(exportOptionsSchema, options, 'exportOnnx options');
  const { bytes, outputs } = policyToOnnxBytes(spec, options);
  writeFileAtomic(path, bytes, { overwrite });
  return { path, bytes: bytes.length, outputs };
}

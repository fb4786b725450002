// The metadata_props a trpo-wasm policy file carries, written by the export and read back by the loader.
// Values are strings (ONNX's format); number lists are comma-separated with JavaScript's shortest round-trip
// formatting (±Infinity spelled out), so every float64 comes back bit-identical.

import type { PolicyExportSpec } from './spec.js';

export const PRODUCER_NAME = 'trpo-wasm';
/** Bumped when the graph's inputs/outputs or these keys change incompatibly. */
export const FORMAT_VERSION = 1;

/** What a loaded policy file says about itself. */
export interface OnnxPolicyMetadata {
  producer: string;
  producerVersion: string;
  formatVersion: number;
  kind: 'gaussian' | 'categorical';
  envId: string;
  obsDim: number;
  actDim: number;
  activation: 'tanh' | 'relu';
  hiddenSizes: number[];
  /** Gaussian policies exported with bounds. */
  actionLow?: Float64Array;
  actionHigh?: Float64Array;
  /** True when the graph normalizes raw observations itself (feed raw observations). */
  normalizationInside: boolean;
  /** Clip bound of the normalized observation (when normalizationInside). */
  obsClip?: number;
  /** True when the graph clamps the Gaussian mean to [actionLow, actionHigh]. */
  clipInside: boolean;
  /** True when the graph also outputs the distribution parameters. */
  stochastic: boolean;
  outputs: string[];
  opset: number;
  /** SHA-256 (hex) of the serialized graph, checked on load to catch files damaged after export. */
  graphSha256: string;
  trainingTimesteps: number;
  configHash: string;
  /** Control period in seconds (metadata key `dt`): feed one observation and apply one action every dt. */
  dt?: number;
  /** What each observation index means, with its unit (key `observation_labels`, a JSON array). */
  observationLabels?: string[];
  /** What each action index (or categorical choice) means (key `action_labels`, a JSON array). */
  actionLabels?: string[];
  /** sha256 of the MJCF model and its assets the policy was trained on (custom MuJoCo robots; see docs/custom-envs.md). */
  modelSha256?: string;
  /** The spec's extra metadata keys, with their original types. */
  extra: Record<string, string | number>;
}

const RESERVED_SPEC_KEYS = new Set(['envId', 'trainingTimesteps', 'configHash']);

export interface GraphFacts {
  producerVersion: string;
  normalizationInside: boolean;
  clipInside: boolean;
  stochastic: boolean;
  outputs: string[];
  opset: number;
  graphSha256: string;
}

/** The key/value pairs written to ModelProto.metadata_props. */
export function metadataProps(spec: PolicyExportSpec, facts: GraphFacts): Record<string, string> {
  const extra: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(spec.metadata)) if (!RESERVED_SPEC_KEYS.has(key)) extra[key] = value;
  const props: Record<string, string> = {
    producer: PRODUCER_NAME,
    producer_version: facts.producerVersion,
    format_version: String(FORMAT_VERSION),
    policy_kind: spec.kind,
    env_id: spec.metadata.envId,
    obs_dim: String(spec.obsDim),
    action_dim: String(spec.actDim),
    activation: spec.activation,
    hidden_sizes: spec.layers.slice(0, -1).map((layer) => layer.outDim).join(','),
    normalization_inside: String(facts.normalizationInside),
    clip_inside: String(facts.clipInside),
    stochastic: String(facts.stochastic),
    outputs: facts.outputs.join(','),
    opset: String(facts.opset),
    graph_sha256: facts.graphSha256,
    training_timesteps: String(spec.metadata.trainingTimesteps),
    config_hash: spec.metadata.configHash,
    user_metadata: JSON.stringify(extra),
  };
  if (spec.obsNorm) props.obs_clip = String(spec.obsNorm.clip);
  if (spec.dt !== undefined) props.dt = String(spec.dt);
  if (spec.observationLabels) props.observation_labels = JSON.stringify(spec.observationLabels);
  if (spec.actionLabels) props.action_labels = JSON.stringify(spec.actionLabels);
  if (spec.modelSha256 !== undefined) props.model_sha256 = spec.modelSha256;
  if (spec.conv) {
    const { height, width, channels } = spec.conv.image;
    props.observation_image = `${height},${width},${channels}`;
    props.conv_layers = spec.conv.layers.map((l) => `${l.filters}k${l.kernel}s${l.stride}p${l.padding}`).join(',');
  }
  if (spec.actionLow && spec.actionHigh) {
    props.action_low = formatList(spec.actionLow);
    props.action_high = formatList(spec.actionHigh);
  }
  return props;
}

/** The key holding the SHA-256 of every other metadata entry (graph_sha256 covers the graph). */
export const METADATA_SHA256_KEY = 'metadata_sha256';

/**
 * What metadata_sha256 is the SHA-256 of: the entries other than METADATA_SHA256_KEY, in key order, as JSON.
 * The hashing itself is the caller's (node:crypto in Node, WebCrypto in the browser), so this module stays free
 * of Node built-ins (the browser entry imports it).
 */
export function metadataDigestText(props: Record<string, string>): string {
  const entries = Object.entries(props).filter(([key]) => key !== METADATA_SHA256_KEY).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(entries);
}

/** Refuse metadata that was changed (or damaged) after export; `digest` is the SHA-256 (hex) of metadataDigestText(props). */
export function checkMetadataDigest(props: Record<string, string>, digest: string, source: string): void {
  const recorded = props[METADATA_SHA256_KEY];
  if (recorded === undefined) {
    throw new Error(`corrupt ONNX file ${source}: metadata ${METADATA_SHA256_KEY} is missing (edited, or exported by an older trpo-wasm); export it again`);
  }
  if (digest !== recorded) {
    throw new Error(`corrupt ONNX file ${source}: its metadata's SHA-256 ${digest} differs from the ${recorded} recorded at export (damaged or edited file; export it again)`);
  }
}

/** Thrown for a file that is valid ONNX but was not written by trpo-wasm. */
export class ForeignModelError extends Error {}

/** Reads the metadata back; `source` names the file in errors. */
export function parseMetadataProps(props: Record<string, string>, source: string): OnnxPolicyMetadata {
  if (props.producer !== PRODUCER_NAME) {
    throw new ForeignModelError(
      `${source} is not a trpo-wasm policy: its metadata has producer ${JSON.stringify(props.producer ?? null)}, ` +
        `expected "${PRODUCER_NAME}" (export policies with exportOnnx)`,
    );
  }
  const bad = (key: string, why: string): never => {
    throw new Error(`corrupt ONNX file ${source}: metadata ${key} = ${JSON.stringify(props[key] ?? null)} ${why}`);
  };
  const text = (key: string): string => props[key] ?? bad(key, 'is missing');
  const integer = (key: string): number => {
    const value = Number(text(key));
    return Number.isSafeInteger(value) && value >= 0 ? value : bad(key, 'is not an integer ≥ 0');
  };
  const flag = (key: string): boolean => {
    const value = text(key);
    return value === 'true' ? true : value === 'false' ? false : bad(key, 'is not true/false');
  };
  const oneOf = <T extends string>(key: string, allowed: readonly T[]): T => {
    const value = text(key) as T;
    return allowed.includes(value) ? value : bad(key, `is not one of ${allowed.join(', ')}`);
  };

  const formatVersion = integer('format_version');
  if (formatVersion > FORMAT_VERSION) {
    bad('format_version', `is newer than this trpo-wasm reads (${FORMAT_VERSION}); upgrade trpo-wasm`);
  }
  let extra: Record<string, string | number>;
  try {
    extra = JSON.parse(text('user_metadata')) as Record<string, string | number>;
  } catch {
    return bad('user_metadata', 'is not JSON');
  }
  const metadata: OnnxPolicyMetadata = {
    producer: PRODUCER_NAME,
    producerVersion: text('producer_version'),
    formatVersion,
    kind: oneOf('policy_kind', ['gaussian', 'categorical'] as const),
    envId: text('env_id'),
    obsDim: integer('obs_dim'),
    actDim: integer('action_dim'),
    activation: oneOf('activation', ['tanh', 'relu'] as const),
    hiddenSizes: props.hidden_sizes ? parseList(props.hidden_sizes, 'hidden_sizes', bad) : [],
    normalizationInside: flag('normalization_inside'),
    clipInside: flag('clip_inside'),
    stochastic: flag('stochastic'),
    outputs: text('outputs').split(','),
    opset: integer('opset'),
    graphSha256: text('graph_sha256'),
    trainingTimesteps: integer('training_timesteps'),
    configHash: text('config_hash'),
    extra,
  };
  if (props.obs_clip !== undefined) metadata.obsClip = Number(props.obs_clip);
  if (props.dt !== undefined) {
    const dt = Number(props.dt);
    metadata.dt = dt > 0 && Number.isFinite(dt) ? dt : bad('dt', 'is not a control period in seconds (> 0)');
  }
  const labels = (key: string, expected: number): string[] | undefined => {
    if (props[key] === undefined) return undefined;
    let value: unknown;
    try {
      value = JSON.parse(props[key]);
    } catch {
      return bad(key, 'is not JSON');
    }
    if (!Array.isArray(value) || value.length !== expected || value.some((label) => typeof label !== 'string')) {
      return bad(key, `is not a JSON array of ${expected} strings`);
    }
    return value as string[];
  };
  const observationLabels = labels('observation_labels', metadata.obsDim);
  const actionLabels = labels('action_labels', metadata.actDim);
  if (observationLabels) metadata.observationLabels = observationLabels;
  if (actionLabels) metadata.actionLabels = actionLabels;
  if (props.model_sha256 !== undefined) {
    metadata.modelSha256 = /^[0-9a-f]{64}$/.test(props.model_sha256) ? props.model_sha256 : bad('model_sha256', 'is not 64 lowercase hex digits');
  }
  if (props.action_low !== undefined) metadata.actionLow = Float64Array.from(parseList(props.action_low, 'action_low', bad));
  if (props.action_high !== undefined) metadata.actionHigh = Float64Array.from(parseList(props.action_high, 'action_high', bad));
  return metadata;
}

function formatList(values: ArrayLike<number>): string {
  return Array.from(values, (value) => String(value)).join(',');
}

function parseList(text: string, key: string, bad: (key: string, why: string) => never): number[] {
  const values = text.split(',').map(Number);
  return values.some(Number.isNaN) ? bad(key, 'is not a comma-separated list of numbers') : values;
}

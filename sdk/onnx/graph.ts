// Builds the ONNX model (as protobuf-ready plain objects) for a validated PolicyExportSpec.
//
// Graph, with B the dynamic batch size, D = obsDim, A = actDim, all float32 unless noted:
//   obs [B, D]
//   → Sub(obs_mean [D]) → Div(obs_std [D]) → Clip(−c, c)                     (if obsNorm; obs_std = sqrt(var + ε))
//   → (CNN: Reshape → Transpose → Conv → Relu|Tanh … → Transpose → Flatten, see conv-graph.ts)
//   → Gemm(W_0 [H0, D], b_0 [H0], transB) → Tanh|Relu → … → Gemm(W_L [A, H], b_L [A])
//   gaussian:    mean [B, A] → Max(action_low [A]) → Min(action_high [A]) → action [B, A]   (if clipping)
//                stochastic: also outputs mean [B, A] (unclamped) and log_std [A]
//   categorical: logits [B, A] → ArgMax(axis 1) → action int64 [B];  stochastic: also outputs logits [B, A]
// Bounds are per-component tensors, so the action clamp uses Max/Min (Clip only takes scalar bounds).

import { normalizationStd } from '../normalization/obs-normalizer.js';
import type { PolicyExportSpec } from './spec.js';
import { convNodes } from './conv-graph.js';
import {
  OnnxAttributeType,
  OnnxDataType,
  type AttributeMessage,
  type DimensionMessage,
  type GraphMessage,
  type NodeMessage,
  type TensorMessage,
  type ValueInfoMessage,
} from './onnx-schema.js';

/**
 * Oldest opset supported. Max/Min broadcast the per-component bounds from opset 8 on, but opset 8 belongs to IR 3,
 * where every initializer must also be a graph input (the ONNX checker rejects it otherwise, and runtimes then let
 * callers override the weights); nothing needs it, so the oldest is 9 (IR 4).
 */
export const MIN_OPSET = 9;
/** Newest ai.onnx opset that onnxruntime-node 1.30 loads (27 is refused by its opset check). */
export const MAX_OPSET = 26;

export interface GraphOptions {
  stochastic: boolean;
  clipActions: boolean;
  opset: number;
}

export interface BuiltGraph {
  graph: GraphMessage;
  normalizationInside: boolean;
  clipInside: boolean;
  outputs: string[];
}

/**
 * IR version released together with each opset (ONNX's versioning table). Above opset 23 the file still declares
 * IR 11: it uses no later IR feature, and onnxruntime-node 1.30 loads it.
 */
export function irVersionForOpset(opset: number): number {
  if (opset <= 9) return 4;
  if (opset === 10) return 5;
  if (opset === 11) return 6;
  if (opset <= 14) return 7;
  if (opset <= 18) return 8;
  if (opset <= 20) return 9;
  if (opset <= 22) return 10;
  return 11;
}

const BATCH: DimensionMessage = { dim_param: 'batch' };

export function buildPolicyGraph(spec: PolicyExportSpec, options: GraphOptions): BuiltGraph {
  const nodes: NodeMessage[] = [];
  const initializers: TensorMessage[] = [];
  const node = (op: string, inputs: string[], output: string, attribute?: AttributeMessage[]): string => {
    nodes.push({ name: `${op}_${nodes.length}`, op_type: op, input: inputs, output: [output], attribute });
    return output;
  };
  const constant = (name: string, dims: number[], values: ArrayLike<number>): string => {
    initializers.push(float32Tensor(name, dims, values));
    return name;
  };

  let x = 'obs';
  if (spec.obsNorm) {
    const { mean, var: variance, epsilon, clip } = spec.obsNorm;
    // The standard deviation is precomputed in float64 so the graph does one division per component.
    const std = normalizationStd(variance, epsilon, new Float64Array(spec.obsDim));
    x = node('Sub', [x, constant('obs_mean', [spec.obsDim], mean)], 'obs_centered');
    x = node('Div', [x, constant('obs_std', [spec.obsDim], std)], 'obs_scaled');
    if (clip !== Infinity) x = clipScalar(x, -clip, clip, 'obs_normalized', options.opset, node, constant);
  }

  if (spec.conv) x = convNodes(spec.conv, spec.activation, x, node, constant, (t) => initializers.push(t));

  const last = spec.layers.length - 1;
  const headName = spec.kind === 'gaussian' ? 'mean' : 'logits';
  spec.layers.forEach((layer, i) => {
    const weight = constant(`layer${i}_weight`, [layer.outDim, layer.inDim], layer.weight);
    const bias = constant(`layer${i}_bias`, [layer.outDim], layer.bias);
    const transB: AttributeMessage = { name: 'transB', type: OnnxAttributeType.INT, i: 1 };
    x = node('Gemm', [x, weight, bias], i === last ? headName : `layer${i}_linear`, [transB]);
    if (i < last) x = node(spec.activation === 'tanh' ? 'Tanh' : 'Relu', [x], `layer${i}_hidden`);
  });

  const outputs: ValueInfoMessage[] = [];
  let clipInside = false;
  if (spec.kind === 'categorical') {
    const axis: AttributeMessage = { name: 'axis', type: OnnxAttributeType.INT, i: 1 };
    const keepdims: AttributeMessage = { name: 'keepdims', type: OnnxAttributeType.INT, i: 0 };
    node('ArgMax', [x], 'action', [axis, keepdims]);
    outputs.push(valueInfo('action', OnnxDataType.INT64, [BATCH], 'index of the most probable action'));
    if (options.stochastic) outputs.push(valueInfo('logits', OnnxDataType.FLOAT, [BATCH, { dim_value: spec.actDim }], 'unnormalized log-probabilities'));
  } else {
    const low = spec.actionLow;
    const high = spec.actionHigh;
    clipInside = options.clipActions && low !== undefined && high !== undefined && [...low, ...high].some(Number.isFinite);
    if (clipInside) {
      const lower = node('Max', [x, constant('action_low', [spec.actDim], low!)], 'mean_above_low');
      node('Min', [lower, constant('action_high', [spec.actDim], high!)], 'action');
    } else {
      node('Identity', [x], 'action');
    }
    const actionDims = [BATCH, { dim_value: spec.actDim }];
    outputs.push(valueInfo('action', OnnxDataType.FLOAT, actionDims, clipInside ? 'Gaussian mean clamped to the action bounds' : 'Gaussian mean'));
    if (options.stochastic) {
      if (spec.logStd === undefined) throw new Error('invalid policy export spec: stochastic export of a gaussian policy needs logStd');
      node('Identity', [constant('log_std_param', [spec.actDim], spec.logStd)], 'log_std');
      outputs.push(valueInfo('mean', OnnxDataType.FLOAT, actionDims, 'Gaussian mean, not clamped'));
      outputs.push(valueInfo('log_std', OnnxDataType.FLOAT, [{ dim_value: spec.actDim }], 'state-independent log standard deviation'));
    }
  }

  const graph: GraphMessage = {
    name: 'trpo_wasm_policy',
    node: nodes,
    initializer: initializers,
    input: [valueInfo('obs', OnnxDataType.FLOAT, [BATCH, { dim_value: spec.obsDim }], 'raw observations, one per row')],
    output: outputs,
  };
  return { graph, normalizationInside: spec.obsNorm !== undefined, clipInside, outputs: outputs.map((o) => o.name) };
}

type AddNode = (op: string, inputs: string[], output: string, attribute?: AttributeMessage[]) => string;
type AddConstant = (name: string, dims: number[], values: ArrayLike<number>) => string;

/** Clip with scalar bounds: attributes before opset 11, scalar tensor inputs from opset 11 on. */
function clipScalar(x: string, min: number, max: number, output: string, opset: number, node: AddNode, constant: AddConstant): string {
  if (opset < 11) {
    return node('Clip', [x], output, [
      { name: 'min', type: OnnxAttributeType.FLOAT, f: min },
      { name: 'max', type: OnnxAttributeType.FLOAT, f: max },
    ]);
  }
  return node('Clip', [x, constant(`${output}_min`, [], [min]), constant(`${output}_max`, [], [max])], output);
}

function float32Tensor(name: string, dims: number[], values: ArrayLike<number>): TensorMessage {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true); // ONNX raw_data is little-endian
  return { name, dims, data_type: OnnxDataType.FLOAT, raw_data: bytes };
}

function valueInfo(name: string, elemType: number, dims: DimensionMessage[], doc: string): ValueInfoMessage {
  return { name, doc_string: doc, type: { tensor_type: { elem_type: elemType, shape: { dim: dims } } } };
}

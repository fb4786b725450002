// ONNX deployment: export a policy described as plain data, run the file with onnxruntime-node.
export { exportOnnx, policyToOnnxBytes, type ExportOnnxOptions, type ExportOnnxResult } from './export.js';
export { MAX_OPSET as ONNX_MAX_OPSET, MIN_OPSET as ONNX_MIN_OPSET } from './graph.js';
export { ForeignModelError, type OnnxPolicyMetadata } from './metadata.js';
export {
  loadOnnxPolicy,
  OnnxPolicy,
  type LoadOnnxPolicyOptions,
  type OnnxAction,
  type OnnxCategoricalDistribution,
  type OnnxFlatBatch,
  type OnnxGaussianDistribution,
  type OnnxObservation,
  type OnnxPolicyDistribution,
} from './runtime.js';
export { validatePolicySpec, type DenseLayerSpec, type ObsNormSpec, type PolicyExportMetadata, type PolicyExportSpec } from './spec.js';

// The conv part of an exported CNN policy. ONNX's Conv works on NCHW tensors with OIHW filters; the SDK's
// observations and filters are NHWC / O·kh·kw·I. So the graph reshapes the flat observation to [B, H, W, C],
// transposes it to NCHW, runs Conv (+ activation) per layer with the filters transposed to OIHW at export, and
// transposes back to NHWC before Flatten, so the dense layers see the features in the SDK's order.
//   x [B, H·W·C] → Reshape [B, H, W, C] → Transpose(0,3,1,2) → (Conv → Relu|Tanh)* → Transpose(0,2,3,1) → Flatten
import { OnnxAttributeType, OnnxDataType, type AttributeMessage, type TensorMessage } from './onnx-schema.js';
import type { ConvExportSpec } from './spec.js';

type AddNode = (op: string, inputs: string[], output: string, attribute?: AttributeMessage[]) => string;
type AddConstant = (name: string, dims: number[], values: ArrayLike<number>) => string;

const ints = (name: string, values: number[]): AttributeMessage => ({ name, type: OnnxAttributeType.INTS, ints: values });

/** Adds the conv layers' nodes after `x`; returns the name of the flattened [B, features] output. */
export function convNodes(
  conv: ConvExportSpec, activation: 'tanh' | 'relu', x: string, node: AddNode, constant: AddConstant, addTensor: (t: TensorMessage) => void,
): string {
  const { height, width, channels } = conv.image;
  addTensor(int64Tensor('conv_input_shape', [4], [-1, height, width, channels]));
  x = node('Reshape', [x, 'conv_input_shape'], 'image_nhwc');
  x = node('Transpose', [x], 'image_nchw', [ints('perm', [0, 3, 1, 2])]);
  let inC = channels;
  conv.layers.forEach((layer, i) => {
    const k = layer.kernel;
    const oihw = new Float64Array(layer.filters * inC * k * k);
    for (let o = 0; o < layer.filters; o++) {
      for (let ky = 0; ky < k; ky++) {
        for (let kx = 0; kx < k; kx++) {
          for (let c = 0; c < inC; c++) oihw[((o * inC + c) * k + ky) * k + kx] = layer.weight[((o * k + ky) * k + kx) * inC + c];
        }
      }
    }
    const weight = constant(`conv${i}_weight`, [layer.filters, inC, k, k], oihw);
    const bias = constant(`conv${i}_bias`, [layer.filters], layer.bias);
    const p = layer.padding;
    x = node('Conv', [x, weight, bias], `conv${i}_linear`, [
      ints('kernel_shape', [k, k]), ints('strides', [layer.stride, layer.stride]), ints('pads', [p, p, p, p]),
    ]);
    x = node(activation === 'tanh' ? 'Tanh' : 'Relu', [x], `conv${i}_hidden`);
    inC = layer.filters;
  });
  x = node('Transpose', [x], 'features_nhwc', [ints('perm', [0, 2, 3, 1])]);
  return node('Flatten', [x], 'features', [{ name: 'axis', type: OnnxAttributeType.INT, i: 1 }]);
}

function int64Tensor(name: string, dims: number[], values: number[]): TensorMessage {
  const bytes = new Uint8Array(values.length * 8);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return { name, dims, data_type: OnnxDataType.INT64, raw_data: bytes };
}

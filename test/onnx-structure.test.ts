// Every opset the exporter accepts goes through the same structural rules (those of the ONNX checker that apply to
// our graphs, written here independently of the exporter): IR version against the opset, initializers listed as
// inputs where IR 3 demands it, single static assignment, every input defined before use, every operator
// defined at the declared opset with the input count and attributes of that version, tensor sizes.

import { expect } from 'chai';
import { policyToOnnxBytes } from '../sdk/onnx/export.js';
import { MAX_OPSET, MIN_OPSET } from '../sdk/onnx/graph.js';
import { decodeModel } from '../sdk/onnx/onnx-schema.js';
import { randomSpec } from './onnx-fixtures.js';

/** The decoded ModelProto fields the rules read (protobufjs toObject with defaults). */
interface Model {
  ir_version: number;
  opset_import: { domain: string; version: number }[];
  metadata_props: { key: string; value: string }[];
  graph: {
    node: { name: string; op_type: string; input: string[]; output: string[]; attribute: { name: string; type: number }[] }[];
    initializer: { name: string; dims: number[]; raw_data: Uint8Array }[];
    input: { name: string }[];
    output: { name: string }[];
  };
}

const decode = (bytes: Uint8Array): Model => decodeModel(bytes) as unknown as Model;

/** IR version shipped with each opset in ONNX's release table (opsets above 23 need at least IR 11). */
const RELEASE_IR: [maxOpset: number, ir: number][] = [[8, 3], [9, 4], [10, 5], [11, 6], [14, 7], [18, 8], [20, 9], [22, 10], [Infinity, 11]];

/**
 * Per operator: the opset versions at which its schema changed, and per schema the allowed input counts and
 * attributes (name → attribute type: 1 FLOAT, 2 INT).
 */
interface Schema { since: number; inputs: [number, number]; attributes: Record<string, number> }
const OPERATORS: Record<string, Schema[]> = {
  Sub: [{ since: 7, inputs: [2, 2], attributes: {} }],
  Div: [{ since: 7, inputs: [2, 2], attributes: {} }],
  Gemm: [
    { since: 7, inputs: [3, 3], attributes: { alpha: 1, beta: 1, transA: 2, transB: 2 } },
    { since: 11, inputs: [2, 3], attributes: { alpha: 1, beta: 1, transA: 2, transB: 2 } },
  ],
  Tanh: [{ since: 6, inputs: [1, 1], attributes: {} }],
  Relu: [{ since: 6, inputs: [1, 1], attributes: {} }],
  Max: [{ since: 8, inputs: [1, Infinity], attributes: {} }],
  Min: [{ since: 8, inputs: [1, Infinity], attributes: {} }],
  Identity: [{ since: 1, inputs: [1, 1], attributes: {} }],
  ArgMax: [
    { since: 1, inputs: [1, 1], attributes: { axis: 2, keepdims: 2 } },
    { since: 12, inputs: [1, 1], attributes: { axis: 2, keepdims: 2, select_last_index: 2 } },
  ],
  Clip: [
    { since: 6, inputs: [1, 1], attributes: { min: 1, max: 1 } },
    { since: 11, inputs: [1, 3], attributes: {} },
  ],
};

/** Every rule the model breaks (empty when it passes). */
function structuralErrors(model: Model): string[] {
  const errors: string[] = [];
  const opset = model.opset_import.find((o) => o.domain === '')?.version;
  if (opset === undefined) return ['no ai.onnx opset_import'];
  const releaseIr = RELEASE_IR.find(([max]) => opset <= max)![1];
  if (model.ir_version < releaseIr) errors.push(`IR ${model.ir_version} is older than IR ${releaseIr} of opset ${opset}`);
  const graph = model.graph;
  const inputs = new Set(graph.input.map((i) => i.name));
  if (model.ir_version <= 3) {
    for (const t of graph.initializer) if (!inputs.has(t.name)) errors.push(`IR ${model.ir_version}: initializer ${t.name} is not a graph input`);
  }
  const defined = new Set<string>();
  const define = (name: string, what: string): void => {
    if (name === '') errors.push(`${what} has an empty name`);
    else if (defined.has(name) && !(inputs.has(name) && what.startsWith('initializer'))) errors.push(`${name} is defined twice (${what})`);
    defined.add(name);
  };
  for (const name of inputs) define(name, 'graph input');
  for (const t of graph.initializer) {
    define(t.name, `initializer ${t.name}`);
    const count = t.dims.reduce((a, b) => a * Number(b), 1);
    if (t.raw_data.length !== 4 * count) errors.push(`initializer ${t.name}: ${t.raw_data.length} bytes for dims [${t.dims.join(', ')}]`);
  }
  for (const node of graph.node) {
    const schemas = OPERATORS[node.op_type];
    const schema = schemas?.filter((s) => s.since <= opset).at(-1);
    if (!schema) {
      errors.push(`${node.op_type} is not defined at opset ${opset}`);
      continue;
    }
    const [minInputs, maxInputs] = schema.inputs;
    if (node.input.length < minInputs || node.input.length > maxInputs) {
      errors.push(`${node.name}: ${node.op_type}-${schema.since} takes ${minInputs}..${maxInputs} inputs, got ${node.input.length}`);
    }
    for (const input of node.input) if (input !== '' && !defined.has(input)) errors.push(`${node.name}: input ${input} is not defined before use`);
    for (const attribute of node.attribute) {
      const type = schema.attributes[attribute.name];
      if (type === undefined) errors.push(`${node.name}: ${node.op_type}-${schema.since} has no attribute ${attribute.name}`);
      else if (attribute.type !== type) errors.push(`${node.name}: attribute ${attribute.name} has type ${attribute.type}, expected ${type}`);
    }
    for (const output of node.output) define(output, `output of ${node.name}`);
  }
  for (const output of graph.output) if (!defined.has(output.name)) errors.push(`graph output ${output.name} is never produced`);
  const keys = model.metadata_props.map((p) => p.key);
  if (new Set(keys).size !== keys.length) errors.push('duplicate metadata_props keys');
  return errors;
}

const SPECS = [
  { name: 'gaussian, normalized, bounded', spec: randomSpec({ kind: 'gaussian', sizes: [11, 16, 3] }) },
  { name: 'categorical, normalized', spec: randomSpec({ kind: 'categorical', sizes: [4, 8, 2] }) },
  { name: 'gaussian relu, unnormalized, unbounded', spec: randomSpec({ kind: 'gaussian', sizes: [5, 8, 2], activation: 'relu', obsNorm: false, bounds: false }) },
];

describe('ONNX structure: every advertised opset passes the same rules', () => {
  for (let opset = MIN_OPSET; opset <= MAX_OPSET; opset++) {
    it(`opset ${opset}`, () => {
      for (const { name, spec } of SPECS) {
        for (const stochastic of [false, true]) {
          const model = decode(policyToOnnxBytes(spec, { opset, stochastic }).bytes);
          expect(structuralErrors(model), `${name}, stochastic ${stochastic}`).to.deep.equal([]);
        }
      }
    });
  }

  it('opsets outside the advertised range are refused', () => {
    const spec = SPECS[0].spec;
    for (const opset of [MIN_OPSET - 1, MAX_OPSET + 1]) {
      expect(() => policyToOnnxBytes(spec, { opset })).to.throw(/opset/);
    }
  });
});

describe('ONNX structure rules catch broken models', () => {
  const valid = (): Model => decode(policyToOnnxBytes(SPECS[0].spec, { opset: 13 }).bytes);
  const cases: { name: string; breakIt: (m: Model) => void; error: RegExp }[] = [
    { name: 'IR 3 with initializers that are not inputs', breakIt: (m) => { m.ir_version = 3; m.opset_import[0].version = 8; }, error: /IR 3: initializer obs_mean is not a graph input/ },
    { name: 'an IR older than the opset', breakIt: (m) => { m.ir_version = 6; }, error: /IR 6 is older than IR 7 of opset 13/ },
    { name: 'Clip with attributes at opset 11+', breakIt: (m) => { m.graph.node.find((n) => n.op_type === 'Clip')!.attribute = [{ name: 'min', type: 1 }]; }, error: /Clip-11 has no attribute min/ },
    { name: 'an input used before it is defined', breakIt: (m) => { m.graph.node.reverse(); }, error: /is not defined before use/ },
    { name: 'a name assigned twice', breakIt: (m) => { m.graph.node[1].output = ['obs_centered']; }, error: /obs_centered is defined twice/ },
    { name: 'an operator newer than the opset', breakIt: (m) => { m.opset_import[0].version = 7; m.ir_version = 3; m.graph.input.push(...m.graph.initializer.map((t) => ({ ...m.graph.input[0], name: t.name }))); }, error: /Max is not defined at opset 7/ },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const model = valid();
      expect(structuralErrors(model)).to.deep.equal([]);
      c.breakIt(model);
      expect(structuralErrors(model).join('\n')).to.match(c.error);
    });
  }
});

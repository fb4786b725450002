// The part of the ONNX protobuf schema (onnx.proto3, IR version ≤ 11) that a policy file needs, parsed once by
// protobufjs. Field numbers are those of the public ONNX specification; messages and fields we never write or read
// (sparse tensors, training info, functions, sequence/map types, …) are left out — protobuf decoders skip unknown
// fields, so foreign files that use them still decode. Field names keep the spec's snake_case (keepCase).

import protobuf from 'protobufjs';

const ONNX_SUBSET_PROTO = `
syntax = "proto3";
package onnx;

message ModelProto {
  int64 ir_version = 1;
  string producer_name = 2;
  string producer_version = 3;
  string domain = 4;
  int64 model_version = 5;
  string doc_string = 6;
  GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}

message StringStringEntryProto {
  string key = 1;
  string value = 2;
}

message OperatorSetIdProto {
  string domain = 1;
  int64 version = 2;
}

message GraphProto {
  repeated NodeProto node = 1;
  string name = 2;
  repeated TensorProto initializer = 5;
  string doc_string = 10;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}

message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  string name = 3;
  string op_type = 4;
  repeated AttributeProto attribute = 5;
  string doc_string = 6;
  string domain = 7;
}

message AttributeProto {
  enum AttributeType {
    UNDEFINED = 0;
    FLOAT = 1;
    INT = 2;
    STRING = 3;
    TENSOR = 4;
    GRAPH = 5;
    FLOATS = 6;
    INTS = 7;
    STRINGS = 8;
  }
  string name = 1;
  float f = 2;
  int64 i = 3;
  bytes s = 4;
  TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  string doc_string = 13;
  AttributeType type = 20;
}

message ValueInfoProto {
  string name = 1;
  TypeProto type = 2;
  string doc_string = 3;
}

message TensorProto {
  repeated int64 dims = 1;
  int32 data_type = 2;
  repeated float float_data = 4;
  repeated int64 int64_data = 7;
  string name = 8;
  bytes raw_data = 9;
  string doc_string = 12;
}

message TensorShapeProto {
  message Dimension {
    oneof value {
      int64 dim_value = 1;
      string dim_param = 2;
    }
  }
  repeated Dimension dim = 1;
}

message TypeProto {
  message Tensor {
    int32 elem_type = 1;
    TensorShapeProto shape = 2;
  }
  oneof value {
    Tensor tensor_type = 1;
  }
}
`;

/** TensorProto.DataType values used here. */
export const OnnxDataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values used here. */
export const OnnxAttributeType = { FLOAT: 1, INT: 2, INTS: 7 } as const;

// Plain-object shapes of the messages as we build them (protobufjs `fromObject` input, keepCase field names).
// Optional fields left undefined are not written.

export interface StringStringEntry { key: string; value: string }

export interface TensorMessage {
  name: string;
  dims: number[];
  data_type: number;
  /** Little-endian element bytes. */
  raw_data: Uint8Array;
}

export interface AttributeMessage {
  name: string;
  type: number;
  f?: number;
  i?: number;
  ints?: number[];
}

export interface NodeMessage {
  name: string;
  op_type: string;
  input: string[];
  output: string[];
  attribute?: AttributeMessage[];
}

/** A dimension is either fixed (number) or symbolic (string, e.g. 'batch'). */
export type DimensionMessage = { dim_value: number } | { dim_param: string };

export interface ValueInfoMessage {
  name: string;
  doc_string?: string;
  type: { tensor_type: { elem_type: number; shape: { dim: DimensionMessage[] } } };
}

export interface GraphMessage {
  name: string;
  node: NodeMessage[];
  initializer: TensorMessage[];
  input: ValueInfoMessage[];
  output: ValueInfoMessage[];
  doc_string?: string;
}

export interface ModelMessage {
  ir_version: number;
  producer_name: string;
  producer_version: string;
  domain?: string;
  model_version?: number;
  doc_string?: string;
  graph: GraphMessage;
  opset_import: { domain: string; version: number }[];
  metadata_props: StringStringEntry[];
}

let schemaRoot: protobuf.Root | undefined;

function onnxType(name: 'ModelProto' | 'GraphProto'): protobuf.Type {
  schemaRoot ??= protobuf.parse(ONNX_SUBSET_PROTO, { keepCase: true }).root;
  return schemaRoot.lookupType(`onnx.${name}`);
}

/** Serializes a model to protobuf bytes. */
export function encodeModel(model: ModelMessage): Uint8Array {
  const type = onnxType('ModelProto');
  return type.encode(type.fromObject(model)).finish();
}

/** Serializes a graph alone: the same bytes the model carries in its `graph` field. */
export function encodeGraph(graph: GraphMessage): Uint8Array {
  const type = onnxType('GraphProto');
  return type.encode(type.fromObject(graph)).finish();
}

const MODEL_GRAPH_FIELD = 7;
const LENGTH_DELIMITED = 2;

/** The raw bytes of ModelProto.graph as stored in the file (undefined if absent); throws on malformed protobuf. */
export function graphFieldBytes(modelBytes: Uint8Array): Uint8Array | undefined {
  const reader = protobuf.Reader.create(modelBytes);
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    if (tag >>> 3 === MODEL_GRAPH_FIELD && (tag & 7) === LENGTH_DELIMITED) return reader.bytes();
    reader.skipType(tag & 7);
  }
  return undefined;
}

/** What a decoded file exposes to the loader (int64 fields converted to numbers). */
export interface DecodedModel {
  ir_version: number;
  producer_name: string;
  producer_version: string;
  opset_import: { domain: string; version: number }[];
  metadata_props: StringStringEntry[];
  graph?: {
    node: { op_type: string; input: string[]; output: string[] }[];
    initializer: { name: string; dims: number[]; data_type: number; raw_data: Uint8Array }[];
    input: ValueInfoMessage[];
    output: ValueInfoMessage[];
  };
}

/** Parses protobuf bytes as an ONNX ModelProto; throws (protobufjs's error) when the bytes are not valid protobuf. */
export function decodeModel(bytes: Uint8Array): DecodedModel {
  const type = onnxType('ModelProto');
  const message = type.decode(bytes);
  return type.toObject(message, { longs: Number, defaults: true, arrays: true }) as DecodedModel;
}

/**
 * A small builder for ONNX graphs: named initializers, nodes with attributes, and graph inputs/outputs
 * with symbolic axes, encoded straight to protobuf with our own writer (protobuf.ts). It knows nothing
 * about recurrent models (onnx.ts does); it keeps the protobuf plumbing out of the export logic.
 *
 * Tensors are stored as raw little-endian bytes (TensorProto.raw_data), the compact form every ONNX
 * runtime reads; written through a DataView so the byte order does not depend on the host.
 *
 * Each message is encoded as soon as it is added (only the graph's order of them matters). Fields are
 * written in field-number order, as protobufjs (which we used before) wrote them, so the bytes did not
 * change when we dropped it.
 */
import { ProtoWriter } from './protobuf.js';

/*
 * Field numbers and enum values of the messages written, from onnx.proto (ONNX v1.10.2, as compiled into
 * onnx-proto 8.0.1, which this replaced). Only the fields we write are listed.
 */
const MODEL = { ir_version: 1, producer_name: 2, doc_string: 6, graph: 7, opset_import: 8 } as const;
const OPSET_ID = { domain: 1, version: 2 } as const;
const GRAPH = { node: 1, name: 2, initializer: 5, input: 11, output: 12 } as const;
const NODE = { input: 1, output: 2, name: 3, op_type: 4, attribute: 5 } as const;
const ATTRIBUTE = { name: 1, f: 2, i: 3, s: 4, ints: 8, strings: 9, type: 20 } as const;
/** AttributeProto.AttributeType */
const ATTR_TYPE = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7, STRINGS: 8 } as const;
const TENSOR = { dims: 1, data_type: 2, name: 8, raw_data: 9 } as const;
const VALUE_INFO = { name: 1, type: 2 } as const;
const TYPE = { tensor_type: 1 } as const;
const TYPE_TENSOR = { elem_type: 1, shape: 2 } as const;
const SHAPE = { dim: 1 } as const;
const DIMENSION = { dim_value: 1, dim_param: 2 } as const;

/** The ONNX types this exporter writes (int32 only for the sequence_lens input, the type the RNN ops take). */
export type ElemType = 'float32' | 'int32' | 'int64';

/** TensorProto.DataType */
const ELEM = { float32: 1, int32: 6, int64: 7 } as const;

/** IR version 7, what opset 14 needs. */
const IR_VERSION = 7;

/** An axis of a graph input or output: a fixed size or a symbolic name (a dynamic axis). */
export type Dim = number | string;

/** An attribute value: an int, a float, a string, or a list of ints or strings. */
export type AttrValue = number | string | number[] | string[] | { float: number };

export class GraphBuilder {
  private readonly nodes: Uint8Array[] = [];
  private readonly initializers: Uint8Array[] = [];
  private readonly inputs: Uint8Array[] = [];
  private readonly outputs: Uint8Array[] = [];
  private readonly names = new Set<string>();
  private counter = 0;

  /**
   * A value name with the given prefix not used so far (ONNX names must be unique in a graph). It is
   * claimed when a node or constant is made under it; the counter keeps two fresh names apart meanwhile.
   */
  fresh(prefix: string): string {
    let name: string;
    do name = `${prefix}_${this.counter++}`; while (this.names.has(name));
    return name;
  }

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`internal: ONNX value name '${name}' used twice`);
    this.names.add(name);
    return name;
  }

  /** Adds a float32 constant (an initializer) and returns its name. */
  float(name: string, dims: readonly number[], data: ArrayLike<number>): string {
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(4 * i, data[i], true);
    this.initializers.push(tensor(this.claim(name), dims, 'float32', bytes));
    return name;
  }

  /** Adds a 1-D int64 constant (axes, starts, ends) and returns its name. */
  int64(name: string, data: readonly number[]): string {
    const bytes = new Uint8Array(data.length * 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < data.length; i++) view.setBigInt64(8 * i, BigInt(data[i]), true);
    this.initializers.push(tensor(this.claim(name), [data.length], 'int64', bytes));
    return name;
  }

  input(name: string, elem: ElemType, dims: readonly Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), elem, dims));
    return name;
  }

  /** Declares an already produced value as a graph output. */
  output(name: string, elem: ElemType, dims: readonly Dim[]): void {
    this.outputs.push(valueInfo(name, elem, dims));
  }

  /**
   * Adds a node. `inputs` may hold '' for an omitted optional input (the ONNX convention); `outputs`
   * are names to create (each must be new) or '' for an output not wanted.
   */
  node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrValue> = {}): void {
    for (const o of outputs) if (o !== '') this.claim(o);
    const w = new ProtoWriter();
    for (const i of inputs) w.string(NODE.input, i);
    for (const o of outputs) w.string(NODE.output, o);
    w.string(NODE.name, `${opType}_${this.nodes.length}`).string(NODE.op_type, opType);
    for (const [k, v] of Object.entries(attrs)) attribute(w, k, v);
    this.nodes.push(w.finish());
  }

  /** Serializes the model: IR version 7 (what opset 14 needs), the default domain at `opset`. */
  encode(graphName: string, opset: number, docString: string): Uint8Array {
    return new ProtoWriter()
      .int64(MODEL.ir_version, IR_VERSION)
      .string(MODEL.producer_name, 'rnnlab')
      .string(MODEL.doc_string, docString)
      .message(MODEL.graph, (g) => {
        for (const n of this.nodes) g.bytes(GRAPH.node, n);
        g.string(GRAPH.name, graphName);
        for (const t of this.initializers) g.bytes(GRAPH.initializer, t);
        for (const i of this.inputs) g.bytes(GRAPH.input, i);
        for (const o of this.outputs) g.bytes(GRAPH.output, o);
      })
      .message(MODEL.opset_import, (o) => o.string(OPSET_ID.domain, '').int64(OPSET_ID.version, opset))
      .finish();
  }
}

function tensor(name: string, dims: readonly number[], elem: ElemType, raw: Uint8Array): Uint8Array {
  return new ProtoWriter()
    .packedInt64(TENSOR.dims, dims)
    .int64(TENSOR.data_type, ELEM[elem])
    .string(TENSOR.name, name)
    .bytes(TENSOR.raw_data, raw)
    .finish();
}

function valueInfo(name: string, elem: ElemType, dims: readonly Dim[]): Uint8Array {
  return new ProtoWriter()
    .string(VALUE_INFO.name, name)
    .message(VALUE_INFO.type, (t) => t.message(TYPE.tensor_type, (tt) => tt
      .int64(TYPE_TENSOR.elem_type, ELEM[elem])
      .message(TYPE_TENSOR.shape, (s) => {
        for (const d of dims) {
          s.message(SHAPE.dim, (m) => (typeof d === 'number' ? m.int64(DIMENSION.dim_value, d) : m.string(DIMENSION.dim_param, d)));
        }
      })))
    .finish();
}

/** Writes one NodeProto.attribute: name, the value in the field its type uses, then the type. */
function attribute(node: ProtoWriter, name: string, v: AttrValue): void {
  node.message(NODE.attribute, (a) => {
    a.string(ATTRIBUTE.name, name);
    if (typeof v === 'number') {
      a.int64(ATTRIBUTE.i, v).int64(ATTRIBUTE.type, ATTR_TYPE.INT);
    } else if (typeof v === 'string') {
      a.string(ATTRIBUTE.s, v).int64(ATTRIBUTE.type, ATTR_TYPE.STRING);
    } else if (Array.isArray(v)) {
      // An empty list counts as strings (either would do: it writes no values, only the type).
      if (v.every((x): x is string => typeof x === 'string')) {
        for (const s of v) a.string(ATTRIBUTE.strings, s);
        a.int64(ATTRIBUTE.type, ATTR_TYPE.STRINGS);
      } else {
        a.packedInt64(ATTRIBUTE.ints, v as number[]).int64(ATTRIBUTE.type, ATTR_TYPE.INTS);
      }
    } else {
      a.float(ATTRIBUTE.f, v.float).int64(ATTRIBUTE.type, ATTR_TYPE.FLOAT);
    }
  });
}

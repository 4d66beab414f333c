/**
 * A small builder for ONNX graphs on top of onnx-proto's generated protobuf classes: named
 * initializers, nodes with attributes, and graph inputs/outputs with symbolic axes. It knows nothing
 * about recurrent models (onnx.ts does); it keeps the protobuf plumbing out of the export logic.
 *
 * Tensors are stored as raw little-endian bytes (TensorProto.raw_data), the compact form every ONNX
 * runtime reads; written through a DataView so the byte order does not depend on the host.
 */
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/** The ONNX types this exporter writes. */
export type ElemType = 'float32' | 'int64';

const ELEM = { float32: onnx.TensorProto.DataType.FLOAT, int64: onnx.TensorProto.DataType.INT64 } as const;

/** An axis of a graph input or output: a fixed size or a symbolic name (a dynamic axis). */
export type Dim = number | string;

/** An attribute value: an int, a float, a string, or a list of ints or strings. */
export type AttrValue = number | string | number[] | string[] | { float: number };

export class GraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
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
    this.initializers.push({ name: this.claim(name), dims: [...dims], dataType: ELEM.float32, rawData: bytes });
    return name;
  }

  /** Adds a 1-D int64 constant (axes, starts, ends) and returns its name. */
  int64(name: string, data: readonly number[]): string {
    const bytes = new Uint8Array(data.length * 8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < data.length; i++) view.setBigInt64(8 * i, BigInt(data[i]), true);
    this.initializers.push({ name: this.claim(name), dims: [data.length], dataType: ELEM.int64, rawData: bytes });
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
    this.nodes.push({
      opType,
      name: `${opType}_${this.nodes.length}`,
      input: [...inputs],
      output: [...outputs],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
  }

  /** Serializes the model: IR version 7 (what opset 14 needs), the default domain at `opset`. */
  encode(graphName: string, opset: number, docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 7,
      opsetImport: [{ domain: '', version: opset }],
      producerName: 'rnnlab',
      docString,
      graph: {
        name: graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, elem: ElemType, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: ELEM[elem],
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.every((x): x is string => typeof x === 'string')) return { name, type: T.STRINGS, strings: v.map((s) => new TextEncoder().encode(s)) };
    return { name, type: T.INTS, ints: v as number[] };
  }
  return { name, type: T.FLOAT, f: v.float };
}

/**
 * A TF.js Layers model's weights: the specs, { name, shape, dtype } in the order the bytes are stored
 * (model.json's weightsManifest groups, or the `weightSpecs` of the artifacts that tf.io.withSaveHandler
 * receives), and one buffer holding them back to back (the shards' bytes concatenated in manifest order,
 * or the artifacts' `weightData`), float32, little-endian, as TF.js writes them.
 *
 * The byte count is checked against the specs before any weight is read; quantized weights (a spec's
 * `quantization`) and other dtypes are refused by name.
 */
import { describeValue } from '../tensor/check.js';

/** The weight bytes: one buffer (or a view of one), or TF.js's list of buffers (tfjs 4's WeightData), in order. */
export type KerasWeightData = ArrayBuffer | ArrayBufferView | readonly ArrayBuffer[];

export interface KerasWeightSpec {
  name: string;
  shape: number[];
}

export interface KerasWeightValue {
  shape: number[];
  data: Float32Array;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The weight specs of model.json ({ weightsManifest: [{ paths, weights }] }) or of model artifacts ({ weightSpecs }). */
export function readWeightSpecs(model: Json): KerasWeightSpec[] {
  let raw: unknown[];
  let where: string;
  if (Array.isArray(model.weightSpecs)) {
    raw = model.weightSpecs;
    where = 'weightSpecs';
  } else if (Array.isArray(model.weightsManifest)) {
    raw = [];
    model.weightsManifest.forEach((g: unknown, i: number) => {
      if (!isObj(g) || !Array.isArray(g.weights)) throw new RangeError(`modelJson: weightsManifest[${i}].weights: expected a list of weight specs, got ${describeValue(isObj(g) ? g.weights : g)}`);
      raw.push(...g.weights);
    });
    where = 'weightsManifest[].weights';
  } else {
    throw new RangeError("modelJson: expected model.json's weightsManifest (or model artifacts' weightSpecs) beside modelTopology");
  }
  const seen = new Set<string>();
  return raw.map((s, i) => {
    const at = `modelJson: ${where}[${i}]`;
    if (!isObj(s) || typeof s.name !== 'string') throw new RangeError(`${at}: expected {name, shape, dtype}, got ${describeValue(s)}`);
    const name = s.name;
    if (seen.has(name)) throw new RangeError(`${at}: weight '${name}' is listed twice`);
    seen.add(name);
    if (!Array.isArray(s.shape) || !s.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) {
      throw new RangeError(`${at} ('${name}').shape: expected non-negative integers, got ${describeValue(s.shape)}`);
    }
    if (s.quantization !== undefined && s.quantization !== null) {
      throw new RangeError(`${at} ('${name}').quantization: quantized weights are not supported; save the model without quantization`);
    }
    if (s.dtype !== 'float32') throw new RangeError(`${at} ('${name}').dtype: expected 'float32', got ${describeValue(s.dtype)}`);
    return { name, shape: s.shape as number[] };
  });
}

function bytesOf(data: unknown): Uint8Array {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data) && data.every((b) => b instanceof ArrayBuffer)) {
    const total = data.reduce((n: number, b: ArrayBuffer) => n + b.byteLength, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const b of data as ArrayBuffer[]) {
      out.set(new Uint8Array(b), at);
      at += b.byteLength;
    }
    return out;
  }
  throw new TypeError(`weights: expected the weight bytes (an ArrayBuffer, a typed array, or TF.js's list of ArrayBuffers), got ${describeValue(data)}`);
}

/** Every spec's values, by name; the byte count must be exactly the specs' (4 bytes a value). */
export function readWeights(specs: readonly KerasWeightSpec[], data: unknown): Map<string, KerasWeightValue> {
  const bytes = bytesOf(data);
  const sizes = specs.map((s) => s.shape.reduce((a, b) => a * b, 1));
  const need = 4 * sizes.reduce((a, b) => a + b, 0);
  if (bytes.byteLength !== need) {
    throw new RangeError(`weights: the specs describe ${need} bytes (${need / 4} float32 values), but the weight data has ${bytes.byteLength}; a shard missing, or in the wrong order?`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<string, KerasWeightValue>();
  let at = 0;
  specs.forEach((s, i) => {
    const values = new Float32Array(sizes[i]);
    for (let j = 0; j < values.length; j++, at += 4) {
      const v = view.getFloat32(at, true);
      if (!Number.isFinite(v)) throw new RangeError(`weights: '${s.name}' holds a non-finite value (${v}) at flat index ${j}`);
      values[j] = v;
    }
    out.set(s.name, { shape: [...s.shape], data: values });
  });
  return out;
}

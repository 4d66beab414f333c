/**
 * The safetensors format (https://github.com/huggingface/safetensors), read and written by hand so that
 * weights saved here load in PyTorch with `safetensors.torch.load_file` and vice versa:
 *
 *   8 bytes   N, the header length, unsigned 64-bit little-endian
 *   N bytes   a UTF-8 JSON object {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
 *             padded with spaces so that the buffer starts at a multiple of 8
 *   the rest  the byte buffer: every tensor little-endian, row-major, contiguous; offsets are relative to
 *             the buffer start and the tensors tile it exactly (no gaps, no overlaps, nothing after)
 *
 * F32 and F64 (rnnlab's two dtypes) and the half-precision F16 and BF16 that PyTorch users save: those
 * are read into float32 (exactly: each is a float32 value) and written when asked (`{ dtype: 'F16' }`),
 * rounding to nearest even as PyTorch does (src/io/half.ts); a value the half format cannot hold is
 * refused rather than written as Inf. Decoding is strict: anything that does not follow
 * the layout above is a CheckpointError saying what and where. Decoding does not judge the values (NaN is a
 * legal float); whoever loads weights checks finiteness.
 */
import { shapeSize, Tensor } from '../tensor/tensor.js';
import { fromBF16Bits, fromF16Bits, toBF16Bits, toF16Bits } from './half.js';
import { CheckpointError } from './checkpoint-error.js';
import { describeValue } from '../tensor/check.js';

export { CheckpointError } from './checkpoint-error.js';

/** Headers larger than this are refused (the reference implementation's limit). */
export const MAX_HEADER_BYTES = 100_000_000;

const DTYPES = {
  F32: { bytes: 4, dtype: 'float32' }, F64: { bytes: 8, dtype: 'float64' }, F16: { bytes: 2, dtype: 'float32' }, BF16: { bytes: 2, dtype: 'float32' },
} as const;
type StDType = keyof typeof DTYPES;

export interface EncodeSafetensorsOptions {
  /** Store every tensor in this format instead of its own dtype (F16 or BF16: half precision, as PyTorch's .half() / .bfloat16()). */
  dtype?: 'F16' | 'BF16' | 'F32' | 'F64';
}

const HALF = { F16: { to: toF16Bits, from: fromF16Bits }, BF16: { to: toBF16Bits, from: fromBF16Bits } } as const;

/**
 * Serializes tensors (in the given key order) and optional string metadata into safetensors bytes.
 * Names must be non-empty and not "__metadata__"; metadata values must be strings.
 */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>, options: EncodeSafetensorsOptions = {}): Uint8Array {
  if (tensors === null || typeof tensors !== 'object') throw new TypeError(`tensors: expected an object of Tensors, got ${describeValue(tensors)}`);
  if (options === null || typeof options !== 'object') throw new TypeError(`options: expected { dtype? }, got ${describeValue(options)}`);
  const as = options.dtype;
  if (as !== undefined && !Object.hasOwn(DTYPES, as)) throw new RangeError(`options.dtype: expected 'F16', 'BF16', 'F32' or 'F64', got ${describeValue(as)}`);
  const stored = (t: Tensor): StDType => as ?? (t.dtype === 'float64' ? 'F64' : 'F32');
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) {
    if (metadata === null || typeof metadata !== 'object') throw new TypeError(`metadata: expected an object of strings, got ${describeValue(metadata)}`);
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== 'string') throw new TypeError(`metadata['${k}']: expected a string, got ${typeof v}`);
    }
    header.__metadata__ = { ...metadata };
  }
  let offset = 0;
  const entries = Object.entries(tensors);
  for (const [name, t] of entries) {
    if (name === '' || name === '__metadata__') throw new RangeError(`tensors: a tensor cannot be named ${JSON.stringify(name)}`);
    if (!(t instanceof Tensor)) throw new TypeError(`tensors['${name}']: expected a Tensor, got ${t === null ? 'null' : typeof t}`);
    const size = t.size * DTYPES[stored(t)].bytes;
    header[name] = { dtype: stored(t), shape: [...t.shape], data_offsets: [offset, offset + size] };
    offset += size;
  }
  // TextEncoder, not Buffer: this file also runs in the browser lab.
  const text = new TextEncoder().encode(JSON.stringify(header));
  const pad = (8 - (text.length % 8)) % 8;
  const json = new Uint8Array(text.length + pad).fill(0x20);
  json.set(text);
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let p = 8 + json.length;
  for (const [name, t] of entries) {
    const d = t.data, st = stored(t);
    if (st === 'F64') {
      for (let i = 0; i < d.length; i++, p += 8) view.setFloat64(p, d[i], true);
    } else if (st === 'F32') {
      for (let i = 0; i < d.length; i++, p += 4) view.setFloat32(p, d[i], true);
    } else {
      const { to, from } = HALF[st];
      for (let i = 0; i < d.length; i++, p += 2) {
        const bits = to(d[i]);
        // A finite weight that the format cannot hold would be written as Inf: a changed model, so refused.
        if (Number.isFinite(d[i]) && !Number.isFinite(from(bits))) {
          throw new RangeError(`tensors['${name}']: ${d[i]} at flat index ${i} is out of ${st}'s range (|x| ≤ ${st === 'F16' ? '65504' : '3.39e38'}); refusing to write it as Inf`);
        }
        view.setUint16(p, bits, true);
      }
    }
  }
  return out;
}

function fail(msg: string): never {
  throw new CheckpointError(`safetensors: ${msg}`);
}

function isIndex(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Parses safetensors bytes. Returns the tensors (in header order, as an object without a prototype, so
 * any name is safe) and the metadata. Throws CheckpointError on anything malformed.
 */
export function decodeSafetensors(bytes: Uint8Array): { tensors: Record<string, Tensor>; metadata: Record<string, string> } {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError(`safetensors: expected bytes (a Uint8Array), got ${bytes === null ? 'null' : typeof bytes}`);
  if (bytes.length < 8) fail(`file too short: ${bytes.length} bytes, the 8-byte header length alone needs 8 (truncated?)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = view.getBigUint64(0, true);
  if (n64 > BigInt(bytes.length - 8)) fail(`header length ${n64} runs past the end of the file (${bytes.length - 8} bytes after the length field; truncated or not safetensors)`);
  const n = Number(n64);
  if (n < 2) fail(`header length ${n} is too small for a JSON object`);
  if (n > MAX_HEADER_BYTES) fail(`header length ${n} exceeds the ${MAX_HEADER_BYTES}-byte limit`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    fail('header is not valid UTF-8');
  }
  if (text[0] !== '{') fail(`header must start with '{', got ${describeValue(text.slice(0, 16))}`);
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    // Python's json.dumps writes NaN / Infinity for float values; say so rather than "unexpected token N".
    const bad = /[[:,]\s*(-?(?:NaN|Infinity))\s*[\],}]/.exec(text);
    if (bad) fail(`header holds the number ${bad[1]}, which JSON does not allow (shapes and data_offsets must be non-negative integers)`);
    fail(`header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) fail('header must be a JSON object');

  const metadata: Record<string, string> = Object.create(null) as Record<string, string>;
  const specs: { name: string; dtype: StDType; shape: number[]; begin: number; end: number }[] = [];
  const bufLen = bytes.length - 8 - n;
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail('__metadata__ must be an object of strings');
      for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
        if (typeof v !== 'string') fail(`__metadata__['${k}'] must be a string, got ${v === null ? 'null' : typeof v}`);
        metadata[k] = v;
      }
      continue;
    }
    const where = `tensor '${name}'`;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) fail(`${where}: expected {dtype, shape, data_offsets}`);
    const e = raw as Record<string, unknown>;
    const extra = Object.keys(e).filter((k) => k !== 'dtype' && k !== 'shape' && k !== 'data_offsets');
    if (extra.length) fail(`${where}: unexpected field(s) ${extra.join(', ')}`);
    if (typeof e.dtype !== 'string' || !Object.hasOwn(DTYPES, e.dtype)) {
      fail(`${where}: dtype ${JSON.stringify(e.dtype)} is not supported (rnnlab reads F32, F64, F16 and BF16)`);
    }
    const dtype = e.dtype as StDType;
    if (!Array.isArray(e.shape) || !e.shape.every(isIndex)) fail(`${where}: shape must be an array of non-negative integers, got ${describeValue(e.shape)}`);
    const shape = e.shape as number[];
    const off = e.data_offsets;
    if (!Array.isArray(off) || off.length !== 2 || !isIndex(off[0]) || !isIndex(off[1])) {
      fail(`${where}: data_offsets must be [begin, end] non-negative integers, got ${describeValue(off)}`);
    }
    const [begin, end] = off as [number, number];
    if (begin > end) fail(`${where}: data_offsets [${begin}, ${end}] has begin after end`);
    if (end > bufLen) fail(`${where}: data_offsets [${begin}, ${end}] run past the ${bufLen}-byte buffer (truncated?)`);
    // Multiply step by step so a huge shape cannot overflow into a plausible number.
    let count = 1;
    for (const d of shape) {
      count *= d;
      if (count * DTYPES[dtype].bytes > bufLen) fail(`${where}: shape ${JSON.stringify(shape)} needs more bytes than the ${bufLen}-byte buffer holds`);
    }
    if (count * DTYPES[dtype].bytes !== end - begin) {
      fail(`${where}: shape ${JSON.stringify(shape)} of ${dtype} needs ${count * DTYPES[dtype].bytes} bytes, data_offsets [${begin}, ${end}] give ${end - begin}`);
    }
    specs.push({ name, dtype, shape, begin, end });
  }
  // The tensors must tile the buffer exactly.
  const sorted = [...specs].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  for (const s of sorted) {
    if (s.begin < pos) fail(`tensor '${s.name}': data_offsets [${s.begin}, ${s.end}] overlap the previous tensor (which ends at ${pos})`);
    if (s.begin > pos) fail(`tensor '${s.name}': gap in the buffer between ${pos} and ${s.begin}`);
    pos = s.end;
  }
  if (pos !== bufLen) fail(`${bufLen - pos} bytes after the last tensor (the buffer is ${bufLen} bytes, the tensors cover ${pos}): trailing garbage`);

  const tensors = Object.create(null) as Record<string, Tensor>;
  const base = 8 + n;
  for (const s of specs) {
    const size = shapeSize(s.shape);
    const start = base + s.begin;
    if (s.dtype === 'F64') {
      const d = new Float64Array(size);
      for (let i = 0; i < size; i++) d[i] = view.getFloat64(start + 8 * i, true);
      tensors[s.name] = new Tensor(d, s.shape);
    } else if (s.dtype === 'F32') {
      const d = new Float32Array(size);
      for (let i = 0; i < size; i++) d[i] = view.getFloat32(start + 4 * i, true);
      tensors[s.name] = new Tensor(d, s.shape);
    } else {
      const { from } = HALF[s.dtype];
      const d = new Float32Array(size);
      for (let i = 0; i < size; i++) d[i] = from(view.getUint16(start + 2 * i, true));
      tensors[s.name] = new Tensor(d, s.shape);
    }
  }
  return { tensors, metadata };
}

/**
 * A minimal protobuf writer: just the wire encodings the ONNX export (onnx-graph.ts) needs. We used to
 * use onnx-proto's generated classes, but onnx-proto with protobufjs is 22 MB installed for a handful of
 * messages that we only ever write. This writer is checked against onnxruntime, which parses every file
 * exported in test/interop-onnx.test.ts, and test/protobuf.test.ts pins the encodings byte by byte.
 *
 * Only writing is supported. Fields are written in the order the caller gives them, and a field is
 * written whenever the caller writes it, even with a default value (protobufjs did the same for fields
 * that were set, so the bytes come out the same as before). Browser-safe: Uint8Array and TextEncoder
 * only, no Buffer.
 */

/** Wire types (protobuf encoding spec): varint, 64-bit, length-delimited, 32-bit. */
const VARINT = 0, LEN = 2, I32 = 5;

const utf8 = new TextEncoder();

export class ProtoWriter {
  private buf = new Uint8Array(256);
  private len = 0;

  /** Makes room for n more bytes, doubling so that a long run of writes stays linear. */
  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  private raw(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buf.set(bytes, this.len);
    this.len += bytes.length;
  }

  /**
   * A bare varint. Negative values are written as their 64-bit two's complement, ten bytes, which is
   * what protobuf requires of int32, int64 and enum fields alike (so one method serves all three).
   */
  private varint(v: number | bigint): void {
    if (typeof v === 'number') {
      if (!Number.isSafeInteger(v)) throw new RangeError(`protobuf: varint value must be a safe integer, got ${v}`);
      // Plain arithmetic rather than bit ops, which would truncate to 32 bits.
      if (v >= 0) {
        this.reserve(8); // a safe integer (< 2^53) fits in 8 varint bytes
        while (v >= 0x80) {
          this.buf[this.len++] = (v % 0x80) | 0x80;
          v = Math.floor(v / 0x80);
        }
        this.buf[this.len++] = v;
        return;
      }
      v = BigInt(v);
    }
    if (v < -(1n << 63n) || v >= 1n << 64n) throw new RangeError(`protobuf: varint value ${v} does not fit in 64 bits`);
    let u = BigInt.asUintN(64, v);
    this.reserve(10);
    while (u >= 0x80n) {
      this.buf[this.len++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.len++] = Number(u);
  }

  private tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  /** A varint field: int32, int64, uint64 or enum. */
  int64(field: number, v: number | bigint): this {
    this.tag(field, VARINT);
    this.varint(v);
    return this;
  }

  /** A float field (fixed32, little-endian IEEE 754 single). */
  float(field: number, v: number): this {
    this.tag(field, I32);
    this.reserve(4);
    new DataView(this.buf.buffer).setFloat32(this.len, v, true);
    this.len += 4;
    return this;
  }

  /** A length-delimited field: bytes, or an embedded message already encoded. */
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, LEN);
    this.varint(b.length);
    this.raw(b);
    return this;
  }

  /** A string field, UTF-8 encoded. */
  string(field: number, s: string): this {
    return this.bytes(field, utf8.encode(s));
  }

  /** An embedded message, built by `build` in a writer of its own (its length must precede it). */
  message(field: number, build: (w: ProtoWriter) => void): this {
    const w = new ProtoWriter();
    build(w);
    return this.bytes(field, w.finish());
  }

  /** A packed repeated int64 field (one length-delimited run of varints); nothing at all when empty. */
  packedInt64(field: number, values: readonly (number | bigint)[]): this {
    if (values.length === 0) return this;
    const w = new ProtoWriter();
    for (const v of values) w.varint(v);
    return this.bytes(field, w.finish());
  }

  /** A packed repeated float field (one length-delimited run of fixed32s); nothing at all when empty. */
  packedFloat(field: number, values: ArrayLike<number>): this {
    if (values.length === 0) return this;
    const b = new Uint8Array(4 * values.length);
    const view = new DataView(b.buffer);
    for (let i = 0; i < values.length; i++) view.setFloat32(4 * i, values[i], true);
    return this.bytes(field, b);
  }

  /** The bytes written so far (a copy, so the writer can be dropped or kept). */
  finish(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

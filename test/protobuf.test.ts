/**
 * The protobuf writer (src/io/protobuf.ts) byte by byte: varints (including the ten-byte negative int64s
 * protobuf requires), floats, strings, embedded messages and packed fields, mostly with the examples of
 * the protobuf encoding guide; and GraphBuilder (src/io/onnx-graph.ts) against the bytes onnx-proto
 * (protobufjs) wrote for the same graph before the writer replaced it (test/fixtures/onnx-graph-bytes.json).
 * That onnxruntime parses what we write is test/interop-onnx.test.ts's part.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GraphBuilder } from '../src/io/onnx-graph.js';
import { ProtoWriter } from '../src/io/protobuf.js';
import { loadFixture } from './helpers/fixtures.js';

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
const bytes = (build: (w: ProtoWriter) => unknown): string => {
  const w = new ProtoWriter();
  build(w);
  return hex(w.finish());
};

describe('ProtoWriter', () => {
  it('varint fields: 150 is 96 01 after the tag (field 1, wire type 0: 08)', () => {
    assert.equal(bytes((w) => w.int64(1, 150)), '08 96 01');
    assert.equal(bytes((w) => w.int64(1, 0)), '08 00');
    assert.equal(bytes((w) => w.int64(1, 127)), '08 7f');
    assert.equal(bytes((w) => w.int64(1, 128)), '08 80 01');
  });

  it('large varints past 32 bits, from a number or a bigint', () => {
    assert.equal(bytes((w) => w.int64(1, 2 ** 32)), '08 80 80 80 80 10');
    assert.equal(bytes((w) => w.int64(1, Number.MAX_SAFE_INTEGER)), '08 ff ff ff ff ff ff ff 0f');
    assert.equal(bytes((w) => w.int64(1, 2n ** 64n - 1n)), '08 ff ff ff ff ff ff ff ff ff 01');
  });

  it('negative int64s are ten-byte two\'s complement varints', () => {
    assert.equal(bytes((w) => w.int64(1, -1)), '08 ff ff ff ff ff ff ff ff ff 01');
    assert.equal(bytes((w) => w.int64(1, -2n)), '08 fe ff ff ff ff ff ff ff ff 01');
    assert.equal(bytes((w) => w.int64(1, -(2n ** 63n))), '08 80 80 80 80 80 80 80 80 80 01');
  });

  it('refuses what is not a 64-bit integer', () => {
    assert.throws(() => new ProtoWriter().int64(1, 1.5), /RangeError: protobuf: varint value must be a safe integer, got 1.5/);
    assert.throws(() => new ProtoWriter().int64(1, 2 ** 53), /safe integer/);
    assert.throws(() => new ProtoWriter().int64(1, 2n ** 64n), /does not fit in 64 bits/);
    assert.throws(() => new ProtoWriter().int64(1, -(2n ** 63n) - 1n), /does not fit in 64 bits/);
  });

  it('a tag past one byte: field 20 varint is a0 01', () => {
    assert.equal(bytes((w) => w.int64(20, 2)), 'a0 01 02');
  });

  it('a string field is tag, length, UTF-8 bytes', () => {
    assert.equal(bytes((w) => w.string(2, 'testing')), '12 07 74 65 73 74 69 6e 67');
    assert.equal(bytes((w) => w.string(2, 'é')), '12 02 c3 a9');
    assert.equal(bytes((w) => w.string(2, '')), '12 00');
  });

  it('a float field is fixed32, little-endian', () => {
    assert.equal(bytes((w) => w.float(2, 1)), '15 00 00 80 3f');
    assert.equal(bytes((w) => w.float(2, -0.1)), '15 cd cc cc bd');
  });

  it('an embedded message is length-delimited', () => {
    assert.equal(bytes((w) => w.message(3, (m) => m.int64(1, 150))), '1a 03 08 96 01');
    assert.equal(bytes((w) => w.message(3, () => {})), '1a 00');
  });

  it('packed repeated int64 and float: one length-delimited run; nothing when empty', () => {
    assert.equal(bytes((w) => w.packedInt64(4, [3, 270, 86942])), '22 06 03 8e 02 9e a7 05');
    assert.equal(bytes((w) => w.packedInt64(4, [-1])), '22 0a ff ff ff ff ff ff ff ff ff 01');
    assert.equal(bytes((w) => w.packedFloat(4, [1, 2])), '22 08 00 00 80 3f 00 00 00 40');
    assert.equal(bytes((w) => w.packedInt64(4, []).packedFloat(5, [])), '');
  });

  it('long length prefixes and a buffer that grows', () => {
    const big = new Uint8Array(100_000).map((_, i) => i % 251);
    const out = new ProtoWriter().int64(1, 1).bytes(9, big).finish();
    assert.equal(hex(out.subarray(0, 6)), '08 01 4a a0 8d 06'); // 100000 = 0x186a0
    assert.deepEqual(out.subarray(6), big);
  });
});

describe('GraphBuilder encoding', () => {
  it('gives the bytes onnx-proto gave: every attribute kind, negative and large int64s, empty lists and shapes', () => {
    const g = new GraphBuilder();
    g.input('a', 'float32', [1, 'N', 0]);
    g.float('w', [], [0.5]);
    g.int64('big', [-1, 0, 300, 2 ** 40, -(2 ** 40), Number.MAX_SAFE_INTEGER]);
    g.int64('empty', []);
    g.node('Custom', ['a', '', 'w'], ['b', ''], { i: -7, z: 0, f: { float: 0.1 }, fz: { float: 0 }, s: 'hé', s0: '', ints: [1, -2, 3], strs: ['x', 'ÿ'], none: [] });
    g.output('b', 'int64', []);
    const want = loadFixture<{ hex: string }>('onnx-graph-bytes').hex;
    assert.equal(hex(g.encode('', 300, '')).replaceAll(' ', ''), want);
  });
});

/**
 * The safetensors round trip with PyTorch, both ways, from committed fixtures (no Python needed):
 *
 *   PyTorch → rnnlab: torch-{gru,rnn}.safetensors, written from torch.nn.GRU / RNN state_dicts by
 *     scripts/fixtures_interop.py, load into rnnlab and give torch's outputs (torch-interop-io.json).
 *   rnnlab → PyTorch: rnnlab-{lstm,gru,rnn}.safetensors, written by rnnlab's encoder
 *     (scripts/interop-rnnlab-weights.ts), were loaded by the Python script with a strict
 *     torch.nn.X.load_state_dict; torch's outputs (torch-reads-rnnlab.json) equal rnnlab's forward here.
 *
 * Then the malformed files the issue lists (each a CheckpointError saying what), and a fuzz of
 * decodeSafetensors alone over structurally plausible headers with random field values (byte-level fuzzing
 * of the whole loader is in checkpoint.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { CheckpointError, GRU, LSTM, RNN, Rng, decodeSafetensors, encodeSafetensors, type Tensor } from '../src/index.js';
import { loadFixture, maxRelError, toTensor, type JsonTensor } from './helpers/fixtures.js';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(new URL(`./fixtures/${name}`, import.meta.url)));

interface Io { x: JsonTensor; output: JsonTensor; h: JsonTensor; c?: JsonTensor }
interface RnnlabCase extends Io {
  file: string;
  config: { kind: 'lstm' | 'gru' | 'rnn'; inputSize: number; hiddenSize: number; numLayers: number; outputSize: number | null; batchFirst: boolean; bias: boolean; dtype: 'float32' | 'float64'; nonlinearity: 'tanh' | 'relu' | null };
}

describe('safetensors round trip with torch.nn (committed fixtures)', () => {
  const torchIo = loadFixture<Record<'gru' | 'rnn', Io>>('torch-interop-io');

  it('torch.nn.GRU + head (float32) state_dict → rnnlab GRU: torch\'s output and h_n', () => {
    const { tensors, metadata } = decodeSafetensors(fixture('torch-gru.safetensors'));
    assert.equal(metadata.format, 'pt');
    const m = new GRU({ inputSize: 4, hiddenSize: 5, numLayers: 2, outputSize: 3, backend: 'reference' });
    m.loadStateDict(tensors);
    const io = torchIo.gru;
    const out = m.forward(toTensor(io.x, 'float32'));
    assert.ok(maxRelError(out.output, io.output) < 1e-5, `${maxRelError(out.output, io.output)}`);
    assert.ok(maxRelError(out.h, io.h) < 1e-5, `${maxRelError(out.h, io.h)}`);
  });

  it('torch.nn.RNN relu (float64) state_dict → rnnlab RNN: torch\'s output to 1e-12', () => {
    const { tensors } = decodeSafetensors(fixture('torch-rnn.safetensors'));
    assert.equal(tensors.weight_ih_l0.dtype, 'float64');
    const m = new RNN({ inputSize: 4, hiddenSize: 3, nonlinearity: 'relu', dtype: 'float64' });
    m.loadStateDict(tensors);
    const out = m.forward(toTensor(torchIo.rnn.x));
    assert.ok(maxRelError(out.output, torchIo.rnn.output) < 1e-12);
    assert.ok(maxRelError(out.h, torchIo.rnn.h) < 1e-12);
  });

  it('re-encoding what Python wrote gives the same bytes', () => {
    for (const f of ['torch-gru.safetensors', 'torch-rnn.safetensors']) {
      const { tensors, metadata } = decodeSafetensors(fixture(f));
      assert.deepEqual(encodeSafetensors(tensors, metadata), fixture(f), f);
    }
  });

  const ours = loadFixture<Record<string, RnnlabCase>>('rnnlab-interop-io');
  const torchSaw = loadFixture<Record<string, Omit<Io, 'x'>>>('torch-reads-rnnlab');
  for (const [name, c] of Object.entries(ours)) {
    it(`rnnlab ${name} (${c.config.dtype}${c.config.outputSize !== null ? ', head' : ''}${c.config.batchFirst ? ', batch-first' : ''}${c.config.bias ? '' : ', no bias'}) → torch.nn.${name.toUpperCase()}.load_state_dict: torch's outputs equal rnnlab's`, () => {
      const bytes = fixture(c.file);
      const { tensors } = decodeSafetensors(bytes);
      const { kind, nonlinearity, ...opts } = c.config;
      const o = { ...opts, outputSize: opts.outputSize ?? undefined, backend: 'reference' as const };
      const m = kind === 'lstm' ? new LSTM(o) : kind === 'gru' ? new GRU(o) : new RNN({ ...o, nonlinearity: nonlinearity ?? 'tanh' });
      m.loadStateDict(tensors);
      // The committed file is exactly what rnnlab's encoder writes for these weights.
      assert.deepEqual(encodeSafetensors(m.stateDict(), { format: 'pt', producer: 'rnnlab' }), bytes);
      const out = m.forward(toTensor(c.x, c.config.dtype));
      const tol = c.config.dtype === 'float64' ? 1e-12 : 1e-5;
      const t = torchSaw[name];
      const pairs: [string, Tensor | undefined, JsonTensor | undefined][] = [['output', out.output, t.output], ['h', out.h, t.h], ['c', out.c, t.c]];
      for (const [what, a, b] of pairs) {
        if (b === undefined) continue;
        const e = maxRelError(a!, b);
        assert.ok(e < tol, `${what}: ${e}`);
      }
    });
  }
});

function throwsCkpt(fn: () => unknown, re: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof CheckpointError && re.test(e.message), String(re));
}

/** A file: header length n (default the header's), the header text, then bufLen zero bytes. */
function make(header: string, bufLen: number, n?: bigint): Uint8Array {
  const text = new TextEncoder().encode(header);
  const b = new Uint8Array(8 + text.length + bufLen);
  new DataView(b.buffer).setBigUint64(0, n ?? BigInt(text.length), true);
  b.set(text, 8);
  return b;
}

describe('malformed safetensors files give clear CheckpointErrors', () => {
  const one = (spec: string, bufLen = 4): Uint8Array => make(`{"a":${spec}}`, bufLen);

  it('bad header length', () => {
    throwsCkpt(() => decodeSafetensors(make('{}', 0, 2n ** 63n)), /header length 9223372036854775808 runs past the end of the file \(2 bytes after the length field/);
    throwsCkpt(() => decodeSafetensors(make('{}', 0, 2n ** 64n - 1n)), /runs past the end/);
    throwsCkpt(() => decodeSafetensors(make('{}', 0, 1n)), /header length 1 is too small for a JSON object/);
    throwsCkpt(() => decodeSafetensors(make('{}', 0, 0n)), /header length 0 is too small/);
  });

  it('header past the end of the file', () => {
    throwsCkpt(() => decodeSafetensors(make('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4, 100n)), /header length 100 runs past the end of the file \(58 bytes/);
    const good = encodeSafetensors({});
    throwsCkpt(() => decodeSafetensors(good.subarray(0, good.length - 1)), /runs past the end/);
  });

  it('offsets out of range', () => {
    throwsCkpt(() => decodeSafetensors(one('{"dtype":"F32","shape":[1],"data_offsets":[0,8]}')), /tensor 'a': data_offsets \[0, 8\] run past the 4-byte buffer/);
    throwsCkpt(() => decodeSafetensors(one('{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}')), /tensor 'a': data_offsets must be \[begin, end\] non-negative integers, got \[-4,0\]/);
    throwsCkpt(() => decodeSafetensors(one('{"dtype":"F32","shape":[1],"data_offsets":[0,4.5]}')), /data_offsets must be .* got \[0,4.5\]/);
    throwsCkpt(() => decodeSafetensors(one('{"dtype":"F32","shape":[1],"data_offsets":[0,18446744073709551616]}')), /data_offsets must be/);
    throwsCkpt(() => decodeSafetensors(one('{"dtype":"F32","shape":[1],"data_offsets":[0]}')), /data_offsets must be \[begin, end\]/);
    throwsCkpt(() => decodeSafetensors(one('{"dtype":"F32","shape":[1],"data_offsets":["0","4"]}')), /data_offsets must be/);
  });

  it('wrong dtype', () => {
    for (const d of ['"I64"', '"f32"', '"float32"', '"bf16"', '4', 'null']) {
      throwsCkpt(() => decodeSafetensors(one(`{"dtype":${d},"shape":[1],"data_offsets":[0,4]}`)), new RegExp(`tensor 'a': dtype ${d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not supported \\(rnnlab reads F32, F64, F16 and BF16\\)`));
    }
    throwsCkpt(() => decodeSafetensors(one('{"shape":[1],"data_offsets":[0,4]}')), /dtype undefined is not supported/);
    // F64 where the bytes only hold an F32: the sizes disagree.
    throwsCkpt(() => decodeSafetensors(one('{"dtype":"F64","shape":[1],"data_offsets":[0,4]}')), /shape \[1\] (of F64 needs 8 bytes|needs more bytes)/);
  });

  it("NaN and Infinity in the header's numbers", () => {
    for (const v of ['NaN', 'Infinity', '-Infinity']) {
      throwsCkpt(() => decodeSafetensors(one(`{"dtype":"F32","shape":[${v}],"data_offsets":[0,4]}`)), new RegExp(`header holds the number ${v}, which JSON does not allow`));
      throwsCkpt(() => decodeSafetensors(one(`{"dtype":"F32","shape":[1],"data_offsets":[0, ${v}]}`)), new RegExp(`header holds the number ${v}`));
    }
    // A number that overflows to Infinity when parsed: not an integer offset.
    throwsCkpt(() => decodeSafetensors(one('{"dtype":"F32","shape":[1],"data_offsets":[0,1e400]}')), /data_offsets must be \[begin, end\] non-negative integers/);
    throwsCkpt(() => decodeSafetensors(one('{"dtype":"F32","shape":[1e400],"data_offsets":[0,4]}')), /shape must be an array of non-negative integers/);
    // A tensor *named* NaN is fine.
    assert.equal(decodeSafetensors(make('{"NaN":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', 4)).tensors.NaN.size, 1);
  });
});

describe('fuzz: decodeSafetensors on plausible headers with random values', () => {
  it('2000 random headers: each decodes consistently or fails with a CheckpointError', () => {
    const rng = new Rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[rng.int(xs.length)];
    const num = (): unknown => pick([0, 1, 2, 3, 4, 8, 12, 16, -1, 2 ** 53, 2 ** 64, 0.5, '4', null, [], rng.int(40)]);
    const raw = (): string => pick(['NaN', 'Infinity', '-0', '1e400', '4.0', '"x"']);
    let decoded = 0;
    for (let i = 0; i < 2000; i++) {
      const n = 1 + rng.int(3);
      let offset = 0;
      const entries: string[] = [];
      const damaged = rng.uniform(0, 1) < 0.7 ? rng.int(n) : -1;
      for (let k = 0; k < n; k++) {
        const dtype = pick(['F32', 'F64']);
        const shape = Array.from({ length: rng.int(3) }, () => 1 + rng.int(3));
        const bytes = shape.reduce((a, b) => a * b, 1) * (dtype === 'F64' ? 8 : 4);
        const fields = [`"dtype":${JSON.stringify(dtype)}`, `"shape":${JSON.stringify(shape)}`, `"data_offsets":[${offset},${offset + bytes}]`];
        offset += bytes;
        // Damage one field of one tensor in most headers, by value or by raw token.
        if (k === damaged) {
          const f = rng.int(3);
          const value = rng.uniform(0, 1) < 0.3 ? raw() : JSON.stringify(f === 2 ? [num(), num()] : f === 1 ? [num()] : pick(['I16', 'I8', 'f32', 7, null]));
          fields[f] = `${['"dtype"', '"shape"', '"data_offsets"'][f]}:${value}`;
        }
        entries.push(`${JSON.stringify(`t${k}`)}:{${fields.join(',')}}`);
      }
      if (rng.uniform(0, 1) < 0.2) entries.push(`"__metadata__":${pick(['{"format":"pt"}', '{"k":1}', '[]', 'null', '{"k":NaN}'])}`);
      const bufLen = offset + pick([0, 0, 0, 0, 1, -1, 4]);
      const file = make(`{${entries.join(',')}}`, Math.max(0, bufLen));
      try {
        const { tensors } = decodeSafetensors(file);
        decoded++;
        for (const t of Object.values(tensors)) assert.equal(t.data.length, t.shape.reduce((a, b) => a * b, 1));
      } catch (e) {
        if (!(e instanceof CheckpointError)) throw new Error(`case ${i}: expected a CheckpointError, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
        assert.match(e.message, /^safetensors: /);
      }
    }
    assert.ok(decoded > 100 && decoded < 1500, `decoded ${decoded} of 2000`);
  });
});

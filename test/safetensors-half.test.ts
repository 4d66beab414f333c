/**
 * safetensors in F16 and BF16: PyTorch's rounding bit for bit, files written by torch read into rnnlab
 * models, and half-precision writing that refuses to turn a weight into Inf. Fixtures:
 * scripts/fixtures_half.py.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fromBF16Bits, fromF16Bits, toBF16Bits, toF16Bits } from '../src/io/half.js';
import { decodeSafetensors, encodeSafetensors } from '../src/io/safetensors.js';
import { GRU } from '../src/layers/models.js';
import { tensor } from '../src/tensor/tensor.js';
import { loadFixture, type JsonTensor } from './helpers/fixtures.js';

const fx = loadFixture<{ values: number[]; f16: number[]; bf16: number[]; f16Back: (number | string)[]; bf16Back: (number | string)[]; gru: Record<'f16' | 'bf16', Record<string, JsonTensor>> }>('half');

/** The fixture writes non-finite values as Python's names for them ("inf", "-inf"), JSON having none. */
const num = (v: number | string): number => (typeof v === 'number' ? v : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : Number.NaN);

describe('half precision as PyTorch rounds it', () => {
  it('F16: every value gets torch’s .half() bits (ties to even, subnormals, overflow to Inf) and reads back as torch’s', () => {
    fx.values.forEach((v, i) => assert.equal(toF16Bits(v), fx.f16[i], `value ${v}`));
    fx.f16.forEach((b, i) => assert.equal(fromF16Bits(b), num(fx.f16Back[i]), `bits ${b.toString(16)}`));
  });

  it('BF16: every value gets torch’s .bfloat16() bits and reads back as torch’s', () => {
    fx.values.forEach((v, i) => assert.equal(toBF16Bits(v), fx.bf16[i], `value ${v}`));
    fx.bf16.forEach((b, i) => assert.equal(fromBF16Bits(b), num(fx.bf16Back[i]), `bits ${b.toString(16)}`));
  });
});

describe('F16 and BF16 safetensors', () => {
  for (const tag of ['f16', 'bf16'] as const) {
    it(`${tag.toUpperCase()}: torch's GRU state dict loads into a float64 and a float32 GRU with torch's values exactly`, () => {
      const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(new URL(`./fixtures/torch-gru-${tag}.safetensors`, import.meta.url))));
      for (const dtype of ['float64', 'float32'] as const) {
        const m = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 2, dtype });
        m.loadStateDict(tensors);
        for (const [k, want] of Object.entries(fx.gru[tag])) assert.deepEqual([...m.stateDict()[k].data], want.data, k);
      }
    });
  }

  it('writes F16 and BF16 when asked, and reads them back as the rounded values', () => {
    const t = tensor([0.1, -3, 1 / 3, 1000], [2, 2], 'float64');
    for (const dtype of ['F16', 'BF16'] as const) {
      const bytes = encodeSafetensors({ w: t }, { format: 'pt' }, { dtype });
      const back = decodeSafetensors(bytes).tensors.w;
      const from = dtype === 'F16' ? (x: number) => fromF16Bits(toF16Bits(x)) : (x: number) => fromBF16Bits(toBF16Bits(x));
      assert.deepEqual([...back.data], [...t.data].map(from));
      assert.equal(bytes.length % 2, 0);
    }
  });

  it('refuses to write a finite weight that F16 cannot hold, naming it', () => {
    assert.throws(() => encodeSafetensors({ big: tensor([1, 70000], [2]) }, undefined, { dtype: 'F16' }), /tensors\['big'\]: 70000 at flat index 1 is out of F16's range/);
  });

  it('an unknown dtype to write is an error naming the option', () => {
    assert.throws(() => encodeSafetensors({ w: tensor([1], [1]) }, undefined, { dtype: 'F8' as never }), /options\.dtype: expected 'F16', 'BF16', 'F32' or 'F64', got "F8"/);
  });
});

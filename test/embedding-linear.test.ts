/**
 * Embedding and Linear as torch.nn's, and a whole PyTorch model's state dict loaded module by module
 * under its prefixes. Fixtures: scripts/fixtures_embedding.py.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gradCheck } from '../src/analysis/gradcheck.js';
import { Embedding } from '../src/layers/embedding.js';
import { Linear } from '../src/layers/linear.js';
import { LSTM } from '../src/layers/models.js';
import { Rng } from '../src/tensor/random.js';
import { Tensor, tensor, type DType } from '../src/tensor/tensor.js';
import { loadFixture, maxRelError, toTensor, toTensors, type JsonTensor } from './helpers/fixtures.js';

interface Case {
  dtype: DType; V: number; E: number; O: number; shape: number[]; paddingIdx: number; ids: number[];
  stateDict: Record<string, JsonTensor>; g: JsonTensor; output: JsonTensor; dE: JsonTensor; grads: Record<string, JsonTensor>;
}
const { cases } = loadFixture<{ cases: Case[] }>('embedding-linear');

function model(c: Case): { emb: Embedding; fc: Linear } {
  const emb = new Embedding(c.V, c.E, { paddingIdx: c.paddingIdx, dtype: c.dtype });
  const fc = new Linear(c.E, c.O, { dtype: c.dtype });
  const sd = toTensors(c.stateDict, c.dtype);
  emb.loadStateDict(sd, { prefix: 'embedding.' });
  fc.loadStateDict(sd, { prefix: 'fc.' });
  return { emb, fc };
}

/** Σ y·g, the loss whose gradient with respect to y is g. */
const dot = (y: Tensor, g: Tensor): number => {
  let s = 0;
  for (let i = 0; i < y.size; i++) s += y.data[i] * g.data[i];
  return s;
};

const randn = (shape: number[], seed: number): Tensor => {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => rng.normal()), shape, 'float64');
};

describe('Embedding and Linear against PyTorch', () => {
  for (const c of cases) {
    const tol = c.dtype === 'float64' ? 1e-12 : 1e-6;
    it(`${c.dtype}: Embedding → Linear gives torch's output (rel. error < ${tol})`, () => {
      const { emb, fc } = model(c);
      const y = fc.forward(emb.forward(c.ids, c.shape));
      assert.deepEqual(y.shape, [...c.shape, c.O]);
      assert.ok(maxRelError(y, c.output) < tol, `${maxRelError(y, c.output)}`);
    });

    it(`${c.dtype}: the gradients of embedding.weight, fc.weight, fc.bias and the Linear's input are torch's`, () => {
      const { emb, fc } = model(c);
      fc.forward(emb.forward(c.ids, c.shape));
      const dE = fc.backward(toTensor(c.g, c.dtype));
      emb.backward(dE);
      assert.ok(maxRelError(dE, c.dE) < tol, `dE ${maxRelError(dE, c.dE)}`);
      assert.ok(maxRelError(emb.gradients().weight, c.grads['embedding.weight']) < tol);
      assert.ok(maxRelError(fc.gradients().weight, c.grads['fc.weight']) < tol);
      assert.ok(maxRelError(fc.gradients().bias, c.grads['fc.bias']) < tol);
    });
  }
});

describe('Embedding', () => {
  it('the padding row gets no gradient and a repeated id gets the sum of its rows', () => {
    const emb = new Embedding(4, 2, { paddingIdx: 1, dtype: 'float64' });
    emb.forward([1, 2, 2, 1], [4]);
    emb.backward(tensor([1, 1, 2, 3, 4, 5, 6, 6], [4, 2], 'float64'));
    assert.deepEqual([...emb.gradients().weight.data], [0, 0, 0, 0, 6, 8, 0, 0]);
  });

  it('starts with the padding row at zero, as PyTorch', () => {
    const emb = new Embedding(5, 3, { paddingIdx: -1 });
    assert.equal(emb.paddingIdx, 4);
    assert.deepEqual([...emb.stateDict().weight.data.subarray(12, 15)], [0, 0, 0]);
  });

  it('its backward matches central finite differences in float64', () => {
    const emb = new Embedding(6, 3, { dtype: 'float64', seed: 2 });
    const ids = [0, 5, 5, 2], g = randn([2, 2, 3], 3);
    const loss = (): number => dot(emb.forward(ids, [2, 2]), g);
    emb.forward(ids, [2, 2]);
    emb.backward(g);
    const r = gradCheck(loss, { weight: emb.parameters()[0].param }, { weight: emb.gradients().weight }, { eps: 1e-5 });
    assert.ok(r.maxRelError < 1e-6, `${r.maxRelError}`);
  });

  it('refuses an id out of range, a non-integer id and a count that does not match the shape, by name', () => {
    const emb = new Embedding(3, 2);
    assert.throws(() => emb.forward([0, 3], [2]), /indices\[1\]: expected an integer id in \[0, 3\) \(numEmbeddings = 3\), got 3/);
    assert.throws(() => emb.forward([0, 1.5], [2]), /indices\[1\]: expected an integer id/);
    assert.throws(() => emb.forward([0, 1, 2], [2, 2]), /indices: expected 4 ids \(the product of shape \[2, 2\]\), got 3/);
    assert.throws(() => new Embedding(3, 2, { paddingIdx: 3 }), /options\.paddingIdx: expected an integer in \[-3, 3\)/);
  });
});

describe('Linear', () => {
  it('its backward matches central finite differences in float64 for weight, bias and input', () => {
    const fc = new Linear(4, 3, { dtype: 'float64', seed: 1 });
    const x = randn([2, 5, 4], 4), g = randn([2, 5, 3], 5);
    const loss = (): number => dot(fc.forward(x), g);
    fc.forward(x);
    const dx = fc.backward(g);
    const [w, b] = fc.parameters();
    const r = gradCheck(loss, { weight: w.param, bias: b.param, x }, { weight: w.grad, bias: b.grad, x: dx }, { eps: 1e-5 });
    assert.ok(r.maxRelError < 1e-6, `${JSON.stringify(r.perTensor)}`);
  });

  it('without a bias has only a weight', () => {
    assert.deepEqual(Object.keys(new Linear(2, 2, { bias: false }).stateDict()), ['weight']);
  });

  it('refuses an input whose last axis is not inFeatures', () => {
    assert.throws(() => new Linear(4, 2).forward(tensor([1, 2, 3], [1, 3])), /x: expected shape \[\.\.\., 4\] \(the last axis is inFeatures\), got \[1, 3\]/);
  });
});

describe('loadStateDict with a prefix', () => {
  const c = cases[0];
  const whole = (): Record<string, Tensor> => ({
    ...toTensors(c.stateDict, 'float64'),
    ...Object.fromEntries(Object.entries(new LSTM({ inputSize: c.E, hiddenSize: 2, dtype: 'float64' }).stateDict()).map(([k, v]) => [`lstm.${k}`, v])),
  });

  it('loads each module of a whole model’s state dict from the keys under its prefix', () => {
    const lstm = new LSTM({ inputSize: c.E, hiddenSize: 2, dtype: 'float64', seed: 9 });
    const sd = whole();
    lstm.loadStateDict(sd, { prefix: 'lstm.' });
    assert.deepEqual([...lstm.stateDict().weight_ih_l0.data], [...sd['lstm.weight_ih_l0'].data]);
  });

  it('a prefix that matches no key is an error naming the prefix', () => {
    assert.throws(() => new Linear(c.E, c.O, { dtype: 'float64' }).loadStateDict(whole(), { prefix: 'head.' }), /options\.prefix: no key of the state dict starts with 'head\.'/);
  });

  it('strict names the missing and unexpected keys with their prefix', () => {
    const sd = whole();
    delete sd['fc.bias'];
    sd['fc.extra'] = tensor([1], [1], 'float64');
    assert.throws(() => new Linear(c.E, c.O, { dtype: 'float64' }).loadStateDict(sd, { prefix: 'fc.' }), /stateDict: missing keys fc\.bias; unexpected keys fc\.extra/);
  });

  it('strict: false loads the keys present and returns the others, as PyTorch', () => {
    const sd = whole();
    delete sd['fc.bias'];
    const fc = new Linear(c.E, c.O, { dtype: 'float64' });
    const r = fc.loadStateDict(sd, { prefix: 'fc.', strict: false });
    assert.deepEqual(r, { missingKeys: ['fc.bias'], unexpectedKeys: [] });
    assert.deepEqual([...fc.stateDict().weight.data], [...sd['fc.weight'].data]);
  });
});

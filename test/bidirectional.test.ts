/**
 * Bidirectional layers, padded batches (PyTorch's pack_padded_sequence → layer → pad_packed_sequence)
 * and dropout between layers, against PyTorch (scripts/fixtures_bidir.py) and central finite
 * differences.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gradCheck } from '../src/analysis/gradcheck.js';
import { loadCheckpoint, saveCheckpoint } from '../src/io/checkpoint.js';
import { GRU, LSTM, RNN } from '../src/layers/models.js';
import type { Recurrent, RecurrentOptions } from '../src/layers/recurrent.js';
import { Rng } from '../src/tensor/random.js';
import { Tensor, tensor, type DType } from '../src/tensor/tensor.js';
import { loadFixture, maxRelError, toTensor, toTensors, type JsonTensor } from './helpers/fixtures.js';

interface Case {
  label: string; kind: 'rnn' | 'lstm' | 'gru'; dtype: DType; bidirectional: boolean; batchFirst: boolean; lengths: number[] | null;
  T: number; B: number; D: number; H: number; numLayers: number; projSize: number;
  stateDict: Record<string, JsonTensor>; x: JsonTensor; h0: JsonTensor; c0?: JsonTensor;
  gOut: JsonTensor; gH: JsonTensor; gC?: JsonTensor; output: JsonTensor; hN: JsonTensor; cN?: JsonTensor;
  grads: Record<string, JsonTensor>; dx: JsonTensor; dh0: JsonTensor; dc0?: JsonTensor;
}
const { cases } = loadFixture<{ cases: Case[] }>('bidirectional');

function build(kind: Case['kind'], o: RecurrentOptions): Recurrent {
  if (kind === 'lstm') return new LSTM(o);
  if (kind === 'gru') return new GRU(o);
  return new RNN({ ...o, nonlinearity: 'tanh' });
}

describe('bidirectional and padded layers against PyTorch', () => {
  for (const c of cases) {
    const tol = c.dtype === 'float64' ? 1e-9 : 1e-4;
    const backends = c.dtype === 'float32' && !c.projSize ? (['reference', 'wasm'] as const) : (['reference'] as const);
    for (const backend of backends) {
      it(`${c.label}, ${c.dtype}, ${backend}: output, final states and every gradient are torch's (rel. error < ${tol})`, () => {
        const m = build(c.kind, {
          inputSize: c.D, hiddenSize: c.H, numLayers: c.numLayers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, dtype: c.dtype, backend,
          ...(c.projSize ? { projSize: c.projSize } : {}),
        });
        m.loadStateDict(toTensors(c.stateDict, c.dtype));
        const state = { h: toTensor(c.h0, c.dtype), ...(c.c0 ? { c: toTensor(c.c0, c.dtype) } : {}) };
        const r = m.forward(toTensor(c.x, c.dtype), state, c.lengths ? { lengths: c.lengths } : {});
        assert.ok(maxRelError(r.output, c.output) < tol, `output ${maxRelError(r.output, c.output)}`);
        assert.ok(maxRelError(r.h, c.hN) < tol, `h ${maxRelError(r.h, c.hN)}`);
        if (c.cN) assert.ok(maxRelError(r.c!, c.cN) < tol, `c ${maxRelError(r.c!, c.cN)}`);
        const g = m.backward(toTensor(c.gOut, c.dtype), { h: toTensor(c.gH, c.dtype), ...(c.gC ? { c: toTensor(c.gC, c.dtype) } : {}) });
        assert.ok(maxRelError(g.dx, c.dx) < tol, `dx ${maxRelError(g.dx, c.dx)}`);
        assert.ok(maxRelError(g.dh, c.dh0) < tol, `dh ${maxRelError(g.dh, c.dh0)}`);
        if (c.dc0) assert.ok(maxRelError(g.dc!, c.dc0) < tol, `dc ${maxRelError(g.dc!, c.dc0)}`);
        for (const [k, want] of Object.entries(c.grads)) assert.ok(maxRelError(g.grads[k], want) < tol, `${k} ${maxRelError(g.grads[k], want)}`);
      });
    }
  }

  it('names the reverse direction’s parameters as PyTorch, in its order', () => {
    const c = cases.find((x) => x.kind === 'lstm' && x.bidirectional)!;
    const keys = Object.keys(new LSTM({ inputSize: c.D, hiddenSize: c.H, numLayers: c.numLayers, bidirectional: true }).stateDict());
    assert.deepEqual(keys, Object.keys(c.stateDict));
    assert.equal(keys[4], 'weight_ih_l0_reverse');
  });
});

const randn = (shape: number[], rng: Rng): Tensor => tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape, 'float64');
const dot = (a: Tensor, b: Tensor): number => {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i] * b.data[i];
  return s;
};

describe('finite differences (float64)', () => {
  for (const kind of ['rnn', 'lstm', 'gru'] as const) {
    it(`${kind}: a bidirectional two-layer padded batch's gradients match central finite differences`, () => {
      const rng = new Rng(11);
      const m = build(kind, { inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, dtype: 'float64', seed: 4 });
      const x = randn([4, 3, 3], rng), g = randn([4, 3, 4], rng), gh = randn([4, 3, 2], rng), gc = randn([4, 3, 2], rng);
      const lengths = [2, 4, 1];
      const loss = (): number => {
        const r = m.forward(x, {}, { lengths });
        return dot(r.output, g) + dot(r.h, gh) + (r.c ? dot(r.c, gc) : 0);
      };
      m.zeroGrad();
      m.forward(x, {}, { lengths });
      const back = m.backward(g, { h: gh, ...(kind === 'lstm' ? { c: gc } : {}) });
      const params = Object.fromEntries(m.parameters().map((p) => [p.name, p.param]));
      const res = gradCheck(loss, { ...params, x }, { ...m.gradients(), x: back.dx });
      assert.ok(res.maxRelError < 1e-6, `${res.maxRelError} at ${res.worst.name}`);
    });
  }

  it('an LSTM with a projection (projSize), two bidirectional padded layers: its gradients match central finite differences', () => {
    const rng = new Rng(13);
    const m = new LSTM({ inputSize: 3, hiddenSize: 4, projSize: 2, numLayers: 2, bidirectional: true, dtype: 'float64', seed: 6 });
    const x = randn([4, 3, 3], rng), g = randn([4, 3, 4], rng), gh = randn([4, 3, 2], rng), gc = randn([4, 3, 4], rng);
    const lengths = [3, 4, 2];
    const loss = (): number => { const r = m.forward(x, {}, { lengths }); return dot(r.output, g) + dot(r.h, gh) + dot(r.c, gc); };
    m.forward(x, {}, { lengths });
    const back = m.backward(g, { h: gh, c: gc });
    const params = Object.fromEntries(m.parameters().map((p) => [p.name, p.param]));
    const res = gradCheck(loss, { ...params, x }, { ...m.gradients(), x: back.dx });
    assert.ok(res.maxRelError < 1e-6, `${res.maxRelError} at ${res.worst.name}`);
  });

  it('with dropout between layers, the gradients match finite differences with the mask held fixed', () => {
    const rng = new Rng(12);
    const m = new LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 3, dropout: 0.4, dtype: 'float64', seed: 5 });
    const x = randn([5, 2, 3], rng), g = randn([5, 2, 2], rng);
    const loss = (): number => { m.seedDropout(99); return dot(m.forward(x).output, g); };
    m.seedDropout(99);
    m.forward(x);
    const back = m.backward(g);
    const params = Object.fromEntries(m.parameters().map((p) => [p.name, p.param]));
    const res = gradCheck(loss, { ...params, x }, { ...m.gradients(), x: back.dx });
    assert.ok(res.maxRelError < 1e-6, `${res.maxRelError} at ${res.worst.name}`);
  });
});

describe('dropout', () => {
  const x = tensor(Array.from({ length: 40 }, (_, i) => Math.sin(i)), [5, 2, 4], 'float64');
  it('acts in training mode only: eval() gives the same output every time, and the output without dropout', () => {
    const a = new GRU({ inputSize: 4, hiddenSize: 3, numLayers: 2, dropout: 0.5, dtype: 'float64' });
    const b = new GRU({ inputSize: 4, hiddenSize: 3, numLayers: 2, dtype: 'float64' });
    assert.notDeepEqual([...a.forward(x).output.data], [...b.forward(x).output.data]);
    a.eval();
    assert.deepEqual([...a.forward(x).output.data], [...b.forward(x).output.data]);
    assert.equal(a.train().training, true);
  });

  it('the same seed gives the same masks', () => {
    const run = (): number[] => [...new LSTM({ inputSize: 4, hiddenSize: 3, numLayers: 2, dropout: 0.3, dtype: 'float64', seed: 7 }).forward(x).output.data];
    assert.deepEqual(run(), run());
  });

  it('refuses a dropout outside [0, 1)', () => {
    assert.throws(() => new LSTM({ inputSize: 1, hiddenSize: 1, dropout: 1 }), /options\.dropout: expected a probability in \[0, 1\), got 1/);
    assert.throws(() => new LSTM({ inputSize: 1, hiddenSize: 1, dropout: -0.1 }), /options\.dropout/);
  });
});

describe('projSize: bad input is named', () => {
  it('refuses a projSize not below hiddenSize, a projection on a GRU, and the wasm backend with one', () => {
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 3, projSize: 3 }), /options\.projSize: expected a size below hiddenSize = 3/);
    assert.throws(() => new GRU({ inputSize: 2, hiddenSize: 3, projSize: 2 } as RecurrentOptions), /projSize/);
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 3, projSize: 2, backend: 'wasm' }), /backend: 'wasm' has no LSTM projection/);
  });

  it('names weight_hr after the biases, as PyTorch, and its state h is projSize wide', () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 4, projSize: 3 });
    assert.deepEqual(Object.keys(m.stateDict()), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_hr_l0']);
    const r = m.forward(new Tensor(new Float32Array(2 * 5 * 2), [2, 5, 2]));
    assert.deepEqual([r.h.shape, r.c.shape, r.output.shape], [[1, 5, 3], [1, 5, 4], [2, 5, 3]]);
  });
});

describe('padded batches: bad input is named', () => {
  const m = new GRU({ inputSize: 2, hiddenSize: 2 });
  const x = tensor(new Array(12).fill(0.1), [3, 2, 2]);
  it('a length outside 1..T, or a count other than B, is refused', () => {
    assert.throws(() => m.forward(x, {}, { lengths: [3, 4] }), /options\.lengths\[1\]: expected an integer in \[1, 3\] \(T = 3 steps\), got 4/);
    assert.throws(() => m.forward(x, {}, { lengths: [0, 1] }), /options\.lengths\[0\]/);
    assert.throws(() => m.forward(x, {}, { lengths: [3] }), /options\.lengths: expected 2 lengths \(one per sequence of the batch\), got 1/);
  });

  it('outputs at padded steps are 0, and the final state is each sequence’s own last step', () => {
    const r = m.forward(x, {}, { lengths: [1, 3] });
    const full = m.forward(tensor(new Array(4).fill(0.1), [1, 2, 2]));
    assert.deepEqual([...r.output.data.subarray(4, 6)], [0, 0]); // t = 1, sequence 0
    assert.deepEqual([...r.h.data.subarray(0, 2)], [...full.h.data.subarray(0, 2)]);
  });
});

describe('saving and exporting', () => {
  it('a bidirectional LSTM with dropout round-trips through a checkpoint, options and weights', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-bidir-'));
    try {
      const m = new LSTM({ inputSize: 3, hiddenSize: 2, numLayers: 2, bidirectional: true, dropout: 0.25, outputSize: 4, seed: 3 });
      const back = loadCheckpoint(saveCheckpoint(dir, { model: m, step: 0 })).model as LSTM;
      assert.equal(back.bidirectional, true);
      assert.equal(back.dropout, 0.25);
      assert.deepEqual(Object.keys(back.stateDict()), Object.keys(m.stateDict()));
      assert.deepEqual([...back.stateDict()['head.weight'].data], [...m.stateDict()['head.weight'].data]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

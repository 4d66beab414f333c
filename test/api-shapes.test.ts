/**
 * The two call shapes: `rnnlab` means what PyTorch means (positional (inputSize, hiddenSize, numLayers);
 * every cell's forward(x, { h, c }) → { h, c?, cache }), and `rnnlab/tutorial` keeps the exercise set's
 * (RNN(inputSize, hiddenSize, outputSize), RNNCell.forward(x, hPrev) → h, LSTMCell.forward(x, h, c)).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRU, GRUCell, LSTM, LSTMCell, RNN, RNNCell, Rng, tensor, type Tensor } from '../src/index.js';
import * as tutorial from '../src/tutorial.js';

const rand = (rng: Rng, shape: number[]): Tensor => tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.uniform(-1, 1)), shape, 'float64');

describe('PyTorch\'s positional constructor', () => {
  it('new LSTM(8, 32, 2) is torch.nn.LSTM(8, 32, 2): two layers, no head', () => {
    const m = new LSTM(8, 32, 2);
    assert.equal(m.numLayers, 2);
    assert.equal(m.outputSize, null);
    assert.deepEqual(Object.keys(m.stateDict()).filter((k) => k.endsWith('_l1')), ['weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1']);
  });
  it('RNN and GRU read the same order, numLayers defaulting to 1, options last', () => {
    assert.equal(new RNN(3, 4).numLayers, 1);
    const g = new GRU(3, 4, 3, { dtype: 'float64', outputSize: 2 });
    assert.equal(g.numLayers, 3);
    assert.equal(g.outputSize, 2);
    assert.equal(g.dtype, 'float64');
  });
  it('the tutorial\'s RNN(3, 8, 2) is one layer with a head of 2', () => {
    const m = new tutorial.RNN(3, 8, 2);
    assert.equal(m.numLayers, 1);
    assert.equal(m.outputSize, 2);
    assert.ok(m instanceof RNN, 'the same class underneath');
  });
});

describe('one call shape for the PyTorch-style cells', () => {
  const rng = new Rng(4);
  const x = rand(rng, [2, 3]), h = rand(rng, [2, 5]), c = rand(rng, [2, 5]), dh = rand(rng, [2, 5]), dc = rand(rng, [2, 5]);
  for (const [name, Torch, Tut] of [['RNNCell', RNNCell, tutorial.RNNCell], ['GRUCell', GRUCell, tutorial.GRUCell]] as const) {
    it(`${name}.forward(x, { h }) returns { h, cache }, and backward({ h: dh }, cache) the tutorial cell's numbers`, () => {
      const a = new Torch(3, 5, { dtype: 'float64', seed: 1 }), b = new Tut(3, 5, { dtype: 'float64', seed: 1 });
      const out = a.forward(x, { h });
      const ref = b.step(x, h);
      assert.deepEqual(out.h.data, ref.h.data);
      assert.equal(out.c, undefined);
      const ga = a.backward({ h: dh }, out.cache), gb = b.backward(dh, ref.cache);
      assert.deepEqual(ga.dx.data, gb.dx.data);
      assert.deepEqual(ga.dhPrev.data, gb.dhPrev.data);
      assert.deepEqual(ga.grads.weight_hh!.data, gb.grads.weight_hh!.data);
    });
    it(`${name} refuses a cell state and a state that is not an object, naming it`, () => {
      const a = new Torch(3, 5, { dtype: 'float64' });
      assert.throws(() => a.forward(x, { h, c }), /state\.c: expected none \(only an LSTM cell has a cell state\)/);
      assert.throws(() => a.forward(x, null as never), /state: expected an object \{ h \}, got null/);
    });
  }
  it('LSTMCell.forward(x, { h, c }) returns { h, c, cache }, and backward({ h: dh, c: dc }, cache) the tutorial cell\'s numbers', () => {
    const a = new LSTMCell(3, 5, { dtype: 'float64', seed: 2 }), b = new tutorial.LSTMCell(3, 5, { dtype: 'float64', seed: 2 });
    const out = a.forward(x, { h, c }), ref = b.forward(x, h, c);
    assert.deepEqual(out.h.data, ref.h.data);
    assert.deepEqual(out.c.data, ref.c.data);
    const ga = a.backward({ h: dh, c: dc }, out.cache), gb = b.backward(dh, dc, ref.cache);
    assert.deepEqual(ga.dcPrev.data, gb.dcPrev.data);
    assert.deepEqual(ga.grads.weight_ih!.data, gb.grads.weight_ih!.data);
  });
  it('the tutorial\'s RNNCell.forward(x, hPrev) is the new hidden state itself (exercise B1)', () => {
    const b = new tutorial.RNNCell(3, 5, { dtype: 'float64' });
    const hNew = b.forward(x, h);
    assert.deepEqual(hNew.shape, [2, 5]);
  });
});

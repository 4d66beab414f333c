/**
 * Bad input is an error that names the argument, what was expected and what was given.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRU, LSTM, RNN, tensor, zeros } from '../src/index.js';
import { GRUCell, LSTMCell, RNNCell } from '../src/tutorial.js';

describe('bad input is reported clearly', () => {
  it('an input of the wrong width names x, the expected shape and the given one', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4 });
    assert.throws(() => lstm.forward(zeros([5, 2, 7])), /x: expected shape \[\*, \*, 3\].*got \[5, 2, 7\]/);
  });

  it('an input of the wrong rank names the accepted layouts', () => {
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4 });
    assert.throws(() => rnn.forward(zeros([3])), /x: expected shape \[T, B, inputSize\] or unbatched \[T, inputSize\].*got \[3\]/);
  });

  it('a batch-first model says it expects [B, T, inputSize]', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4, batchFirst: true });
    assert.throws(() => gru.forward(zeros([2, 5, 4])), /x: expected shape \[\*, \*, 3\] \(\[B, T, inputSize\]\), got \[2, 5, 4\]/);
  });

  it('an initial state of the wrong shape names state.h and [numLayers, B, hiddenSize]', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2 });
    assert.throws(
      () => lstm.forward(zeros([5, 2, 3]), { h: zeros([1, 2, 4]) }),
      /state\.h: expected shape \[2, 2, 4\] \(\[numLayers, B, hiddenSize\]\), got \[1, 2, 4\]/,
    );
    assert.throws(() => lstm.forward(zeros([5, 2, 3]), { c: zeros([2, 3, 4]) }), /state\.c: expected shape \[2, 2, 4\].*got \[2, 3, 4\]/);
  });

  it('a cell state given to a GRU is refused', () => {
    const gru = new GRU({ inputSize: 3, hiddenSize: 4 });
    assert.throws(() => gru.forward(zeros([5, 2, 3]), { c: zeros([1, 2, 4]) }), /state\.c: only an LSTM has a cell state/);
  });

  it('a state dict with a missing key lists it and the expected keys', () => {
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4 });
    const sd = rnn.stateDict();
    delete sd.bias_hh_l0;
    assert.throws(() => rnn.loadStateDict(sd), /stateDict: missing keys bias_hh_l0 \(expected exactly weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0\)/);
  });

  it('a state dict with an extra key names it', () => {
    const rnn = new RNN({ inputSize: 3, hiddenSize: 4 });
    const sd = { ...rnn.stateDict(), weight_ih_l1: zeros([4, 4]) };
    assert.throws(() => rnn.loadStateDict(sd), /stateDict: unexpected keys weight_ih_l1/);
  });

  it('a state dict with a misshaped key names the key and both shapes, and changes nothing', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4 });
    const before = lstm.stateDict();
    const sd = lstm.stateDict();
    sd.weight_ih_l0 = zeros([16, 3]).to('float32');
    sd.bias_ih_l0.data.fill(7);
    sd.weight_hh_l0 = zeros([4, 16]);
    assert.throws(() => lstm.loadStateDict(sd), /stateDict\['weight_hh_l0'\]: expected shape \[16, 4\], got \[4, 16\]/);
    assert.deepEqual(lstm.stateDict().bias_ih_l0.data, before.bias_ih_l0.data);
  });

  it('a state dict with a NaN names the key and the index', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 2 });
    const sd = rnn.stateDict();
    sd.weight_hh_l0.data[3] = NaN;
    assert.throws(() => rnn.loadStateDict(sd), /stateDict\['weight_hh_l0'\]: expected finite numbers, got NaN at flat index 3/);
  });

  it('hidden size 0 is refused for every model and cell', () => {
    for (const make of [
      () => new RNN({ inputSize: 3, hiddenSize: 0 }),
      () => new LSTM({ inputSize: 3, hiddenSize: 0 }),
      () => new GRU(3, 0),
      () => new RNNCell(3, 0),
      () => new LSTMCell(3, 0),
      () => new GRUCell(3, 0),
    ]) {
      assert.throws(make, /hiddenSize: expected a positive integer, got 0/);
    }
  });

  it('non-integer layer counts and sizes are refused', () => {
    assert.throws(() => new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 1.5 }), /numLayers: expected a positive integer, got 1.5/);
    assert.throws(() => new RNN({ inputSize: -1, hiddenSize: 4 }), /inputSize: expected a positive integer, got -1/);
    assert.throws(() => new RNN({ inputSize: 2, hiddenSize: 4, outputSize: 0 }), /outputSize: expected a positive integer, got 0/);
  });

  it('a float32 input to a float64 model is a dtype error that says how to convert', () => {
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
    assert.throws(() => lstm.forward(zeros([5, 2, 3], 'float32')), /x: expected dtype float64 \(the model's\), got float32; convert with \.to\('float64'\)/);
    const cell = new LSTMCell(3, 4);
    assert.throws(() => cell.forward(zeros([3], 'float32'), zeros([4], 'float64')), /hPrev: expected dtype float32.*got float64/);
  });

  it('a non-finite input names x and where the bad value is', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3 });
    const x = zeros([2, 1, 2]);
    x.data[3] = Infinity;
    assert.throws(() => rnn.forward(x), /x: expected finite numbers, got Infinity at flat index 3/);
  });

  it('an unknown dtype or nonlinearity names the allowed values', () => {
    assert.throws(() => new RNN({ inputSize: 2, hiddenSize: 3, dtype: 'float16' as 'float32' }), /dtype: expected 'float32' or 'float64', got "float16"/);
    assert.throws(() => new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'sigmoid' as 'tanh' }), /nonlinearity: expected one of 'tanh', 'relu', got "sigmoid"/);
  });

  it('backward before forward says to call forward first', () => {
    const gru = new GRU({ inputSize: 2, hiddenSize: 3 });
    assert.throws(() => gru.backward(null), /backward: call forward\(\) first/);
  });

  it('an upstream gradient of the wrong shape names dOutput and the output shape', () => {
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, outputSize: 1 });
    rnn.forward(zeros([4, 2, 2]));
    assert.throws(() => rnn.backward(zeros([4, 2, 3])), /dOutput: expected shape \[4, 2, 1\] \(the shape of forward\(\)\.output\), got \[4, 2, 3\]/);
  });

  it('a cell input of the wrong width names x', () => {
    const cell = new GRUCell(3, 2);
    assert.throws(() => cell.forward(zeros([2, 4])), /x: expected shape \[\*, 3\] \(\[B, inputSize\]\), got \[2, 4\]/);
  });

  it('an LSTM cell given a foreign cache says what it expected', () => {
    const cell = new LSTMCell(3, 2);
    assert.throws(() => cell.backward(zeros([2]), zeros([2]), {} as never), /cache: expected the cache returned by forward\(\)/);
  });

  it('tensor() refuses values that do not fill the shape', () => {
    assert.throws(() => tensor([1, 2, 3], [2, 2]), /tensor: 3 values do not fill shape \[2, 2\] \(needs 4\)/);
  });

  it('impossible init settings are refused', () => {
    assert.throws(() => new GRU({ inputSize: 2, hiddenSize: 3, init: { forgetBias: 1 } }), /init\.forgetBias: only an LSTM has a forget gate/);
    assert.throws(
      () => new RNN({ inputSize: 2, hiddenSize: 3, init: { spectralRadius: 0.9, maxSingularValue: 1 } }),
      /init: give spectralRadius or maxSingularValue, not both/,
    );
    assert.throws(() => new RNN({ inputSize: 2, hiddenSize: 3, init: { spectralRadius: NaN } }), /init\.spectralRadius: expected a finite number, got NaN/);
    assert.throws(() => new RNN({ inputSize: 2, hiddenSize: 3, init: { weightHh: 'eye' as 'identity' } }), /init\.weightHh: expected one of/);
  });
});

/**
 * Values, options and state that used to pass silently (docs/reliability.md): each is refused by name.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Adam, AdamW, Adagrad, GRUCell, LSTM, LSTMCell, RMSprop, RNN, SGD, Tensor, importKerasWeights, makeOptimizer, tensor, zeros,
} from '../src/index.js';
import { describeValue } from '../src/tensor/check.js';
import { Rng } from '../src/tensor/random.js';
import { train } from '../src/train/trainer.js';
import { AddingTask } from '../src/tasks/adding.js';

describe('strict options', () => {
  it('an unknown key in a model, a cell or an init is refused by name, with the known ones', () => {
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 3, numLayer: 2 } as never), /options: unknown option 'numLayer' \(known: inputSize, hiddenSize, numLayers,/);
    assert.throws(() => new GRUCell(2, 3, { seeed: 1 } as never), /options: unknown option 'seeed'/);
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 3, init: { forgetbias: 1 } } as never), /init: unknown option 'forgetbias'/);
  });
  it('a non-boolean bias or batchFirst is refused, so no model saves an unloadable checkpoint', () => {
    assert.throws(() => new RNN({ inputSize: 2, hiddenSize: 3, bias: 'no' } as never), /options\.bias: expected true or false, got "no"/);
    assert.throws(() => new RNN({ inputSize: 2, hiddenSize: 3, bias: 0 } as never), /options\.bias: expected true or false, got 0/);
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 3, batchFirst: 'yes' } as never), /options\.batchFirst: expected true or false, got "yes"/);
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float16' } as never), /options\.dtype: expected 'float32' or 'float64', got "float16"/);
  });
  it('every optimizer refuses an unknown option, and so does train() in its optimizer spec', () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 3 });
    assert.throws(() => new Adam(m, { betaz: [0.9, 0.99] } as never), /options: unknown option 'betaz'/);
    assert.throws(() => new AdamW(m, { decay: 1 } as never), /unknown option 'decay'/);
    assert.throws(() => new SGD(m, { lr: 0.1, momentun: 0.9 } as never), /unknown option 'momentun'/);
    assert.throws(() => new RMSprop(m, { beta: 1 } as never), /unknown option 'beta'/);
    assert.throws(() => new Adagrad(m, { lrdecay: 1 } as never), /unknown option 'lrdecay'/);
    assert.throws(() => makeOptimizer(m, { kind: 'sgd', lr: 0.1, momentun: 0.9 }), /options\.optimizer \(sgd\): options: unknown option 'momentun'/);
    const task = new AddingTask({ seqLen: 4 });
    const model = new LSTM({ inputSize: 2, hiddenSize: 3, outputSize: 1 });
    assert.throws(() => train(model, task, { steps: 1, batchSize: 2, seed: 0, optimizer: { kind: 'sgd', lr: 0.1, momentun: 0.9 } }), /unknown option 'momentun'/);
  });
});

describe('state', () => {
  it('backward after loadStateDict refuses to differentiate the old forward with the new weights', () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 3 });
    const { output } = m.forward(zeros([4, 1, 2]));
    m.loadStateDict(new LSTM({ inputSize: 2, hiddenSize: 3, seed: 5 }).stateDict());
    assert.throws(() => m.backward(output), /backward: loadStateDict\(\) replaced the weights after forward\(\); run forward\(\) again/);
  });
  it("a cell's backward refuses another cell's cache", () => {
    const a = new LSTMCell(2, 3), b = new LSTMCell(2, 3);
    const { h, cache } = a.forward(zeros([2]));
    assert.throws(() => b.backward({ h }, cache), /cache: this cache is from another cell/);
  });
  it('an optimizer refuses a state dict with NaN in its buffers', () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 3 });
    for (const opt of [new Adam(m), new SGD(m, { lr: 0.1, momentum: 0.9 }), new RMSprop(m), new Adagrad(m), new AdamW(m)]) {
      const g = m.parameters();
      for (const p of g) p.grad.data.fill(0.1);
      opt.step();
      const sd = opt.stateDict();
      const [name] = Object.keys(sd.state[0]!.buffers);
      sd.state[0]!.buffers[name!]![0] = Number.NaN;
      assert.throws(() => opt.loadStateDict(sd), /stateDict\.state\[0\]\.buffers\.\w+: expected finite numbers, got NaN at index 0/);
    }
  });
});

describe('values', () => {
  it('a ragged nested array is refused even when its sizes add up', () => {
    assert.throws(() => tensor([[1, 2], [3], [4, 5, 6]] as never, [6]), /tensor: values\[1\]: expected an array of 2/);
    assert.throws(() => tensor([[1, 2], [3, [4]]] as never), /values\[1\]\[1\]: expected a number at depth 2/);
  });
  it('new Tensor() takes only a Float32Array or Float64Array; tensor(null) names values', () => {
    assert.throws(() => new Tensor([1, 2] as never, [2]), /Tensor: data: expected a Float32Array or Float64Array .*got an Array/);
    assert.throws(() => new Tensor(new Int32Array(2) as never, [2]), /got a Int32Array/);
    assert.throws(() => tensor(null as never), /tensor: values: expected an array of numbers.*got null/);
  });
  it('importKerasWeights refuses strings instead of turning them into NaN weights', () => {
    const k = { shape: [2, 12], data: Array(24).fill(0.1) }, r = { shape: [3, 12], data: Array(36).fill('0.1') }, b = { shape: [12], data: Array(12).fill(0) };
    assert.throws(() => importKerasWeights('lstm', [k, r, b] as never), /expected finite numbers, got "0\.1" at index 0/);
  });
  it('Rng.uniform() without bounds is uniform on [0, 1), and non-finite bounds are refused', () => {
    const x = new Rng(3).uniform();
    assert.ok(x >= 0 && x < 1);
    assert.throws(() => new Rng(3).uniform(0, Number.NaN), /uniform: expected finite bounds low and high, got 0 and NaN/);
  });
  it('messages show NaN and Infinity as they are, and strings quoted', () => {
    assert.equal(describeValue(Number.NaN), 'NaN');
    assert.equal(describeValue([1, Infinity]), '[1,Infinity]');
    assert.equal(describeValue('0.1'), '"0.1"');
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 3, seed: Number.NaN }), /options\.seed: expected a finite number, got NaN/);
  });
});

describe('output files', () => {
  it('rnnlab export --onnx naming a folder, or an unwritable path, names the flag, the file and why', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { runExport } = await import('../src/cli/export.js');
    const { saveCheckpoint } = await import('../src/io/checkpoint.js');
    const dir = mkdtempSync(join(tmpdir(), 'rnnlab-export-'));
    try {
      const ck = saveCheckpoint(join(dir, 'ck'), { model: new LSTM({ inputSize: 2, hiddenSize: 3 }), step: 1 });
      assert.throws(() => runExport({ checkpoint: ck, onnx: dir }, () => {}), new RegExp(`--onnx: ${dir}: expected a file to write, got a folder`));
      assert.throws(() => runExport({ checkpoint: ck, onnx: '/sys/rnnlab.onnx' }, () => {}), /--onnx: \/sys\/rnnlab\.onnx: cannot write it \(permission denied\)/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('finiteness', () => {
  it('allFinite finds NaN, ∞ and −∞ at every position, the tail past the last group of four included', async () => {
    const { allFinite } = await import('../src/tensor/check.js');
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (let at = 0; at < 11; at++) {
        const d = new Float32Array(11).fill(1e30); // large but finite: v − v is still 0
        d[at] = bad;
        assert.equal(allFinite(d), false, `${bad} at ${at}`);
        assert.equal(allFinite(Float64Array.from(d)), false);
      }
    }
    assert.equal(allFinite(new Float64Array(11).fill(-1.7e308)), true);
    assert.equal(allFinite(new Float32Array(0)), true);
  });
});

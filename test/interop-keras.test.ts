/**
 * Keras / TensorFlow.js weights imported into rnnlab (src/io/keras.ts) give the same outputs and final
 * states as TF.js running the same weights (float32, CPU backend; max error relative to scale < 1e-5).
 *
 * LSTM: a real tf.layers.lstm. GRU: TF.js 4.x has no reset_after=True GRU (tf.layers.gru({resetAfter:
 * true}) throws, checked below), so the reference is Keras' reset_after=True GRUCell written out with TF.js
 * ops on the Keras weight layout (kernel [D, 3H] z|r|h, recurrent_kernel [H, 3H], bias [2, 3H]), as in
 * keras/layers/rnn/gru.py. TF.js's own GRU (reset_after=False) and its hardSigmoid gates are
 * test/keras-variants.test.ts's.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { GRU, LSTM, Rng, tensor, type Tensor } from '../src/index.js';
import { importKerasWeights } from '../src/io/keras.js';
import { maxRelError } from './helpers/fixtures.js';

const B = 3, T = 6, D = 4, H = 5;

function randomTf(rng: Rng, shape: number[], scale = 0.6): tf.Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = rng.uniform(-scale, scale);
  return tf.tensor(d, shape, 'float32');
}

function data(t: tf.Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/** [B, H] from TF.js → rnnlab's [numLayers = 1, B, H] is the same flat order. */
function close(ours: Tensor, theirs: tf.Tensor, what: string): void {
  const e = maxRelError(ours, data(theirs));
  assert.ok(e < 1e-5, `${what}: max relative error ${e}`);
}

before(async () => {
  await tf.setBackend('cpu');
});

describe('Keras / TF.js import', () => {
  it('tf.layers.lstm: imported weights reproduce its sequence output and final h, c', () => {
    const rng = new Rng(7);
    const layer = tf.layers.lstm({ units: H, returnSequences: true, returnState: true, recurrentActivation: 'sigmoid' });
    const x = randomTf(rng, [B, T, D], 1);
    layer.apply(x); // builds the layer
    layer.setWeights([randomTf(rng, [D, 4 * H]), randomTf(rng, [H, 4 * H]), randomTf(rng, [4 * H])]);
    const [seq, hN, cN] = layer.apply(x) as tf.Tensor[];

    const sd = importKerasWeights('lstm', layer.getWeights(), { recurrentActivation: 'sigmoid', activation: 'tanh' });
    const model = new LSTM({ inputSize: D, hiddenSize: H, batchFirst: true, backend: 'reference' });
    model.loadStateDict(sd);
    const out = model.forward(tensor(data(x), [B, T, D], 'float32'));
    close(out.output, seq, 'output');
    close(out.h, hN, 'h_n');
    close(out.c!, cN, 'c_n');
  });

  it('LSTM weights as plain {kernel, recurrentKernel, bias} arrays give the same state dict as the TF.js tensors', () => {
    const rng = new Rng(8);
    const w = [randomTf(rng, [D, 4 * H]), randomTf(rng, [H, 4 * H]), randomTf(rng, [4 * H])];
    const a = importKerasWeights('lstm', w);
    const b = importKerasWeights('lstm', { kernel: { shape: w[0].shape, data: data(w[0]) }, recurrentKernel: { shape: w[1].shape, data: Array.from(data(w[1])) }, bias: { shape: w[2].shape, data: data(w[2]) } }, { layer: 0 });
    for (const k of Object.keys(a)) assert.deepEqual(a[k].data, b[k].data, k);
    // i f c o is PyTorch's i f g o: weight_ih_l0 is the plain transpose, bias_hh_l0 zero.
    const k0 = data(w[0]);
    assert.equal(a.weight_ih_l0.data[2 * H * D + 1 * D + 3], k0[3 * 4 * H + 2 * H + 1]);
    assert.ok(a.bias_hh_l0.data.every((v) => v === 0));
  });

  it('GRU reset_after=True: imported weights reproduce Keras\' GRU equations run in TF.js', () => {
    const rng = new Rng(9);
    const kernel = randomTf(rng, [D, 3 * H]), recurrent = randomTf(rng, [H, 3 * H]), bias = randomTf(rng, [2, 3 * H]);
    const x = randomTf(rng, [B, T, D], 1);
    // Keras GRUCell.call, reset_after=True, implementation 2 (keras/layers/rnn/gru.py).
    const [bIn, bRec] = tf.unstack(bias);
    let h = tf.zeros([B, H]);
    const steps: tf.Tensor[] = [];
    for (let t = 0; t < T; t++) {
      const xt = tf.squeeze(tf.slice(x, [0, t, 0], [B, 1, D]), [1]);
      const mx = tf.add(tf.matMul(xt, kernel), bIn);
      const mi = tf.add(tf.matMul(h, recurrent), bRec);
      const [xz, xr, xh] = tf.split(mx, 3, 1);
      const [rz, rr, rh] = tf.split(mi, 3, 1);
      const z = tf.sigmoid(tf.add(xz, rz));
      const r = tf.sigmoid(tf.add(xr, rr));
      const hh = tf.tanh(tf.add(xh, tf.mul(r, rh)));
      h = tf.add(tf.mul(z, h), tf.mul(tf.sub(1, z), hh));
      steps.push(h);
    }
    const seq = tf.stack(steps, 1);

    const sd = importKerasWeights('gru', [kernel, recurrent, bias]);
    const model = new GRU({ inputSize: D, hiddenSize: H, batchFirst: true, backend: 'reference' });
    model.loadStateDict(sd);
    const out = model.forward(tensor(data(x), [B, T, D], 'float32'));
    close(out.output, seq, 'output');
    close(out.h, h, 'h_n');
  });

  it('a two-layer Keras stack imports layer by layer (options.layer)', () => {
    const rng = new Rng(10);
    const l0 = tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid' });
    const l1 = tf.layers.lstm({ units: H, returnSequences: true, recurrentActivation: 'sigmoid' });
    const x = randomTf(rng, [B, T, D], 1);
    l1.apply(l0.apply(x) as tf.Tensor);
    l0.setWeights([randomTf(rng, [D, 4 * H]), randomTf(rng, [H, 4 * H]), randomTf(rng, [4 * H])]);
    l1.setWeights([randomTf(rng, [H, 4 * H]), randomTf(rng, [H, 4 * H]), randomTf(rng, [4 * H])]);
    const y = l1.apply(l0.apply(x) as tf.Tensor) as tf.Tensor;
    const model = new LSTM({ inputSize: D, hiddenSize: H, numLayers: 2, batchFirst: true, backend: 'reference' });
    model.loadStateDict({ ...importKerasWeights('lstm', l0.getWeights()), ...importKerasWeights('lstm', l1.getWeights(), { layer: 1 }) });
    close(model.forward(tensor(data(x), [B, T, D], 'float32')).output, y, 'output');
  });

  it('TF.js 4.x refuses resetAfter: true, and its reset_after=False GRU imports with a [3H] bias into bias_ih', () => {
    // Not in TF.js' types either; the option is read at run time and refused.
    assert.throws(() => tf.layers.gru({ units: H, resetAfter: true } as Parameters<typeof tf.layers.gru>[0]), /reset_after/);
    const layer = tf.layers.gru({ units: H, recurrentActivation: 'sigmoid' });
    layer.apply(tf.zeros([1, 2, D]));
    assert.deepEqual(layer.getWeights()[2].shape, [3 * H]);
    const sd = importKerasWeights('gru', layer.getWeights(), { resetAfter: false });
    assert.ok(sd.bias_hh_l0.data.every((v) => v === 0));
  });

  it('bad input names the argument, the expected and the given shape', () => {
    const k = { shape: [D, 4 * H], data: new Float32Array(D * 4 * H) };
    const r = { shape: [H, 4 * H], data: new Float32Array(H * 4 * H) };
    assert.throws(() => importKerasWeights('lstm', { kernel: { shape: [D, 3 * H], data: new Float32Array(D * 3 * H) }, recurrentKernel: r }), /weights\.kernel: expected shape \[D, 20\].*got \[4, 15\]/);
    assert.throws(() => importKerasWeights('lstm', { kernel: k, recurrentKernel: { shape: [H, 3 * H], data: new Float32Array(H * 3 * H) } }), /weights\.recurrentKernel: expected shape \[H, 4·H\].*got \[5, 15\]/);
    assert.throws(() => importKerasWeights('lstm', { kernel: k, recurrentKernel: r, bias: { shape: [2, 4 * H], data: new Float32Array(8 * H) } }), /weights\.bias: expected shape \[20\].*got \[2, 20\]/);
    assert.throws(() => importKerasWeights('lstm', { kernel: { shape: [D, 4 * H], data: new Float32Array(3) }, recurrentKernel: r }), /weights\.kernel: shape \[4, 20\] needs 80 values, got 3/);
    assert.throws(() => importKerasWeights('gru', { kernel: { shape: [D, 3 * H], data: new Float32Array(D * 3 * H) }, recurrentKernel: { shape: [H, 3 * H], data: new Float32Array(H * 3 * H) }, bias: { shape: [3, 3 * H], data: new Float32Array(9 * H) } }), /weights\.bias: expected shape \[15\] \(reset_after=False\) or \[2, 15\].*got \[3, 15\]/);
    assert.throws(() => importKerasWeights('simple_rnn' as 'lstm', [k, r]), /kind: expected 'rnn' \(SimpleRNN\), 'lstm' or 'gru'/);
    assert.throws(() => importKerasWeights('lstm', [k, r], { recurrentActivation: 'relu' }), /options\.recurrentActivation: rnnlab's gates are 'sigmoid' or 'hardSigmoid'.*relu/);
    assert.throws(() => importKerasWeights('lstm', [k, r], { units: 3 } as never), /options\.units: unknown option/);
    assert.throws(() => importKerasWeights('lstm', [k]), /weights: expected \[kernel, recurrent_kernel, bias\].*got 1/);
  });
});

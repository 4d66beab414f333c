/**
 * ONNX export (src/io/onnx.ts): every exported model runs in onnxruntime-web (its WebAssembly CPU
 * backend, in Node) and gives rnnlab's forward (float32; max error relative to scale < 1e-5) for the output, h_n and c_n: each cell, one and two layers,
 * with and without head, relu RNN, no bias, batchFirst, a given initial state, a float64 model (rounded),
 * dynamic T and B (one exported file run at two shapes), and PyTorch's own weights against torch's output.
 * Bidirectional layers and sequence_lens: test/interop-onnx-bidir.test.ts.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-web';
import { GRU, LSTM, RNN, decodeSafetensors } from '../src/index.js';
import { exportOnnx, type OnnxExportOptions } from '../src/io/onnx.js';
import { loadFixture, maxRelError, type JsonTensor } from './helpers/fixtures.js';
import { checkOnnx, type Model } from './helpers/onnx.js';

/** Runs the exported model in onnxruntime and compares with model.forward on the same input. */
async function check(model: Model, shape: [number, number], options: OnnxExportOptions = {}, bytes?: Uint8Array): Promise<void> {
  await checkOnnx(model, shape, options, bytes ? { bytes } : {});
}

const base = { inputSize: 3, hiddenSize: 5, seed: 3, backend: 'reference' } as const;

describe('ONNX export runs in onnxruntime-web as rnnlab', () => {
  for (const [name, make] of [
    ['RNN tanh', (o: object) => new RNN({ ...base, ...o })],
    ['RNN relu', (o: object) => new RNN({ ...base, nonlinearity: 'relu', ...o })],
    ['LSTM', (o: object) => new LSTM({ ...base, ...o })],
    ['GRU', (o: object) => new GRU({ ...base, ...o })],
  ] as const) {
    it(`${name}: 1 layer, no head`, () => check(make({}), [7, 2]));
    it(`${name}: 2 layers with a head`, () => check(make({ numLayers: 2, outputSize: 4 }), [6, 3]));
    it(`${name}: 2 layers, no head, initial state`, () => check(make({ numLayers: 2 }), [5, 2], { initialState: true }));
    it(`${name}: batchFirst, no bias, head`, () => check(make({ batchFirst: true, bias: false, outputSize: 2 }), [4, 3]));
  }

  it('dynamic T and B: one file, two input shapes', async () => {
    const m = new LSTM({ ...base, numLayers: 2, outputSize: 2 });
    const bytes = exportOnnx(m);
    await check(m, [3, 1], {}, bytes);
    await check(m, [11, 5], {}, bytes);
  });

  it('a float64 model is exported rounded to float32 and agrees to float32 rounding', async () => {
    await check(new GRU({ ...base, numLayers: 2, outputSize: 3, dtype: 'float64' }), [6, 2]);
  });

  it("PyTorch's own weights (test/fixtures/torch-lstm.safetensors) exported to ONNX give torch's output", async () => {
    const io = loadFixture<{ x: JsonTensor; output: JsonTensor }>('torch-lstm-io');
    const m = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, outputSize: 2, dtype: 'float64' });
    m.loadStateDict(decodeSafetensors(new Uint8Array(readFileSync(new URL('./fixtures/torch-lstm.safetensors', import.meta.url)))).tensors);
    const session = await ort.InferenceSession.create(exportOnnx(m));
    const got = await session.run({ x: new ort.Tensor('float32', Float32Array.from(io.x.data), io.x.shape) });
    const e = maxRelError(got.y.data as Float32Array, io.output);
    assert.ok(e < 1e-5, `max relative error ${e}`);
  });

  it('bad arguments give errors naming the argument, what was expected and what was given', () => {
    const m = new LSTM(base);
    assert.throws(() => exportOnnx({} as LSTM), /^TypeError: model: expected an rnnlab RNN, LSTM or GRU, got Object/);
    assert.throws(() => exportOnnx(m, { dtype: 'float64' as 'float32' }), /options\.dtype: expected 'float32'.*float32 only.*got string "float64"/);
    assert.throws(() => exportOnnx(m, { opset: 13 } as OnnxExportOptions), /options\.opset: unknown option \(expected one of initialState, sequenceLens, dtype, docString\)/);
    assert.throws(() => exportOnnx(m, { initialState: 1 } as unknown as OnnxExportOptions), /options\.initialState: expected true or false, got number 1/);
    assert.throws(() => exportOnnx(m, null as unknown as OnnxExportOptions), /options: expected an object/);
    const bad = new LSTM(base);
    // loadStateDict refuses NaN, so poke it in through a parameter buffer.
    bad.parameters().find((p) => p.name === 'weight_hh_l0')!.param.data[3] = Number.NaN;
    assert.throws(() => exportOnnx(bad), /model: parameter 'weight_hh_l0' holds a non-finite value \(NaN\) at flat index 3/);
  });
});

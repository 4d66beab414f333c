/**
 * ONNX export of bidirectional layers (direction = "bidirectional") and of padded batches (the
 * sequence_lens input): every exported file runs in onnxruntime-web (its WebAssembly CPU backend, in
 * Node) and gives rnnlab's forward, forward(x, state, { lengths }) with sequence_lens, to a max error
 * relative to scale < 1e-5 in float32 for y, h_n and c_n (each test logs what it measured), and
 * PyTorch's own padded bidirectional runs (test/fixtures/bidirectional.json) give torch's numbers.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import * as ort from 'onnxruntime-web';
import { GRU, LSTM, RNN, Rng } from '../src/index.js';
import type { RecurrentOptions } from '../src/layers/recurrent.js';
import { exportOnnx, type OnnxExportOptions } from '../src/io/onnx.js';
import { loadFixture, maxRelError, toTensors, type JsonTensor } from './helpers/fixtures.js';
import { ONNX_TOLERANCE, checkOnnx, describeErrors, random, type CheckExtra, type Model } from './helpers/onnx.js';

const base = { inputSize: 3, hiddenSize: 4, seed: 5, backend: 'reference' } as const;

const kinds = [
  ['RNN tanh', (o: Partial<RecurrentOptions>) => new RNN({ ...base, ...o })],
  ['RNN relu', (o: Partial<RecurrentOptions>) => new RNN({ ...base, nonlinearity: 'relu', ...o })],
  ['LSTM', (o: Partial<RecurrentOptions>) => new LSTM({ ...base, ...o })],
  ['GRU', (o: Partial<RecurrentOptions>) => new GRU({ ...base, ...o })],
] as const;

/** checkOnnx, with the errors it measured in the test's log. */
async function check(t: TestContext, model: Model, shape: [number, number], options: OnnxExportOptions = {}, extra: CheckExtra = {}): Promise<void> {
  t.diagnostic(describeErrors((await checkOnnx(model, shape, options, extra)).errors));
}

describe('ONNX export of bidirectional layers runs in onnxruntime-web as rnnlab', () => {
  for (const [name, make] of kinds) {
    it(`${name}: 1 bidirectional layer, no head`, (t) => check(t, make({ bidirectional: true }), [7, 2]));
    it(`${name}: 2 bidirectional layers with a head`, (t) => check(t, make({ bidirectional: true, numLayers: 2, outputSize: 3 }), [6, 3]));
    it(`${name}: 2 bidirectional layers from a given initial state`, (t) => check(t, make({ bidirectional: true, numLayers: 2 }), [5, 2], { initialState: true }));
    it(`${name}: bidirectional, batchFirst, no bias, head`, (t) => check(t, make({ bidirectional: true, batchFirst: true, bias: false, outputSize: 2 }), [4, 3]));
  }

  it('a model with dropout between layers is exported as its evaluation-mode function', async (t) => {
    const m = new LSTM({ ...base, numLayers: 2, bidirectional: true, dropout: 0.5 }).train(false);
    await check(t, m, [5, 2]);
  });
});

describe('ONNX export with sequence_lens runs in onnxruntime-web as forward(x, state, { lengths })', () => {
  for (const [name, make] of kinds) {
    it(`${name}: one direction, 2 layers, head, unsorted lengths shorter than T`, (t) =>
      check(t, make({ numLayers: 2, outputSize: 3 }), [6, 4], { sequenceLens: true }, { lengths: [5, 2, 4, 1] }));
    it(`${name}: 2 bidirectional layers from a given initial state`, (t) =>
      check(t, make({ numLayers: 2, bidirectional: true }), [5, 3], { sequenceLens: true, initialState: true }, { lengths: [3, 5, 1] }));
    it(`${name}: bidirectional, batchFirst, head`, (t) =>
      check(t, make({ bidirectional: true, batchFirst: true, outputSize: 2 }), [5, 3], { sequenceLens: true }, { lengths: [2, 5, 4] }));
  }

  it('without a head, y is exactly 0 at every padded step, in both directions', async () => {
    const lengths = [2, 5, 3];
    const { got } = await checkOnnx(new GRU({ ...base, numLayers: 2, bidirectional: true }), [5, 3], { sequenceLens: true }, { lengths });
    const y = got.y.data as Float32Array, W = 2 * base.hiddenSize;
    for (let t = 0; t < 5; t++) {
      for (let b = 0; b < 3; b++) {
        const row = Array.from(y.subarray((t * 3 + b) * W, (t * 3 + b + 1) * W));
        if (t >= lengths[b]) assert.deepEqual(row, new Array(W).fill(0), `step ${t}, sequence ${b}`);
        else assert.ok(row.some((v) => v !== 0), `step ${t}, sequence ${b}`);
      }
    }
  });

  it("with a head, y at a padded step is the head's bias, which is rnnlab's output there too", async () => {
    const m = new LSTM({ ...base, bidirectional: true, outputSize: 3 });
    const { got, ref } = await checkOnnx(m, [4, 2], { sequenceLens: true }, { lengths: [4, 1] });
    const bias = Array.from(m.stateDict()['head.bias'].data);
    for (let t = 1; t < 4; t++) {
      const at = (a: ArrayLike<number>): number[] => Array.from(a).slice((t * 2 + 1) * 3, (t * 2 + 2) * 3);
      assert.deepEqual(at(ref.output.data), bias);
      assert.ok(maxRelError(at(got.y.data as Float32Array), bias) < ONNX_TOLERANCE);
    }
  });

  it('a padded sequence gives what it gives alone and unpadded: y on its own steps, h_n and c_n', async () => {
    const m = new LSTM({ ...base, numLayers: 2, bidirectional: true });
    const session = await ort.InferenceSession.create(exportOnnx(m, { sequenceLens: true }));
    const T = 6, B = 2, D = base.inputSize, W = 2 * base.hiddenSize, H = base.hiddenSize, len = 3;
    const x = random(new Rng(9), [T, B, D]);
    const padded = await session.run({ x: new ort.Tensor('float32', x, [T, B, D]), sequence_lens: new ort.Tensor('int32', Int32Array.from([T, len]), [B]) });
    const alone = new Float32Array(len * D); // sequence 1's first len steps, as a batch of one
    for (let t = 0; t < len; t++) alone.set(x.subarray((t * B + 1) * D, (t * B + 2) * D), t * D);
    const single = await session.run({ x: new ort.Tensor('float32', alone, [len, 1, D]), sequence_lens: new ort.Tensor('int32', Int32Array.from([len]), [1]) });
    const column = (a: Float32Array, steps: number, w: number): number[] => {
      const out: number[] = [];
      for (let t = 0; t < steps; t++) out.push(...a.subarray((t * B + 1) * w, (t * B + 2) * w));
      return out;
    };
    assert.ok(maxRelError(column(padded.y.data as Float32Array, len, W), single.y.data as Float32Array) < ONNX_TOLERANCE);
    for (const k of ['h_n', 'c_n']) {
      const rows = 4; // numLayers · 2 state rows, each [B, H]: take sequence 1's
      const mine: number[] = [];
      for (let r = 0; r < rows; r++) mine.push(...(padded[k].data as Float32Array).subarray((r * B + 1) * H, (r * B + 2) * H));
      assert.ok(maxRelError(mine, single[k].data as Float32Array) < ONNX_TOLERANCE, k);
    }
  });

  it('one exported file serves any T, B and lengths', async (t) => {
    const m = new GRU({ ...base, numLayers: 2, bidirectional: true, outputSize: 2 });
    const bytes = exportOnnx(m, { sequenceLens: true });
    await check(t, m, [3, 1], {}, { bytes, lengths: [2] });
    await check(t, m, [9, 5], {}, { bytes, lengths: [9, 1, 4, 7, 3] });
  });

  it('the graph inputs are x, h0, c0 then sequence_lens, so the inputs before it keep their places', async () => {
    const session = await ort.InferenceSession.create(exportOnnx(new LSTM({ ...base, bidirectional: true }), { initialState: true, sequenceLens: true }));
    assert.deepEqual(session.inputNames, ['x', 'h0', 'c0', 'sequence_lens']);
    assert.deepEqual(session.outputNames, ['y', 'h_n', 'c_n']);
  });
});

interface TorchCase {
  label: string; kind: 'rnn' | 'lstm' | 'gru'; dtype: 'float32' | 'float64'; bidirectional: boolean; batchFirst: boolean; lengths: number[] | null;
  D: number; H: number; numLayers: number; projSize?: number; stateDict: Record<string, JsonTensor>;
  x: JsonTensor; h0: JsonTensor; c0?: JsonTensor; output: JsonTensor; hN: JsonTensor; cN?: JsonTensor;
}

describe("PyTorch's padded runs exported to ONNX", () => {
  const { cases } = loadFixture<{ cases: TorchCase[] }>('bidirectional');
  // An LSTM with a projection (projSize > 0) has no standard ONNX counterpart: see the refusals below.
  for (const c of cases.filter((k) => k.dtype === 'float64' && k.lengths !== null && !k.projSize)) {
    it(`${c.label}: torch's weights give torch's output and final states in onnxruntime`, async (t) => {
      const o = { inputSize: c.D, hiddenSize: c.H, numLayers: c.numLayers, bidirectional: c.bidirectional, batchFirst: c.batchFirst, dtype: 'float64' } as const;
      const m = c.kind === 'lstm' ? new LSTM(o) : c.kind === 'gru' ? new GRU(o) : new RNN(o);
      m.loadStateDict(toTensors(c.stateDict));
      const session = await ort.InferenceSession.create(exportOnnx(m, { initialState: true, sequenceLens: true }));
      const f = (j: JsonTensor): ort.Tensor => new ort.Tensor('float32', Float32Array.from(j.data), j.shape);
      const feeds: Record<string, ort.Tensor> = { x: f(c.x), h0: f(c.h0), sequence_lens: new ort.Tensor('int32', Int32Array.from(c.lengths!), [c.lengths!.length]) };
      if (c.c0) feeds.c0 = f(c.c0);
      const got = await session.run(feeds);
      const e = { y: maxRelError(got.y.data as Float32Array, c.output), h_n: maxRelError(got.h_n.data as Float32Array, c.hN), ...(c.cN ? { c_n: maxRelError(got.c_n.data as Float32Array, c.cN) } : {}) };
      t.diagnostic(describeErrors(e).replace('vs rnnlab', 'vs torch'));
      for (const [k, v] of Object.entries(e)) assert.ok(v < ONNX_TOLERANCE, `${k}: max relative error ${v}`);
    });
  }
});

describe('ONNX export refuses what the standard operators cannot express', () => {
  /** An LSTM carrying PyTorch's projection weight, as a future projSize would add it. */
  class ProjectedLSTM extends LSTM {
    constructor(extra: string) {
      super(base);
      this.addParameter(extra, [base.hiddenSize, base.hiddenSize]);
    }
  }

  it('an LSTM projection (weight_hr_l0, PyTorch proj_size) is refused by name', () => {
    assert.throws(() => exportOnnx(new ProjectedLSTM('weight_hr_l0')), /^RangeError: model: parameter 'weight_hr_l0' is an LSTM projection \(PyTorch's proj_size\), which the standard ONNX LSTM operator has no input for/);
  });

  it('any other parameter the graph has no place for is refused by name rather than dropped', () => {
    assert.throws(() => exportOnnx(new ProjectedLSTM('layer_norm.weight')), /^RangeError: model: parameter 'layer_norm\.weight' has no place in the standard ONNX RNN\/LSTM\/GRU operators/);
  });

  /** A model marked as a cell variant the way models.ts marks one (a public read-only option), whichever version built it. */
  const variant = <M extends Model>(m: M, key: string, value: unknown): M => Object.defineProperty(m, key, { value });

  it("an LSTM or GRU with hard-sigmoid gates (Keras' recurrentActivation) is refused by name, not exported as sigmoid", () => {
    assert.throws(() => exportOnnx(variant(new LSTM(base), 'recurrentActivation', 'hardSigmoid')), /^RangeError: model: an LSTM with recurrentActivation string "hardSigmoid" is not exported to ONNX yet/);
    assert.throws(() => exportOnnx(variant(new GRU(base), 'recurrentActivation', 'hardSigmoid')), /^RangeError: model: a GRU with recurrentActivation string "hardSigmoid"/);
  });

  it('a GRU with the reset gate before the product (resetAfter false) is refused by name, not exported as PyTorch\'s GRU', () => {
    assert.throws(() => exportOnnx(variant(new GRU(base), 'resetAfter', false)), /^RangeError: model: a GRU with resetAfter boolean false \(the reset gate before W_hn\) is not exported to ONNX yet/);
  });

  it('options.sequenceLens other than true or false is a TypeError naming it', () => {
    assert.throws(() => exportOnnx(new GRU(base), { sequenceLens: 'yes' } as unknown as OnnxExportOptions), /^TypeError: options\.sequenceLens: expected true or false, got string "yes"/);
  });
});

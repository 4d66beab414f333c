/**
 * Streaming: model.step(x_t, state) one time step at a time gives what forward() gives over the whole
 * sequence, for every cell and option that streams, and reuses its buffers once warm.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRU, LSTM, RNN } from '../src/layers/models.js';
import { SGD } from '../src/optim/sgd.js';
import { setWasmThreads, wasmArena } from '../src/tensor/wasm/arena.js';
import type { Recurrent, RecurrentState } from '../src/layers/recurrent.js';
import { Rng } from '../src/tensor/random.js';
import { Tensor, tensor, type DType } from '../src/tensor/tensor.js';

const T = 6, B = 3, D = 4;

function sequence(dtype: DType, seed = 1): Tensor {
  const rng = new Rng(seed);
  return tensor(Array.from({ length: T * B * D }, () => rng.normal()), [T, B, D], dtype);
}

/** Steps through x [T, B, D] from `state`; the outputs stacked [T, B, ·] and the last state. */
function streamed(m: Recurrent, x: Tensor, state: RecurrentState = {}): { out: number[]; h: number[]; c?: number[] } {
  const out: number[] = [];
  let s = state, last: ReturnType<Recurrent['step']> | null = null;
  for (let t = 0; t < T; t++) {
    const xt = new Tensor(x.data.slice(t * B * D, (t + 1) * B * D), [B, D]);
    last = m.step(xt, s);
    out.push(...last.output.data);
    s = last.c ? { h: last.h, c: last.c } : { h: last.h };
  }
  return { out, h: [...last!.h.data], ...(last!.c ? { c: [...last!.c.data] } : {}) };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

const models: [string, (dtype: DType, backend: 'reference' | 'wasm') => Recurrent][] = [
  ['RNN tanh, 2 layers, head', (dtype, backend) => new RNN({ inputSize: D, hiddenSize: 5, numLayers: 2, outputSize: 2, dtype, backend, seed: 3 })],
  ['RNN relu', (dtype, backend) => new RNN({ inputSize: D, hiddenSize: 5, nonlinearity: 'relu', dtype, backend, seed: 3 })],
  ['LSTM, 2 layers, head', (dtype, backend) => new LSTM({ inputSize: D, hiddenSize: 5, numLayers: 2, outputSize: 3, dtype, backend, seed: 4 })],
  ['GRU, 2 layers', (dtype, backend) => new GRU({ inputSize: D, hiddenSize: 5, numLayers: 2, dtype, backend, seed: 5 })],
];

describe('step() one step at a time gives forward()’s numbers', () => {
  for (const [label, make] of models) {
    it(`${label}: float64 on the reference backend, to 1e-12, from a given initial state`, () => {
      const m = make('float64', 'reference');
      const x = sequence('float64');
      const h0 = tensor(Array.from({ length: m.numLayers * B * 5 }, (_, i) => Math.sin(i)), [m.numLayers, B, 5], 'float64');
      const c0 = tensor(Array.from({ length: m.numLayers * B * 5 }, (_, i) => Math.cos(i)), [m.numLayers, B, 5], 'float64');
      const state = m instanceof LSTM ? { h: h0, c: c0 } : { h: h0 };
      const f = m.forward(x, state), s = streamed(m, x, state);
      assert.ok(maxDiff(s.out, f.output.data) < 1e-12, `output ${maxDiff(s.out, f.output.data)}`);
      assert.ok(maxDiff(s.h, f.h.data) < 1e-12);
      if (f.c) assert.ok(maxDiff(s.c!, f.c.data) < 1e-12);
    });

    it(`${label}: float32, against the wasm backend's forward, to 1e-5`, () => {
      const m = make('float32', 'wasm');
      const x = sequence('float32');
      const f = m.forward(x), s = streamed(m, x);
      assert.ok(maxDiff(s.out, f.output.data) < 1e-5, `output ${maxDiff(s.out, f.output.data)}`);
    });
  }

  it('float32 on the wasm backend at a batch of 6 too (from 4 rows the step multiplies by the packed GEMM, under 4 row by row), switching back and forth', () => {
    for (const [label, make] of models) {
      const m = make('float32', 'wasm');
      for (const b of [6, 1, 6]) {
        const rng = new Rng(b);
        const x = tensor(Array.from({ length: 2 * b * D }, () => rng.normal()), [2, b, D], 'float32');
        let state: RecurrentState = {};
        const out: number[] = [];
        for (let t = 0; t < 2; t++) {
          const r = m.step(new Tensor(x.data.slice(t * b * D, (t + 1) * b * D), [b, D]), state);
          out.push(...r.output.data);
          state = r.c ? { h: r.h, c: r.c } : { h: r.h };
        }
        const f = m.forward(x);
        assert.ok(maxDiff(out, f.output.data) < 1e-5, `${label}, B ${b}: ${maxDiff(out, f.output.data)}`);
      }
    }
  });

  it('an LSTM with a projection and the Keras variants stream too', () => {
    for (const m of [
      new LSTM({ inputSize: D, hiddenSize: 5, projSize: 2, numLayers: 2, dtype: 'float64', seed: 6 }),
      new LSTM({ inputSize: D, hiddenSize: 5, recurrentActivation: 'hardSigmoid', dtype: 'float64', seed: 7 }),
      new GRU({ inputSize: D, hiddenSize: 5, resetAfter: false, dtype: 'float64', seed: 8 }),
    ] as Recurrent[]) {
      const x = sequence('float64', 2);
      const f = m.forward(x), s = streamed(m, x);
      assert.ok(maxDiff(s.out, f.output.data) < 1e-12, `${maxDiff(s.out, f.output.data)}`);
    }
  });
});

describe('the stream’s state', () => {
  it('starts from zeros without a state, and from the caller’s state when it is not the one returned last', () => {
    const m = new GRU({ inputSize: D, hiddenSize: 5, dtype: 'float64', seed: 9 });
    const x = new Tensor(sequence('float64').data.slice(0, B * D), [B, D]);
    const first = [...m.step(x).output.data];
    m.step(x, m.step(x)); // move the stream on
    assert.deepEqual([...m.step(x).output.data], first); // no state: zeros again
    const h = tensor(new Array(B * 5).fill(0.3), [1, B, 5], 'float64');
    const a = [...m.step(x, { h }).output.data];
    assert.deepEqual([...m.forward(new Tensor(x.data.slice(), [1, B, D]), { h }).output.data], a);
  });

  it('reuses two state buffers in turn once warm, so a step allocates no new state', () => {
    const m = new LSTM({ inputSize: D, hiddenSize: 5, dtype: 'float64' });
    const x = new Tensor(new Float64Array(B * D).fill(0.1), [B, D]);
    const r1 = m.step(x), r2 = m.step(x, r1), r3 = m.step(x, r2);
    assert.notEqual(r1.h, r2.h);
    assert.equal(r3.h, r1.h);
    assert.equal(r2.output, r1.output); // one output buffer: the next step rewrites it
  });

  it('refuses a bidirectional model and an input that is not [B, inputSize], by name', () => {
    assert.throws(() => new GRU({ inputSize: D, hiddenSize: 2, bidirectional: true }).step(new Tensor(new Float32Array(D), [1, D])), /step: a bidirectional layer has no streaming step/);
    assert.throws(() => new GRU({ inputSize: D, hiddenSize: 2 }).step(new Tensor(new Float32Array(2 * D), [1, 2, D])), /x: expected .*\[B, inputSize\]/);
  });
});

describe('the fast backend’s step keeps the weights packed and packs them again when they change', () => {
  const x = new Tensor(Float32Array.from({ length: B * D }, (_, i) => Math.sin(i)), [B, D]);
  const oneStep = (m: Recurrent): number[] => [...m.forward(new Tensor(x.data.slice(), [1, B, D])).output.data];

  it('after an optimizer step the next step() uses the new weights', () => {
    const m = new LSTM({ inputSize: D, hiddenSize: 6, outputSize: 2, backend: 'wasm', seed: 12 });
    const before = [...m.step(x).output.data];
    for (const { grad } of m.parameters()) grad.data.fill(0.5);
    new SGD(m, { lr: 0.1 }).step();
    const after = [...m.step(x).output.data];
    assert.notDeepEqual(after, before);
    assert.ok(maxDiff(after, oneStep(m)) < 1e-5, `${maxDiff(after, oneStep(m))}`);
  });

  it('after loadStateDict the next step() uses the loaded weights', () => {
    const m = new GRU({ inputSize: D, hiddenSize: 6, numLayers: 2, backend: 'wasm', seed: 13 });
    m.step(x);
    m.loadStateDict(new GRU({ inputSize: D, hiddenSize: 6, numLayers: 2, seed: 14 }).stateDict());
    assert.ok(maxDiff(m.step(x).output.data, oneStep(m)) < 1e-5);
  });

  it('runs on without biases, at a new batch size, and after setWasmThreads replaced the WebAssembly memory with a private one', () => {
    const m = new RNN({ inputSize: D, hiddenSize: 6, bias: false, backend: 'wasm', seed: 15 });
    assert.ok(maxDiff(m.step(x).output.data, oneStep(m)) < 1e-5);
    const x1 = new Tensor(x.data.slice(0, D), [1, D]);
    assert.ok(maxDiff(m.step(x1).output.data, m.forward(new Tensor(x1.data.slice(), [1, 1, D])).output.data) < 1e-5);
    // A private memory, as in a page without cross-origin isolation: its views die when it grows.
    setWasmThreads(1, { sharedMemory: false });
    try {
      assert.ok(maxDiff(m.step(x).output.data, oneStep(m)) < 1e-5);
    } finally {
      setWasmThreads(1);
    }
  });
});

describe('forward(x, state, { cache: false })', () => {
  it('leaves nothing in the fast backend’s memory, where a caching forward keeps its cache there', () => {
    const m = new GRU({ inputSize: D, hiddenSize: 5, numLayers: 3, backend: 'wasm', seed: 16 });
    const x = sequence('float32', 4);
    const ar = wasmArena()!;
    const before = ar.usedBytes;
    m.forward(x, {}, { cache: false });
    assert.equal(ar.usedBytes, before);
    m.forward(x);
    assert.ok(!ar.shared || ar.usedBytes > before, 'on shared memory the cache stays in the arena until the next forward');
    m.forward(x, {}, { cache: false });
    assert.equal(ar.usedBytes, before);
  });

  for (const backend of ['reference', 'wasm'] as const) {
    it(`gives the caching forward's numbers exactly (${backend}), and backward after it says why it cannot run`, () => {
      const dtype: DType = backend === 'wasm' ? 'float32' : 'float64';
      const m = new LSTM({ inputSize: D, hiddenSize: 5, numLayers: 2, outputSize: 2, dtype, backend, seed: 11 });
      const x = sequence(dtype, 3);
      const a = m.forward(x, {}, { cache: false });
      const b = m.forward(x);
      assert.deepEqual([...a.output.data], [...b.output.data]);
      assert.deepEqual([...a.h.data], [...b.h.data]);
      assert.deepEqual([...a.c.data], [...b.c.data]);
      m.forward(x, {}, { cache: false });
      assert.throws(() => m.backward(a.output), /backward: the last forward ran with \{ cache: false \}/);
    });
  }
});

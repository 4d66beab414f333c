/**
 * The fast float32 backend (WebAssembly SIMD GEMMs over whole sequences) must give the reference
 * backend's numbers to float32 rounding: outputs, final states, every parameter gradient, dx, and the
 * per-step gradients, for every cell, with odd sizes that leave partial SIMD tiles.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GRU, LSTM, RNN, Rng, Tensor, type Recurrent, type RecurrentOptions } from '../src/index.js';
import { matmulNN, matmulNT, matmulTNAcc } from '../src/tensor/kernels.js';
import { WasmArena, setWasmThreads, wasmArena } from '../src/tensor/wasm/arena.js';
import { maxRelError } from './helpers/fixtures.js';

const TOL = 2e-5;

function rand(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

type Ctor = new (o: RecurrentOptions) => Recurrent;

function pair(Model: Ctor, opts: Omit<RecurrentOptions, 'backend'>): [Recurrent, Recurrent] {
  return [new Model({ ...opts, backend: 'reference' }), new Model({ ...opts, backend: 'wasm' })];
}

function compare(Model: Ctor, opts: Omit<RecurrentOptions, 'backend'>, T: number, B: number): void {
  const [ref, fast] = pair(Model, opts);
  assert.equal(ref.backend, 'reference');
  assert.equal(fast.backend, 'wasm');
  const rng = new Rng(7);
  const D = opts.inputSize, H = opts.hiddenSize, L = opts.numLayers ?? 1;
  const xShape = opts.batchFirst ? [B, T, D] : [T, B, D];
  const x = new Tensor(rand(rng, T * B * D), xShape);
  const hasCell = Model === LSTM;
  const state = { h: new Tensor(rand(rng, L * B * H), [L, B, H]), ...(hasCell ? { c: new Tensor(rand(rng, L * B * H), [L, B, H]) } : {}) };
  const a = ref.forward(x, state), b = fast.forward(x, state);
  assert.ok(maxRelError(b.output, a.output) < TOL, 'output');
  assert.ok(maxRelError(b.h, a.h) < TOL, 'h');
  if (hasCell) assert.ok(maxRelError(b.c!, a.c!) < TOL, 'c');
  const dOut = new Tensor(rand(rng, a.output.size), a.output.shape);
  const dState = { h: new Tensor(rand(rng, L * B * H), [L, B, H]), ...(hasCell ? { c: new Tensor(rand(rng, L * B * H), [L, B, H]) } : {}) };
  const ga = ref.backward(dOut, dState, { keepStepGradients: true });
  const gb = fast.backward(dOut, dState, { keepStepGradients: true });
  assert.ok(maxRelError(gb.dx, ga.dx) < TOL, 'dx');
  assert.ok(maxRelError(gb.dh, ga.dh) < TOL, 'dh0');
  if (hasCell) assert.ok(maxRelError(gb.dc!, ga.dc!) < TOL, 'dc0');
  for (const [name, g] of Object.entries(ga.grads)) {
    const err = maxRelError(gb.grads[name], g);
    assert.ok(err < TOL, `${name}: relative error ${err}`);
  }
  for (let l = 0; l < L; l++) {
    assert.ok(maxRelError(gb.steps!.dh[l], ga.steps!.dh[l]) < TOL, `steps.dh[${l}]`);
    if (hasCell) assert.ok(maxRelError(gb.steps!.dc![l], ga.steps!.dc![l]) < TOL, `steps.dc[${l}]`);
  }
}

test('wasm backend: LSTM, 2 layers with a head, odd sizes, equals the reference to float32 rounding', () => {
  compare(LSTM, { inputSize: 5, hiddenSize: 7, numLayers: 2, outputSize: 3, seed: 1 }, 6, 3);
});

test('wasm backend: GRU (the reset gate on W_hn h + b_hn) equals the reference', () => {
  compare(GRU, { inputSize: 9, hiddenSize: 13, numLayers: 2, outputSize: 2, seed: 2 }, 5, 5);
});

test('wasm backend: tanh RNN equals the reference', () => {
  compare(RNN, { inputSize: 4, hiddenSize: 16, outputSize: 4, seed: 3 }, 8, 4);
});

test('wasm backend: ReLU RNN without biases, batch-first, equals the reference', () => {
  compare(RNN, { inputSize: 3, hiddenSize: 10, bias: false, batchFirst: true, nonlinearity: 'relu', seed: 4 } as RecurrentOptions, 7, 2);
});

test('wasm backend: a single sequence (B = 1) with H a multiple of 8 equals the reference', () => {
  compare(LSTM, { inputSize: 8, hiddenSize: 32, outputSize: 8, seed: 5 }, 20, 1);
});

test('wasm backend: a GRU on a batch of 2 (all steps in one WebAssembly call, row by row) equals the reference', () => {
  compare(GRU, { inputSize: 6, hiddenSize: 11, outputSize: 3, seed: 8 }, 7, 2);
});

test('wasm backend: a batch of 2 with products large enough to share out across threads (step by step, row by row) equals the reference', () => {
  compare(LSTM, { inputSize: 16, hiddenSize: 128, seed: 9 }, 4, 2);
});

test('wasm backend: larger sizes (several K blocks in the weight-gradient GEMM) equal the reference', () => {
  compare(LSTM, { inputSize: 24, hiddenSize: 40, seed: 6 }, 30, 11);
});

test("backend 'auto' is wasm for float32 and reference for float64", () => {
  assert.equal(new LSTM({ inputSize: 2, hiddenSize: 3 }).backend, 'wasm');
  assert.equal(new LSTM({ inputSize: 2, hiddenSize: 3, dtype: 'float64' }).backend, 'reference');
});

test("backend 'wasm' with float64 is an error naming backend and the dtype", () => {
  assert.throws(() => new GRU({ inputSize: 2, hiddenSize: 3, dtype: 'float64', backend: 'wasm' }), /backend: 'wasm' runs float32 only, got dtype float64/);
});

test('an unknown backend is an error naming backend and listing the choices', () => {
  assert.throws(() => new RNN({ inputSize: 2, hiddenSize: 3, backend: 'gpu' as never }), /backend.*auto.*reference.*wasm.*gpu/s);
});

test('the WebAssembly GEMM equals the reference matrix products, as stored, transposed and accumulating', () => {
  const ar = wasmArena()!;
  const rng = new Rng(11);
  for (const [M, N, K] of [[1, 1, 1], [4, 8, 3], [5, 9, 7], [1, 512, 130], [3, 24, 64], [13, 17, 300], [64, 33, 20], [70, 8, 513]]) {
    const sc = ar.scope();
    const a = rand(rng, M * K), b = rand(rng, K * N), c0 = rand(rng, M * N);
    const pa = sc.alloc(M * K), pb = sc.alloc(K * N), pbp = sc.alloc(WasmArena.packedSize(K, N)), pc = sc.alloc(M * N);
    const check = (want: Float32Array, what: string): void => {
      const err = maxRelError(ar.f32(pc, M * N), want);
      assert.ok(err < 1e-5, `${what} ${M}x${N}x${K}: ${err}`);
    };
    // C = A B with B stored [K, N]
    ar.f32(pa, M * K).set(a);
    ar.f32(pb, K * N).set(b);
    ar.kernel.packNN(pb, K, N, N, pbp);
    ar.gemm(M, N, K, pa, K, 0, pbp, pc, N, 0);
    const want = new Float32Array(M * N);
    matmulNN(want, a, b, M, K, N);
    check(want, 'NN');
    // C += A B
    ar.f32(pc, M * N).set(c0);
    ar.gemm(M, N, K, pa, K, 0, pbp, pc, N, 1);
    const acc = c0.slice();
    matmulNN(acc, a, b, M, K, N, true);
    check(acc, 'NN accumulate');
    // C = A Bᵀ with B stored [N, K] (a weight)
    ar.kernel.packNT(pb, K, N, K, pbp);
    ar.gemm(M, N, K, pa, K, 0, pbp, pc, N, 0);
    matmulNT(want, a, b, M, K, N);
    check(want, 'NT');
    // C = Aᵀ B with A stored [K, M]
    ar.kernel.packNN(pb, K, N, N, pbp);
    ar.gemm(M, N, K, pa, M, 1, pbp, pc, N, 0);
    want.fill(0);
    matmulTNAcc(want, a, b, M, K, N);
    check(want, 'TN');
    sc.close();
  }
});

test('the WebAssembly matrix-vector product equals the reference one, with row and column tails, strided and accumulating', () => {
  const ar = wasmArena()!;
  const rng = new Rng(12);
  for (const [N, K, ldw] of [[1, 1, 1], [4, 4, 4], [7, 5, 9], [512, 192, 192], [13, 130, 131]]) {
    const sc = ar.scope();
    const w = rand(rng, N * ldw), x = rand(rng, K), y0 = rand(rng, N);
    const pw = sc.alloc(N * ldw), px = sc.alloc(K), py = sc.alloc(N);
    ar.f32(pw, N * ldw).set(w);
    ar.f32(px, K).set(x);
    const want = (acc: boolean): Float32Array => Float32Array.from({ length: N }, (_, j) => {
      let s = acc ? y0[j] : 0;
      for (let k = 0; k < K; k++) s += w[j * ldw + k] * x[k];
      return s;
    });
    ar.kernel.gemv(N, K, pw, ldw, px, py, 0);
    assert.ok(maxRelError(ar.f32(py, N), want(false)) < 1e-5, `${N}x${K} (ldw ${ldw})`);
    ar.f32(py, N).set(y0);
    ar.kernel.gemv(N, K, pw, ldw, px, py, 1);
    assert.ok(maxRelError(ar.f32(py, N), want(true)) < 1e-5, `${N}x${K} accumulate`);
    sc.close();
  }
});

test('on a private (not shared) memory, where caches are copied out and back, the backend still equals the reference', () => {
  setWasmThreads(1, { sharedMemory: false });
  try {
    assert.equal(wasmArena()!.shared, false);
    compare(LSTM, { inputSize: 5, hiddenSize: 7, numLayers: 2, outputSize: 3, seed: 1 }, 6, 3);
    compare(GRU, { inputSize: 9, hiddenSize: 13, outputSize: 2, seed: 2 }, 5, 5);
  } finally {
    setWasmThreads(1);
  }
});

test("a forward's cache stays in the arena until the model's next forward, which gives it back", () => {
  setWasmThreads(1);
  const ar = wasmArena()!;
  assert.equal(ar.shared, true);
  const model = new LSTM({ inputSize: 6, hiddenSize: 24, outputSize: 6, seed: 9 });
  const x = new Tensor(rand(new Rng(1), 30 * 4 * 6), [30, 4, 6]);
  const before = ar.usedBytes;
  const { output } = model.forward(x);
  const held = ar.usedBytes - before;
  assert.ok(held >= 4 * 31 * 4 * 24 * 2, `the cache (h and c of every step at least) is held: ${held} bytes`);
  model.backward(output);
  assert.equal(ar.usedBytes - before, held, 'backward gives back all of its scratch');
  for (let i = 0; i < 3; i++) model.forward(x);
  assert.equal(ar.usedBytes - before, held, 'each forward gives back the previous cache');
});

test('arena scopes give back exactly what they took, and freed neighbours merge for a larger request', () => {
  const ar = wasmArena()!;
  const before = ar.usedBytes;
  const a = ar.scope(), b = ar.scope();
  const pa = a.alloc(1000), pb = b.alloc(1000);
  assert.notEqual(pa, pb);
  a.close();
  b.close();
  assert.equal(ar.usedBytes, before);
  const c = ar.scope();
  const pc = c.alloc(2000); // fits where the two merged blocks were
  assert.ok(pc <= Math.max(pa, pb));
  c.close();
  assert.equal(ar.usedBytes, before);
});

/**
 * Large GEMMs shared with worker threads (src/tensor/wasm/pool.ts) give exactly the single-thread numbers:
 * each piece is the same kernel on a disjoint block of C, so not even the rounding may differ.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GRU, LSTM, RNN, Rng, Tensor, mseLoss } from '../src/index.js';
import { WasmArena, setWasmThreads, wasmArena } from '../src/tensor/wasm/arena.js';

function rand(rng: Rng, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

/** Runs C = A·B (A as stored or transposed) on the current arena and returns C. */
function gemmOnce(M: number, N: number, K: number, aTrans: boolean, seed: number): Float32Array {
  const ar = wasmArena()!;
  const rng = new Rng(seed);
  const sc = ar.scope();
  const pa = sc.alloc(M * K), pb = sc.alloc(K * N), pbp = sc.alloc(WasmArena.packedSize(K, N)), pc = sc.alloc(M * N);
  ar.f32(pa, M * K).set(rand(rng, M * K));
  ar.f32(pb, K * N).set(rand(rng, K * N));
  ar.kernel.packNN(pb, K, N, N, pbp);
  ar.gemm(M, N, K, pa, aTrans ? M : K, aTrans ? 1 : 0, pbp, pc, N, 0);
  const out = ar.f32(pc, M * N).slice();
  sc.close();
  return out;
}

/**
 * Losses and final gradients of a few SGD steps. The sizes put each step's cell kernels above the size at
 * which they are shared out by rows (WasmArena.rows), so two threads split those too.
 */
function train(cell: 'lstm' | 'gru' | 'rnn', steps: number): { losses: number[]; grads: number[][] } {
  const H = cell === 'rnn' ? 256 : 64, B = 48, T = 12, D = 16;
  const model = cell === 'lstm' ? new LSTM({ inputSize: D, hiddenSize: H, outputSize: D, seed: 3 })
    : cell === 'gru' ? new GRU({ inputSize: D, hiddenSize: H, outputSize: D, seed: 3 }) : new RNN({ inputSize: D, hiddenSize: H, outputSize: D, seed: 3 });
  const rng = new Rng(4);
  const x = new Tensor(rand(rng, T * B * D), [T, B, D]), y = new Tensor(rand(rng, T * B * D), [T, B, D]);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    model.zeroGrad();
    const { output } = model.forward(x);
    const l = mseLoss(output, y);
    model.backward(l.grad);
    for (const { param, grad } of model.parameters()) for (let i = 0; i < param.size; i++) param.data[i] -= 0.1 * grad.data[i];
    losses.push(l.loss);
  }
  return { losses, grads: model.parameters().map(({ grad }) => [...grad.data]) };
}

test('a GEMM split over two threads equals the one-thread GEMM bit for bit (by columns, by rows, transposed)', async () => {
  const shapes: [number, number, number, boolean][] = [[64, 1024, 256, false], [3000, 12, 300, false], [512, 40, 2000, true]];
  setWasmThreads(1);
  const single = shapes.map(([M, N, K, t], i) => gemmOnce(M, N, K, t, i));
  setWasmThreads(2);
  assert.equal(await wasmArena()!.waitForThreads(2), 2, 'the helper thread did not start');
  shapes.forEach(([M, N, K, t], i) => assert.deepEqual(gemmOnce(M, N, K, t, i), single[i], `${M}x${N}x${K}${t ? ' transposed' : ''}`));
});

/** y = W x through the arena (shared out by rows of W on more than one thread); returns y. */
function gemvOnce(N: number, K: number, seed: number): Float32Array {
  const ar = wasmArena()!;
  const rng = new Rng(seed);
  const sc = ar.scope();
  const pw = sc.alloc(N * K), px = sc.alloc(K), py = sc.alloc(N);
  ar.f32(pw, N * K).set(rand(rng, N * K));
  ar.f32(px, K).set(rand(rng, K));
  ar.gemv(N, K, pw, K, px, py);
  const out = ar.f32(py, N).slice();
  sc.close();
  return out;
}

test('a matrix-vector product split over two threads equals the one-thread product bit for bit, rows in groups of four and in tails alike', async () => {
  // 1023 rows: the two halves meet at row 511, so rows that are in a group of four on one thread are
  // a tail on two.
  const shapes: [number, number][] = [[1023, 330], [4096, 64]];
  setWasmThreads(1);
  const single = shapes.map(([N, K], i) => gemvOnce(N, K, i));
  setWasmThreads(2);
  assert.equal(await wasmArena()!.waitForThreads(2), 2, 'the helper thread did not start');
  shapes.forEach(([N, K], i) => assert.deepEqual(gemvOnce(N, K, i), single[i], `${N}x${K}`));
});

/** Five streaming steps of an LSTM at B = 1 (the fused step, shared out by cells); the outputs. */
function streamOnce(H: number): number[] {
  const model = new LSTM({ inputSize: 64, hiddenSize: H, numLayers: 2, outputSize: 5, seed: 5 });
  const rng = new Rng(6);
  let state = {};
  const out: number[] = [];
  for (let t = 0; t < 5; t++) {
    const r = model.step(new Tensor(rand(rng, 64), [1, 64]), state);
    out.push(...r.output.data, ...r.h.data, ...r.c!.data);
    state = { h: r.h, c: r.c };
  }
  return out;
}

test("an LSTM's streaming step shared out by cells over two threads equals the one-thread step bit for bit", async () => {
  // H 130: the halves meet at cell 65, which is in a group of four on one thread and alone on two.
  setWasmThreads(1);
  const single = [256, 130].map(streamOnce);
  setWasmThreads(2);
  assert.equal(await wasmArena()!.waitForThreads(2), 2, 'the helper thread did not start');
  [256, 130].forEach((H, i) => assert.deepEqual(streamOnce(H), single[i], `H ${H}`));
});

for (const cell of ['lstm', 'gru', 'rnn'] as const) {
  test(`training a${cell === 'rnn' ? 'n' : ''} ${cell.toUpperCase()} on two threads (GEMMs and cell kernels shared out) gives the one-thread losses and gradients bit for bit`, async () => {
    setWasmThreads(1);
    const one = train(cell, 3);
    setWasmThreads(2);
    await wasmArena()!.waitForThreads(2);
    assert.deepEqual(train(cell, 3), one);
  });
}

test('setWasmThreads rejects 0, naming threads and the value', () => {
  assert.throws(() => setWasmThreads(0), /threads: expected an integer from 1 to 64, got 0/);
});

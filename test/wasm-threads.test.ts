/**
 * Large GEMMs shared with worker threads (src/tensor/wasm/pool.ts) give exactly the single-thread numbers:
 * each piece is the same kernel on a disjoint block of C, so not even the rounding may differ.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LSTM, Rng, Tensor, mseLoss } from '../src/index.js';
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

function trainLosses(steps: number): number[] {
  const model = new LSTM({ inputSize: 16, hiddenSize: 64, outputSize: 16, seed: 3 });
  const rng = new Rng(4);
  const [T, B] = [20, 24];
  const x = new Tensor(rand(rng, T * B * 16), [T, B, 16]), y = new Tensor(rand(rng, T * B * 16), [T, B, 16]);
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    model.zeroGrad();
    const { output } = model.forward(x);
    const l = mseLoss(output, y);
    model.backward(l.grad);
    for (const { param, grad } of model.parameters()) for (let i = 0; i < param.size; i++) param.data[i] -= 0.1 * grad.data[i];
    losses.push(l.loss);
  }
  return losses;
}

test('a GEMM split over two threads equals the one-thread GEMM bit for bit (by columns, by rows, transposed)', async () => {
  const shapes: [number, number, number, boolean][] = [[64, 1024, 256, false], [3000, 12, 300, false], [512, 40, 2000, true]];
  setWasmThreads(1);
  const single = shapes.map(([M, N, K, t], i) => gemmOnce(M, N, K, t, i));
  setWasmThreads(2);
  assert.equal(await wasmArena()!.waitForThreads(2), 2, 'the helper thread did not start');
  shapes.forEach(([M, N, K, t], i) => assert.deepEqual(gemmOnce(M, N, K, t, i), single[i], `${M}x${N}x${K}${t ? ' transposed' : ''}`));
});

test('training an LSTM on two threads gives the same losses as on one', async () => {
  setWasmThreads(1);
  const one = trainLosses(5);
  setWasmThreads(2);
  await wasmArena()!.waitForThreads(2);
  assert.deepEqual(trainLosses(5), one);
});

test('setWasmThreads rejects 0, naming threads and the value', () => {
  assert.throws(() => setWasmThreads(0), /threads: expected an integer from 1 to 64, got 0/);
});

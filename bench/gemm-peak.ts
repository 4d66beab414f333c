/**
 * The machine's GEMM ceiling for the GFLOP/s bar: how fast 256×256 times 256×256 runs in float32, on
 * one core and on as many threads as the wasm backend trains with. A training step is mostly GEMMs of about this size, so achieved step GFLOP/s over this
 * number says how much of the kernel's speed the rest of the step keeps.
 *
 * Two kernels: a plain-JS blocked sgemm (the baseline any JS code can reach) and the WebAssembly SIMD
 * GEMM of rnnlab's wasm backend. The ceiling is the WASM number on the training thread count.
 *
 * Run alone: npx tsx bench/gemm-peak.ts [--json]
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { median } from './measure.js';

/** Runs C[M,N] = A[M,K]·B[K,N] (float32, inputs prepared by the kernel) once; returns milliseconds. */
export type GemmKernel = (M: number, N: number, K: number) => number;

export interface GemmResult {
  size: number;
  bestGflops: number;
  medianGflops: number;
  reps: number;
}

export interface GemmPeak {
  js: GemmResult;
  /** One thread. */
  wasm: GemmResult | null;
  /** On the threads the wasm backend trains with (RNNLAB_THREADS, else up to 4 cores), when more than one. */
  wasmThreaded: (GemmResult & { threads: number }) | null;
  /** The ceiling the bars use and where it came from. */
  ceilingGflops: number;
  source: 'wasm' | 'js';
}

/** Plain-JS sgemm, blocked so a 64-wide panel of B and a row of C stay in L1 while k runs. */
export function jsSgemm(): GemmKernel {
  const bufs = new Map<string, { a: Float32Array; b: Float32Array; c: Float32Array }>();
  return (M, N, K) => {
    const key = `${M}x${N}x${K}`;
    let m = bufs.get(key);
    if (!m) {
      m = { a: new Float32Array(M * K).map((_, i) => ((i * 7919) % 17) / 17 - 0.5), b: new Float32Array(K * N).map((_, i) => ((i * 104729) % 13) / 13 - 0.5), c: new Float32Array(M * N) };
      bufs.set(key, m);
    }
    const { a, b, c } = m;
    const BK = 64, BN = 64;
    const t0 = performance.now();
    c.fill(0);
    for (let kk = 0; kk < K; kk += BK) {
      const kEnd = Math.min(kk + BK, K);
      for (let jj = 0; jj < N; jj += BN) {
        const jEnd = Math.min(jj + BN, N);
        for (let i = 0; i < M; i++) {
          const ci = i * N;
          for (let k = kk; k < kEnd; k++) {
            const aik = a[i * K + k];
            const bk = k * N;
            for (let j = jj; j < jEnd; j++) c[ci + j] += aik * b[bk + j];
          }
        }
      }
    }
    return performance.now() - t0;
  };
}

/**
 * The wasm backend's SIMD GEMM on `threads` threads (its worker pool splits a 256³ product, as it does
 * the large GEMMs of a training step): C = A·B on arena buffers prepared once, B packed as the backend
 * packs weights; only the gemm call is timed.
 */
export async function loadWasmKernel(threads = 1): Promise<GemmKernel | null> {
  const { setWasmThreads, wasmArena, WasmArena } = await import('../src/tensor/wasm/arena.js');
  setWasmThreads(threads);
  const ar = wasmArena();
  if (!ar) return null;
  if ((await ar.waitForThreads(threads)) < threads) return null;
  const bufs = new Map<string, { a: number; bp: number; c: number }>();
  const sc = ar.scope(); // kept for the process's life: the benchmark runs once
  return (M, N, K) => {
    const key = `${M}x${N}x${K}`;
    let m = bufs.get(key);
    if (!m) {
      const a = sc.alloc(M * K), b = sc.alloc(K * N), bp = sc.alloc(WasmArena.packedSize(K, N)), c = sc.alloc(M * N);
      ar.f32(a, M * K).forEach((_, i, v) => (v[i] = ((i * 7919) % 17) / 17 - 0.5));
      ar.f32(b, K * N).forEach((_, i, v) => (v[i] = ((i * 104729) % 13) / 13 - 0.5));
      ar.kernel.packNN(b, K, N, N, bp);
      m = { a, bp, c };
      bufs.set(key, m);
    }
    const t0 = performance.now();
    ar.gemm(M, N, K, m.a, K, 0, m.bp, m.c, N, 0);
    return performance.now() - t0;
  };
}

/** Warms the kernel up, then times it for at least `seconds` (and 5 runs); GFLOP/s = 2·M·N·K / t. */
export function measureGemm(kernel: GemmKernel, size = 256, seconds = 1): GemmResult {
  const flops = 2 * size ** 3;
  for (let i = 0; i < 3; i++) kernel(size, size, size);
  const ms: number[] = [];
  const t0 = performance.now();
  while (ms.length < 5 || performance.now() - t0 < seconds * 1000) ms.push(kernel(size, size, size));
  const gflops = (t: number) => flops / (t / 1000) / 1e9;
  return { size, bestGflops: gflops(Math.min(...ms)), medianGflops: gflops(median(ms)), reps: ms.length };
}

export async function gemmPeak(seconds = 1, kernel?: GemmKernel | null, threads = backendThreads()): Promise<GemmPeak> {
  const js = measureGemm(jsSgemm(), 256, seconds);
  const w = kernel === undefined ? await loadWasmKernel(1) : kernel;
  const wasm = w ? measureGemm(w, 256, seconds) : null;
  const wt = kernel === undefined && threads > 1 ? await loadWasmKernel(threads) : null;
  const wasmThreaded = wt ? { ...measureGemm(wt, 256, seconds), threads } : null;
  // A ceiling is the best the kernel did, not its typical run, on as many threads as training uses.
  const best = wasmThreaded ?? wasm;
  return best ? { js, wasm, wasmThreaded, ceilingGflops: best.bestGflops, source: 'wasm' } : { js, wasm, wasmThreaded, ceilingGflops: js.bestGflops, source: 'js' };
}

/** The thread count the wasm backend picks by default (see src/tensor/wasm/arena.ts). */
function backendThreads(): number {
  const env = process.env.RNNLAB_THREADS;
  return env ? Number(env) : Math.min(4, availableParallelism());
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const quick = process.argv.includes('--quick');
  const peak = await gemmPeak(quick ? 0.2 : 1);
  if (process.argv.includes('--json')) console.log('BENCH_RESULT ' + JSON.stringify(peak));
  else {
    const line = (name: string, r: GemmResult | null) =>
      console.log(r ? `${name}: best ${r.bestGflops.toFixed(2)} GFLOP/s, median ${r.medianGflops.toFixed(2)} (${r.reps} runs of ${r.size}³)` : `${name}: not plugged in`);
    line('JS sgemm', peak.js);
    line('WASM sgemm, 1 thread', peak.wasm);
    if (peak.wasmThreaded) line(`WASM sgemm, ${peak.wasmThreaded.threads} threads`, peak.wasmThreaded);
  }
}

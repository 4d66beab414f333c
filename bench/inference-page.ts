/**
 * The page side of bench/inference-browser.ts: bundled by esbuild for the browser, it puts `window.bench`
 * on the page, and the script drives it. The cases, model, data and measured calls are
 * bench/inference-child.ts's; only the timing loop is this file's own (bench/measure.ts imports
 * node:perf_hooks, and the page's clock is coarse, see time()).
 */
import * as ort from 'onnxruntime-web';
import { createModel, exportOnnx, Rng, Tensor, tensor, type Model } from '../src/index.js';
import { wasmArena } from '../src/tensor/wasm/arena.js';
import type { Protocol } from './configs.js';

export interface PageCase { peer: 'rnnlab' | 'ort-web'; threads: number; mode: 'forward' | 'stream'; B: number; T: number; D: number; H: number; protocol: Protocol }
export interface PageResult { medianMs: number; n: number }
export interface PageInfo { crossOriginIsolated: boolean; hardwareConcurrency: number; rnnlabThreads: number | null }
export interface BenchPage { info(): Promise<PageInfo>; run(c: PageCase): Promise<PageResult> }

declare global {
  interface Window { bench?: BenchPage }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Warm-up, then timed samples until ≥ minSteps samples and ≥ minSeconds (or capSeconds); the median
 * per call. Unlike bench/measure.ts a sample is `reps` calls, not one: a page's performance.now() is
 * coarsened (5 µs when cross-origin isolated, 100 µs otherwise), and a stream step takes a few µs.
 * reps doubles until a sample takes ≥ 1 ms.
 */
async function time(step: () => unknown, p: Protocol): Promise<PageResult> {
  // Await only what is a promise: rnnlab's calls are synchronous and should not pay for a microtask.
  const call = async (): Promise<void> => {
    const r = step();
    if (r instanceof Promise) await r;
  };
  for (let i = 0; i < p.warmup; i++) await call();
  let reps = 1;
  for (;;) {
    const s = performance.now();
    for (let i = 0; i < reps; i++) await call();
    if (performance.now() - s >= 1 || reps >= 1 << 16) break;
    reps *= 2;
  }
  const times: number[] = [];
  const t0 = performance.now();
  for (;;) {
    const s = performance.now();
    for (let i = 0; i < reps; i++) await call();
    const now = performance.now();
    times.push((now - s) / reps);
    const elapsed = now - t0;
    if (elapsed >= p.capSeconds * 1000 || (times.length >= p.minSteps && elapsed >= p.minSeconds * 1000)) break;
  }
  return { medianMs: median(times), n: times.length * reps };
}

function random(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

async function run(a: PageCase): Promise<PageResult> {
  const model: Model = createModel({ cell: 'lstm', inputSize: a.D, hiddenSize: a.H, dtype: 'float32', seed: 1 });
  const x = random((a.mode === 'stream' ? 1 : a.T) * a.B * a.D, new Rng(2));
  if (a.peer === 'rnnlab') {
    if (a.mode === 'forward') {
      const xt = tensor(x, [a.T, a.B, a.D], 'float32');
      return time(() => model.forward(xt, {}, { cache: false }), a.protocol);
    }
    const xt = new Tensor(x, [a.B, a.D]);
    let state = {};
    return time(() => {
      const r = model.step(xt, state);
      state = r.c ? { h: r.h, c: r.c } : { h: r.h };
    }, a.protocol);
  }
  // onnxruntime-web fixes numThreads at its first session: the script gives each thread count its own page.
  ort.env.wasm.numThreads = a.threads;
  const stream = a.mode === 'stream';
  const T = stream ? 1 : a.T;
  const S = model.numLayers;
  const session = await ort.InferenceSession.create(exportOnnx(model, { initialState: stream }));
  const feeds: Record<string, ort.Tensor> = { x: new ort.Tensor('float32', x, [T, a.B, a.D]) };
  if (stream) {
    feeds.h0 = new ort.Tensor('float32', new Float32Array(S * a.B * a.H), [S, a.B, a.H]);
    feeds.c0 = new ort.Tensor('float32', new Float32Array(S * a.B * a.H), [S, a.B, a.H]);
  }
  try {
    return await time(async () => {
      const out = await session.run(feeds);
      if (stream) {
        feeds.h0 = out.h_n;
        feeds.c0 = out.c_n;
      }
    }, a.protocol);
  } finally {
    await session.release();
  }
}

// ORT's .mjs and .wasm come from the local server (the script serves node_modules/onnxruntime-web/dist at /ort/).
ort.env.wasm.wasmPaths = new URL('/ort/', location.href).href;

window.bench = {
  async info() {
    // rnnlab's helper threads start in the background: wait for them so the count is the one timed.
    const threads = (await wasmArena()?.waitForThreads(2)) ?? null;
    return { crossOriginIsolated, hardwareConcurrency: navigator.hardwareConcurrency, rnnlabThreads: threads };
  },
  run,
};

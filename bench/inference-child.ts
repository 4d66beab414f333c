/**
 * One inference measurement in its own process (onnxruntime-web fixes its thread count at its first
 * session, once per process). Usage:
 *   tsx bench/inference-child.ts '{"peer":"rnnlab"|"ort-web"|"ort-node","threads":1,"cell":"lstm","mode":"forward"|"stream","B":..,"T":..,"D":..,"H":..,"protocol":{...}}'
 * Prints `BENCH_RESULT {"medianMs": ...}`: a whole forward pass (mode forward), or one time step of a
 * stream (mode stream: rnnlab's model.step, onnxruntime's run on a one-step model with the state fed back).
 */
import * as ortWeb from 'onnxruntime-web';
import { createModel, Rng, Tensor, tensor, type Model } from '../src/index.js';
import { exportOnnx } from '../src/io/onnx.js';
import type { Cell, Protocol } from './configs.js';
import { median, timedSteps } from './measure.js';

interface Args { peer: 'rnnlab' | 'ort-web' | 'ort-node'; threads: number; cell: Cell; mode: 'forward' | 'stream'; B: number; T: number; D: number; H: number; protocol: Protocol }

/** Times `run` with the training benchmark's protocol: warm-up, then bench/measure.ts's timed steps. */
async function time(run: () => unknown, p: Protocol): Promise<{ medianMs: number; n: number }> {
  for (let i = 0; i < p.warmup; i++) await run();
  const { times } = await timedSteps(run, p);
  return { medianMs: median(times), n: times.length };
}

function random(n: number, rng: Rng): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-1, 1);
  return a;
}

async function main(): Promise<void> {
  const a = JSON.parse(process.argv[2] ?? '{}') as Args;
  const model: Model = createModel({ cell: a.cell, inputSize: a.D, hiddenSize: a.H, dtype: 'float32', seed: 1 });
  const rng = new Rng(2);
  const S = model.numLayers;
  // A stream is timed over steps of a one-step input; a forward over the whole [T, B, D] sequence.
  const T = a.mode === 'stream' ? 1 : a.T;
  const x = random(T * a.B * a.D, rng);
  let result: { medianMs: number; n: number };
  if (a.peer === 'rnnlab') {
    if (a.mode === 'forward') {
      const xt = tensor(x, [T, a.B, a.D], 'float32');
      result = await time(() => model.forward(xt, {}, { cache: false }), a.protocol);
    } else {
      const xt = new Tensor(x, [a.B, a.D]);
      let state = {};
      result = await time(() => {
        const r = model.step(xt, state);
        state = r.c ? { h: r.h, c: r.c } : { h: r.h };
      }, a.protocol);
    }
  } else {
    // The two share onnxruntime-common's API: the web build runs its WebAssembly backend on numThreads,
    // the native one (onnxruntime-node, CPU provider) on intraOpNumThreads.
    const web = a.peer === 'ort-web';
    const ort = web ? ortWeb : ((await import('onnxruntime-node')) as unknown as typeof ortWeb);
    if (web) ort.env.wasm.numThreads = a.threads;
    const stream = a.mode === 'stream';
    const options = web ? {} : { intraOpNumThreads: a.threads, interOpNumThreads: 1, executionMode: 'sequential' as const };
    const session = await ort.InferenceSession.create(exportOnnx(model, { initialState: stream }), options);
    const feeds: Record<string, ortWeb.Tensor> = { x: new ort.Tensor('float32', x, [T, a.B, a.D]) };
    if (stream) {
      feeds.h0 = new ort.Tensor('float32', new Float32Array(S * a.B * a.H), [S, a.B, a.H]);
      if (a.cell === 'lstm') feeds.c0 = new ort.Tensor('float32', new Float32Array(S * a.B * a.H), [S, a.B, a.H]);
    }
    result = await time(async () => {
      const out = await session.run(feeds);
      if (stream) {
        feeds.h0 = out.h_n;
        if (a.cell === 'lstm') feeds.c0 = out.c_n;
      }
    }, a.protocol);
  }
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`);
}

main().then(() => process.exit(0), (e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});

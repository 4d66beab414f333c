/**
 * Bidirectional and padded LSTM layers on both backends: one forward + backward of T 50, B 32, D 64,
 * H 128, medians of 7, next to a one-directional layer. The new layers run each direction on the
 * backend's own layer loops, so the wasm backend's speed carries over; this shows by how much.
 *
 *   node --import tsx bench/bidirectional.ts
 */
import { LSTM } from '../src/layers/models.js';
import { Tensor } from '../src/tensor/tensor.js';
const T = 50, B = 32, D = 64, H = 128;
const x = new Tensor(Float32Array.from({ length: T * B * D }, (_, i) => Math.sin(i)), [T, B, D]);
const lengths = Array.from({ length: B }, (_, b) => T - (b % 20));
for (const backend of ['reference', 'wasm'] as const) {
  for (const [label, opts, fo] of [['one-way', {}, {}], ['bidirectional', { bidirectional: true }, {}], ['bidirectional, padded', { bidirectional: true }, { lengths }]] as const) {
    const m = new LSTM({ inputSize: D, hiddenSize: H, backend, ...opts });
    const times: number[] = [];
    for (let r = 0; r < 7; r++) {
      const t0 = performance.now();
      const out = m.forward(x, {}, fo as never);
      m.backward(out.output);
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    console.log(backend.padEnd(10), label.padEnd(24), 'median', times[3].toFixed(1), 'ms (forward+backward, T 50, B 32, D 64, H 128)');
  }
}

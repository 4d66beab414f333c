// One training step of a small LSTM through the installed package: forward, backward, global-norm
// clipping and an Adam step. test/package.test.ts runs this file in Node and, bundled by Vite, in
// Chromium, and compares the numbers.
import { Adam, LSTM, clipGradNorm, tensor } from 'rnnlab';

export function compute() {
  const T = 6, B = 2, D = 3, H = 5;
  const lstm = new LSTM({ inputSize: D, hiddenSize: H, numLayers: 2, seed: 7 });
  const x = tensor(Array.from({ length: T }, (_, t) => Array.from({ length: B }, (_, b) => Array.from({ length: D }, (_, d) => Math.sin(1 + 7 * t + 3 * b + d)))));
  const { output } = lstm.forward(x);
  lstm.backward(output); // the gradient of ½‖output‖²
  const gradNorm = clipGradNorm(lstm, 0.5);
  const dWhh = Array.from(lstm.gradients().weight_hh_l1.data);
  new Adam(lstm, { lr: 0.01 }).step();
  const weights = Object.fromEntries(Object.entries(lstm.stateDict()).map(([k, v]) => [k, Array.from(v.data)]));
  return { output: Array.from(output.data), gradNorm, dWhh, weights };
}

/**
 * How a TF.js Keras recurrent layer runs on a batch, with rnnlab's layers: masks (tfjs-layers' rnn()),
 * go_backwards and Bidirectional; and Dense's activations.
 *
 * Keras masks a recurrent layer step by step: at a masked step the state is kept and the output is the
 * previous step's (zeros before the first unmasked one). go_backwards reverses the input and the mask
 * and leaves the outputs in the order they were computed (the last input's step first); Bidirectional
 * runs its backward copy so and reverses that copy's outputs back. So each sequence's unmasked steps,
 * taken in the layer's order, are one sequence of n steps run from the zero state, and every Keras output
 * is one of its states y_0 … y_{n−1}:
 *
 *   forward part at output position p:  y_F[c − 1], c = the unmasked steps among the first p + 1 taken (0 if c = 0)
 *   reverse part at position t:         y_R[k],     k = the unmasked steps before t                    (0 if k = n)
 *   last output (return_sequences false): y_F[n − 1] and y_R[0]                                          (0 if n = 0)
 *
 * where y_R[k] is the reverse direction's state after the steps n−1 … k. rnnlab runs the gathered steps
 * as one padded batch, forward(x, {}, { lengths: n }), which is exact (pack_padded_sequence's semantics);
 * with Keras's usual mask of trailing zeros the gather moves nothing.
 */
import type { Recurrent } from '../layers/recurrent.js';
import { Tensor, allocate, type FloatArray } from '../tensor/tensor.js';
import type { DenseActivation } from './keras-topology.js';

export interface RecurrentRun {
  goBackwards: boolean;
  returnSequences: boolean;
}

/**
 * One Keras recurrent layer on x [B, T, D] (batch-major) with its mask [B, T] (1 = a step, or null for
 * none): the output [B, T, W] or, without return_sequences, [B, W] (W = directions · H).
 */
export function runKerasRecurrent(model: Recurrent, x: FloatArray, B: number, T: number, mask: Uint8Array | null, o: RecurrentRun): FloatArray {
  const D = model.inputSize, H = model.hiddenSize, dirs = model.numDirections, W = dirs * H;
  const taken = (p: number): number => (o.goBackwards ? T - 1 - p : p); // the input step taken p-th
  const on = (b: number, t: number): boolean => mask === null || mask[b * T + t] !== 0;
  const xs = allocate(model.dtype, B * T * D), n = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    for (let p = 0; p < T; p++) {
      const t = taken(p);
      if (!on(b, t)) continue;
      xs.set(x.subarray((b * T + t) * D, (b * T + t + 1) * D), (b * T + n[b]) * D);
      n[b]++;
    }
  }
  // A sequence with no step at all still needs a length of 1 for rnnlab; its outputs are zeros below.
  const lengths = Array.from(n, (k) => Math.max(k, 1));
  const r = model.forward(new Tensor(xs, [B, T, D]), {}, { lengths });
  if (!o.returnSequences) {
    const out = allocate(model.dtype, B * W);
    for (let b = 0; b < B; b++) {
      if (n[b] === 0) continue;
      for (let d = 0; d < dirs; d++) out.set(r.h.data.subarray((d * B + b) * H, (d * B + b + 1) * H), b * W + d * H);
    }
    return out;
  }
  const y = r.output.data, out = allocate(model.dtype, B * T * W);
  for (let b = 0; b < B; b++) {
    let c = 0;
    for (let p = 0; p < T; p++) {
      const before = c;
      if (on(b, taken(p))) c++;
      const row = (b * T + p) * W;
      if (c > 0) out.set(y.subarray((b * T + c - 1) * W, (b * T + c - 1) * W + H), row);
      if (dirs === 2 && before < n[b]) out.set(y.subarray((b * T + before) * W + H, (b * T + before + 1) * W), row + H);
    }
  }
  return out;
}

/** Dense's activation, in place, on rows of width O. */
export function applyActivation(a: FloatArray, O: number, activation: DenseActivation): void {
  switch (activation) {
    case 'linear':
      return;
    case 'relu':
      for (let i = 0; i < a.length; i++) a[i] = a[i] > 0 ? a[i] : 0;
      return;
    case 'tanh':
      for (let i = 0; i < a.length; i++) a[i] = Math.tanh(a[i]);
      return;
    case 'sigmoid':
      for (let i = 0; i < a.length; i++) a[i] = a[i] >= 0 ? 1 / (1 + Math.exp(-a[i])) : Math.exp(a[i]) / (1 + Math.exp(a[i]));
      return;
    case 'softmax':
      // Over the last axis, shifted by the row's maximum so that exp cannot overflow (as tf.softmax).
      for (let r = 0; r < a.length; r += O) {
        let max = -Infinity, sum = 0;
        for (let j = 0; j < O; j++) max = Math.max(max, a[r + j]);
        for (let j = 0; j < O; j++) {
          a[r + j] = Math.exp(a[r + j] - max);
          sum += a[r + j];
        }
        for (let j = 0; j < O; j++) a[r + j] /= sum;
      }
      return;
  }
}

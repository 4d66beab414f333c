/**
 * Streaming: one time step of every layer (and the head), state in and state out, for generating a
 * character at a time or running a controller step by step, without a whole forward pass per step.
 *
 *   for each layer l:  z = W_ih x + b_ih (+ W_hh h_{t−1} + b_hh)   then the cell's pointwise part
 *                      (h = W_hr m with a projection), and x ← h for the layer above
 *   output = head(h_top) when the model has a head, else h_top
 *
 * It is the forward pass's arithmetic one step at a time (the reference kernels, in the model's dtype),
 * as evaluation mode: no dropout, no cache, nothing for backward. Once warm (after the first call at a
 * batch size) a step allocates nothing for the standard cells: every buffer is the stream's own, and
 * the state it returns is two buffers used in turn, so the state a step returns can be passed straight
 * back to the next. The returned tensors are the stream's: the next step writes the output again and
 * the step after next the state, so clone what must outlive that.
 */
import { stepForward, type CellOps, type CellWeights, type StepForward } from '../cells/ops.js';
import { linearForward } from '../tensor/kernels.js';
import { allocate, Tensor, type DType, type FloatArray } from '../tensor/tensor.js';

/** What a stream needs of its model: the cell, each layer's weights, the sizes and the head. */
export interface StreamModel {
  ops: CellOps;
  dtype: DType;
  inputSize: number;
  hiddenSize: number;
  /** What each layer feeds back: P with a projection, else hiddenSize. */
  stateSize: number;
  layers: { w: CellWeights; D: number; weightHr: FloatArray | null }[];
  head: { weight: FloatArray; bias: FloatArray; outputSize: number } | null;
}

export interface StreamState {
  /** [numLayers, B, stateSize] */
  h: Tensor;
  /** [numLayers, B, hiddenSize], LSTM only */
  c?: Tensor;
}

interface Buffers {
  B: number;
  z: FloatArray;
  u: FloatArray | null;
  aux: FloatArray;
  /** The cell's own output before a projection, [B, H]. */
  m: FloatArray;
  /** Two state buffers each ([L, B, stateSize], [L, B, H]), written in turn. */
  h: [Tensor, Tensor];
  c: [Tensor, Tensor] | null;
  out: Tensor;
  /** Which of the two state buffers the last step wrote. */
  last: 0 | 1;
}

export class Stream {
  private bufs: Buffers | null = null;

  constructor(private readonly model: StreamModel) {}

  private buffers(B: number): Buffers {
    if (this.bufs?.B === B) return this.bufs;
    const { ops, dtype, hiddenSize: H, stateSize: S, layers, head } = this.model;
    const L = layers.length, G = ops.gates * H;
    const state = (w: number): [Tensor, Tensor] => [new Tensor(allocate(dtype, L * B * w), [L, B, w]), new Tensor(allocate(dtype, L * B * w), [L, B, w])];
    this.bufs = {
      B, z: allocate(dtype, B * G), u: ops.splitRecurrent ? allocate(dtype, B * G) : null, aux: allocate(dtype, B * ops.auxWidth(H)),
      m: allocate(dtype, B * H), h: state(S), c: ops.hasCell ? state(H) : null,
      out: new Tensor(allocate(dtype, B * (head ? head.outputSize : S)), [B, head ? head.outputSize : S]), last: 1,
    };
    return this.bufs;
  }

  /**
   * One step: x [B, inputSize] and the state before it (zeros when absent) → the output [B, ·] and the
   * state after it. `state` is typically what the previous step returned.
   */
  step(x: Tensor, state: Partial<StreamState> | undefined): { output: Tensor; h: Tensor; c?: Tensor } {
    const { ops, hiddenSize: H, stateSize: S, layers, head } = this.model;
    const B = x.shape[0], L = layers.length;
    const b = this.buffers(B);
    // Read from the buffer the last step wrote (or copy the caller's state into it), write the other.
    const src = b.last, dst: 0 | 1 = src === 0 ? 1 : 0;
    const hIn = b.h[src], hOut = b.h[dst];
    if (state?.h !== hIn) state?.h ? hIn.data.set(state.h.data) : hIn.data.fill(0);
    const cIn = b.c?.[src], cOut = b.c?.[dst];
    if (cIn && state?.c !== cIn) state?.c ? cIn.data.set(state.c.data) : cIn.data.fill(0);
    const BH = B * H, BS = B * S;
    let input = x.data;
    for (let l = 0; l < L; l++) {
      const { w, D, weightHr } = layers[l];
      const hPrev = hIn.data.subarray(l * BS, (l + 1) * BS), h = hOut.data.subarray(l * BS, (l + 1) * BS);
      const s: StepForward = {
        B, x: input, hPrev, cPrev: cIn ? cIn.data.subarray(l * BH, (l + 1) * BH) : null,
        h: weightHr ? b.m : h, c: cOut ? cOut.data.subarray(l * BH, (l + 1) * BH) : null, aux: b.aux,
      };
      stepForward(ops, w, D, H, s, b, S);
      if (weightHr) linearForward(h, b.m, weightHr, null, B, H, S);
      input = h;
    }
    if (head) linearForward(b.out.data, input, head.weight, head.bias, B, S, head.outputSize);
    else b.out.data.set(input);
    b.last = dst;
    return cOut ? { output: b.out, h: hOut, c: cOut } : { output: b.out, h: hOut };
  }
}

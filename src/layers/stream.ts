/**
 * Streaming: one time step of every layer (and the head), state in and state out, for generating a
 * character at a time or running a controller step by step, without a whole forward pass per step.
 *
 *   for each layer l:  z = W_ih x + b_ih (+ W_hh h_{t−1} + b_hh)   then the cell's pointwise part
 *                      (h = W_hr m with a projection), and x ← h for the layer above
 *   output = head(h_top) when the model has a head, else h_top
 *
 * It is the forward pass's arithmetic one step at a time, as evaluation mode: no dropout, no cache,
 * nothing for backward. Who does the arithmetic is the backend's step engine: the reference one here
 * (the plain kernels, in the model's dtype), or the fast backend's (backend/wasm-stream.ts: weights kept
 * packed in WebAssembly memory). This file holds what both share: the state handling. Once warm (after
 * the first call at a batch size) a step of the standard cells allocates no buffers: every buffer is the stream's own, and the
 * state it returns is two buffers used in turn, so the state a step returns can be passed straight back
 * to the next. The returned tensors are the stream's: the next step writes the output again and the
 * step after next the state, so clone what must outlive that.
 */
import { stepForward, type StepForward } from '../cells/ops.js';
import { linearForward } from '../tensor/kernels.js';
import { allocate, Tensor, type FloatArray } from '../tensor/tensor.js';
import type { StepEngine, StreamModel } from './backend/backend.js';

export type { StepEngine, StreamModel } from './backend/backend.js';

export interface StreamState {
  /** [numLayers, B, stateSize] */
  h: Tensor;
  /** [numLayers, B, hiddenSize], LSTM only */
  c?: Tensor;
}

interface Buffers {
  B: number;
  /** Two state buffers each ([L, B, stateSize], [L, B, H]), written in turn. */
  h: [Tensor, Tensor];
  c: [Tensor, Tensor] | null;
  out: Tensor;
  /** Which of the two state buffers the last step wrote. */
  last: 0 | 1;
}

export class Stream {
  private bufs: Buffers | null = null;

  constructor(private readonly model: StreamModel, private readonly engine: StepEngine = new ReferenceStepEngine(model)) {}

  private buffers(B: number): Buffers {
    if (this.bufs?.B === B) return this.bufs;
    const { ops, dtype, hiddenSize: H, stateSize: S, layers, head } = this.model;
    const L = layers.length;
    const state = (w: number): [Tensor, Tensor] => [new Tensor(allocate(dtype, L * B * w), [L, B, w]), new Tensor(allocate(dtype, L * B * w), [L, B, w])];
    const O = head ? head.outputSize : S;
    this.bufs = { B, h: state(S), c: ops.hasCell ? state(H) : null, out: new Tensor(allocate(dtype, B * O), [B, O]), last: 1 };
    return this.bufs;
  }

  /**
   * One step: x [B, inputSize] and the state before it (zeros when absent) → the output [B, ·] and the
   * state after it. `state` is typically what the previous step returned.
   */
  step(x: Tensor, state: Partial<StreamState> | undefined): { output: Tensor; h: Tensor; c?: Tensor } {
    const B = x.shape[0];
    const b = this.buffers(B);
    // Read from the buffer the last step wrote (or copy the caller's state into it), write the other.
    const src = b.last, dst: 0 | 1 = src === 0 ? 1 : 0;
    const hIn = b.h[src], hOut = b.h[dst];
    if (state?.h !== hIn) state?.h ? hIn.data.set(state.h.data) : hIn.data.fill(0);
    const cIn = b.c?.[src], cOut = b.c?.[dst];
    if (cIn && state?.c !== cIn) state?.c ? cIn.data.set(state.c.data) : cIn.data.fill(0);
    this.engine.run(B, x.data, hIn.data, cIn?.data ?? null, hOut.data, cOut?.data ?? null, b.out.data);
    b.last = dst;
    return cOut ? { output: b.out, h: hOut, c: cOut } : { output: b.out, h: hOut };
  }
}

/** The reference step: the plain kernels of src/cells and src/tensor, in the model's dtype. */
export class ReferenceStepEngine implements StepEngine {
  private scratch: { B: number; z: FloatArray; u: FloatArray | null; aux: FloatArray; m: FloatArray } | null = null;

  constructor(private readonly model: StreamModel) {}

  run(B: number, x: FloatArray, hIn: FloatArray, cIn: FloatArray | null, hOut: FloatArray, cOut: FloatArray | null, out: FloatArray): void {
    const { ops, dtype, hiddenSize: H, stateSize: S, layers, head } = this.model;
    if (this.scratch?.B !== B) {
      const G = ops.gates * H;
      this.scratch = { B, z: allocate(dtype, B * G), u: ops.splitRecurrent ? allocate(dtype, B * G) : null, aux: allocate(dtype, B * ops.auxWidth(H)), m: allocate(dtype, B * H) };
    }
    const sc = this.scratch;
    const BH = B * H, BS = B * S;
    let input = x;
    for (let l = 0; l < layers.length; l++) {
      const { w, D, weightHr } = layers[l];
      const h = hOut.subarray(l * BS, (l + 1) * BS);
      const s: StepForward = {
        B, x: input, hPrev: hIn.subarray(l * BS, (l + 1) * BS), cPrev: cIn ? cIn.subarray(l * BH, (l + 1) * BH) : null,
        // The cell's own output goes to m when a projection follows (h = W_hr m).
        h: weightHr ? sc.m : h, c: cOut ? cOut.subarray(l * BH, (l + 1) * BH) : null, aux: sc.aux,
      };
      stepForward(ops, w, D, H, s, sc, S);
      if (weightHr) linearForward(h, sc.m, weightHr, null, B, H, S);
      input = h;
    }
    if (head) linearForward(out, input, head.weight, head.bias, B, S, head.outputSize);
    else out.set(input);
  }
}

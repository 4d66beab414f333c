/**
 * Gradient flow through time: how large dL/dh_t is at every step t when the loss sits at the last step
 * only. This is the measurement behind the vanishing-gradient story: BPTT multiplies the gradient by one
 * step Jacobian per step back,
 *
 *   dL/dh_t = (dh_{t+1}/dh_t)ᵀ dL/dh_{t+1}          (RNN: dh_{t+1}/dh_t = diag(1 − h_{t+1}²) W_hh)
 *
 * so ||dL/dh_t|| shrinks or grows roughly geometrically with the distance T−1−t.
 */
import { checkDType, checkFinite, checkShape, checkTensor } from '../tensor/check.js';
import { Tensor, allocate, type FloatArray } from '../tensor/tensor.js';
import { Recurrent } from '../layers/recurrent.js';

export interface GradientFlow {
  /** ||dL/dh_t|| of the last layer, t = 0..T−1 (Frobenius norm over the batch). */
  dh: number[];
  /** ||dL/dx_t||, t = 0..T−1. */
  dx: number[];
  /** LSTM only: ||dL/dc_t|| of the last layer (including the path through h_t). */
  dc?: number[];
  /** ||dL/dh_0|| of the last layer's initial state: T step Jacobians back from the loss. */
  dhInitial: number;
  /** LSTM only: ||dL/dc_0||. */
  dcInitial?: number;
}

/**
 * Runs `model` forward on x ([T, B, D], or [T, D] unbatched) and back from L = ⟨upstream, h_T⟩ of the
 * last layer (upstream: [B, H], or [H] unbatched), nothing else. The model's accumulated gradients are
 * left exactly as they were.
 */
export function gradientFlow(model: Recurrent, x: Tensor, upstream: Tensor): GradientFlow {
  if (!(model instanceof Recurrent)) throw new TypeError('model: expected an RNN, LSTM or GRU (a sequence layer)');
  checkTensor('upstream', upstream);
  const saved = model.parameters().map((p) => p.grad.data.slice());
  try {
    const { h } = model.forward(x);
    const L = model.numLayers, H = model.hiddenSize;
    const batched = h.shape.length === 3;
    const B = batched ? h.shape[1] : 1;
    checkShape('upstream', upstream, batched ? [B, H] : [H], batched ? 'dL/dh_T: [B, hiddenSize]' : 'dL/dh_T: [hiddenSize]');
    checkDType('upstream', upstream, model.dtype);
    checkFinite('upstream', upstream);
    const dhN = allocate(model.dtype, L * B * H);
    dhN.set(upstream.data, (L - 1) * B * H);
    const g = model.backward(null, { h: new Tensor(dhN, h.shape) }, { keepStepGradients: true });
    const T = batched ? x.shape[model.batchFirst ? 1 : 0] : x.shape[0];
    const steps = g.steps!;
    const lastLayer = (a: Tensor): FloatArray => a.data.subarray((L - 1) * B * H, L * B * H);
    const out: GradientFlow = {
      dhInitial: stepNorms(lastLayer(g.dh), 1)[0],
      dh: stepNorms(steps.dh[L - 1].data, T),
      dx: batched && model.batchFirst ? stepNormsBatchFirst(g.dx.data, B, T) : stepNorms(g.dx.data, T),
    };
    if (steps.dc) out.dc = stepNorms(steps.dc[L - 1].data, T);
    if (g.dc) out.dcInitial = stepNorms(lastLayer(g.dc), 1)[0];
    return out;
  } finally {
    model.parameters().forEach((p, i) => p.grad.data.set(saved[i]));
  }
}

/** Norm of each of T equal slices of a time-major [T, ...] array. */
export function stepNorms(a: ArrayLike<number>, T: number): number[] {
  const n = a.length / T;
  const out: number[] = [];
  for (let t = 0; t < T; t++) {
    let s = 0;
    for (let i = t * n; i < (t + 1) * n; i++) s += a[i] * a[i];
    out.push(Math.sqrt(s));
  }
  return out;
}

function stepNormsBatchFirst(a: ArrayLike<number>, B: number, T: number): number[] {
  const n = a.length / (B * T);
  const out = new Array<number>(T).fill(0);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      for (let i = (b * T + t) * n; i < (b * T + t + 1) * n; i++) out[t] += a[i] * a[i];
    }
  }
  return out.map(Math.sqrt);
}

/**
 * rnnlab's answers at the grader's weights: each exercise's forward and backward computed by rnnlab's
 * own float64 cells and layers (src/layers/tutorial.ts, src/cells/*, src/optim/clip.ts,
 * src/analysis/gradflow.ts), the code the test suite holds to PyTorch. The exercise's plain-array
 * weights are loaded into them by the layouts below; nothing here is a second implementation.
 */
import { LSTM, RNN as SequenceRNN } from '../layers/models.js';
import { LSTMCell, RNN, RNNCell } from '../layers/tutorial.js';
import { clipGradients } from '../optim/clip.js';
import { gradientFlow } from '../analysis/gradflow.js';
import { Tensor } from '../tensor/tensor.js';
import { isMat, toFloat64, toMat, toVec, zerosVec, type Arr, type Mat, type Vec } from './arrays.js';

/** B1's weights: h = tanh(W_hh h_prev + W_xh x + b_h). */
export interface RnnCellWeights {
  W_xh: Mat; // [H][D]
  W_hh: Mat; // [H][H]
  b_h: Vec; // [H]
}

/** B2's weights: B1's and the output layer y_t = W_hy h_t + b_y. */
export interface RnnWeights extends RnnCellWeights {
  W_hy: Mat; // [O][H]
  b_y: Vec; // [O]
}

/** B4's weights, each gate's W_k [H][H + D] acting on [h_{t−1}, x_t] in that order. */
export interface LstmWeights {
  W_f: Mat;
  W_i: Mat;
  W_c: Mat;
  W_o: Mat;
  b_f: Vec;
  b_i: Vec;
  b_c: Vec;
  b_o: Vec;
}

export interface LstmStepGradients {
  grads: LstmWeights;
  dx: Vec;
  dhPrev: Vec;
  dcPrev: Vec;
}

const F64 = { dtype: 'float64', backend: 'reference' } as const;

const vecT = (v: Vec): Tensor => new Tensor(Float64Array.from(v), [v.length]);
const matT = (m: Mat): Tensor => new Tensor(toFloat64(m), [m.length, m[0].length]);

/**
 * B1. rnnlab's cell has two biases (PyTorch's): b_h goes in bias_ih, zeros in bias_hh.
 *   h = tanh(W_hh h_prev + W_xh x + b_h)
 */
export function referenceRnnCell(w: RnnCellWeights, x: Vec, hPrev: Vec): Vec {
  const H = w.b_h.length;
  const cell = new RNNCell(x.length, H, { dtype: 'float64' });
  cell.loadStateDict({ weight_ih: matT(w.W_xh), weight_hh: matT(w.W_hh), bias_ih: vecT(w.b_h), bias_hh: vecT(zerosVec(H)) });
  return Array.from(cell.forward(vecT(x), vecT(hPrev)).data);
}

/** B2's weights as rnnlab's RNN with a head: layer 0's weight_ih/weight_hh/biases, head.weight/bias. */
function rnnWithHead(w: RnnWeights, D: number): RNN {
  const H = w.b_h.length, O = w.b_y.length;
  const model = new RNN(D, H, O, F64);
  model.loadStateDict({
    weight_ih_l0: matT(w.W_xh), weight_hh_l0: matT(w.W_hh), bias_ih_l0: vecT(w.b_h), bias_hh_l0: vecT(zerosVec(H)),
    'head.weight': matT(w.W_hy), 'head.bias': vecT(w.b_y),
  });
  return model;
}

/**
 * B2, forward and BPTT (src/layers/recurrent.ts) from dL/dy_t = douts[t], i.e. L = Σ_t douts[t]·y_t:
 *   h_0 = 0,  h_t = tanh(W_hh h_{t−1} + W_xh x_t + b_h),  y_t = W_hy h_t + b_y
 *   dW_hy = Σ_t dy_t h_tᵀ,  db_y = Σ_t dy_t
 *   dh_t = W_hyᵀ dy_t + W_hhᵀ da_{t+1},  da_t = dh_t ⊙ (1 − h_t²)
 *   dW_xh = Σ_t da_t x_tᵀ,  dW_hh = Σ_t da_t h_{t−1}ᵀ,  db_h = Σ_t da_t
 */
export function referenceRnn(w: RnnWeights, xs: Mat, douts: Mat): { ys: Mat; grads: RnnWeights } {
  const T = xs.length, D = xs[0].length, H = w.b_h.length, O = w.b_y.length;
  const model = rnnWithHead(w, D);
  const ys = toMat(model.forward(new Tensor(toFloat64(xs), [T, D])).output.data, T, O);
  const g = model.backward(new Tensor(toFloat64(douts), [T, O])).grads;
  return {
    ys,
    grads: {
      W_xh: toMat(g.weight_ih_l0.data, H, D),
      W_hh: toMat(g.weight_hh_l0.data, H, H),
      b_h: toVec(g.bias_ih_l0.data, H),
      W_hy: toMat(g['head.weight'].data, O, H),
      b_y: toVec(g['head.bias'].data, O),
    },
  };
}

/** PyTorch's gate blocks, in its order i, f, g, o, and the exercise's name of each. */
const TORCH_GATES = [['W_i', 'b_i'], ['W_f', 'b_f'], ['W_c', 'b_c'], ['W_o', 'b_o']] as const;

/**
 * The exercise's W_k = [W_hk | W_ik] split into rnnlab's stacked weight_hh [4H, H] and weight_ih
 * [4H, D] (docs/cells.md); b_k goes in bias_ih, zeros in bias_hh.
 */
function lstmStateDict(w: LstmWeights, D: number, H: number, suffix: string): Record<string, Tensor> {
  const wIh = new Float64Array(4 * H * D), wHh = new Float64Array(4 * H * H), bIh = new Float64Array(4 * H);
  TORCH_GATES.forEach(([W, b], k) => {
    for (let j = 0; j < H; j++) {
      const row = k * H + j;
      for (let q = 0; q < H; q++) wHh[row * H + q] = w[W][j][q];
      for (let q = 0; q < D; q++) wIh[row * D + q] = w[W][j][H + q];
      bIh[row] = w[b][j];
    }
  });
  return {
    [`weight_ih${suffix}`]: new Tensor(wIh, [4 * H, D]), [`weight_hh${suffix}`]: new Tensor(wHh, [4 * H, H]),
    [`bias_ih${suffix}`]: new Tensor(bIh, [4 * H]), [`bias_hh${suffix}`]: new Tensor(new Float64Array(4 * H), [4 * H]),
  };
}

/**
 * B4, one step and its backward (src/cells/lstm.ts), the gradients joined back into the exercise's
 * dW_k = [dW_hk | dW_ik] (db_k = d bias_ih's block):
 *   f = σ(W_f[h,x]+b_f), i = σ(W_i[h,x]+b_i), c̃ = tanh(W_c[h,x]+b_c), o = σ(W_o[h,x]+b_o)
 *   c = f⊙c_prev + i⊙c̃,  h = o⊙tanh(c)
 *   dcT = dc + dh⊙o⊙(1 − tanh²c);  dc_prev = dcT⊙f;  dz_f = dcT⊙c_prev⊙f(1−f), dz_i = dcT⊙c̃⊙i(1−i),
 *   dz_c = dcT⊙i⊙(1−c̃²), dz_o = dh⊙tanh(c)⊙o(1−o);  dW_k = dz_k [h,x]ᵀ;  [dh_prev, dx] = Σ_k W_kᵀ dz_k
 */
export function referenceLstmCell(
  w: LstmWeights, x: Vec, hPrev: Vec, cPrev: Vec, dh: Vec, dc: Vec,
): { h: Vec; c: Vec; back: LstmStepGradients } {
  const D = x.length, H = hPrev.length;
  const cell = new LSTMCell(D, H, { dtype: 'float64' });
  cell.loadStateDict(lstmStateDict(w, D, H, ''));
  const step = cell.forward(vecT(x), vecT(hPrev), vecT(cPrev));
  const b = cell.backward(vecT(dh), vecT(dc), step.cache);
  const gIh = b.grads.weight_ih.data, gHh = b.grads.weight_hh.data, gB = b.grads.bias_ih.data;
  const grads = {} as LstmWeights;
  TORCH_GATES.forEach(([W, bias], k) => {
    grads[W] = Array.from({ length: H }, (_, j) => [...toVec(gHh, H, (k * H + j) * H), ...toVec(gIh, D, (k * H + j) * D)]);
    grads[bias] = toVec(gB, H, k * H);
  });
  return {
    h: Array.from(step.h.data),
    c: Array.from(step.c.data),
    back: { grads, dx: Array.from(b.dx.data), dhPrev: Array.from(b.dhPrev.data), dcPrev: Array.from(b.dcPrev.data) },
  };
}

/**
 * B3 (src/optim/clip.ts):  ‖g‖ = sqrt(Σ over every array and entry of g²);
 *   g ← g · maxNorm / ‖g‖ if ‖g‖ > maxNorm, else unchanged.
 */
export function referenceClip(grads: Arr[], maxNorm: number): Arr[] {
  const tensors = grads.map((g) => new Tensor(toFloat64(g), isMat(g) ? [g.length, g[0].length] : [g.length]));
  return clipGradients(tensors, maxNorm).grads.map((t, k) => {
    const g = grads[k];
    return isMat(g) ? toMat(t.data, g.length, g[0].length) : Array.from(t.data);
  });
}

/**
 * B5: ‖dL/dh_t‖ for t = 1..T (index t − 1) of L = (1/√H) Σ_j h_T[j], from rnnlab's gradientFlow
 * (src/analysis/gradflow.ts) on a one-layer RNN and LSTM at these weights:
 *   dL/dh_T = (1,…,1)/√H,  dL/dh_{t−1} = (∂h_t/∂h_{t−1})ᵀ dL/dh_t  (the LSTM also carries dL/dc_t, 0 at T)
 */
export function referenceGradientFlow(rnn: RnnCellWeights, lstm: LstmWeights, xs: Mat): { rnn: number[]; lstm: number[] } {
  const T = xs.length, D = xs[0].length, H = rnn.b_h.length;
  const x = new Tensor(toFloat64(xs), [T, D]);
  const up = new Tensor(new Float64Array(H).fill(1 / Math.sqrt(H)), [H]);
  const r = new SequenceRNN({ inputSize: D, hiddenSize: H, ...F64 });
  r.loadStateDict({ weight_ih_l0: matT(rnn.W_xh), weight_hh_l0: matT(rnn.W_hh), bias_ih_l0: vecT(rnn.b_h), bias_hh_l0: vecT(zerosVec(H)) });
  const l = new LSTM({ inputSize: D, hiddenSize: H, ...F64 });
  l.loadStateDict(lstmStateDict(lstm, D, H, '_l0'));
  return { rnn: gradientFlow(r, x, up).dh, lstm: gradientFlow(l, x, up).dh };
}


/**
 * The vanilla RNN's known mistakes (B1, B2): its forward and BPTT written out on plain arrays, each
 * switch one mistake. With every switch off these are the right equations (the test suite holds them
 * to rnnlab's reference), so a switch changes exactly one thing.
 */
import { addInto, addOuter, matTVec, matVec, zerosMat, zerosVec, type Mat, type Vec } from './arrays.js';
import type { Mistake } from './mistakes.js';
import type { RnnCellWeights, RnnWeights } from './reference.js';

export const RNN_HINTS = {
  noTanh: 'your h is the pre-activation W_hh h_prev + W_xh x + b_h itself: apply tanh to it.',
  noBias: 'your h is what comes out without b_h: add the bias inside the tanh.',
  noRecurrence: 'your h ignores h_prev: add W_hh h_prev inside the tanh.',
  noOutputBias: 'your y_t is W_hy h_t without b_y: add the output bias.',
  oneStep: 'your gradient holds a single time step\'s term: a parameter gradient is the sum over all time steps (+= at every step of the backward loop), not the last value assigned.',
  hInsteadOfHPrev: 'your dW_hh uses h_t where h_{t−1} belongs: at step t, dW_hh += da_t h_{t−1}ᵀ, with the state that W_hh multiplied in the forward pass.',
  tanhPrimeOfPreactivation: 'you took tanh′ of the pre-activation, 1 − a_t² with a_t = W_hh h_{t−1} + W_xh x_t + b_h: tanh′(a_t) = 1 − tanh²(a_t) = 1 − h_t².',
  noCarry: 'your dh_t has only the output\'s part W_hyᵀ dy_t: add what step t+1 sends back, W_hhᵀ da_{t+1} (the "through time" of BPTT).',
} as const;

export interface RnnForwardVariant {
  noTanh?: boolean;
  noBias?: boolean;
  noRecurrence?: boolean;
  noOutputBias?: boolean;
}

/**
 * One step:  a = W_hh h_prev + W_xh x + b_h,  h = tanh(a).
 */
export function rnnStep(w: RnnCellWeights, x: Vec, hPrev: Vec, v: RnnForwardVariant = {}): { a: Vec; h: Vec } {
  const wx = matVec(w.W_xh, x), wh = v.noRecurrence ? zerosVec(hPrev.length) : matVec(w.W_hh, hPrev);
  const a = wx.map((s, j) => s + wh[j] + (v.noBias ? 0 : w.b_h[j]));
  return { a, h: v.noTanh ? a.slice() : a.map(Math.tanh) };
}

/** The forward mistakes of one step, for B1's hints. */
export const CELL_FORWARD_MISTAKES: readonly Mistake<RnnForwardVariant>[] = [
  { id: 'noTanh', hint: RNN_HINTS.noTanh, variant: { noTanh: true } },
  { id: 'noBias', hint: RNN_HINTS.noBias, variant: { noBias: true } },
  { id: 'noRecurrence', hint: RNN_HINTS.noRecurrence, variant: { noRecurrence: true } },
];

export const RNN_FORWARD_MISTAKES: readonly Mistake<RnnForwardVariant>[] = [
  ...CELL_FORWARD_MISTAKES,
  { id: 'noOutputBias', hint: RNN_HINTS.noOutputBias, variant: { noOutputBias: true } },
];

/**
 * The sequence:  h_0 = 0,  h_t = tanh(W_hh h_{t−1} + W_xh x_t + b_h),  y_t = W_hy h_t + b_y.
 * hs holds h_0 … h_T (hs[t] is h_t), as the pre-activations a_1 … a_T (as[t − 1]).
 */
export function rnnForward(w: RnnWeights, xs: Mat, v: RnnForwardVariant = {}): { hs: Mat; as: Mat; ys: Mat } {
  const H = w.b_h.length;
  const hs: Mat = [zerosVec(H)], as: Mat = [], ys: Mat = [];
  for (const x of xs) {
    const { a, h } = rnnStep(w, x, hs[hs.length - 1], v);
    as.push(a);
    hs.push(h);
    ys.push(matVec(w.W_hy, h).map((s, k) => s + (v.noOutputBias ? 0 : w.b_y[k])));
  }
  return { hs, as, ys };
}

export interface BpttVariant {
  /** Parameter gradients assigned at every step instead of summed: the first (t = 1) or last (t = T) step's term is left. */
  oneStep?: 'first' | 'last';
  hInsteadOfHPrev?: boolean;
  tanhPrimeOfPreactivation?: boolean;
  noCarry?: boolean;
}

/**
 * BPTT from dy_t = douts[t] (L = Σ_t douts[t]·y_t), time running back from T to 1:
 *   dW_hy += dy_t h_tᵀ,  db_y += dy_t
 *   dh_t = W_hyᵀ dy_t + W_hhᵀ da_{t+1}          (da_{T+1} = 0)
 *   da_t = dh_t ⊙ (1 − h_t²)
 *   dW_xh += da_t x_tᵀ,  dW_hh += da_t h_{t−1}ᵀ,  db_h += da_t
 */
export function bptt(w: RnnWeights, xs: Mat, douts: Mat, v: BpttVariant = {}): RnnWeights {
  const T = xs.length, D = xs[0].length, H = w.b_h.length, O = w.b_y.length;
  const { hs, as } = rnnForward(w, xs);
  const g: RnnWeights = { W_xh: zerosMat(H, D), W_hh: zerosMat(H, H), b_h: zerosVec(H), W_hy: zerosMat(O, H), b_y: zerosVec(O) };
  let daNext = zerosVec(H);
  for (let t = T; t >= 1; t--) {
    const keep = v.oneStep === undefined || (v.oneStep === 'first' ? t === 1 : t === T);
    const dy = douts[t - 1], h = hs[t];
    const dh = matTVec(w.W_hy, dy);
    if (!v.noCarry) addInto(dh, matTVec(w.W_hh, daNext));
    const da = dh.map((d, j) => d * (1 - (v.tanhPrimeOfPreactivation ? as[t - 1][j] ** 2 : h[j] ** 2)));
    if (keep) {
      addOuter(g.W_hy, dy, h);
      addInto(g.b_y, dy);
      addOuter(g.W_xh, da, xs[t - 1]);
      addOuter(g.W_hh, da, v.hInsteadOfHPrev ? h : hs[t - 1]);
      addInto(g.b_h, da);
    }
    daNext = da;
  }
  return g;
}

export const BPTT_MISTAKES: readonly Mistake<BpttVariant>[] = [
  { id: 'oneStepFirst', hint: RNN_HINTS.oneStep, variant: { oneStep: 'first' } },
  { id: 'oneStepLast', hint: RNN_HINTS.oneStep, variant: { oneStep: 'last' } },
  { id: 'hInsteadOfHPrev', hint: RNN_HINTS.hInsteadOfHPrev, variant: { hInsteadOfHPrev: true } },
  { id: 'tanhPrimeOfPreactivation', hint: RNN_HINTS.tanhPrimeOfPreactivation, variant: { tanhPrimeOfPreactivation: true } },
  { id: 'noCarry', hint: RNN_HINTS.noCarry, variant: { noCarry: true } },
];

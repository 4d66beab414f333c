/**
 * Gradient flow's known mistakes (B5): ‖dL/dh_t‖, t = 1..T, of L = (1/√H) Σ_j h_T[j] through an RNN
 * and an LSTM, on plain arrays with a switch per mistake. With no switch these are the right numbers
 * (the test suite holds them to rnnlab's gradientFlow).
 */
import { matTVec, norm, zerosVec, type Mat, type Vec } from './arrays.js';
import type { Mistake } from './mistakes.js';
import { lstmStep, lstmStepBackward, type LstmStepCache } from './mistakes-lstm.js';
import { rnnStep } from './mistakes-rnn.js';
import type { LstmWeights, RnnCellWeights } from './reference.js';

export const FLOW_HINTS = {
  reversed: 'your list runs from t = T back to t = 1: entry t − 1 holds ‖dL/dh_t‖, so the last entry is ‖dL/dh_T‖ = 1 and the first is the furthest back.',
  noInvSqrtH: 'your numbers are √H times too large: L = (1/√H) Σ_j h_T[j], so dL/dh_T = (1, …, 1)/√H, whose norm is 1.',
  rnnNoTanhPrime: 'you carried the gradient back through W_hhᵀ alone: one step back is dL/dh_{t−1} = W_hhᵀ (dL/dh_t ⊙ (1 − h_t²)).',
  lstmNoDcCarry: 'you passed dc = 0 to every step\'s backward: pass step t+1\'s dcPrev as step t\'s dc; that cell path is what keeps the LSTM\'s gradient alive.',
} as const;

export interface FlowVariant {
  reversed?: boolean;
  noInvSqrtH?: boolean;
  rnnNoTanhPrime?: boolean;
  lstmNoDcCarry?: boolean;
}

const top = (H: number, v: FlowVariant): Vec => zerosVec(H).map(() => (v.noInvSqrtH ? 1 : 1 / Math.sqrt(H)));
const order = (norms: number[], v: FlowVariant): number[] => (v.reversed ? norms.slice().reverse() : norms);

/**
 * RNN:  dL/dh_T = (1,…,1)/√H,  dL/dh_{t−1} = W_hhᵀ (dL/dh_t ⊙ (1 − h_t²)).
 */
export function rnnFlow(w: RnnCellWeights, xs: Mat, v: FlowVariant = {}): number[] {
  const H = w.b_h.length, T = xs.length;
  const hs: Mat = [zerosVec(H)];
  for (const x of xs) hs.push(rnnStep(w, x, hs[hs.length - 1]).h);
  const norms = new Array<number>(T);
  let dh = top(H, v);
  norms[T - 1] = norm(dh);
  for (let t = T; t >= 2; t--) {
    dh = matTVec(w.W_hh, v.rnnNoTanhPrime ? dh : dh.map((d, j) => d * (1 - hs[t][j] ** 2)));
    norms[t - 2] = norm(dh);
  }
  return order(norms, v);
}

/**
 * LSTM:  dL/dh_T = (1,…,1)/√H, dL/dc_T = 0; each step back (dh_{t−1}, dc_{t−1}) is that step's
 * backward from (dL/dh_t, dL/dc_t).
 */
export function lstmFlow(w: LstmWeights, xs: Mat, v: FlowVariant = {}): number[] {
  const H = w.b_f.length, T = xs.length;
  const caches: LstmStepCache[] = [];
  let h = zerosVec(H), c = zerosVec(H);
  for (const x of xs) {
    const s = lstmStep(w, x, h, c);
    caches.push(s.cache);
    ({ h, c } = s);
  }
  const norms = new Array<number>(T);
  let dh = top(H, v), dc = zerosVec(H);
  norms[T - 1] = norm(dh);
  for (let t = T; t >= 2; t--) {
    const b = lstmStepBackward(w, caches[t - 1], dh, v.lstmNoDcCarry ? zerosVec(H) : dc);
    dh = b.dhPrev;
    dc = b.dcPrev;
    norms[t - 2] = norm(dh);
  }
  return order(norms, v);
}

export const FLOW_MISTAKES: readonly Mistake<FlowVariant>[] = [
  { id: 'reversed', hint: FLOW_HINTS.reversed, variant: { reversed: true } },
  { id: 'noInvSqrtH', hint: FLOW_HINTS.noInvSqrtH, variant: { noInvSqrtH: true } },
  { id: 'rnnNoTanhPrime', hint: FLOW_HINTS.rnnNoTanhPrime, variant: { rnnNoTanhPrime: true } },
  { id: 'lstmNoDcCarry', hint: FLOW_HINTS.lstmNoDcCarry, variant: { lstmNoDcCarry: true } },
];

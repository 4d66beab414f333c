/**
 * The LSTM cell's known mistakes (B4, and B5's LSTM): one step forward and backward on plain arrays in
 * the exercise's concatenated form, each switch one mistake. With every switch off these are the right
 * equations (the test suite holds them to rnnlab's LSTMCell), so a switch changes exactly one thing.
 */
import { addInto, addOuter, matTVec, matVec, mul, sigmoid, zerosMat, zerosVec, type Mat, type Vec } from './arrays.js';
import type { Mistake } from './mistakes.js';
import type { LstmStepGradients, LstmWeights } from './reference.js';

export const LSTM_HINTS = {
  swapGates: 'your forget and input gates are swapped: f = σ(W_f[h_{t−1}, x_t] + b_f) multiplies c_{t−1}, i = σ(W_i[h_{t−1}, x_t] + b_i) multiplies c̃.',
  xFirst: 'your W_k acts on [x_t, h_{t−1}]: the exercise concatenates [h_{t−1}, x_t], so the first H columns of W_k multiply h_{t−1} and the last D columns multiply x_t.',
  noTanhC: 'your h is o ⊙ c: it is o ⊙ tanh(c).',
  dcPrevNoF: 'your dcPrev is the whole gradient reaching c_t: the cell path multiplies it by the forget gate, dc_prev = dc_total ⊙ f (since c_t = f ⊙ c_{t−1} + i ⊙ c̃).',
  dcNoHPath: 'your gradient reaching c_t is only the dc passed in: add the path through h_t = o ⊙ tanh(c_t), dc_total = dc + dh ⊙ o ⊙ (1 − tanh²(c_t)).',
  tanhPrimeOfC: 'you took tanh′(c_t) as 1 − c_t²: it is 1 − tanh²(c_t).',
  tanhPrimeOfPreactivation: 'you took tanh′ of the candidate\'s pre-activation z = W_c[h_{t−1}, x_t] + b_c as 1 − z²: it is 1 − tanh²(z) = 1 − c̃².',
  sigmoidPrimeOfPreactivation: 'you took σ′ of a gate\'s pre-activation z as z(1 − z): σ′(z) = σ(z)(1 − σ(z)), i.e. f(1 − f) for the forget gate, i(1 − i), o(1 − o).',
  swapGateGradients: 'your forget and input gates\' gradients are swapped: dz_f = dc_total ⊙ c_{t−1} ⊙ f(1 − f) goes with W_f, dz_i = dc_total ⊙ c̃ ⊙ i(1 − i) with W_i.',
} as const;

export interface LstmForwardVariant {
  swapGates?: boolean;
  xFirst?: boolean;
  noTanhC?: boolean;
}

/** What one step keeps for its backward. */
export interface LstmStepCache {
  hx: Vec; // [h_{t−1}, x_t]
  cPrev: Vec;
  f: Vec;
  i: Vec;
  g: Vec; // c̃
  o: Vec;
  zg: Vec; // c̃'s pre-activation
  zs: { f: Vec; i: Vec; o: Vec }; // the σ gates' pre-activations
  c: Vec;
  tc: Vec; // tanh(c_t)
}

/**
 * One step:  f = σ(W_f[h,x]+b_f), i = σ(W_i[h,x]+b_i), c̃ = tanh(W_c[h,x]+b_c), o = σ(W_o[h,x]+b_o),
 *            c = f⊙c_prev + i⊙c̃,  h = o⊙tanh(c).
 */
export function lstmStep(w: LstmWeights, x: Vec, hPrev: Vec, cPrev: Vec, v: LstmForwardVariant = {}): { h: Vec; c: Vec; cache: LstmStepCache } {
  const hx = [...hPrev, ...x];
  const z = (W: Mat, b: Vec): Vec => matVec(W, v.xFirst ? [...x, ...hPrev] : hx).map((s, j) => s + b[j]);
  const zf = z(w.W_f, w.b_f), zi = z(w.W_i, w.b_i), zg = z(w.W_c, w.b_c), zo = z(w.W_o, w.b_o);
  let f = zf.map(sigmoid), i = zi.map(sigmoid);
  if (v.swapGates) [f, i] = [i, f];
  const g = zg.map(Math.tanh), o = zo.map(sigmoid);
  const c = f.map((fj, j) => fj * cPrev[j] + i[j] * g[j]);
  const tc = c.map(Math.tanh);
  const h = v.noTanhC ? mul(o, c) : mul(o, tc);
  return { h, c, cache: { hx, cPrev, f, i, g, o, zg, zs: { f: zf, i: zi, o: zo }, c, tc } };
}

export const LSTM_FORWARD_MISTAKES: readonly Mistake<LstmForwardVariant>[] = [
  { id: 'swapGates', hint: LSTM_HINTS.swapGates, variant: { swapGates: true } },
  { id: 'xFirst', hint: LSTM_HINTS.xFirst, variant: { xFirst: true } },
  { id: 'noTanhC', hint: LSTM_HINTS.noTanhC, variant: { noTanhC: true } },
];

export interface LstmBackwardVariant {
  dcPrevNoF?: boolean;
  dcNoHPath?: boolean;
  tanhPrimeOfC?: boolean;
  tanhPrimeOfPreactivation?: boolean;
  sigmoidPrimeOfPreactivation?: boolean;
  /** dW_f and dW_i (and their biases) exchanged at the end. */
  swapGateGradients?: boolean;
  /** dz_f computed with c̃ and dz_i with c_{t−1}. */
  swapGateFactors?: boolean;
}

/**
 * One step back from dh = dL/dh_t and dc = dL/dc_t (from step t+1):
 *   dcT = dc + dh⊙o⊙(1 − tanh²c),  dc_prev = dcT⊙f
 *   dz_f = dcT⊙c_prev⊙f(1−f),  dz_i = dcT⊙c̃⊙i(1−i),  dz_c = dcT⊙i⊙(1−c̃²),  dz_o = dh⊙tanh(c)⊙o(1−o)
 *   dW_k = dz_k [h_{t−1}, x_t]ᵀ,  db_k = dz_k,  [dh_prev, dx] = Σ_k W_kᵀ dz_k
 */
export function lstmStepBackward(w: LstmWeights, k: LstmStepCache, dh: Vec, dc: Vec, v: LstmBackwardVariant = {}): LstmStepGradients {
  const H = dh.length, HD = k.hx.length;
  const tanhPrime = (j: number): number => 1 - (v.tanhPrimeOfC ? k.c[j] ** 2 : k.tc[j] ** 2);
  const sigPrime = (s: Vec, zs: Vec, j: number): number => (v.sigmoidPrimeOfPreactivation ? zs[j] * (1 - zs[j]) : s[j] * (1 - s[j]));
  const dcT = dc.map((d, j) => d + (v.dcNoHPath ? 0 : dh[j] * k.o[j] * tanhPrime(j)));
  const dcPrev = v.dcPrevNoF ? dcT.slice() : mul(dcT, k.f);
  const fFactor = v.swapGateFactors ? k.g : k.cPrev, iFactor = v.swapGateFactors ? k.cPrev : k.g;
  const dzf = dcT.map((d, j) => d * fFactor[j] * sigPrime(k.f, k.zs.f, j));
  const dzi = dcT.map((d, j) => d * iFactor[j] * sigPrime(k.i, k.zs.i, j));
  const dzg = dcT.map((d, j) => d * k.i[j] * (1 - (v.tanhPrimeOfPreactivation ? k.zg[j] ** 2 : k.g[j] ** 2)));
  const dzo = dh.map((d, j) => d * k.tc[j] * sigPrime(k.o, k.zs.o, j));
  const grad = (dz: Vec): Mat => {
    const m = zerosMat(H, HD);
    addOuter(m, dz, k.hx);
    return m;
  };
  const dhx = zerosVec(HD);
  for (const [W, dz] of [[w.W_f, dzf], [w.W_i, dzi], [w.W_c, dzg], [w.W_o, dzo]] as const) addInto(dhx, matTVec(W, dz));
  const grads: LstmWeights = { W_f: grad(dzf), W_i: grad(dzi), W_c: grad(dzg), W_o: grad(dzo), b_f: dzf, b_i: dzi, b_c: dzg, b_o: dzo };
  if (v.swapGateGradients) {
    [grads.W_f, grads.W_i] = [grads.W_i, grads.W_f];
    [grads.b_f, grads.b_i] = [grads.b_i, grads.b_f];
  }
  return { grads, dhPrev: dhx.slice(0, H), dx: dhx.slice(H), dcPrev };
}

export const LSTM_BACKWARD_MISTAKES: readonly Mistake<LstmBackwardVariant>[] = [
  { id: 'dcPrevNoF', hint: LSTM_HINTS.dcPrevNoF, variant: { dcPrevNoF: true } },
  { id: 'dcNoHPath', hint: LSTM_HINTS.dcNoHPath, variant: { dcNoHPath: true } },
  { id: 'tanhPrimeOfC', hint: LSTM_HINTS.tanhPrimeOfC, variant: { tanhPrimeOfC: true } },
  { id: 'tanhPrimeOfPreactivation', hint: LSTM_HINTS.tanhPrimeOfPreactivation, variant: { tanhPrimeOfPreactivation: true } },
  { id: 'sigmoidPrimeOfPreactivation', hint: LSTM_HINTS.sigmoidPrimeOfPreactivation, variant: { sigmoidPrimeOfPreactivation: true } },
  { id: 'swapGateGradients', hint: LSTM_HINTS.swapGateGradients, variant: { swapGateGradients: true } },
  { id: 'swapGateFactors', hint: LSTM_HINTS.swapGateGradients, variant: { swapGateFactors: true } },
];

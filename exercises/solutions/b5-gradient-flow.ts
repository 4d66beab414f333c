/**
 * rnnlab's answer to Exercise B5, **Compare gradient flow: RNN vs LSTM**, in the workbook's form (the
 * same function as exercises/stubs/b5-gradient-flow.ts), built on the workbook's own B2 and B4.
 *
 * The loss sits at the last step only: L = (1/√H) Σ_j h_T[j], so dL/dh_T = (1, …, 1)/√H, a unit vector
 * (and dL/dc_T = 0 for the LSTM). Going back from there, ‖dL/dh_t‖ says how much of the last step's
 * gradient reaches step t: result.rnn[t − 1] and result.lstm[t − 1], for t = 1 … T, both ending at 1.
 *
 * Steps 4 and 5 of the exercise, plotting and quantifying, are left to the caller: plot the two arrays
 * against t on a log axis (`rnnlab gradflow` draws rnnlab's own), and read the vanishing per step as
 * (‖dL/dh_1‖ / ‖dL/dh_T‖)^(1/(T−1)). With these random models both rates are below 1 and the RNN's is
 * the lower (about 0.43 against 0.56 at T = 20, H = 16); the LSTM's forget gates start near σ(0) = 1/2,
 * and a forget-gate bias of 1 or 3 raises its rate (to about 0.74 and 0.88): `rnnlab experiment lstm-paths`.
 */
import { RNN } from './b2-rnn';
import { LSTMCell } from './b4-lstm-cell';

/** The input size when neither a model nor inputs say it (rnnlab gradflow's default too). */
const DEFAULT_INPUT_SIZE = 8;

/** mulberry32, a small seeded generator: a fixed seed gives the same sequences on every run. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(5);

/** A standard normal sample (Box–Muller); 1 − random() keeps the logarithm's argument above 0. */
function gaussian(): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

const norm = (v: number[]): number => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

export interface GradientFlowOptions {
  /** The RNN to measure (your B2); a new random one when absent. */
  rnn?: RNN;
  /** The LSTM cell to measure (your B4); a new random one when absent. */
  lstm?: LSTMCell;
  /** The input sequence, xs[t] at step t + 1; random N(0, 1) inputs when absent. */
  xs?: number[][];
}

export interface GradientFlow {
  /** ‖dL/dh_t‖ of the RNN at index t − 1, t = 1 … T. */
  rnn: number[];
  /** ‖dL/dh_t‖ of the LSTM at index t − 1, t = 1 … T. */
  lstm: number[];
}

/** The input size the given models and inputs agree on; an error naming the two that disagree. */
function inputSizeOf(hiddenSize: number, options: GradientFlowOptions): number {
  const said: [string, number][] = [];
  if (options.xs !== undefined && options.xs.length > 0) said.push(['xs[0].length', options.xs[0].length]);
  if (options.rnn !== undefined) said.push(['rnn.W_xh[0].length', options.rnn.W_xh[0]?.length ?? 0]);
  if (options.lstm !== undefined) said.push(['lstm.W_f[0].length − hiddenSize', (options.lstm.W_f[0]?.length ?? hiddenSize) - hiddenSize]);
  for (const [name, d] of said) {
    if (d !== said[0][1]) throw new Error(`analyzeGradientFlow: ${said[0][0]} = ${said[0][1]} but ${name} = ${d}: the input sizes differ`);
  }
  return said.length > 0 ? said[0][1] : DEFAULT_INPUT_SIZE;
}

export function analyzeGradientFlow(sequenceLength: number, hiddenSize: number, options: GradientFlowOptions = {}): GradientFlow {
  const T = sequenceLength, H = hiddenSize;
  if (!Number.isInteger(T) || T < 1) throw new Error(`analyzeGradientFlow: sequenceLength must be a positive integer, got ${T}`);
  if (!Number.isInteger(H) || H < 1) throw new Error(`analyzeGradientFlow: hiddenSize must be a positive integer, got ${H}`);
  if (options.rnn !== undefined && options.rnn.W_hh.length !== H) throw new Error(`analyzeGradientFlow: the given rnn has hidden size ${options.rnn.W_hh.length}, not ${H}`);
  if (options.lstm !== undefined && options.lstm.b_f.length !== H) throw new Error(`analyzeGradientFlow: the given lstm has hidden size ${options.lstm.b_f.length}, not ${H}`);
  if (options.xs !== undefined && options.xs.length !== T) throw new Error(`analyzeGradientFlow: xs has ${options.xs.length} steps, not sequenceLength = ${T}`);

  // 1. Random sequences (and random models), unless given.
  const D = inputSizeOf(H, options);
  const xs = options.xs ?? Array.from({ length: T }, () => Array.from({ length: D }, gaussian));
  const rnn = options.rnn ?? new RNN(D, H, 1);
  const lstm = options.lstm ?? new LSTMCell(D, H);

  // 2. The loss at the final step, L = (1/√H) Σ_j h_T[j]: its gradient is this unit vector.
  const dhT = new Array<number>(H).fill(1 / Math.sqrt(H));
  return { rnn: rnnFlow(rnn, xs, dhT), lstm: lstmFlow(lstm, xs, dhT) };
}

// 3. The gradient at each step, for the RNN. B2's backward gives only weight gradients, so the hidden
// state's gradient is taken here from the recurrence itself, with the model's own weights:
//   h_t = tanh(W_xh x_t + W_hh h_{t−1} + b_h), h_0 = 0
//   dL/dh_{t−1} = W_hhᵀ ((1 − h_t²) ⊙ dL/dh_t)
// (the output head y_t is not on the path: the loss reads h_T directly).
function rnnFlow(rnn: RNN, xs: number[][], dhT: number[]): number[] {
  const H = rnn.W_hh.length, T = xs.length;
  const hs: number[][] = [new Array<number>(H).fill(0)];
  for (const x of xs) {
    const hPrev = hs[hs.length - 1];
    hs.push(rnn.b_h.map((b, i) => {
      let a = b;
      for (let j = 0; j < H; j++) a += rnn.W_hh[i][j] * hPrev[j];
      for (let j = 0; j < x.length; j++) a += rnn.W_xh[i][j] * x[j];
      return Math.tanh(a);
    }));
  }
  const norms = new Array<number>(T);
  let dh = dhT;
  for (let t = T; t >= 1; t--) {
    norms[t - 1] = norm(dh);
    const da = dh.map((g, i) => (1 - hs[t][i] * hs[t][i]) * g);
    const dhPrev = new Array<number>(H).fill(0);
    for (let i = 0; i < H; i++) for (let j = 0; j < H; j++) dhPrev[j] += rnn.W_hh[i][j] * da[i];
    dh = dhPrev;
  }
  return norms;
}

// 3. The gradient at each step, for the LSTM: the cell's own forward from h_0 = c_0 = 0, then its own
// backward from (dL/dh_T, dL/dc_T = 0), step by step; dhPrev and dcPrev of step t are dh and dc of t − 1.
function lstmFlow(lstm: LSTMCell, xs: number[][], dhT: number[]): number[] {
  const H = dhT.length, T = xs.length;
  let h = new Array<number>(H).fill(0), c = new Array<number>(H).fill(0);
  const caches = xs.map((x) => {
    const step = lstm.forward(x, h, c);
    h = step.h;
    c = step.c;
    return step.cache;
  });
  const norms = new Array<number>(T);
  let dh = dhT, dc = new Array<number>(H).fill(0);
  for (let t = T; t >= 1; t--) {
    norms[t - 1] = norm(dh);
    const back = lstm.backward(dh, dc, caches[t - 1]);
    dh = back.dhPrev;
    dc = back.dcPrev;
  }
  return norms;
}

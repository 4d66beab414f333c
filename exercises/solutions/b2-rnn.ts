/**
 * rnnlab's answer to Exercise B2, **Implement BPTT**, in the workbook's form (the same class and names as
 * exercises/stubs/b2-rnn.ts): a tanh RNN with a linear output at every step, and backpropagation through
 * time written out step by step, as in Karpathy's min-char-rnn. Plain arrays, row-major.
 *
 *   h_0 = 0
 *   h_t = tanh(W_xh x_t + W_hh h_{t−1} + b_h)
 *   y_t = W_hy h_t + b_y
 */

/** mulberry32, a small seeded generator: a fixed seed gives the same weights on every run. */
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

const random = mulberry32(2);

function uniformMatrix(rows: number, cols: number, scale: number): number[][] {
  return Array.from({ length: rows }, () => uniformVector(cols, scale));
}

function uniformVector(n: number, scale: number): number[] {
  return Array.from({ length: n }, () => (2 * random() - 1) * scale);
}

function zerosMatrix(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

/** W v */
function matVec(W: number[][], v: number[]): number[] {
  return W.map((row) => row.reduce((s, w, j) => s + w * v[j], 0));
}

/** dW += a bᵀ: the gradient of W in W b, given the gradient a of the product. */
function addOuter(dW: number[][], a: number[], b: number[]): void {
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) dW[i][j] += a[i] * b[j];
}

/** out += Wᵀ a: the gradient of v in W v, given the gradient a of the product. */
function addMatTVec(out: number[], W: number[][], a: number[]): void {
  for (let i = 0; i < a.length; i++) for (let j = 0; j < out.length; j++) out[j] += W[i][j] * a[i];
}

/** The gradients backward returns, one per weight and of its shape. */
export interface RNNGrads {
  W_xh: number[][];
  W_hh: number[][];
  b_h: number[];
  W_hy: number[][];
  b_y: number[];
}

export class RNN {
  /** Input-to-hidden weights, [hiddenSize][inputSize]. */
  W_xh: number[][];
  /** Hidden-to-hidden weights, [hiddenSize][hiddenSize]. */
  W_hh: number[][];
  /** Hidden bias, [hiddenSize]. */
  b_h: number[];
  /** Hidden-to-output weights, [outputSize][hiddenSize]. */
  W_hy: number[][];
  /** Output bias, [outputSize]. */
  b_y: number[];
  /** What the last forward saw, kept for backward: xs[t] is the input at step t + 1. */
  private xs: number[][] = [];
  /** The hidden states of the last forward: hs[0] = h_0 = 0, hs[t] = h_t. */
  private hs: number[][] = [];

  constructor(inputSize: number, hiddenSize: number, outputSize: number) {
    // U(−1/√H, 1/√H), PyTorch's default for nn.RNN and for the nn.Linear on top (fan-in H).
    const k = 1 / Math.sqrt(hiddenSize);
    this.W_xh = uniformMatrix(hiddenSize, inputSize, k);
    this.W_hh = uniformMatrix(hiddenSize, hiddenSize, k);
    this.b_h = uniformVector(hiddenSize, k);
    this.W_hy = uniformMatrix(outputSize, hiddenSize, k);
    this.b_y = uniformVector(outputSize, k);
  }

  // h_t = tanh(W_xh x_t + W_hh h_{t−1} + b_h), h_0 = 0
  // y_t = W_hy h_t + b_y
  forward(xs: number[][]): number[][] {
    const H = this.W_hh.length, D = this.W_xh[0]?.length ?? 0;
    xs.forEach((x, t) => {
      if (x.length !== D) throw new Error(`RNN.forward: xs[${t}] has ${x.length} entries, expected inputSize = ${D}`);
    });
    this.xs = xs.map((x) => x.slice()); // a copy: the caller may reuse its arrays before backward
    this.hs = [new Array<number>(H).fill(0)];
    const ys: number[][] = [];
    for (const x of this.xs) {
      const hPrev = this.hs[this.hs.length - 1];
      const fromX = matVec(this.W_xh, x), fromH = matVec(this.W_hh, hPrev);
      const a = fromX.map((v, i) => v + fromH[i] + this.b_h[i]);
      const h = a.map(Math.tanh);
      this.hs.push(h);
      ys.push(matVec(this.W_hy, h).map((v, i) => v + this.b_y[i]));
    }
    return ys;
  }

  // Backpropagation through time, from the last step to the first. At step t, with dy_t = douts[t − 1]:
  //   y_t = W_hy h_t + b_y                     dW_hy += dy_t h_tᵀ, db_y += dy_t
  //   h_t feeds y_t and h_{t+1}                dh_t = W_hyᵀ dy_t + dhNext
  //   h_t = tanh(a_t)                          da_t = (1 − h_t²) ⊙ dh_t
  //   a_t = W_xh x_t + W_hh h_{t−1} + b_h      dW_xh += da_t x_tᵀ, dW_hh += da_t h_{t−1}ᵀ, db_h += da_t
  //                                            dhNext = W_hhᵀ da_t   (the gradient of h_{t−1} through step t)
  backward(douts: number[][]): RNNGrads {
    const T = this.xs.length, H = this.W_hh.length, D = this.W_xh[0]?.length ?? 0, O = this.W_hy.length;
    if (douts.length !== T) throw new Error(`RNN.backward: ${douts.length} douts for a forward of ${T} steps (call forward first)`);
    const dW_xh = zerosMatrix(H, D), dW_hh = zerosMatrix(H, H), dW_hy = zerosMatrix(O, H);
    const db_h = new Array<number>(H).fill(0), db_y = new Array<number>(O).fill(0);
    let dhNext = new Array<number>(H).fill(0);
    for (let t = T; t >= 1; t--) {
      const dy = douts[t - 1], h = this.hs[t], hPrev = this.hs[t - 1], x = this.xs[t - 1];
      if (dy.length !== O) throw new Error(`RNN.backward: douts[${t - 1}] has ${dy.length} entries, expected outputSize = ${O}`);
      addOuter(dW_hy, dy, h);
      for (let k = 0; k < O; k++) db_y[k] += dy[k];
      const dh = dhNext.slice();
      addMatTVec(dh, this.W_hy, dy);
      const da = dh.map((g, i) => (1 - h[i] * h[i]) * g);
      addOuter(dW_xh, da, x);
      addOuter(dW_hh, da, hPrev);
      for (let i = 0; i < H; i++) db_h[i] += da[i];
      dhNext = new Array<number>(H).fill(0);
      addMatTVec(dhNext, this.W_hh, da);
    }
    return { W_xh: dW_xh, W_hh: dW_hh, b_h: db_h, W_hy: dW_hy, b_y: db_y };
  }
}

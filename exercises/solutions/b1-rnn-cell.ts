/**
 * rnnlab's answer to Exercise B1, **Implement vanilla RNN cell**, in the workbook's form (the same
 * class and names as exercises/stubs/b1-rnn-cell.ts): one tanh step, h = tanh(W_hh h_prev + W_xh x + b_h).
 * Plain arrays, row-major: W[i][j] is row i, column j.
 */

/**
 * mulberry32, a small seeded generator: Math.random cannot be seeded, and a fixed seed gives the same
 * weights on every run, so a result can be reproduced.
 */
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

const random = mulberry32(1);

/** A rows × cols matrix of values uniform in (−scale, scale). */
function uniformMatrix(rows: number, cols: number, scale: number): number[][] {
  return Array.from({ length: rows }, () => uniformVector(cols, scale));
}

function uniformVector(n: number, scale: number): number[] {
  return Array.from({ length: n }, () => (2 * random() - 1) * scale);
}

export class RNNCell {
  /** Input-to-hidden weights, [hiddenSize][inputSize]. */
  W_xh: number[][];
  /** Hidden-to-hidden weights, [hiddenSize][hiddenSize]. */
  W_hh: number[][];
  /** Hidden bias, [hiddenSize]. */
  b_h: number[];

  constructor(inputSize: number, hiddenSize: number) {
    // U(−1/√H, 1/√H), PyTorch's default for nn.RNNCell: the sum over H hidden units then starts at a size
    // of order one, where tanh is neither flat nor saturated.
    const k = 1 / Math.sqrt(hiddenSize);
    this.W_xh = uniformMatrix(hiddenSize, inputSize, k);
    this.W_hh = uniformMatrix(hiddenSize, hiddenSize, k);
    this.b_h = uniformVector(hiddenSize, k);
  }

  // h = tanh(W_hh h_prev + W_xh x + b_h)
  forward(x: number[], hPrev: number[]): number[] {
    const H = this.W_hh.length, D = this.W_xh[0]?.length ?? 0;
    // A wrong length would read undefined and give NaN far from the cause; say so here instead.
    if (x.length !== D) throw new Error(`RNNCell.forward: x has ${x.length} entries, expected inputSize = ${D}`);
    if (hPrev.length !== H) throw new Error(`RNNCell.forward: hPrev has ${hPrev.length} entries, expected hiddenSize = ${H}`);
    const h = new Array<number>(H);
    for (let i = 0; i < H; i++) {
      let a = this.b_h[i];
      for (let j = 0; j < H; j++) a += this.W_hh[i][j] * hPrev[j];
      for (let j = 0; j < D; j++) a += this.W_xh[i][j] * x[j];
      h[i] = Math.tanh(a);
    }
    return h;
  }
}

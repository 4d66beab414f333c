/**
 * rnnlab's answer to Exercise B4, **Implement LSTM cell**, in the workbook's form (the same class and
 * names as exercises/stubs/b4-lstm-cell.ts). Each gate's weights act on the concatenation [h_{t−1}, x_t],
 * h first, so W_f is [hiddenSize][hiddenSize + inputSize]. Plain arrays, row-major.
 *
 *   f_t = σ(W_f [h_{t−1}, x_t] + b_f)
 *   i_t = σ(W_i [h_{t−1}, x_t] + b_i)
 *   c̃_t = tanh(W_c [h_{t−1}, x_t] + b_c)
 *   c_t = f_t ⊙ c_{t−1} + i_t ⊙ c̃_t
 *   o_t = σ(W_o [h_{t−1}, x_t] + b_o)
 *   h_t = o_t ⊙ tanh(c_t)
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

const random = mulberry32(4);

function uniformMatrix(rows: number, cols: number, scale: number): number[][] {
  return Array.from({ length: rows }, () => uniformVector(cols, scale));
}

function uniformVector(n: number, scale: number): number[] {
  return Array.from({ length: n }, () => (2 * random() - 1) * scale);
}

function zerosMatrix(rows: number, cols: number): number[][] {
  return Array.from({ length: rows }, () => new Array<number>(cols).fill(0));
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/** W z + b */
function affine(W: number[][], z: number[], b: number[]): number[] {
  return W.map((row, i) => row.reduce((s, w, j) => s + w * z[j], b[i]));
}

/** What backward needs from one forward step. */
export interface LSTMCache {
  /** [h_{t−1}, x_t], the input of every gate. */
  z: number[];
  cPrev: number[];
  f: number[];
  i: number[];
  cTilde: number[];
  o: number[];
  /** tanh(c_t) */
  tanhC: number[];
}

/** The weight gradients of one step, one per weight and of its shape. */
export interface LSTMGrads {
  W_f: number[][];
  W_i: number[][];
  W_c: number[][];
  W_o: number[][];
  b_f: number[];
  b_i: number[];
  b_c: number[];
  b_o: number[];
}

export class LSTMCell {
  /** Forget gate weights, [hiddenSize][hiddenSize + inputSize], acting on [h_{t−1}, x_t]. */
  W_f: number[][];
  /** Input gate weights, [hiddenSize][hiddenSize + inputSize]. */
  W_i: number[][];
  /** Candidate cell weights, [hiddenSize][hiddenSize + inputSize]. */
  W_c: number[][];
  /** Output gate weights, [hiddenSize][hiddenSize + inputSize]. */
  W_o: number[][];
  b_f: number[];
  b_i: number[];
  b_c: number[];
  b_o: number[];

  constructor(inputSize: number, hiddenSize: number) {
    // U(−1/√H, 1/√H) for every weight and bias, PyTorch's default for nn.LSTMCell.
    const k = 1 / Math.sqrt(hiddenSize), Z = hiddenSize + inputSize;
    this.W_f = uniformMatrix(hiddenSize, Z, k);
    this.W_i = uniformMatrix(hiddenSize, Z, k);
    this.W_c = uniformMatrix(hiddenSize, Z, k);
    this.W_o = uniformMatrix(hiddenSize, Z, k);
    this.b_f = uniformVector(hiddenSize, k);
    this.b_i = uniformVector(hiddenSize, k);
    this.b_c = uniformVector(hiddenSize, k);
    this.b_o = uniformVector(hiddenSize, k);
  }

  // z = [h_{t−1}, x_t]
  // f = σ(W_f z + b_f), i = σ(W_i z + b_i), c̃ = tanh(W_c z + b_c), o = σ(W_o z + b_o)
  // c = f ⊙ c_prev + i ⊙ c̃
  // h = o ⊙ tanh(c)
  forward(x: number[], hPrev: number[], cPrev: number[]): { h: number[]; c: number[]; cache: LSTMCache } {
    const H = this.b_f.length, D = (this.W_f[0]?.length ?? H) - H;
    if (x.length !== D) throw new Error(`LSTMCell.forward: x has ${x.length} entries, expected inputSize = ${D}`);
    if (hPrev.length !== H || cPrev.length !== H) {
      throw new Error(`LSTMCell.forward: hPrev and cPrev have ${hPrev.length} and ${cPrev.length} entries, expected hiddenSize = ${H}`);
    }
    const z = [...hPrev, ...x];
    const f = affine(this.W_f, z, this.b_f).map(sigmoid);
    const i = affine(this.W_i, z, this.b_i).map(sigmoid);
    const cTilde = affine(this.W_c, z, this.b_c).map(Math.tanh);
    const o = affine(this.W_o, z, this.b_o).map(sigmoid);
    const c = f.map((fk, k) => fk * cPrev[k] + i[k] * cTilde[k]);
    const tanhC = c.map(Math.tanh);
    const h = o.map((ok, k) => ok * tanhC[k]);
    return { h, c, cache: { z, cPrev: cPrev.slice(), f, i, cTilde, o, tanhC } };
  }

  // dh and dc are dL/dh_t and dL/dc_t from above (the next step, the output, or both).
  //   h = o ⊙ tanh(c)             do = dh ⊙ tanh(c);  dcTotal = dc + dh ⊙ o ⊙ (1 − tanh²(c))
  //   c = f ⊙ c_prev + i ⊙ c̃      df = dcTotal ⊙ c_prev;  di = dcTotal ⊙ c̃;  dc̃ = dcTotal ⊙ i;  dcPrev = dcTotal ⊙ f
  //   f = σ(a_f) (so i, o)        da_f = df ⊙ f ⊙ (1 − f)
  //   c̃ = tanh(a_c)               da_c = dc̃ ⊙ (1 − c̃²)
  //   a_g = W_g z + b_g           dW_g += da_g zᵀ;  db_g += da_g;  dz += W_gᵀ da_g
  //   z = [h_prev, x]             dhPrev = dz[0 .. H−1];  dx = dz[H ..]
  backward(dh: number[], dc: number[], cache: LSTMCache): { grads: LSTMGrads; dx: number[]; dhPrev: number[]; dcPrev: number[] } {
    const { z, cPrev, f, i, cTilde, o, tanhC } = cache;
    const H = f.length, Z = z.length;
    if (dh.length !== H || dc.length !== H) throw new Error(`LSTMCell.backward: dh and dc have ${dh.length} and ${dc.length} entries, expected hiddenSize = ${H}`);
    const do_ = dh.map((g, k) => g * tanhC[k]); // `do` is a keyword
    const dcTotal = dc.map((g, k) => g + dh[k] * o[k] * (1 - tanhC[k] * tanhC[k]));
    const df = dcTotal.map((g, k) => g * cPrev[k]);
    const di = dcTotal.map((g, k) => g * cTilde[k]);
    const dcTilde = dcTotal.map((g, k) => g * i[k]);
    const dcPrev = dcTotal.map((g, k) => g * f[k]);
    const da_f = df.map((g, k) => g * f[k] * (1 - f[k]));
    const da_i = di.map((g, k) => g * i[k] * (1 - i[k]));
    const da_c = dcTilde.map((g, k) => g * (1 - cTilde[k] * cTilde[k]));
    const da_o = do_.map((g, k) => g * o[k] * (1 - o[k]));

    const grads: LSTMGrads = {
      W_f: zerosMatrix(H, Z), W_i: zerosMatrix(H, Z), W_c: zerosMatrix(H, Z), W_o: zerosMatrix(H, Z),
      b_f: new Array<number>(H).fill(0), b_i: new Array<number>(H).fill(0), b_c: new Array<number>(H).fill(0), b_o: new Array<number>(H).fill(0),
    };
    const dz = new Array<number>(Z).fill(0);
    const gates: [number[], number[][], number[][], number[]][] = [
      [da_f, this.W_f, grads.W_f, grads.b_f],
      [da_i, this.W_i, grads.W_i, grads.b_i],
      [da_c, this.W_c, grads.W_c, grads.b_c],
      [da_o, this.W_o, grads.W_o, grads.b_o],
    ];
    for (const [da, W, dW, db] of gates) {
      for (let r = 0; r < H; r++) {
        db[r] += da[r];
        for (let j = 0; j < Z; j++) {
          dW[r][j] += da[r] * z[j];
          dz[j] += W[r][j] * da[r];
        }
      }
    }
    return { grads, dx: dz.slice(H), dhPrev: dz.slice(0, H), dcPrev };
  }
}

/**
 * C6 — what does the LSTM's cell state store? A linear probe reads x_{t−k} back out of c_t (and of h_t):
 *
 *   x̂_{t−k} = wᵀ [s_t; 1],   w = argmin Σ_t (x_{t−k} − wᵀ[s_t; 1])² + λ|w|²   (ridge, ml-matrix solve)
 *
 * fitted on training sequences and scored on held-out ones by R² = 1 − SSE / SST (0 = predicting the mean,
 * i.e. chance; 1 = x_{t−k} is a linear function of the state). If R² stays high for large k, the state
 * holds a linear record of the past inputs that far back.
 *
 * The LSTM is trained briefly (our Adam, BPTT) to output x_{t−1}, ..., x_{t−K} at every step, a task
 * that only memory of the last K inputs solves; an untrained LSTM of the largest size is probed too,
 * as the baseline of what random gating alone keeps.
 */
import { Matrix, solve } from 'ml-matrix';
import { LSTM } from '../layers/models.js';
import { mseLoss } from '../layers/loss.js';
import { Adam } from '../optim/adam.js';
import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { fmt, type Experiment, type ExperimentResult } from './experiment.js';

export interface ProbeScores {
  H: number;
  trained: boolean;
  /** Final training loss (MSE over all K outputs); NaN when untrained. */
  finalLoss: number;
  /** Held-out R² for k = 1..K (index k−1). */
  r2c: number[];
  r2h: number[];
}

export const cellProbe: Experiment = {
  name: 'cell-probe',
  title: 'C6: what the LSTM cell state stores — linear probes for past inputs',
  question: 'Can x_{t−k} be read linearly from c_t (or h_t), and how does that fall with the delay k and the size H?',
  run({ seed, quick }, log): ExperimentResult {
    const sizes = quick ? [8, 32] : [8, 32, 64];
    const K = quick ? 8 : 10;
    const steps = quick ? 60 : 400, B = 16, T = quick ? 20 : 30, lr = 1e-2;
    const probeSeqs = quick ? 24 : 60, probeT = 40, burnIn = K, lambda = 1e-3;
    const results: ProbeScores[] = [];
    const runs = [...sizes.map((H) => ({ H, trained: true })), { H: sizes[sizes.length - 1], trained: false }];
    for (const { H, trained } of runs) {
      const lstm = new LSTM({ inputSize: 1, hiddenSize: H, outputSize: K, dtype: 'float64', seed });
      let finalLoss = NaN;
      if (trained) {
        const opt = new Adam(lstm, { lr });
        const rng = new Rng(seed + 1);
        let recent = 0;
        for (let s = 1; s <= steps; s++) {
          const { x, y } = delayBatch(rng, T, B, K);
          opt.zeroGrad();
          const { output } = lstm.forward(x);
          const { loss, grad } = mseLoss(output, y);
          lstm.backward(grad);
          opt.step();
          recent = s === 1 ? loss : 0.9 * recent + 0.1 * loss; // smoothed, one batch is noisy
          if (s % Math.max(1, steps / 4) === 0) log(`H = ${H}: step ${s}, loss ${fmt(recent)}`);
        }
        finalLoss = recent;
      }
      // Probe data: fresh sequences (seeded apart from training), states after the burn-in only.
      const { x } = delayBatch(new Rng(seed + 2), probeT, probeSeqs, K);
      const { c, h } = statesOf(lstm, x, probeT, probeSeqs, H);
      const split = Math.round(probeSeqs * 0.7);
      const r2 = (states: Float64Array[]): number[] =>
        Array.from({ length: K }, (_, i) => probe(states, x.data as Float64Array, i + 1, probeT, probeSeqs, H, burnIn, split, lambda));
      results.push({ H, trained, finalLoss, r2c: r2(c), r2h: r2(h) });
    }
    const label = (r: ProbeScores, s: 'c' | 'h'): string => `H=${r.H}${r.trained ? '' : ' untrained'} ${s}_t`;
    const table = {
      columns: ['k', ...results.flatMap((r) => [label(r, 'c'), label(r, 'h')])],
      rows: Array.from({ length: K }, (_, i) => [i + 1, ...results.flatMap((r) => [r.r2c[i], r.r2h[i]])]),
    };
    const big = results[sizes.length - 1], small = results[0], raw = results[results.length - 1];
    const firstBelow = (r: number[], v: number): string => {
      const i = r.findIndex((x) => x < v);
      return i < 0 ? `stays ≥ ${v} for every k ≤ ${K}` : `falls below ${v} at k = ${i + 1}`;
    };
    const conclusion = [
      `After ${steps} Adam steps (training loss ${results.filter((r) => r.trained).map((r) => `H=${r.H}: ${fmt(r.finalLoss)}`).join(', ')}; ` +
        `predicting 0 scores 1/3 on U(−1, 1) inputs), a linear probe reads x_{t−1} from c_t with held-out R² ${fmt(big.r2c[0])} (H = ${big.H}) ` +
        `and ${fmt(small.r2c[0])} (H = ${small.H}); from h_t ${fmt(big.r2h[0])} and ${fmt(small.r2h[0])}.`,
      `R² falls with the delay: for H = ${big.H} it is ${fmt(big.r2c[K - 1])} at k = ${K} (c_t) and ${firstBelow(big.r2c, 0.5)}; ` +
        `for H = ${small.H} it ${firstBelow(small.r2c, 0.5)} (R² ${fmt(small.r2c[K - 1])} at k = ${K}): a larger state keeps a longer record.`,
      `The untrained H = ${raw.H} LSTM already keeps some: R² ${fmt(raw.r2c[0])} at k = 1, ${fmt(raw.r2c[K - 1])} at k = ${K} from c_t.`,
    ].join(' ');
    return {
      name: 'cell-probe',
      settings: {
        sizes, delays: K, task: 'output x_{t−1..t−K} at every step, x ~ U(−1, 1)', trainSteps: steps, batch: B, trainT: T, optimizer: `Adam lr ${lr}`,
        probe: `ridge λ = ${lambda}·n on [state; 1], ${probeSeqs} sequences × ${probeT} steps, first ${burnIn} steps dropped, 70/30 split by sequence`,
      },
      table,
      conclusion,
      data: { results },
    };
  },
};

/** x [T, B, 1] uniform in ±1; y [T, B, K] with y[t, b, k−1] = x[t−k, b] (0 before the start). */
function delayBatch(rng: Rng, T: number, B: number, K: number): { x: Tensor; y: Tensor } {
  const x = Float64Array.from({ length: T * B }, () => rng.uniform(-1, 1));
  const y = new Float64Array(T * B * K);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let k = 1; k <= K; k++) if (t - k >= 0) y[(t * B + b) * K + k - 1] = x[(t - k) * B + b];
  return { x: new Tensor(x, [T, B, 1]), y: new Tensor(y, [T, B, K]) };
}

/** c_t and h_t at every step, per step [B·H], by running one step at a time from the carried state. */
function statesOf(lstm: LSTM, x: Tensor, T: number, B: number, H: number): { c: Float64Array[]; h: Float64Array[] } {
  const c: Float64Array[] = [], h: Float64Array[] = [];
  let state = {};
  for (let t = 0; t < T; t++) {
    const out = lstm.forward(new Tensor(x.data.slice(t * B, (t + 1) * B), [1, B, 1]), state);
    c.push(out.c.data as Float64Array);
    h.push(out.h.data as Float64Array);
    state = { h: out.h, c: out.c };
  }
  return { c, h };
}

/** Held-out R² of the ridge probe states[t] → x_{t−k}; sequences < split train, the rest test. */
function probe(states: Float64Array[], x: Float64Array, k: number, T: number, B: number, H: number, burnIn: number, split: number, lambda: number): number {
  const rows = (from: number, to: number): { X: number[][]; y: number[] } => {
    const X: number[][] = [], y: number[] = [];
    for (let t = burnIn; t < T; t++) {
      for (let b = from; b < to; b++) {
        X.push([...states[t].subarray(b * H, (b + 1) * H), 1]);
        y.push(x[(t - k) * B + b]);
      }
    }
    return { X, y };
  };
  const tr = rows(0, split), te = rows(split, B);
  const A = new Matrix(tr.X);
  const gram = A.transpose().mmul(A);
  for (let i = 0; i < H + 1; i++) gram.set(i, i, gram.get(i, i) + lambda * tr.y.length);
  const w = solve(gram, A.transpose().mmul(Matrix.columnVector(tr.y))).getColumn(0);
  const mean = te.y.reduce((s, v) => s + v, 0) / te.y.length;
  let sse = 0, sst = 0;
  te.X.forEach((row, i) => {
    const pred = row.reduce((s, v, j) => s + v * w[j], 0);
    sse += (te.y[i] - pred) ** 2;
    sst += (te.y[i] - mean) ** 2;
  });
  return 1 - sse / sst;
}

/**
 * The long-lag task shared by C2, C3 and C4: remember one value across many distracting steps.
 *
 * Input x_t has three channels: [value, store marker, recall marker]. At the store step p the value is
 * a random sign s = ±1 and the store marker is 1; at every other step the value is distractor noise
 * U(−noise, noise) and the marker is 0; at the last step the recall marker is 1. The target, read at the
 * last step only, is s (MSE on the last step). Predicting 0 scores MSE 1 (the baseline); a model that
 * has learned nothing but the mean cannot do better. With p = 0 the lag is T − 1 steps.
 *
 * Also: training any Recurrent model on it (our Adam, BPTT, gradient-norm clipping), scoring it on a
 * held-out batch, and recomputing an LSTM's gates step by step from its state dict (gate order i f g o).
 */
import { mseLoss } from '../layers/loss.js';
import type { LSTM } from '../layers/models.js';
import type { Recurrent } from '../layers/recurrent.js';
import { Adam } from '../optim/adam.js';
import { clipGradNorm } from '../optim/clip.js';
import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { fmt } from './experiment.js';

export const LONG_LAG_INPUTS = 3;

export interface LongLagBatch {
  /** [T, B, 3]: value, store marker, recall marker. */
  x: Tensor;
  /** [B]: the stored sign. */
  y: Float64Array;
  /** [B]: the store step of each sequence. */
  store: Int32Array;
}

export interface LongLagOptions {
  /** Distractor values are U(−noise, noise) (default 0.5). */
  noise?: number;
  /** Store step: 0 (fixed lag T − 1, default) or 'random' (uniform in [0, T/2)). */
  storeAt?: 0 | 'random';
}

export function longLagBatch(rng: Rng, T: number, B: number, opts: LongLagOptions = {}): LongLagBatch {
  const noise = opts.noise ?? 0.5, D = LONG_LAG_INPUTS;
  const x = new Float64Array(T * B * D), y = new Float64Array(B), store = new Int32Array(B);
  for (let b = 0; b < B; b++) {
    const p = opts.storeAt === 'random' ? rng.int(Math.max(1, Math.floor(T / 2))) : 0;
    const s = rng.random() < 0.5 ? -1 : 1;
    y[b] = s;
    store[b] = p;
    for (let t = 0; t < T; t++) {
      const o = (t * B + b) * D;
      x[o] = t === p ? s : rng.uniform(-noise, noise);
      x[o + 1] = t === p ? 1 : 0;
      x[o + 2] = t === T - 1 ? 1 : 0;
    }
  }
  return { x: new Tensor(x, [T, B, D]), y, store };
}

export interface TrainResult {
  /** Held-out MSE at the last step (baseline 1: predicting 0). */
  loss: number;
  /** Held-out fraction of sequences where sign(prediction) = s. */
  accuracy: number;
  /** Smoothed training loss, every `steps / 10` steps. */
  curve: number[];
  /** First step whose smoothed training loss fell below `threshold`; null if none did. */
  solvedAt: number | null;
  solved: boolean;
}

export interface TrainOptions {
  T: number;
  B: number;
  steps: number;
  lr: number;
  clip: number;
  seed: number;
  threshold: number;
  task?: LongLagOptions;
  label?: string;
}

/** Trains `model` (built with outputSize 1, float64) on the long-lag task; data seeded by `seed`. */
export function trainLongLag(model: Recurrent, o: TrainOptions, log: (line: string) => void): TrainResult {
  const opt = new Adam(model, { lr: o.lr });
  const rng = new Rng(o.seed + 1);
  const curve: number[] = [];
  let recent = 1, solvedAt: number | null = null;
  for (let s = 1; s <= o.steps; s++) {
    const { x, y } = longLagBatch(rng, o.T, o.B, o.task);
    opt.zeroGrad();
    const { output } = model.forward(x);
    const { loss, grad } = lastStepLoss(output, y, o.T, o.B);
    model.backward(grad);
    clipGradNorm(model, o.clip);
    opt.step();
    recent = s === 1 ? loss : 0.9 * recent + 0.1 * loss;
    if (solvedAt === null && s >= 10 && recent < o.threshold) solvedAt = s;
    if (s % Math.max(1, Math.round(o.steps / 10)) === 0) curve.push(recent);
    if (s % Math.max(1, Math.round(o.steps / 4)) === 0) log(`${o.label ?? ''}step ${s}, loss ${fmt(recent)}`);
  }
  const ev = evaluate(model, o.T, 256, o.seed + 2, o.task);
  return { ...ev, curve, solvedAt, solved: ev.loss < o.threshold };
}

/** Held-out MSE and sign accuracy on `n` fresh sequences. */
export function evaluate(model: Recurrent, T: number, n: number, seed: number, task?: LongLagOptions): { loss: number; accuracy: number } {
  const { x, y } = longLagBatch(new Rng(seed), T, n, task);
  const out = model.forward(x).output.data;
  let sse = 0, right = 0;
  for (let b = 0; b < n; b++) {
    const p = out[(T - 1) * n + b];
    sse += (p - y[b]) ** 2;
    if (Math.sign(p) === y[b]) right++;
  }
  return { loss: sse / n, accuracy: right / n };
}

/** MSE on the last step only; the gradient is zero at every other step. */
function lastStepLoss(output: Tensor, y: Float64Array, T: number, B: number): { loss: number; grad: Tensor } {
  const last = new Tensor(output.data.slice((T - 1) * B, T * B), [B, 1]);
  const { loss, grad } = mseLoss(last, new Tensor(Float64Array.from(y), [B, 1]));
  const g = new Float64Array(T * B);
  g.set(grad.data, (T - 1) * B);
  return { loss, grad: new Tensor(g, [T, B, 1]) };
}

export interface GateTrace {
  /** [T][B·H] activated gates and states, recomputed by hand from the state dict. */
  i: Float64Array[];
  f: Float64Array[];
  o: Float64Array[];
  c: Float64Array[];
  h: Float64Array[];
}

/** Replaces a gate's value at step t of sequence b (undefined: leave it): how gate roles are tested by clamping. */
export type GateClamp = (gate: 'i' | 'f' | 'o', t: number, b: number) => number | undefined;

/**
 * Runs a one-layer LSTM over x [T, B, D] from zero state, computing per step
 *   z = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh,  i, f, o = σ(z_i, z_f, z_o),  g = tanh(z_g),
 *   c_t = f ⊙ c_{t−1} + i ⊙ g,  h_t = o ⊙ tanh(c_t)
 * and keeping i, f, o, c, h. (Tests check that h_T matches the layer's own forward.) With `clamp`, the
 * gates it names take its values instead, for every unit.
 */
export function lstmGates(lstm: LSTM, x: Tensor, clamp?: GateClamp): GateTrace {
  const [T, B, D] = x.shape, H = lstm.hiddenSize;
  const sd = lstm.stateDict();
  const Wih = sd.weight_ih_l0.data, Whh = sd.weight_hh_l0.data, bih = sd.bias_ih_l0.data, bhh = sd.bias_hh_l0.data;
  const sig = (v: number): number => 1 / (1 + Math.exp(-v));
  const tr: GateTrace = { i: [], f: [], o: [], c: [], h: [] };
  let h = new Float64Array(B * H), c = new Float64Array(B * H);
  const z = new Float64Array(4 * H);
  for (let t = 0; t < T; t++) {
    const I = new Float64Array(B * H), F = new Float64Array(B * H), O = new Float64Array(B * H);
    const hn = new Float64Array(B * H), cn = new Float64Array(B * H);
    for (let b = 0; b < B; b++) {
      for (let r = 0; r < 4 * H; r++) {
        let s = bih[r] + bhh[r];
        for (let d = 0; d < D; d++) s += Wih[r * D + d] * x.data[(t * B + b) * D + d];
        for (let k = 0; k < H; k++) s += Whh[r * H + k] * h[b * H + k];
        z[r] = s;
      }
      for (let j = 0; j < H; j++) {
        const ig = clamp?.('i', t, b) ?? sig(z[j]), fg = clamp?.('f', t, b) ?? sig(z[H + j]);
        const gg = Math.tanh(z[2 * H + j]), og = clamp?.('o', t, b) ?? sig(z[3 * H + j]);
        const cc = fg * c[b * H + j] + ig * gg;
        I[b * H + j] = ig;
        F[b * H + j] = fg;
        O[b * H + j] = og;
        cn[b * H + j] = cc;
        hn[b * H + j] = og * Math.tanh(cc);
      }
    }
    h = hn;
    c = cn;
    tr.i.push(I);
    tr.f.push(F);
    tr.o.push(O);
    tr.c.push(cn);
    tr.h.push(hn);
  }
  return tr;
}

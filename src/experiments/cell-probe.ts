/**
 * C6 — what does the LSTM's state store, and how much? Linear (ridge) probes read x_{t−k} back out of c_t,
 * h_t and the whole state s_t = [c_t; h_t], fitted on training sequences and scored on held-out ones.
 *
 * The LSTM is trained briefly (our Adam, BPTT) to output x_{t−1}, ..., x_{t−K} at every step, x ~ U(−1, 1)
 * i.i.d. Its head is a linear readout of h_t, so at k ≤ K the h_t probe only re-finds what training asked
 * for; the informative probes are at k > K (up to 3K), in untrained LSTMs (a random "reservoir"), and
 * summed over k against the state's size. Three summaries, each with a guarantee behind it:
 *
 *   bits_k = max(0, 1 − ½·log2(2πe·MSE_k))  ≤ I(x_{t−k}; s_t) averaged over t   (info-bound.ts; h(U(−1,1)) = 1 bit)
 *   Σ_k bits_k ≤ I(x_{t−1}, ..., x_{t−3K}; s_t)  (the inputs are independent, so the joint information is at least the sum)
 *   MC = Σ_k R²_k ≤ number of units read  (Jaeger 2002: H for c_t or h_t, 2H for s_t)
 *
 * and one check: s_t = F(s_{t−1}, x_t) with x_t independent of the past, so x_{t−k} → s_{t−1} → s_t is a
 * Markov chain and I(x_{t−k}; s_t) cannot grow with k (data processing inequality) for the whole state s_t,
 * not for c_t or h_t alone. The bound is only a lower bound, so its curve may still rise; we report where.
 */
import { LSTM } from '../layers/models.js';
import { mseLoss } from '../layers/loss.js';
import { Adam } from '../optim/adam.js';
import { Rng } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { fmt, type Experiment, type ExperimentResult } from './experiment.js';
import { gaussianBoundBits, memoryCapacity, ridgeProbe, rises, type ProbeRows } from './info-bound.js';

export interface ProbeScores {
  H: number;
  trained: boolean;
  /** Final smoothed training loss (MSE over all K outputs); NaN when untrained. */
  finalLoss: number;
  /** The model's own head (a linear readout of h_t) on the probe sequences after the burn-in: MSE over its K outputs; NaN when untrained. */
  headMse: number;
  /** Held-out R² for k = 1..3K (index k−1), from c_t, h_t and s_t = [c_t; h_t]. */
  r2c: number[];
  r2h: number[];
  r2s: number[];
  /** Held-out MSE of the s_t probe, and the lower bound on I(x_{t−k}; s_t) in bits it gives. */
  mseS: number[];
  bits: number[];
  /** Σ_k bits_k over every probed delay: a lower bound on I(x_{t−1..t−3K}; s_t). */
  totalBits: number;
  /** Memory capacity Σ_k R²_k over every probed delay, per readout; and for s_t split at K. */
  mcC: number;
  mcH: number;
  mcS: number;
  mcSUpToK: number;
  mcSBeyondK: number;
  /** Delays where the bits curve rises (the true information cannot). */
  bitRises: { k: number; by: number }[];
}

export const cellProbe: Experiment = {
  name: 'cell-probe',
  title: 'C6: what the LSTM state stores — probes for past inputs, in bits and memory capacity',
  question: 'How much about x_{t−k} is in c_t, h_t and [c_t; h_t], in bits, beyond the delays the LSTM was trained to output, and does a larger state keep more?',
  run({ seed, quick }, log): ExperimentResult {
    const sizes = quick ? [8, 32] : [8, 16, 32, 64];
    const K = quick ? 5 : 10, kMax = 3 * K;
    const steps = quick ? 60 : 400, B = 16, T = quick ? 20 : 30, lr = 1e-2;
    // The burn-in is kMax, so every probed delay has a past input, and the zero initial state has washed out.
    const probeSeqs = quick ? 100 : 200, burnIn = kMax, probeT = burnIn + (quick ? 20 : 40), lambda = 1e-3;
    const split = Math.round(probeSeqs * 0.7);
    const results: ProbeScores[] = [];
    const runs = [...sizes.map((H) => ({ H, trained: true })), ...sizes.map((H) => ({ H, trained: false }))];
    for (const { H, trained } of runs) {
      const lstm = new LSTM({ inputSize: 1, hiddenSize: H, outputSize: K, dtype: 'float64', seed });
      const finalLoss = trained ? train(lstm, { seed, steps, B, T, K, lr }, (l) => log(`H = ${H}: ${l}`)) : NaN;
      // Probe data: fresh sequences, seeded apart from training; the same for every model.
      const { x } = delayBatch(new Rng(seed + 2), probeT, probeSeqs, K);
      const { c, h, out } = statesOf(lstm, x, probeT, probeSeqs, H);
      const headMse = trained ? headError(out, x.data as Float64Array, K, probeT, probeSeqs, burnIn) : NaN;
      const s = c.map((ct, t) => interleave(ct, h[t], probeSeqs, H));
      const score = (states: Float64Array[], p: number): { mse: number[]; r2: number[] } => {
        const rows = (from: number, to: number): ProbeRows => probeRows(states, x.data as Float64Array, p, kMax, probeT, probeSeqs, burnIn, from, to);
        return ridgeProbe(rows(0, split), rows(split, probeSeqs), p, kMax, lambda);
      };
      const pc = score(c, H), ph = score(h, H), ps = score(s, 2 * H);
      const bits = ps.mse.map((m) => gaussianBoundBits(m));
      results.push({
        H, trained, finalLoss, headMse, r2c: pc.r2, r2h: ph.r2, r2s: ps.r2, mseS: ps.mse, bits,
        totalBits: bits.reduce((a, b) => a + b, 0),
        mcC: memoryCapacity(pc.r2), mcH: memoryCapacity(ph.r2), mcS: memoryCapacity(ps.r2),
        mcSUpToK: memoryCapacity(ps.r2.slice(0, K)), mcSBeyondK: memoryCapacity(ps.r2.slice(K)),
        bitRises: rises(bits),
      });
    }
    const label = (r: ProbeScores): string => `H=${r.H}${r.trained ? '' : ' untrained'}`;
    const summary: [string, (r: ProbeScores) => number][] = [
      ['Σ_k bits (≤ I(x_{t−1..t−3K}; s_t))', (r) => r.totalBits],
      ['MC, s_t = [c_t; h_t] (≤ 2H)', (r) => r.mcS],
      [`  of which k ≤ K = ${K}`, (r) => r.mcSUpToK],
      [`  of which k > K`, (r) => r.mcSBeyondK],
      ['MC, c_t (≤ H)', (r) => r.mcC],
      ['MC, h_t (≤ H)', (r) => r.mcH],
      ['H', (r) => r.H],
      ['training loss', (r) => r.finalLoss],
      ['head MSE on the probe data', (r) => r.headMse],
    ];
    const table = {
      columns: ['k: bits about x_{t−k} in s_t', ...results.map(label)],
      rows: [
        ...Array.from({ length: kMax }, (_, i) => [i + 1, ...results.map((r) => r.bits[i])]),
        ...summary.map(([name, f]) => [name, ...results.map((r) => (Number.isNaN(f(r)) ? '—' : f(r)))]),
      ],
    };
    return {
      name: 'cell-probe',
      settings: {
        sizes, delaysTrained: K, delaysProbed: kMax, task: `output x_{t−1..t−${K}} at every step, x ~ U(−1, 1)`, trainSteps: steps, batch: B, trainT: T, optimizer: `Adam lr ${lr}`,
        probe: `ridge on standardized units, λ = ${lambda}·n, intercept free; ${probeSeqs} sequences × ${probeT} steps, first ${burnIn} steps dropped, ${split}/${probeSeqs - split} sequences to fit/score`,
        bound: 'bits_k = max(0, 1 − ½·log2(2πe·held-out MSE_k)), h(U(−1, 1)) = 1 bit',
      },
      table,
      conclusion: conclude(results, { K, kMax, steps }),
      data: { results },
    };
  },
};

/** The paragraph under the table: every number and every comparison taken from `results`. */
function conclude(results: ProbeScores[], s: { K: number; kMax: number; steps: number }): string {
  const trained = results.filter((r) => r.trained), raw = results.filter((r) => !r.trained);
  const name = (r: ProbeScores): string => `H = ${r.H}${r.trained ? '' : ' untrained'}`;
  const lastPositive = (r: ProbeScores): number => r.bits.reduce((last, b, i) => (b > 0 ? i + 1 : last), 0);
  const list = (rs: ProbeScores[], f: (r: ProbeScores) => string): string => rs.map(f).join(', ');
  const Hs = (rs: ProbeScores[]): string => rs.map((r) => r.H).join(', ');
  // Capacity against size from the smallest model big enough for the task (H ≥ K, where Jaeger's bound no longer caps the head), the untrained over the same range to compare.
  const growth = (rs: ProbeScores[]): string => {
    const big = rs.filter((r) => r.H >= s.K), a = big.length >= 2 ? big[0] : rs[0], b = rs[rs.length - 1];
    return `×${fmt(b.mcS / a.mcS)} from H = ${a.H} to ${b.H} (×${fmt(b.H / a.H)} the units)`;
  };
  const small = trained.filter((r) => r.H < s.K);
  const over = results.filter((r) => r.mcS > 2 * r.H || r.mcC > r.H || r.mcH > r.H);
  const rising = results.filter((r) => r.bitRises.length > 0);
  const worst = (r: ProbeScores): { k: number; by: number } => r.bitRises.reduce((a, b) => (b.by > a.by ? b : a));
  return [
    `After ${s.steps} Adam steps (training loss ${list(trained, (r) => fmt(r.finalLoss))} for H = ${Hs(trained)}; predicting 0 scores 1/3), ` +
      `the held-out probes bound the information about x_{t−1} in s_t = [c_t; h_t] at ${list(trained, (r) => fmt(r.bits[0]))} bits ` +
      `and about x_{t−${s.K}} (the last trained delay) at ${list(trained, (r) => fmt(r.bits[s.K - 1]))} bits.`,
    `Past the trained delays: at k = ${s.K + 1} ${list(trained, (r) => fmt(r.bits[s.K]))} bits, and the last delay with a positive bound is k = ${list(trained, (r) => String(lastPositive(r)))}; ` +
      `MC over k > K is ${list(trained, (r) => fmt(r.mcSBeyondK))} (R² below 0.297 counts in MC but gives 0 bits).`,
    `Untrained LSTMs (H = ${Hs(raw)}) hold ${list(raw, (r) => fmt(r.bits[0]))} bits about x_{t−1}, positive up to k = ${list(raw, (r) => String(lastPositive(r)))}.`,
    `Memory capacity of s_t against its bound 2H = ${list(trained, (r) => String(2 * r.H))}: trained ${list(trained, (r) => fmt(r.mcS))}, ${growth(trained)}; ` +
      `untrained ${list(raw, (r) => fmt(r.mcS))}, ${growth(raw)}.`,
    `In total the probes certify Σ_k bits = ${list(trained, (r) => fmt(r.totalBits))} bits trained and ${list(raw, (r) => fmt(r.totalBits))} untrained about x_{t−1..t−${s.kMax}}, ` +
      `against the ${list(trained, (r) => String(64 * 2 * r.H))} bits a float64 state of 2H numbers can hold at most.`,
    ...small.map((r) =>
      `At H = ${r.H} < K the head, a linear readout of h_t, cannot fit all K delays: Jaeger's bound gives Σ_{k≤K} R²_k ≤ H, so its mean MSE over the K outputs ` +
        `is at least (1/3)·(1 − H/K) = ${fmt((1 / 3) * (1 - r.H / s.K))}; on the probe data it is ${fmt(r.headMse)}, and the h_t probes' MC is ${fmt(r.mcH)}.`),
    over.length === 0 ? 'No MC exceeds its unit count.' : `MC exceeds its unit count (sampling noise of the held-out R²) for ${over.map(name).join(', ')}.`,
    rising.length === 0
      ? 'The bits curves never rise with k, as the data processing inequality requires of the information itself.'
      : `The bits curve rises with k, which the information itself cannot (data processing inequality), in ${rising.map((r) => `${name(r)} (${r.bitRises.length}×, at most ${fmt(worst(r).by)} bits at k = ${worst(r).k})`).join(', ')}: there the bound is loose by at least that much.`,
  ].join(' ');
}

interface TrainSettings { seed: number; steps: number; B: number; T: number; K: number; lr: number }

/** Trains `lstm` on the delay task; returns the smoothed training loss at the end. */
function train(lstm: LSTM, o: TrainSettings, log: (line: string) => void): number {
  const opt = new Adam(lstm, { lr: o.lr });
  const rng = new Rng(o.seed + 1);
  let recent = 0;
  for (let s = 1; s <= o.steps; s++) {
    const { x, y } = delayBatch(rng, o.T, o.B, o.K);
    opt.zeroGrad();
    const { output } = lstm.forward(x);
    const { loss, grad } = mseLoss(output, y);
    lstm.backward(grad);
    opt.step();
    recent = s === 1 ? loss : 0.9 * recent + 0.1 * loss; // smoothed, one batch is noisy
    if (s % Math.max(1, o.steps / 4) === 0) log(`step ${s}, loss ${fmt(recent)}`);
  }
  return recent;
}

/** x [T, B, 1] uniform in ±1; y [T, B, K] with y[t, b, k−1] = x[t−k, b] (0 before the start). */
function delayBatch(rng: Rng, T: number, B: number, K: number): { x: Tensor; y: Tensor } {
  const x = Float64Array.from({ length: T * B }, () => rng.uniform(-1, 1));
  const y = new Float64Array(T * B * K);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) for (let k = 1; k <= K; k++) if (t - k >= 0) y[(t * B + b) * K + k - 1] = x[(t - k) * B + b];
  return { x: new Tensor(x, [T, B, 1]), y: new Tensor(y, [T, B, K]) };
}

/** c_t, h_t [B·H] and the head's output [B·K] at every step, by running one step at a time from the carried state. */
function statesOf(lstm: LSTM, x: Tensor, T: number, B: number, H: number): { c: Float64Array[]; h: Float64Array[]; out: Float64Array[] } {
  const c: Float64Array[] = [], h: Float64Array[] = [], outs: Float64Array[] = [];
  let state = {};
  for (let t = 0; t < T; t++) {
    const out = lstm.forward(new Tensor(x.data.slice(t * B, (t + 1) * B), [1, B, 1]), state);
    c.push(out.c!.data as Float64Array);
    h.push(out.h.data as Float64Array);
    outs.push(out.output.data as Float64Array);
    state = { h: out.h, c: out.c };
  }
  return { c, h, out: outs };
}

/** MSE of the head's K outputs against x_{t−1..t−K}, over every sequence and every step after the burn-in. */
function headError(out: Float64Array[], x: Float64Array, K: number, T: number, B: number, burnIn: number): number {
  let sse = 0;
  for (let t = burnIn; t < T; t++) for (let b = 0; b < B; b++) for (let k = 1; k <= K; k++) sse += (out[t][b * K + k - 1] - x[(t - k) * B + b]) ** 2;
  return sse / ((T - burnIn) * B * K);
}

/** [c_t; h_t] per sequence: [B·2H]. */
function interleave(c: Float64Array, h: Float64Array, B: number, H: number): Float64Array {
  const s = new Float64Array(B * 2 * H);
  for (let b = 0; b < B; b++) {
    s.set(c.subarray(b * H, (b + 1) * H), b * 2 * H);
    s.set(h.subarray(b * H, (b + 1) * H), b * 2 * H + H);
  }
  return s;
}

/** Probe rows for sequences [from, to): features states[t] (p per sequence), targets x_{t−1..t−kMax}, t ≥ burnIn. */
function probeRows(states: Float64Array[], x: Float64Array, p: number, kMax: number, T: number, B: number, burnIn: number, from: number, to: number): ProbeRows {
  const n = (T - burnIn) * (to - from), X = new Float64Array(n * p), Y = new Float64Array(n * kMax);
  let r = 0;
  for (let t = burnIn; t < T; t++) {
    for (let b = from; b < to; b++, r++) {
      X.set(states[t].subarray(b * p, (b + 1) * p), r * p);
      for (let k = 1; k <= kMax; k++) Y[r * kMax + k - 1] = x[(t - k) * B + b];
    }
  }
  return { X, Y, n };
}

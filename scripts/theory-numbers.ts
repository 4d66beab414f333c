/**
 * Prints the measured numbers quoted in docs/theory.md (A4 and A5), so every number there has a command
 * behind it:
 *
 *   node --import tsx scripts/theory-numbers.ts
 *
 * Everything is float64 and seeded (analyzeGradientFlow's seed 0), so the output is the same on every run.
 * Tables:
 *   1. tanh RNN, W_hh scaled to a spectral radius ρ (T = 50, H = 32, 8 trials): fitted decay per step,
 *      gradient left at h_0, the A4 bound γ·σ_max and whether every measured curve respects it.
 *   2. tanh RNN, W_hh scaled to a largest singular value σ_max < 1: measured decay ≤ σ_max.
 *   3. Saturation: ρ fixed, inputs scaled up; the mean tanh' = 1 − h² over all steps falls and the
 *      gradient vanishes even with ρ > 1.
 *   4. LSTM forget-gate bias (T = 50, H = 32): gradient reaching h_0 and c_0.
 *   5. The headline: T = 100, H = 64, 10 trials (analyzeGradientFlow's defaults), PyTorch-default init for
 *      all three cells, then the LSTM with forget bias 3, and orthogonal / identity W_hh.
 */
import { analyzeGradientFlow, LSTM, RNN, type AnalyzeOptions, type CellFlowReport, type InitOptions } from '../src/index.js';
import { Rng, fillNormal } from '../src/tensor/random.js';
import { Tensor, allocate } from '../src/tensor/tensor.js';

const fmt = (v: number, digits = 3): string =>
  Number.isNaN(v) ? 'NaN' : Math.abs(v) !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) ? v.toExponential(2) : v.toFixed(digits);

const hz = (v: number | null): string => (v === null ? 'never' : String(v));

function table(head: string[], rows: (string | number)[][]): void {
  console.log(`| ${head.join(' | ')} |`);
  console.log(`|${head.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
  console.log('');
}

/**
 * Mean of tanh'(a) = 1 − h_t² over every unit, step and trial, for the RNN runs analyzeGradientFlow makes
 * (same seeds, same inputs: trial k uses Rng(seed·1000003 + k) for the inputs and that seed for the model).
 */
function meanTanhPrime(o: { T: number; H: number; D: number; trials: number; init: InitOptions; inputScale: number }): number {
  let s = 0, n = 0;
  for (let trial = 0; trial < o.trials; trial++) {
    const seed = trial; // analyzeGradientFlow's seed 0
    const model = new RNN({ inputSize: o.D, hiddenSize: o.H, dtype: 'float64', seed, init: o.init });
    const x = allocate('float64', o.T * o.D);
    fillNormal(x, new Rng(seed), 0, o.inputScale);
    const { output } = model.forward(new Tensor(x, [o.T, 1, o.D]));
    for (const h of output.data) {
      s += 1 - h * h;
      n++;
    }
  }
  return s / n;
}

/**
 * Mean forget gate f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf) over every unit, step and trial of the
 * LSTM runs analyzeGradientFlow makes (same seeds and inputs), computed by hand from the weights and the
 * h_t the layer returns.
 */
function meanForget(o: { T: number; H: number; D: number; trials: number; init: InitOptions }): number {
  const { T, H, D } = o;
  let s = 0, n = 0;
  for (let trial = 0; trial < o.trials; trial++) {
    const model = new LSTM({ inputSize: D, hiddenSize: H, dtype: 'float64', seed: trial, init: o.init });
    const x = allocate('float64', T * D);
    fillNormal(x, new Rng(trial), 0, 1);
    const hs = model.forward(new Tensor(x, [T, 1, D])).output.data;
    const sd = model.stateDict();
    const [wih, whh, bih, bhh] = ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0'].map((k) => sd[k].data);
    for (let t = 0; t < T; t++) {
      for (let j = 0; j < H; j++) {
        const r = H + j; // forget-gate row (gate order i, f, g, o)
        let z = bih[r] + bhh[r];
        for (let k = 0; k < D; k++) z += wih[r * D + k] * x[t * D + k];
        if (t > 0) for (let k = 0; k < H; k++) z += whh[r * H + k] * hs[(t - 1) * H + k];
        s += 1 / (1 + Math.exp(-z));
        n++;
      }
    }
  }
  return s / n;
}

function rnn(opts: AnalyzeOptions): CellFlowReport {
  return analyzeGradientFlow({ ...opts, cells: ['rnn'] }).rnn!;
}

const T = 50, H = 32, D = 8, trials = 8;

console.log(`**1. tanh RNN, spectral radius sweep (T = ${T}, H = ${H}, D = ${D}, ${trials} trials, inputs N(0, 1))**\n`);
table(
  ['ρ(W_hh)', 'mean σ_max(W_hh)', "mean tanh'", 'decay/step', '‖dL/dh_0‖/‖dL/dh_T‖', 'bound γσ_max', 'bound holds', 'σ_max<1 all trials', 'ρ>1 some trial'],
  [0.5, 0.9, 1.1, 1.5, 3].map((rho) => {
    const r = rnn({ sequenceLength: T, hiddenSize: H, inputSize: D, trials, init: { spectralRadius: rho } });
    const b = r.bound!;
    return [rho, fmt(r.weightHh.maxSingularValue[0]), fmt(meanTanhPrime({ T, H, D, trials, init: { spectralRadius: rho }, inputScale: 1 })),
      fmt(r.decayPerStep), fmt(r.initialRatio), fmt(b.perStep), String(b.holds), String(b.vanishingGuaranteed), String(b.nearOriginGrowth)];
  }),
);

console.log(`**2. tanh RNN, largest singular value below 1 (T = ${T}, H = ${H}, ${trials} trials)**\n`);
table(
  ['σ_max(W_hh)', 'decay/step', 'decay ≤ σ_max', '‖dL/dh_0‖/‖dL/dh_T‖', 'σ_max^T'],
  [0.3, 0.6, 0.9, 0.99].map((s) => {
    const r = rnn({ sequenceLength: T, hiddenSize: H, inputSize: D, trials, init: { maxSingularValue: s } });
    return [s, fmt(r.decayPerStep), String(r.decayPerStep <= s), fmt(r.initialRatio), fmt(Math.pow(s, T))];
  }),
);

console.log(`**3. Saturation: tanh RNN at ρ = 1.5 and 3, larger inputs (T = ${T}, H = ${H}, ${trials} trials)**\n`);
table(
  ['ρ(W_hh)', 'input std', "mean tanh'", 'decay/step', '‖dL/dh_0‖/‖dL/dh_T‖', 'bound γσ_max'],
  [1.5, 3].flatMap((rho) => [0.1, 1, 3, 10].map((inputScale) => {
    const init = { spectralRadius: rho };
    const r = rnn({ sequenceLength: T, hiddenSize: H, inputSize: D, trials, init, inputScale });
    return [rho, inputScale, fmt(meanTanhPrime({ T, H, D, trials, init, inputScale })), fmt(r.decayPerStep), fmt(r.initialRatio), fmt(r.bound!.perStep)];
  })),
);

console.log(`**4. LSTM forget-gate bias (T = ${T}, H = ${H}, ${trials} trials)**\n`);
table(
  ['forget bias', 'mean f_t', 'decay/step (h)', '‖dL/dh_0‖/‖dL/dh_T‖', 'mean ‖dL/dc_1‖', 'horizon (1e-3)'],
  [0, 1, 3].map((fb) => {
    const r = analyzeGradientFlow({ sequenceLength: T, hiddenSize: H, inputSize: D, trials, cells: ['lstm'], init: { forgetBias: fb } }).lstm!;
    return [fb, fmt(meanForget({ T, H, D, trials, init: { forgetBias: fb } })), fmt(r.decayPerStep), fmt(r.initialRatio), fmt(r.dc![0]), hz(r.horizon)];
  }),
);

console.log('**5. The headline: T = 100, H = 64, D = 8, 10 trials (analyzeGradientFlow defaults)**\n');
const rows: (string | number)[][] = [];
const add = (label: string, r: CellFlowReport, init?: InitOptions): void => {
  const f = r.cell === 'lstm' ? fmt(meanForget({ T: 100, H: 64, D: 8, trials: 10, init: init ?? {} })) : '';
  rows.push([label, f, fmt(r.decayPerStep, 4), fmt(r.initialRatio), hz(r.horizon)]);
};
const def = analyzeGradientFlow({});
add('RNN, PyTorch default', def.rnn!);
add('LSTM, PyTorch default (forget bias ≈ 0)', def.lstm!);
add('GRU, PyTorch default', def.gru!);
add('LSTM, forget bias 1', analyzeGradientFlow({ cells: ['lstm'], init: { forgetBias: 1 } }).lstm!, { forgetBias: 1 });
add('LSTM, forget bias 3', analyzeGradientFlow({ cells: ['lstm'], init: { forgetBias: 3 } }).lstm!, { forgetBias: 3 });
const orth = analyzeGradientFlow({ cells: ['rnn', 'lstm'], init: { weightHh: 'orthogonal' } });
add('RNN, orthogonal W_hh', orth.rnn!);
add('LSTM, orthogonal W_hh', orth.lstm!, { weightHh: 'orthogonal' });
const id = analyzeGradientFlow({ cells: ['rnn', 'lstm'], init: { weightHh: 'identity' } });
add('RNN, identity W_hh', id.rnn!);
add('LSTM, identity W_hh', id.lstm!, { weightHh: 'identity' });
add('LSTM, orthogonal W_hh + forget bias 3', analyzeGradientFlow({ cells: ['lstm'], init: { weightHh: 'orthogonal', forgetBias: 3 } }).lstm!, { weightHh: 'orthogonal', forgetBias: 3 });
table(['model', 'mean f_t (LSTM)', 'decay/step', '‖dL/dh_0‖/‖dL/dh_T‖', 'horizon (steps to 1e-3)'], rows);

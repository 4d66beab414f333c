/**
 * The vanishing-gradient experiment: random input sequences, a loss at the final step only, and the
 * gradient's size at every earlier step, for each architecture, averaged over trials.
 *
 * Per step back the gradient is multiplied by one step Jacobian, so ||dL/dh_{T-k}|| behaves like γᵏ for
 * some effective factor γ: we fit γ (`decayPerStep`) by least squares on log ||dL/dh_t|| against k, and
 * report the horizon, the number of steps back after which less than `threshold` of the gradient is
 * left. For a tanh or relu RNN, ||dh_t/dh_{t-1}|| ≤ max|φ'| · σ_max(W_hh) = σ_max(W_hh), so
 *
 *   ||dL/dh_{T-k}|| ≤ σ_max(W_hh)ᵏ ||dL/dh_T||      (exercise A4)
 *
 * and σ_max < 1 guarantees vanishing; σ_max > 1 is necessary for explosion (Pascanu et al. 2013). ρ(W_hh) > 1
 * is the growth condition only near h = 0, where tanh' ≈ 1 (docs/theory.md, A4). Each RNN run reports the
 * bound and whether the measurement respects it.
 */
import type { InitOptions } from '../layers/init.js';
import { largestSingularValue, spectralRadius } from '../tensor/linalg.js';
import { createModel } from '../layers/factory.js';
import type { Recurrent } from '../layers/recurrent.js';
import type { Nonlinearity } from '../cells/rnn.js';
import { checkFiniteNumber, checkOneOf, checkPositiveInt, describeValue } from '../tensor/check.js';
import { Rng, fillNormal } from '../tensor/random.js';
import { Tensor, allocate, type DType } from '../tensor/tensor.js';
import type { CellKind } from './counts.js';
import { gradientFlow } from './gradflow.js';


export interface AnalyzeOptions {
  sequenceLength?: number; // T, default 100
  hiddenSize?: number; // H, default 64
  inputSize?: number; // D, default 8
  batchSize?: number; // default 1
  numLayers?: number; // default 1
  cells?: CellKind[]; // default ['rnn', 'lstm', 'gru']
  trials?: number; // default 10
  seed?: number; // default 0
  /** Initialization of every model (W_hh init, spectral radius or largest singular value); forgetBias applies to the LSTM only. */
  init?: InitOptions;
  /** The vanilla RNN's activation (default tanh). */
  nonlinearity?: Nonlinearity;
  /** Inputs are N(0, inputScale²) (default 1). */
  inputScale?: number;
  /** The horizon is where the norm falls below threshold × its value at the last step (default 1e-3). */
  threshold?: number;
  dtype?: DType; // default float64
}

export interface WeightSpectrum {
  /** Per gate block of W_hh (1 for RNN, 4 for LSTM: i f g o, 3 for GRU: r z n), averaged over trials. */
  spectralRadius: number[];
  maxSingularValue: number[];
}

export interface RnnBound {
  /** γ = max |φ'|: 1 for tanh (at 0) and relu. */
  gamma: number;
  /** γ · σ_max(W_hh), averaged over trials: the per-step factor no gradient can exceed. */
  perStep: number;
  /** σ_max < 1/γ in every trial: gradients must vanish geometrically. */
  vanishingGuaranteed: boolean;
  /** σ_max(W_hh) > 1/γ in some trial: the necessary condition for explosion holds. */
  explosionPossible: boolean;
  /**
   * ρ(W_hh) > 1/γ in some trial: near h = 0 (tanh' ≈ 1) the recurrence is nearly linear and grows
   * along W_hh's top eigenvector. Not necessary away from the origin (a nilpotent W_hh can explode once
   * units saturate) and not sufficient (tanh' < 1 damps).
   */
  nearOriginGrowth: boolean;
  /** In every trial and every step k back, ||dL/dh_{T-k}|| ≤ (γ σ_max)ᵏ ||dL/dh_T||. */
  holds: boolean;
}

export interface CellFlowReport {
  cell: CellKind;
  numParameters: number;
  /** Mean over trials of ||dL/dh_t||, t = 0..T−1 (the loss's gradient has norm 1 at t = T−1). */
  dh: number[];
  /** Geometric mean over trials (the average that a log plot shows). */
  dhGeoMean: number[];
  /** Smallest and largest over trials, per step. */
  dhMin: number[];
  dhMax: number[];
  /** Every trial's curve. */
  dhTrials: number[][];
  dx: number[];
  /** LSTM only: mean ||dL/dc_t||. */
  dc?: number[];
  /** Geometric mean over trials of ||dL/dh_0|| / ||dL/dh_T||: the gradient reaching the initial state. */
  initialRatio: number;
  /** Fitted factor γ with ||dL/dh_{T-k}|| ≈ A γᵏ (on the geometric mean). */
  decayPerStep: number;
  /** Steps back until the geometric mean falls below threshold × its last value; null if it never does. */
  horizon: number | null;
  weightHh: WeightSpectrum;
  /** RNN only. */
  bound: RnnBound | null;
}

export type GradientFlowReport = { options: Required<Omit<AnalyzeOptions, 'init'>> & { init: InitOptions } } & {
  [K in CellKind]?: CellFlowReport;
};

export function analyzeGradientFlow(options: AnalyzeOptions = {}): GradientFlowReport {
  const o = {
    sequenceLength: checkPositiveInt('sequenceLength', options.sequenceLength ?? 100),
    hiddenSize: checkPositiveInt('hiddenSize', options.hiddenSize ?? 64),
    inputSize: checkPositiveInt('inputSize', options.inputSize ?? 8),
    batchSize: checkPositiveInt('batchSize', options.batchSize ?? 1),
    numLayers: checkPositiveInt('numLayers', options.numLayers ?? 1),
    cells: options.cells ?? (['rnn', 'lstm', 'gru'] as CellKind[]),
    trials: checkPositiveInt('trials', options.trials ?? 10),
    seed: options.seed ?? 0,
    init: options.init ?? {},
    nonlinearity: checkOneOf('nonlinearity', options.nonlinearity ?? 'tanh', ['tanh', 'relu'] as const),
    inputScale: checkFiniteNumber('inputScale', options.inputScale ?? 1, { min: 0 }),
    threshold: checkFiniteNumber('threshold', options.threshold ?? 1e-3, { positive: true }),
    dtype: checkOneOf('dtype', options.dtype ?? 'float64', ['float32', 'float64'] as const),
  };
  if (!Array.isArray(o.cells) || o.cells.length === 0) throw new RangeError(`cells: expected a non-empty array of 'rnn', 'lstm', 'gru', got ${describeValue(o.cells)}`);
  o.cells.forEach((c, i) => checkOneOf(`cells[${i}]`, c, ['rnn', 'lstm', 'gru'] as const));
  if (!Number.isSafeInteger(o.seed)) throw new RangeError(`seed: expected an integer, got ${describeValue(o.seed)}`);
  const report: GradientFlowReport = { options: o };
  for (const cell of o.cells) report[cell] = analyzeCell(cell, o);
  return report;
}

function build(cell: CellKind, o: Required<AnalyzeOptions>, seed: number): Recurrent {
  // The forget-gate bias is the LSTM's alone; the other cells are built without it.
  const { forgetBias: _ignored, ...common } = o.init;
  return createModel({
    cell, inputSize: o.inputSize, hiddenSize: o.hiddenSize, numLayers: o.numLayers, dtype: o.dtype, seed,
    init: cell === 'lstm' ? o.init : common, nonlinearity: cell === 'rnn' ? o.nonlinearity : undefined,
  });
}

function analyzeCell(cell: CellKind, o: Required<AnalyzeOptions>): CellFlowReport {
  const T = o.sequenceLength, H = o.hiddenSize, B = o.batchSize;
  const dhTrials: number[][] = [], dxTrials: number[][] = [], dcTrials: number[][] = [], initial: number[] = [];
  const rhos: number[][] = [], sigmas: number[][] = [];
  let numParameters = 0;
  for (let trial = 0; trial < o.trials; trial++) {
    // Trial k of every cell sees the same inputs and upstream direction: only the architecture differs.
    const rng = new Rng(o.seed * 1_000_003 + trial);
    const model = build(cell, o, o.seed * 1_000_003 + trial);
    numParameters = model.numParameters();
    const x = allocate(o.dtype, T * B * o.inputSize);
    fillNormal(x, rng, 0, o.inputScale);
    const up = allocate(o.dtype, B * H);
    fillNormal(up, rng, 0, 1);
    const n = Math.hypot(...up);
    for (let i = 0; i < up.length; i++) up[i] /= n; // ||dL/dh_T|| = 1
    const f = gradientFlow(model, new Tensor(x, [T, B, o.inputSize]), new Tensor(up, [B, H]));
    dhTrials.push(f.dh);
    dxTrials.push(f.dx);
    if (f.dc) dcTrials.push(f.dc);
    initial.push(f.dhInitial);
    const spec = spectrum(model);
    rhos.push(spec.spectralRadius);
    sigmas.push(spec.maxSingularValue);
  }
  const dhGeoMean = columns(dhTrials, geoMean);
  const fit = fitDecay(dhGeoMean);
  const horizon = findHorizon(dhGeoMean, o.threshold);
  const weightHh = { spectralRadius: columns(rhos, mean), maxSingularValue: columns(sigmas, mean) };
  const out: CellFlowReport = {
    cell,
    numParameters,
    dh: columns(dhTrials, mean),
    dhGeoMean,
    dhMin: columns(dhTrials, (a) => Math.min(...a)),
    dhMax: columns(dhTrials, (a) => Math.max(...a)),
    dhTrials,
    dx: columns(dxTrials, mean),
    initialRatio: geoMean(initial),
    decayPerStep: fit,
    horizon,
    weightHh,
    bound: null,
  };
  if (dcTrials.length) out.dc = columns(dcTrials, mean);
  if (cell === 'rnn' && o.numLayers === 1) {
    const gamma = 1;
    const sig = sigmas.map((s) => s[0]);
    const holds = dhTrials.every((curve, trial) =>
      curve.every((v, t) => v <= Math.pow(gamma * sig[trial], T - 1 - t) * curve[T - 1] * (1 + 1e-9) + 1e-300),
    );
    out.bound = {
      gamma,
      perStep: gamma * mean(sig),
      vanishingGuaranteed: sig.every((s) => gamma * s < 1),
      explosionPossible: sig.some((s) => gamma * s > 1),
      nearOriginGrowth: rhos.some((r) => gamma * r[0] > 1),
      holds,
    };
  }
  return out;
}

/** Spectral radius and largest singular value of each gate block of the top layer's W_hh. */
function spectrum(model: Recurrent): { spectralRadius: number[]; maxSingularValue: number[] } {
  const H = model.hiddenSize;
  const w = model.stateDict()[`weight_hh_l${model.numLayers - 1}`].data;
  const G = w.length / (H * H);
  const rho: number[] = [], sigma: number[] = [];
  for (let g = 0; g < G; g++) {
    const block = w.subarray(g * H * H, (g + 1) * H * H);
    rho.push(spectralRadius(block, H));
    sigma.push(largestSingularValue(block, H, H));
  }
  return { spectralRadius: rho, maxSingularValue: sigma };
}

/** Steps back from the last entry until v falls below threshold × its last value; null if it never does. */
export function findHorizon(v: number[], threshold: number): number | null {
  const T = v.length;
  for (let k = 0; k < T; k++) if (v[T - 1 - k] < threshold * v[T - 1]) return k;
  return null;
}

/**
 * Least-squares slope of log v against k = T−1−t, over the steps where v is a normal positive number;
 * returns exp(slope), the factor per step back.
 */
export function fitDecay(v: number[]): number {
  const T = v.length;
  let n = 0, sk = 0, sy = 0, skk = 0, sky = 0;
  for (let t = 0; t < T; t++) {
    if (!(v[t] > 1e-300) || !Number.isFinite(v[t])) continue;
    const k = T - 1 - t, y = Math.log(v[t]);
    n++;
    sk += k;
    sy += y;
    skk += k * k;
    sky += k * y;
  }
  if (n < 2) return NaN;
  return Math.exp((n * sky - sk * sy) / (n * skk - sk * sk));
}

function columns(rows: number[][], f: (a: number[]) => number): number[] {
  return rows[0].map((_, j) => f(rows.map((r) => r[j])));
}

function mean(a: number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

function geoMean(a: number[]): number {
  if (a.some((v) => v === 0)) return 0;
  return Math.exp(a.reduce((s, v) => s + Math.log(v), 0) / a.length);
}

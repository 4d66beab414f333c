/**
 * What the gradient-flow explorer shows, computed with the library (in gradflow-worker.ts, and in Node
 * in test/lab-gradflow.test.ts):
 *
 * - the measured curve ‖dL/dh_{T−k}‖: `analyzeGradientFlow`, the same call and the same plot spec as
 *   `rnnlab gradflow`;
 * - for the RNN, the A4 bound along each trial's own trajectory,
 *   ‖dL/dh_{T−k}‖ ≤ ∏_{j=T−k+1..T} ‖diag(1 − h_j²) W_hh‖ · ‖dL/dh_T‖, and the looser (γ σ_max(W_hh))ᵏ
 *   with γ = 1. (The LSTM's and GRU's gradients pass through their gates, theory A5: for them the page
 *   shows the step Jacobian's singular values instead.)
 * - the singular values of one step Jacobian, from `stepJacobian` (and of W_hh for the RNN).
 *
 * Trials are rebuilt exactly as analyzeGradientFlow builds them (same seeds, same draws), so the bound
 * of trial i is the bound of the curve of trial i; the plot shows geometric means over trials, and the
 * geometric mean of the bounds bounds the geometric mean of the curves.
 */
import {
  analyzeGradientFlow, createCell, createModel, fillNormal, largestSingularValue, Rng,
  singularValues, stepJacobian, Tensor, type Cell, type CellKind, type GradientFlowReport, type InitOptions,
  type Recurrent, type RecurrentInit,
} from 'rnnlab';

export interface GradflowParams {
  cell: CellKind;
  /** T */
  seqLen: number;
  /** H */
  hidden: number;
  weightHh: Exclude<RecurrentInit, 'xavier'>;
  /** Rescale each W_hh gate block to this spectral radius; null: leave the init as it is. */
  spectralRadius: number | null;
  /** LSTM only: the total forget-gate bias; null: PyTorch's default (≈ 0). */
  forgetBias: number | null;
  /** Inputs are N(0, inputScale²): larger inputs saturate tanh. */
  inputScale: number;
  trials: number;
  /** The step t (1..T) whose Jacobian's singular values are shown. */
  jacobianStep: number;
  seed: number;
}

export const DEFAULT_PARAMS: GradflowParams = {
  cell: 'rnn', seqLen: 50, hidden: 32, weightHh: 'default', spectralRadius: null, forgetBias: null,
  inputScale: 1, trials: 4, jacobianStep: 50, seed: 0,
};

/** The explorer's inputs, as analyzeGradientFlow's options. */
export const INPUT_SIZE = 8;

export interface GradflowResult {
  params: GradflowParams;
  report: GradientFlowReport;
  /** RNN only: the geometric mean over trials of ∏‖diag(1 − h²) W_hh‖, for k = 0..T−1 steps back. */
  bound: number[] | null;
  /** RNN only: (γ σ_max(W_hh))ᵏ, σ_max averaged over trials. */
  looseBound: number[] | null;
  /** Singular values of J at params.jacobianStep in trial 1, largest first. */
  jacobianSingular: number[];
  /** RNN only: singular values of W_hh in trial 1. */
  weightSingular: number[] | null;
  /** Largest curve / bound ratio over k and trials (≤ 1 up to rounding: the bound holds). */
  worstRatio: number | null;
  ms: number;
}

function initOf(p: GradflowParams): InitOptions {
  const init: InitOptions = { weightHh: p.weightHh };
  if (p.spectralRadius !== null) init.spectralRadius = p.spectralRadius;
  if (p.forgetBias !== null && p.cell === 'lstm') init.forgetBias = p.forgetBias;
  return init;
}

/** The layer analyzeGradientFlow builds for this trial seed (see `build` in src/analysis/analyze.ts). */
function buildLayer(p: GradflowParams, seed: number): Recurrent {
  return createModel({ cell: p.cell, inputSize: INPUT_SIZE, hiddenSize: p.hidden, numLayers: 1, dtype: 'float64', seed, init: initOf(p) });
}

/** A single-step cell holding the layer's weights (its parameter names drop the `_l0`). */
function cellOf(p: GradflowParams, layer: Recurrent): Cell {
  const c = createCell(p.cell, INPUT_SIZE, p.hidden, { dtype: 'float64' });
  const sd = layer.stateDict();
  c.loadStateDict({ weight_ih: sd.weight_ih_l0, weight_hh: sd.weight_hh_l0, bias_ih: sd.bias_ih_l0, bias_hh: sd.bias_hh_l0 });
  return c;
}

interface Trajectory {
  cell: Cell;
  xs: Tensor[];
  /** State before step t (index t = 0..T−1): h_{t}, c_{t} in the docs' 1-based numbering is index t. */
  hPrev: Tensor[];
  cPrev: (Tensor | undefined)[];
  /** h after each step, index t = 0..T−1. */
  h: Float64Array[];
  weightHh: Float64Array;
}

/** Trial `trial` as analyzeGradientFlow draws it, run step by step through the cell. */
function trajectory(p: GradflowParams, trial: number): Trajectory {
  const seed = p.seed * 1_000_003 + trial;
  const rng = new Rng(seed);
  const layer = buildLayer(p, seed);
  const T = p.seqLen, D = INPUT_SIZE, H = p.hidden;
  const x = new Float64Array(T * D);
  fillNormal(x, rng, 0, p.inputScale);
  const cell = cellOf(p, layer);
  const xs: Tensor[] = [], hPrev: Tensor[] = [], cPrev: (Tensor | undefined)[] = [], h: Float64Array[] = [];
  let hc = new Tensor(new Float64Array(H), [H]);
  let cc: Tensor | undefined = p.cell === 'lstm' ? new Tensor(new Float64Array(H), [H]) : undefined;
  for (let t = 0; t < T; t++) {
    const xt = new Tensor(x.slice(t * D, (t + 1) * D), [D]);
    xs.push(xt);
    hPrev.push(hc);
    cPrev.push(cc);
    const s = cell.step(xt, hc, cc);
    hc = s.h;
    cc = s.c;
    h.push(Float64Array.from(s.h.data));
  }
  return { cell, xs, hPrev, cPrev, h, weightHh: Float64Array.from(layer.stateDict().weight_hh_l0.data) };
}

/**
 * ‖diag(1 − h_t²) W_hh‖₂ for every step t = 0..T−1 of an RNN trajectory, by SVD (exact: power iteration
 * stalls, and underestimates, when the top singular values are close, as for orthogonal W_hh).
 */
function rnnStepNorms(tr: Trajectory, H: number): number[] {
  const J = new Float64Array(H * H);
  return tr.h.map((h) => {
    for (let i = 0; i < H; i++) {
      const d = 1 - h[i] * h[i];
      for (let j = 0; j < H; j++) J[i * H + j] = d * tr.weightHh[i * H + j];
    }
    return largestSingularValue(J, H, H);
  });
}

function geoMeanColumns(rows: number[][]): number[] {
  return rows[0].map((_, j) => {
    let s = 0;
    for (const r of rows) {
      if (r[j] === 0) return 0;
      s += Math.log(r[j]);
    }
    return Math.exp(s / rows.length);
  });
}

export function computeGradflow(p: GradflowParams): GradflowResult {
  const t0 = performance.now();
  const T = p.seqLen, H = p.hidden;
  const report = analyzeGradientFlow({
    sequenceLength: T, hiddenSize: H, inputSize: INPUT_SIZE, cells: [p.cell], trials: p.trials, seed: p.seed,
    init: initOf(p), inputScale: p.inputScale,
  });
  const r = report[p.cell]!;
  const first = trajectory(p, 0);
  let bound: number[] | null = null, looseBound: number[] | null = null, worstRatio: number | null = null;
  if (p.cell === 'rnn') {
    const perTrial: number[][] = [];
    for (let trial = 0; trial < p.trials; trial++) {
      const norms = rnnStepNorms(trial === 0 ? first : trajectory(p, trial), H);
      // b[k] = the product of the k step norms nearest the loss: b[0] = 1 at the last step.
      const b = [1];
      for (let k = 1; k < T; k++) b.push(b[k - 1] * norms[T - k]);
      perTrial.push(b);
      const curve = r.dhTrials[trial];
      for (let k = 0; k < T; k++) {
        const c = curve[T - 1 - k];
        if (b[k] > 0 && c > 0) worstRatio = Math.max(worstRatio ?? 0, c / b[k]);
      }
    }
    bound = geoMeanColumns(perTrial);
    // (γ σ_max)ᵏ with σ_max averaged over trials, as `rnnlab gradflow` reports it ("bound γσ_max"): the
    // geometric mean of the curves is below the geometric mean of the σᵏ, which is below this.
    const perStep = r.bound!.perStep;
    looseBound = Array.from({ length: T }, (_, k) => perStep ** k);
  }
  const t = Math.min(Math.max(1, p.jacobianStep), T) - 1;
  const S = p.cell === 'lstm' ? 2 * H : H;
  const J = stepJacobian(first.cell, first.xs[t], first.hPrev[t], first.cPrev[t]);
  return {
    params: p,
    report,
    bound,
    looseBound,
    jacobianSingular: singularValues(J.data, S, S),
    weightSingular: p.cell === 'rnn' ? singularValues(first.weightHh, H, H) : null,
    worstRatio,
    ms: performance.now() - t0,
  };
}

/**
 * A5 — which paths carry an LSTM's (and a GRU's) long-range gradient? One step back multiplies the gradient on the
 * state (h, c) by the transpose of the 2H × 2H step Jacobian (theory A5)
 *
 *   J_t = [ ∂h_t/∂h_{t-1}  ∂h_t/∂c_{t-1} ]
 *         [ ∂c_t/∂h_{t-1}  ∂c_t/∂c_{t-1} = diag(f_t) ]
 *
 * and the gradient k steps back is (J_{t-k+1} ⋯ J_t)ᵀ applied to the one at t. Splitting the product
 * by which blocks it may use: the direct cell path alone (∏ diag f_t), the full product, and the full
 * product without the c → c block (every path that leaves c at some step). Measured on untrained
 * LSTMs, float64, from exact step Jacobians (stepJacobian, H backward calls per step), with the loss
 * L = (1/√H) Σ_j c_T[j] so that every variant starts from the same gradient on c_T.
 */
import { stepJacobian } from '../analysis/jacobian.js';
import { createCell, createModel } from '../layers/factory.js';
import { lstmPathsSpec } from '../plot/lstm-paths.js';
import { Rng, fillNormal } from '../tensor/random.js';
import { Tensor } from '../tensor/tensor.js';
import { fmt, type Experiment, type ExperimentResult } from './experiment.js';

export interface LstmPathsRow {
  cell: 'LSTM' | 'GRU';
  /** LSTM only (NaN for the GRU). */
  forgetBias: number;
  lag: number;
  /** ‖dL/dc_{T−lag}‖ by the direct cell path alone, the full product, the full product without c → c (geometric means over trials). */
  direct: number;
  full: number;
  withoutCellPath: number;
}

type Variant = 'direct' | 'full' | 'withoutCellPath';

/** ‖dL/dc_{T−k}‖ for k = 0..T under each variant, for one random LSTM and input sequence. */
export function lstmPathNorms(o: { H: number; D: number; T: number; forgetBias: number; seed: number }): Record<Variant, number[]> {
  const { H, D, T } = o;
  const layer = createModel({ cell: 'lstm', inputSize: D, hiddenSize: H, dtype: 'float64', seed: o.seed, init: { forgetBias: o.forgetBias } });
  const sd = layer.stateDict();
  const cell = createCell('lstm', D, H, { dtype: 'float64' });
  cell.loadStateDict({ weight_ih: sd.weight_ih_l0!, weight_hh: sd.weight_hh_l0!, bias_ih: sd.bias_ih_l0!, bias_hh: sd.bias_hh_l0! });
  const rng = new Rng(o.seed + 7919);
  const S = 2 * H;
  const jacobians: Float64Array[] = [];
  let h = new Tensor(new Float64Array(H), [H]), c = new Tensor(new Float64Array(H), [H]);
  for (let t = 0; t < T; t++) {
    const xv = new Float64Array(D);
    fillNormal(xv, rng, 0, 1);
    const x = new Tensor(xv, [D]);
    jacobians.push(stepJacobian(cell, x, h, c).data as Float64Array);
    const next = cell.step(x, h, c);
    h = next.h;
    c = next.c!;
  }
  const out = {} as Record<Variant, number[]>;
  for (const variant of ['direct', 'full', 'withoutCellPath'] as const) {
    let g = new Float64Array(S);
    g.fill(1 / Math.sqrt(H), H); // dL/dh_T = 0, dL/dc_T = 1/√H
    const norms = [cNorm(g, H)];
    for (let t = T - 1; t >= 0; t--) {
      const J = jacobians[t]!, prev = new Float64Array(S);
      // prev[in] = Σ_out J[out, in] g[out], keeping only the blocks the variant allows.
      for (let r = 0; r < S; r++) {
        const gr = g[r]!;
        if (gr === 0) continue;
        for (let k = 0; k < S; k++) {
          const cc = r >= H && k >= H;
          if (variant === 'direct' ? !(cc && r - H === k - H) : variant === 'withoutCellPath' && cc) continue;
          prev[k]! += J[r * S + k]! * gr;
        }
      }
      g = prev;
      norms.push(cNorm(g, H));
    }
    out[variant] = norms;
  }
  return out;
}

/**
 * The GRU's counterpart: its state is h alone, and its direct path is the update gate's shortcut,
 * ∂h_t/∂h_{t-1} = diag(z_t) + (the paths through r and n). ‖dL/dh_{T−k}‖ for k = 0..T, with
 * L = (1/√H) Σ_j h_T[j], by the shortcut alone (∏ diag z_t), the full Jacobian product, and the full
 * product without the shortcut.
 */
export function gruPathNorms(o: { H: number; D: number; T: number; seed: number }): Record<Variant, number[]> {
  const { H, D, T } = o;
  const layer = createModel({ cell: 'gru', inputSize: D, hiddenSize: H, dtype: 'float64', seed: o.seed });
  const sd = layer.stateDict();
  const cell = createCell('gru', D, H, { dtype: 'float64' });
  cell.loadStateDict({ weight_ih: sd.weight_ih_l0!, weight_hh: sd.weight_hh_l0!, bias_ih: sd.bias_ih_l0!, bias_hh: sd.bias_hh_l0! });
  const rng = new Rng(o.seed + 7919);
  const jacobians: Float64Array[] = [], zs: Float64Array[] = [];
  let h = new Tensor(new Float64Array(H), [H]);
  for (let t = 0; t < T; t++) {
    const xv = new Float64Array(D);
    fillNormal(xv, rng, 0, 1);
    const x = new Tensor(xv, [D]);
    jacobians.push(stepJacobian(cell, x, h).data as Float64Array);
    const next = cell.step(x, h);
    zs.push(next.cache.aux.slice(H, 2 * H) as Float64Array); // aux = [r, z, n, u_n] (src/cells/gru.ts)
    h = next.h;
  }
  const out = {} as Record<Variant, number[]>;
  for (const variant of ['direct', 'full', 'withoutCellPath'] as const) {
    let g = new Float64Array(H).fill(1 / Math.sqrt(H));
    const norms = [Math.hypot(...g)];
    for (let t = T - 1; t >= 0; t--) {
      const J = jacobians[t]!, z = zs[t]!, prev = new Float64Array(H);
      for (let r = 0; r < H; r++) {
        for (let k = 0; k < H; k++) {
          const shortcut = r === k ? z[r]! : 0;
          const w = variant === 'direct' ? shortcut : variant === 'full' ? J[r * H + k]! : J[r * H + k]! - shortcut;
          prev[k]! += w * g[r]!;
        }
      }
      g = prev;
      norms.push(Math.hypot(...g));
    }
    out[variant] = norms;
  }
  return out;
}

function cNorm(g: Float64Array, H: number): number {
  let s = 0;
  for (let j = H; j < 2 * H; j++) s += g[j]! * g[j]!;
  return Math.sqrt(s);
}

/** Geometric mean; 0 when a trial is exactly 0 (no path of that kind at that lag). */
const geoMean = (xs: number[]): number => (xs.some((x) => x === 0) ? 0 : Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length));

export const lstmPaths: Experiment = {
  name: 'lstm-paths',
  title: 'A5: the paths of the LSTM gradient — the cell path alone, the full Jacobian product, and everything but c → c',
  question: 'Does the long-range gradient of an LSTM travel on the direct cell path ∏ f_t, or hop between c and h?',
  run({ seed, quick }, log): ExperimentResult {
    const H = quick ? 16 : 64, D = 8, T = quick ? 30 : 100, trials = quick ? 2 : 3;
    const biases = [1, 3];
    const lags = quick ? [1, 10, 30] : [1, 10, 25, 50, 100];
    const rows: LstmPathsRow[] = [];
    for (const forgetBias of biases) {
      const runs = Array.from({ length: trials }, (_, i) => lstmPathNorms({ H, D, T, forgetBias, seed: seed * 1000 + i }));
      for (const lag of lags) {
        const at = (v: Variant) => geoMean(runs.map((r) => r[v][lag]!));
        rows.push({ cell: 'LSTM', forgetBias, lag, direct: at('direct'), full: at('full'), withoutCellPath: at('withoutCellPath') });
      }
      log(`LSTM, forget bias ${forgetBias}: ${trials} trials of T = ${T}, H = ${H}`);
    }
    const gruRuns = Array.from({ length: trials }, (_, i) => gruPathNorms({ H, D, T, seed: seed * 1000 + i }));
    for (const lag of lags) {
      const at = (v: Variant) => geoMean(gruRuns.map((r) => r[v][lag]!));
      rows.push({ cell: 'GRU', forgetBias: Number.NaN, lag, direct: at('direct'), full: at('full'), withoutCellPath: at('withoutCellPath') });
    }
    log(`GRU: ${trials} trials of T = ${T}, H = ${H}`);
    const last = (b: number) => rows.find((r) => r.cell === 'LSTM' && r.forgetBias === b && r.lag === lags[lags.length - 1])!;
    const b3 = last(3);
    const gru = rows.find((r) => r.cell === 'GRU' && r.lag === lags[lags.length - 1])!;
    const conclusion = `With forget bias 3, ${lags[lags.length - 1]} steps back the full product keeps ${fmt(b3.full)} of the gradient on c, ` +
      `the direct cell path alone ${fmt(b3.direct)} (${fmt(b3.full / b3.direct)}× less than the full product), and the product without the c → c block ${fmt(b3.withoutCellPath)}: ` +
      `the cell path is necessary (without it almost nothing arrives) but not the whole story, the surviving gradient also hops between c and h. ` +
      `The GRU at default init, same lag: the z-shortcut alone ${fmt(gru.direct)}, the full product ${fmt(gru.full)}, without the shortcut ${fmt(gru.withoutCellPath)}.`;
    return {
      name: 'lstm-paths',
      settings: { H, D, T, trials, biases, lags, loss: 'LSTM: L = (1/√H) Σ c_T; GRU: L = (1/√H) Σ h_T', dtype: 'float64', seed, init: 'PyTorch default (+ forget bias for the LSTM)' },
      table: {
        columns: ['cell', 'forget bias', 'lag k', 'direct path only (LSTM ∏ f, GRU ∏ z)', 'full Jacobian product', 'without the direct path'],
        rows: rows.map((r) => [r.cell, r.cell === 'GRU' ? '—' : r.forgetBias, r.lag, fmt(r.direct), fmt(r.full), fmt(r.withoutCellPath)]),
      },
      conclusion,
      data: rows,
    };
  },
  figure(result) {
    const s = result.settings as { H: number; D: number; T: number; trials: number; seed: number };
    return lstmPathsSpec(result.data as LstmPathsRow[], { hiddenSize: s.H, inputSize: s.D, steps: s.T, trials: s.trials, seed: s.seed });
  },
};

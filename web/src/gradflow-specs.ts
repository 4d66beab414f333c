/**
 * The explorer's two charts. The gradient-flow chart is `gradientFlowSpec` from src/plot (the chart
 * `rnnlab gradflow` writes) with the A4 bounds laid over it, so the page and the CLI draw one picture.
 */
import type { TopLevelSpec } from 'vega-lite';
import { chartFrame, gradientFlowSpec, LOG_FLOOR } from 'rnnlab';
import type { GradflowResult } from './gradflow-compute.js';

export const BOUND_LABEL = '∏‖diag(1−h²)W_hh‖';
export const LOOSE_LABEL = '(γσ_max)ᵏ';

/** Points of a bound that lie within `range` of the curve: a bound 1e90 above it would flatten the chart. */
function clipped(values: number[] | null, series: string, lo: number, hi: number): { k: number; value: number; series: string }[] {
  if (values === null) return [];
  const out: { k: number; value: number; series: string }[] = [];
  for (let k = 0; k < values.length; k++) {
    const v = values[k];
    if (Number.isFinite(v) && v > LOG_FLOOR && v >= lo && v <= hi) out.push({ k, value: v, series });
  }
  return out;
}

/** The measured curve (geometric mean over trials) as the chart plots it: k steps back → ‖dL/dh‖. */
export function plottedCurve(r: GradflowResult): { k: number; value: number }[] {
  const c = r.report[r.params.cell]!.dhGeoMean;
  const T = c.length;
  return c.map((value, t) => ({ k: T - 1 - t, value })).filter((p) => p.value > LOG_FLOOR).reverse();
}

export function gradflowChart(r: GradflowResult, size: { width: number; height: number }): TopLevelSpec {
  const base = gradientFlowSpec(r.report, size) as unknown as TopLevelSpec;
  if (!('layer' in base)) throw new Error('internal: gradientFlowSpec is expected to be a layered chart');
  const curve = plottedCurve(r).map((p) => p.value);
  // Bounds are shown from 1000× below the curve's smallest value to 1000× above 1 (the curve starts at 1).
  const lo = Math.min(...curve) / 1e3, hi = Math.max(1, ...curve) * 1e3;
  const lines = [...clipped(r.bound, BOUND_LABEL, lo, hi), ...clipped(r.looseBound, LOOSE_LABEL, lo, hi)];
  if (lines.length === 0) return base;
  const dash = {
    field: 'series', type: 'nominal', title: 'A4 bounds (RNN)',
    scale: { domain: [BOUND_LABEL, LOOSE_LABEL], range: [[7, 4], [2, 3]] },
    legend: { symbolType: 'stroke', symbolStrokeWidth: 2, labelLimit: 260 },
  };
  return {
    ...base,
    layer: [
      ...base.layer,
      {
        data: { values: lines },
        mark: { type: 'line', strokeWidth: 1.8, color: '#333333', clip: true },
        encoding: {
          x: { field: 'k', type: 'quantitative' },
          y: { field: 'value', type: 'quantitative', scale: { type: 'log' } },
          strokeDash: dash,
        },
      },
    ],
  } as TopLevelSpec;
}

export function singularValuesChart(r: GradflowResult, size: { width: number; height: number }): TopLevelSpec {
  const p = r.params;
  const S = r.jacobianSingular.length;
  const jLabel = `step Jacobian J_t (${S}×${S})`;
  const points = r.jacobianSingular.map((value, i) => ({ i: i + 1, value, series: jLabel }));
  if (r.weightSingular) points.push(...r.weightSingular.map((value, i) => ({ i: i + 1, value, series: 'W_hh' })));
  const domain = r.weightSingular ? [jLabel, 'W_hh'] : [jLabel];
  return {
    ...chartFrame({
      width: size.width,
      height: size.height,
      title: `Singular values of the step Jacobian at t = ${Math.min(p.jacobianStep, p.seqLen)} (trial 1)`,
      subtitle: [
        p.cell === 'rnn' ? 'J_t = ∂h_t/∂h_{t−1} = diag(1 − h_t²) W_hh: each σ_i(J_t) ≤ σ_i(W_hh), as 1 − h_t² ≤ 1'
          : p.cell === 'lstm' ? 'J_t = ∂(h_t, c_t)/∂(h_{t−1}, c_{t−1}), from stepJacobian: one backward pass per row' : 'J_t = ∂h_t/∂h_{t−1}, from stepJacobian: one backward pass per row',
        'above 1: some direction grows this step; below 1: every direction shrinks',
      ],
    }),
    layer: [
      {
        data: { values: points },
        mark: { type: 'line', point: { filled: true, size: 28 }, strokeWidth: 1.5 },
        encoding: {
          x: { field: 'i', type: 'quantitative', title: 'index i (largest first)', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', title: 'singular value σ_i' },
          color: { field: 'series', type: 'nominal', title: null, scale: { domain, range: ['#d62728', '#7f7f7f'] } },
        },
      },
      {
        data: { values: [{ y: 1 }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#2ca02c' },
        encoding: { y: { field: 'y', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;
}

/**
 * The vanishing-gradient picture: ||dL/dh_t|| against the number of steps back from the loss, on a log
 * axis, one line per architecture (geometric mean over trials) with a band from the smallest to the
 * largest trial. A straight line on this plot is geometric decay; its slope is log(decayPerStep).
 */
import type { TopLevelSpec } from 'vega-lite';
import type { GradientFlowReport } from '../analysis/analyze.js';
import type { CellKind } from '../analysis/counts.js';
import { chartFrame, type VegaLiteSpec } from './frame.js';

/** Values at or below this (zeros, underflow) cannot sit on a log axis: they are left out. */
export const LOG_FLOOR = 1e-300;

const CELL_ORDER: CellKind[] = ['rnn', 'lstm', 'gru'];
const CELL_COLOR: Record<CellKind, string> = { rnn: '#d62728', lstm: '#1f77b4', gru: '#2ca02c' };

export function cellLabel(cell: CellKind, report: GradientFlowReport): string {
  if (cell === 'rnn') return `RNN (${report.options.nonlinearity})`;
  return cell.toUpperCase();
}

/** A short description of the W_hh init and the other knobs that differ from the defaults. */
export function describeInit(report: GradientFlowReport): string {
  const i = report.options.init;
  const parts = [`W_hh init ${i.weightHh ?? 'default'}`];
  if (i.spectralRadius !== undefined) parts.push(`ρ(W_hh) = ${i.spectralRadius}`);
  if (i.maxSingularValue !== undefined) parts.push(`σ_max(W_hh) = ${i.maxSingularValue}`);
  if (i.forgetBias !== undefined) parts.push(`LSTM forget bias ${i.forgetBias}`);
  if (report.options.inputScale !== 1) parts.push(`input scale ${report.options.inputScale}`);
  return parts.join(', ');
}

function onLog(v: number): number | null {
  return Number.isFinite(v) && v > LOG_FLOOR ? v : null;
}

export interface GradflowSpecOptions {
  width?: number; // default 640
  height?: number; // default 360
}

export function gradientFlowSpec(report: GradientFlowReport, options: GradflowSpecOptions = {}): VegaLiteSpec {
  const o = report.options;
  const T = o.sequenceLength;
  const cells = CELL_ORDER.filter((c) => report[c] !== undefined);
  if (cells.length === 0) throw new RangeError('report: no cell results (expected at least one of rnn, lstm, gru)');
  const lines: { cell: string; k: number; value: number }[] = [];
  const bands: { cell: string; k: number; lo: number; hi: number }[] = [];
  for (const c of cells) {
    const r = report[c]!;
    const label = cellLabel(c, report);
    for (let t = 0; t < T; t++) {
      const k = T - 1 - t;
      const g = onLog(r.dhGeoMean[t]);
      if (g !== null) lines.push({ cell: label, k, value: g });
      const lo = onLog(r.dhMin[t]), hi = onLog(r.dhMax[t]);
      // A trial that underflowed to 0 has no place on a log axis: the band keeps what the others show.
      if (hi !== null) bands.push({ cell: label, k, lo: lo ?? hi, hi });
    }
  }
  const labels = cells.map((c) => cellLabel(c, report));
  const color = {
    field: 'cell',
    type: 'nominal' as const,
    title: 'cell',
    scale: { domain: labels, range: cells.map((c) => CELL_COLOR[c]) },
    sort: labels,
  };
  const x = {
    field: 'k',
    type: 'quantitative' as const,
    title: 'steps back from the loss, k (0 = the step the loss is taken at)',
    scale: { domain: [0, Math.max(1, T - 1)], nice: false },
    axis: { tickMinStep: 1 },
  };
  const yScale = { type: 'log' as const };
  const yTitle = '‖∂L/∂h‖ at that step (log scale)';
  const yAxis = { labelExpr: "datum.value === 1 ? '1' : format(datum.value, '.0e')", labelOverlap: 'greedy' as const };
  const trials = o.trials === 1 ? '1 trial' : `${o.trials} trials`;
  const spec: TopLevelSpec = {
    ...chartFrame({
      width: options.width ?? 640,
      height: options.height ?? 360,
      title: `Gradient flow through time: T = ${T}, H = ${o.hiddenSize}, D = ${o.inputSize}, ${trials}`,
      subtitle: [
        describeInit(report),
        // Short lines: without a canvas Vega estimates text width generously, and a long line widens the image.
        'loss at the last step only, normalized so that ‖∂L/∂h‖ = 1 there',
        'line: geometric mean over trials; band: smallest to largest trial',
      ],
      legend: { titleFontSize: 12, symbolType: 'stroke', symbolStrokeWidth: 3, symbolOpacity: 1 },
    }),
    layer: [
      {
        data: { values: bands },
        mark: { type: 'area', opacity: 0.18, interpolate: 'linear' },
        encoding: {
          x,
          y: { field: 'lo', type: 'quantitative', scale: yScale, title: yTitle, axis: yAxis },
          y2: { field: 'hi' },
          color,
        },
      },
      {
        data: { values: lines },
        mark: { type: 'line', strokeWidth: 2.2 },
        encoding: {
          x,
          y: {
            field: 'value',
            type: 'quantitative',
            scale: yScale,
            title: yTitle,
            axis: yAxis,
          },
          color,
        },
      },
    ],
  };
  return spec as unknown as VegaLiteSpec;
}

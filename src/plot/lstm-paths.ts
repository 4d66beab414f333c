/**
 * Theory A5's figure: the norm of the gradient k steps back against k, on a log axis, split by which
 * blocks of the step Jacobian the product may use: the full product, the direct path alone (the LSTM's
 * ∏ diag f_t along c, the GRU's ∏ diag z_t shortcut) and the full product without that direct block.
 * One panel per network (LSTM with each forget bias, then the GRU), sharing the y axis so that the
 * panels compare; a straight line is geometric decay.
 *
 * The rows are the lstm-paths experiment's data, declared here (not imported from src/experiments,
 * which sits above src/plot) so that the builder takes plain numbers.
 */
import type { TopLevelSpec } from 'vega-lite';
import { chartFrame, type VegaLiteSpec } from './frame.js';
import { LOG_FLOOR } from './gradflow-plot.js';

/** One network and lag: the gradient norm each way of taking the product (geometric means over trials). */
export interface LstmPathsFigureRow {
  cell: 'LSTM' | 'GRU';
  /** The LSTM's forget-gate bias; NaN (or null, after JSON) for the GRU. */
  forgetBias: number | null;
  lag: number;
  direct: number;
  full: number;
  withoutCellPath: number;
}

/** The run's sizes, for the subtitle. */
export interface LstmPathsFigureSettings {
  hiddenSize: number;
  inputSize: number;
  steps: number;
  trials: number;
  seed: number;
}

export interface LstmPathsSpecOptions {
  width?: number; // of one panel, default 250
  height?: number; // default 300
}

/** Legend order and colours: the full product first, as the reference the two parts are read against. */
export const PATH_SERIES = [
  { key: 'full', label: 'full Jacobian product', color: '#222222' },
  { key: 'direct', label: 'direct path alone (LSTM ∏ f, GRU ∏ z)', color: '#1f77b4' },
  { key: 'withoutCellPath', label: 'without the direct path (LSTM: no c → c)', color: '#d62728' },
] as const;

function panelOf(r: LstmPathsFigureRow): string {
  // A JSON round trip turns the GRU's NaN bias into null; either way the GRU has no forget gate.
  return r.cell === 'GRU' ? 'GRU (z-shortcut as the direct path)' : `LSTM, forget bias ${r.forgetBias}`;
}

export function lstmPathsSpec(rows: readonly LstmPathsFigureRow[], s: LstmPathsFigureSettings, options: LstmPathsSpecOptions = {}): VegaLiteSpec {
  if (rows.length === 0) throw new RangeError('rows: expected at least one row of the lstm-paths experiment, got none');
  const panels = [...new Set(rows.map(panelOf))];
  const points: { panel: string; path: string; lag: number; norm: number }[] = [];
  let dropped = 0;
  for (const r of rows) {
    for (const p of PATH_SERIES) {
      const v = r[p.key];
      // Exactly 0 (one step back nothing leaves c without c → c) or underflow has no place on a log axis.
      if (Number.isFinite(v) && v > LOG_FLOOR) points.push({ panel: panelOf(r), path: p.label, lag: r.lag, norm: v });
      else dropped++;
    }
  }
  const labels = PATH_SERIES.map((p) => p.label);
  const maxLag = Math.max(1, ...rows.map((r) => r.lag));
  const frame = chartFrame({
    width: options.width ?? 250,
    height: options.height ?? 300,
    title: 'A5: which paths carry the long-range gradient',
    subtitle: [
      // Short lines: without a canvas Vega estimates text width generously (see gradflow-plot.ts).
      `untrained nets, H = ${s.hiddenSize}, D = ${s.inputSize}, T = ${s.steps}, float64, exact step Jacobians`,
      'the norm of the gradient on c (LSTM) or h (GRU), 1 at lag 0',
      `geometric mean over ${s.trials} trial${s.trials === 1 ? '' : 's'} (seed ${s.seed})`,
      ...(dropped > 0 ? [`${dropped} exact zero${dropped === 1 ? '' : 's'} left out (no such path at that lag)`] : []),
    ],
    legend: { titleFontSize: 12, orient: 'bottom', direction: 'vertical', labelLimit: 400, symbolType: 'stroke', symbolStrokeWidth: 3 },
  });
  const spec: TopLevelSpec = {
    ...frame,
    title: { ...frame.title, offset: 14 }, // room between the subtitle and the panels' headers
    data: { values: points },
    mark: { type: 'line', strokeWidth: 2, point: { filled: true, size: 40 } },
    encoding: {
      column: { field: 'panel', type: 'nominal', title: null, sort: panels, header: { labelFontSize: 13 } },
      x: {
        field: 'lag',
        type: 'quantitative',
        title: 'steps back from the loss, k',
        scale: { domain: [0, maxLag], nice: false },
        axis: { tickMinStep: 1 },
      },
      y: {
        field: 'norm',
        type: 'quantitative',
        title: 'gradient norm (log scale)',
        scale: { type: 'log' },
        axis: { labelExpr: "datum.value === 1 ? '1' : format(datum.value, '.0e')", labelOverlap: 'greedy' },
      },
      color: { field: 'path', type: 'nominal', title: 'product over', scale: { domain: labels, range: PATH_SERIES.map((p) => p.color) }, sort: labels },
    },
  };
  return spec as unknown as VegaLiteSpec;
}

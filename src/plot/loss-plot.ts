/**
 * The training curve: the training loss of every step (a line), the held-out loss at each evaluation
 * (points), and the task's baseline (a dashed rule: the loss of the best memoryless predictor). Log y
 * axis; non-finite and non-positive losses (skipped steps) are left out.
 */
import type { TopLevelSpec } from 'vega-lite';
import { chartFrame, type VegaLiteSpec } from './frame.js';

export interface LossPoint {
  step: number;
  loss: number;
  evalLoss?: number;
}

export interface LossPlotOptions {
  title?: string;
  subtitle?: string[];
  baseline?: number;
  /** The loss under which the task counts as solved (a dotted rule). */
  solvedBelow?: number;
  width?: number; // default 640
  height?: number; // default 320
}

const ok = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v > 0;

export function lossCurveSpec(history: LossPoint[], options: LossPlotOptions = {}): VegaLiteSpec {
  const train: { step: number; loss: number; series: string }[] = [];
  const evals: { step: number; loss: number; series: string }[] = [];
  for (const h of history) {
    if (ok(h.loss)) train.push({ step: h.step, loss: h.loss, series: 'train loss' });
    if (ok(h.evalLoss)) evals.push({ step: h.step, loss: h.evalLoss, series: 'eval loss' });
  }
  const rules: { loss: number; series: string }[] = [];
  if (ok(options.baseline)) rules.push({ loss: options.baseline, series: 'baseline' });
  if (ok(options.solvedBelow)) rules.push({ loss: options.solvedBelow, series: 'solved below' });
  const domain = ['train loss', 'eval loss', ...rules.map((r) => r.series)];
  const palette: Record<string, string> = { 'train loss': '#1f77b4', 'eval loss': '#d62728', baseline: '#555555', 'solved below': '#2ca02c' };
  const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain, range: domain.map((d) => palette[d]) } };
  const maxStep = Math.max(1, ...history.map((h) => h.step));
  const x = { field: 'step', type: 'quantitative' as const, title: 'step', scale: { domain: [0, maxStep], nice: false }, axis: { format: 'd', tickMinStep: 1 } };
  const y = { field: 'loss', type: 'quantitative' as const, title: 'loss (log scale)', scale: { type: 'log' as const } };
  const spec: TopLevelSpec = {
    ...chartFrame({
      width: options.width ?? 640,
      height: options.height ?? 320,
      title: options.title ?? 'Training loss',
      subtitle: options.subtitle ?? [],
    }),
    layer: [
      { data: { values: train }, mark: { type: 'line', strokeWidth: 1.2, opacity: 0.85 }, encoding: { x, y, color } },
      { data: { values: evals }, mark: { type: 'point', filled: true, size: 36 }, encoding: { x, y, color } },
      {
        data: { values: rules },
        mark: { type: 'rule', strokeDash: [6, 4], strokeWidth: 1.5 },
        encoding: { y: { field: 'loss', type: 'quantitative' as const, scale: { type: 'log' as const } }, color },
      },
    ],
  };
  return spec as unknown as VegaLiteSpec;
}

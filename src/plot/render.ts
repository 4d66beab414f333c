/**
 * Headless Vega-Lite rendering: Vega-Lite spec → Vega spec → SVG (Vega's string renderer, no DOM, no
 * canvas) → PNG (resvg, with the system fonts). Node only (resvg is native); the spec builders import
 * their frame from frame.ts, so the browser lab uses them too.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

export { chartFrame } from './frame.js';

export interface RenderOptions {
  /** PNG pixels per SVG unit (default 2, for a sharp image). */
  scale?: number;
  /** Background of the PNG (default white; the SVG keeps the spec's own). */
  background?: string;
}

export async function renderVegaLite(spec: TopLevelSpec, options: RenderOptions = {}): Promise<{ svg: string; png: Buffer }> {
  const scale = options.scale ?? 2;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale: expected a number > 0, got ${String(scale)}`);
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const resvg = new Resvg(svg, {
    background: options.background ?? 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  const png = Buffer.from(resvg.render().asPng());
  return { svg, png };
}

/**
 * Headless Vega-Lite rendering: Vega-Lite spec → Vega spec → SVG (Vega's string renderer, no DOM, no
 * canvas) → PNG (resvg, with the system fonts). Node only (resvg is native); the spec builders import
 * their frame from frame.ts, so the browser lab uses them too.
 *
 * vega, vega-lite and @resvg/resvg-js are optional peer dependencies of rnnlab (about 80 packages and
 * 25 MB together, more than the rest of the library): they are loaded on the first render, and a
 * missing one is a PlotDependencyError that says what to install. rnnlab-cli (cli/) depends on them.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { VegaLiteSpec } from './frame.js';
import { describeValue } from '../tensor/check.js';

export { chartFrame, type VegaLiteSpec } from './frame.js';

export interface RenderOptions {
  /** PNG pixels per SVG unit (default 2, for a sharp image). */
  scale?: number;
  /** Background of the PNG (default white; the SVG keeps the spec's own). */
  background?: string;
}

/** The packages a render needs, with the versions rnnlab is tested with. */
export const PLOT_PACKAGES = ['vega@6', 'vega-lite@6', '@resvg/resvg-js@2'] as const;

/** A render was asked for, but an optional plotting package is not installed. */
export class PlotDependencyError extends Error {
  constructor(readonly missing: readonly string[]) {
    super(`drawing plots needs the optional packages ${PLOT_PACKAGES.join(', ')}; not installed here: ${missing.join(', ')}. ` +
      `Install them with \`npm install ${PLOT_PACKAGES.join(' ')}\`, or use rnnlab-cli, which brings them`);
    this.name = 'PlotDependencyError';
  }
}

type Vega = typeof import('vega');
type VegaLite = typeof import('vega-lite');
type Resvg = typeof import('@resvg/resvg-js');
let plotting: Promise<{ vega: Vega; vl: VegaLite; resvg: Resvg }> | null = null;

async function loadPlotting(): Promise<{ vega: Vega; vl: VegaLite; resvg: Resvg }> {
  const missing: string[] = [];
  const load = async <M>(name: string, load: () => Promise<M>): Promise<M | null> => {
    try {
      return await load();
    } catch (e) {
      if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
      missing.push(name);
      return null;
    }
  };
  const [vega, vl, resvg] = await Promise.all([
    load('vega', () => import('vega')), load('vega-lite', () => import('vega-lite')), load('@resvg/resvg-js', () => import('@resvg/resvg-js')),
  ]);
  if (!vega || !vl || !resvg) throw new PlotDependencyError(missing);
  return { vega, vl, resvg };
}

export async function renderVegaLite(spec: VegaLiteSpec, options: RenderOptions = {}): Promise<{ svg: string; png: Uint8Array }> {
  const scale = options.scale ?? 2;
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`scale: expected a number > 0, got ${describeValue(scale)}`);
  plotting ??= loadPlotting();
  let libs;
  try {
    libs = await plotting;
  } catch (e) {
    plotting = null; // installed since? the next call looks again
    throw e;
  }
  const { vega, vl, resvg } = libs;
  const compiled = vl.compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  let svg: string;
  try {
    svg = await view.toSVG();
  } finally {
    view.finalize();
  }
  const image = new resvg.Resvg(svg, {
    background: options.background ?? 'white',
    fitTo: { mode: 'zoom', value: scale },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return { svg, png: image.render().asPng() };
}

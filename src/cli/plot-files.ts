/**
 * The command line's plots: a spec written as SVG and PNG next to a run's other files. The plotting
 * packages are optional peers of rnnlab (src/plot/render.ts); without them a command still does its
 * work and writes everything else, and says once what to install for the pictures.
 */
import { writeFileAtomic } from '../io/atomic.js';
import type { VegaLiteSpec } from '../plot/frame.js';
import { PlotDependencyError, renderVegaLite } from '../plot/render.js';

/** The files written: both paths, or none when the plotting packages are missing (a warning says so). */
export async function writePlot(spec: VegaLiteSpec, svgPath: string, pngPath: string, warn: (line: string) => void): Promise<string[]> {
  try {
    const { svg, png } = await renderVegaLite(spec);
    writeFileAtomic(svgPath, svg);
    writeFileAtomic(pngPath, png);
    return [svgPath, pngPath];
  } catch (e) {
    if (!(e instanceof PlotDependencyError)) throw e;
    warn(`rnnlab: ${svgPath} and ${pngPath} not written: ${e.message}.`);
    return [];
  }
}

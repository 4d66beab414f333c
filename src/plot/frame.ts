/**
 * The frame every rnnlab chart shares: size, white background, left-aligned title and subtitle lines,
 * and the DejaVu Sans font that resvg finds on Debian. Chart files add their data, marks and encodings.
 * In its own file because the spec builders also run in the browser lab, and render.ts (which turns
 * specs into PNGs) is Node-only.
 */
/**
 * A Vega-Lite specification (https://vega.github.io/vega-lite/docs/spec.html), a JSON object. Declared
 * here rather than as vega-lite's TopLevelSpec, which the builders are checked against, so that rnnlab's
 * public types need no plotting package installed.
 */
export interface VegaLiteSpec {
  $schema?: string;
  [key: string]: unknown;
}

export function chartFrame(o: { width: number; height: number; title: string; subtitle: string[]; legend?: Record<string, unknown> }) {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: o.width,
    height: o.height,
    background: 'white',
    padding: 10,
    title: { text: o.title, subtitle: o.subtitle, anchor: 'start' as const, fontSize: 15, subtitleFontSize: 11 },
    config: {
      font: 'DejaVu Sans',
      axis: { labelFontSize: 11, titleFontSize: 12, gridOpacity: 0.6 },
      legend: { labelFontSize: 12, ...o.legend },
    },
  };
}

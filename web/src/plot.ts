/**
 * Drawing a Vega-Lite spec into an element with vega-embed (SVG, so the chart is part of the page's DOM),
 * replacing the chart drawn there before. The numbers behind each chart are also written to the element
 * as data attributes: the end-to-end test (and a curious reader with the inspector) read them there.
 */
import embed, { type Result } from 'vega-embed';
import type { TopLevelSpec } from 'vega-lite';
import type { VegaLiteSpec } from 'rnnlab';

const views = new WeakMap<HTMLElement, Result>();
// Draws into one element run one after another, so a slow draw never lands on top of a newer one.
const queues = new WeakMap<HTMLElement, Promise<void>>();

/**
 * The spec without layers whose inline data is empty (no evaluation yet, no baseline): Vega warns about
 * the infinite extent of an empty layer's field on every draw.
 */
function withoutEmptyLayers(spec: TopLevelSpec): TopLevelSpec {
  if (!('layer' in spec)) return spec;
  const layer = spec.layer.filter((l) => {
    const data = 'data' in l ? l.data : undefined;
    return !(data && 'values' in data && Array.isArray(data.values) && data.values.length === 0);
  });
  return { ...spec, layer } as TopLevelSpec;
}

/** `spec` is one of rnnlab's chart specs, or one the page builds on vega-lite's own type. */
export function showChart(el: HTMLElement, spec: TopLevelSpec | VegaLiteSpec, data: Record<string, string> = {}): Promise<void> {
  const run = async (): Promise<void> => {
    // No action menu: its "open in the Vega editor" link would leave the offline page.
    const result = await embed(el, withoutEmptyLayers(spec as TopLevelSpec), { renderer: 'svg', actions: false });
    views.get(el)?.finalize();
    views.set(el, result);
    for (const [k, v] of Object.entries(data)) el.dataset[k] = v;
    el.dataset.version = String(Number(el.dataset.version ?? '0') + 1);
  };
  const next = (queues.get(el) ?? Promise.resolve()).then(run, run);
  queues.set(el, next);
  return next;
}

/**
 * The theory panel: docs/theory.md and docs/concepts.md as the repository has them (bundled at build
 * time), their math typeset by KaTeX, and the unrolled computational graph of theory A2 drawn live by the
 * library (`unrolledGraph(...).svg()`, Graphviz compiled to WebAssembly) for the cell and T chosen.
 */
import katex from 'katex';
import 'katex/dist/katex.min.css';
import theoryMd from '../../docs/theory.md?raw';
import conceptsMd from '../../docs/concepts.md?raw';
import { countMultiplications, MAX_UNROLL_STEPS, unrolledGraph, type CellKind } from 'rnnlab';
import { byId } from './dom.js';
import { createMarkdown } from './markdown-math.js';

/** Larger T draws a graph too wide to read on a page. */
const MAX_DRAWN_STEPS = Math.min(8, MAX_UNROLL_STEPS);

function renderMath(tex: string, display: boolean): string {
  // A formula KaTeX cannot typeset shows as red source text rather than breaking the page; the
  // markdown test makes sure the docs have none.
  return katex.renderToString(tex, { displayMode: display, throwOnError: false, strict: 'ignore', output: 'htmlAndMathml' });
}

async function drawUnrolled(fig: HTMLElement): Promise<void> {
  const cell = (fig.querySelector<HTMLSelectElement>('select')?.value ?? fig.dataset.cell ?? 'rnn') as CellKind;
  const T = Number(fig.querySelector<HTMLInputElement>('input[type=range]')?.value ?? fig.dataset.steps ?? 4);
  const graph = unrolledGraph({ cell, T, withOutput: true });
  const target = fig.querySelector<HTMLElement>('.graph')!;
  target.innerHTML = await graph.svg();
  const uses = graph.edges.filter((e) => e.from === 'W_hh').length;
  const mul = countMultiplications({ cell, T, D: 3, H: 4, O: 2 });
  fig.querySelector('figcaption')!.textContent =
    `${cell.toUpperCase()} unrolled for T = ${T}: ${graph.nodes.length} nodes, ${graph.edges.length} edges; ` +
    `W_hh is one node used ${uses} times (dashed), so BPTT adds ${uses} contributions into dW_hh. ` +
    `Forward multiplications at D = 3, H = 4, O = 2: ${mul.formula} = ${mul.total}.`;
  fig.dataset.drawn = `${cell}-${T}`;
}

/** Controls for the live graph in place of the static figure. */
function mountUnrolled(fig: HTMLElement): void {
  const steps = Math.min(Number(fig.dataset.steps ?? 4), MAX_DRAWN_STEPS);
  fig.innerHTML = `
    <div class="unrolled-controls">
      <label class="inline">cell <select><option value="rnn">RNN</option><option value="lstm">LSTM</option><option value="gru">GRU</option></select></label>
      <label class="slider inline">T <output>${steps}</output> <input type="range" min="1" max="${MAX_DRAWN_STEPS}" value="${steps}"></label>
      <span class="note">The weights are drawn once: unrolling copies the computation, not the parameters.</span>
    </div>
    <div class="graph" role="img" aria-label="the unrolled computational graph"></div>
    <figcaption></figcaption>`;
  fig.querySelector<HTMLSelectElement>('select')!.value = fig.dataset.cell ?? 'rnn';
  fig.addEventListener('input', () => {
    fig.querySelector('output')!.textContent = fig.querySelector<HTMLInputElement>('input[type=range]')!.value;
    void drawUnrolled(fig);
  });
  void drawUnrolled(fig);
}

let rendered = false;

/** Renders both docs, once: the first time the panel is opened. */
export function mountTheory(): void {
  if (rendered) return;
  rendered = true;
  const md = createMarkdown(renderMath);
  byId('doc-theory').innerHTML = md.render(theoryMd);
  byId('doc-concepts').innerHTML = md.render(conceptsMd);
  document.querySelectorAll<HTMLElement>('figure.unrolled').forEach(mountUnrolled);
  document.querySelectorAll<HTMLInputElement>('input[name=doc]').forEach((radio) => {
    radio.addEventListener('change', () => {
      if (!radio.checked) return;
      byId('doc-theory').hidden = radio.value !== 'theory';
      byId('doc-concepts').hidden = radio.value !== 'concepts';
    });
  });
}

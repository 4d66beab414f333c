/**
 * The unrolled computational graph (theory A2), as data and as Graphviz DOT. Unrolling a recurrent
 * network for T steps turns the loop
 *
 *   h_t = cell(x_t, h_{t-1}; W_ih, W_hh, b)          (LSTM: (h_t, c_t) = cell(x_t, h_{t-1}, c_{t-1}; …))
 *   y_t = W_hy h_t + b_y                             (the optional head)
 *
 * into a feed-forward graph with T copies of the cell — but NOT T copies of the weights: each weight
 * node is drawn once and sends one edge to every step that uses it (W_hh: exactly T edges). BPTT sums
 * the T gradient contributions that come back along those edges, which is why dW_hh accumulates.
 *
 * Nodes (ids): x_1..x_T, h_0..h_T, c_0..c_T (LSTM), step_1..step_T (one application of the cell),
 * y_1..y_T (withOutput), and the shared weights W_ih, W_hh, b (= b_ih + b_hh), W_hy, b_y.
 * Layout: time runs left to right; inputs in the bottom row, the state chain in the middle row (c above
 * h for the LSTM), outputs above; shared weights below the inputs and, for the head, above the outputs.
 */
import type { Graphviz } from '@hpcc-js/wasm-graphviz';
import { checkOneOf, describeValue } from '../tensor/check.js';
import type { CellKind } from './counts.js';

/** A drawing wider than this is unreadable, and every use-edge is a line to draw. */
export const MAX_UNROLL_STEPS = 50;

export type UnrolledNodeKind = 'input' | 'hidden' | 'cell' | 'step' | 'output' | 'weight';

export interface UnrolledNode {
  id: string;
  /** The text drawn in the node. */
  label: string;
  kind: UnrolledNodeKind;
  /** Time step: 1..T for x, step and y; 0..T for h and c; absent for the shared weights. */
  t?: number;
}

export type UnrolledEdgeKind = 'input' | 'recurrent' | 'state' | 'output' | 'weight';

export interface UnrolledEdge {
  from: string;
  to: string;
  /** 'recurrent': h_{t-1} (or c_{t-1}) into step t; 'state': step t out to h_t / c_t; 'weight': a use of a shared weight. */
  kind: UnrolledEdgeKind;
}

export interface UnrolledGraphOptions {
  cell: CellKind;
  /** Steps to unroll, 1..MAX_UNROLL_STEPS. */
  T: number;
  /** Draw y_t = W_hy h_t + b_y at every step (default true). */
  withOutput?: boolean;
}

export interface UnrolledGraph {
  cell: CellKind;
  T: number;
  nodes: UnrolledNode[];
  /** The semantic edges only (the DOT adds invisible ones for the layout). */
  edges: UnrolledEdge[];
  dot: string;
  /** Renders `dot` with Graphviz (WebAssembly, loaded once per process) to an SVG document. */
  svg(): Promise<string>;
}

/** Gate blocks in the stacked weights, for the shape labels. */
const GATES: Record<CellKind, string> = { rnn: '', lstm: '4', gru: '3' };
const NAME: Record<CellKind, string> = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' };
/** One colour per shared weight, used for its node and all its use-edges, so each fan-out can be followed. */
const WEIGHT_COLOR: Record<string, string> = {
  W_ih: '#e6550d', W_hh: '#d62728', b: '#8c6d31', W_hy: '#6a3d9a', b_y: '#1f78b4',
};

export function unrolledGraph(opts: UnrolledGraphOptions): UnrolledGraph {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`options: expected an object, got ${describeValue(opts)}`);
  const cell = checkOneOf('cell', opts.cell, ['rnn', 'lstm', 'gru'] as const);
  const T = opts.T;
  if (typeof T !== 'number' || !Number.isInteger(T) || T < 1 || T > MAX_UNROLL_STEPS) {
    throw new RangeError(`T: expected an integer from 1 to ${MAX_UNROLL_STEPS} (steps to unroll), got ${typeof T === 'number' ? T : JSON.stringify(T)}`);
  }
  if (opts.withOutput !== undefined && typeof opts.withOutput !== 'boolean') {
    throw new TypeError(`withOutput: expected true or false, got ${describeValue(opts.withOutput)}`);
  }
  const withOutput = opts.withOutput ?? true;
  const lstm = cell === 'lstm';
  const g = GATES[cell];

  const nodes: UnrolledNode[] = [];
  const edges: UnrolledEdge[] = [];
  const node = (id: string, label: string, kind: UnrolledNodeKind, t?: number) => {
    nodes.push(t === undefined ? { id, label, kind } : { id, label, kind, t });
  };
  const edge = (from: string, to: string, kind: UnrolledEdgeKind) => edges.push({ from, to, kind });

  const cellWeights = ['W_ih', 'W_hh', 'b'];
  const headWeights = withOutput ? ['W_hy', 'b_y'] : [];
  node('W_ih', `W_ih [${g}H×D]`, 'weight');
  node('W_hh', `W_hh [${g}H×H]`, 'weight');
  node('b', `b = b_ih + b_hh [${g}H]`, 'weight');
  if (withOutput) {
    node('W_hy', 'W_hy [O×H]', 'weight');
    node('b_y', 'b_y [O]', 'weight');
  }
  node('h_0', 'h_0', 'hidden', 0);
  if (lstm) node('c_0', 'c_0', 'cell', 0);
  for (let t = 1; t <= T; t++) {
    node(`x_${t}`, `x_${t}`, 'input', t);
    node(`step_${t}`, `${NAME[cell]}\nt = ${t}`, 'step', t);
    node(`h_${t}`, `h_${t}`, 'hidden', t);
    if (lstm) node(`c_${t}`, `c_${t}`, 'cell', t);
    if (withOutput) node(`y_${t}`, `y_${t}`, 'output', t);

    edge(`x_${t}`, `step_${t}`, 'input');
    edge(`h_${t - 1}`, `step_${t}`, 'recurrent');
    if (lstm) edge(`c_${t - 1}`, `step_${t}`, 'recurrent');
    edge(`step_${t}`, `h_${t}`, 'state');
    if (lstm) edge(`step_${t}`, `c_${t}`, 'state');
    for (const w of cellWeights) edge(w, `step_${t}`, 'weight');
    if (withOutput) {
      edge(`h_${t}`, `y_${t}`, 'output');
      for (const w of headWeights) edge(w, `y_${t}`, 'weight');
    }
  }

  const dot = toDot(cell, T, withOutput, nodes, edges);
  return { cell, T, nodes, edges, dot, svg: () => renderSvg(dot) };
}

function toDot(cell: CellKind, T: number, withOutput: boolean, nodes: UnrolledNode[], edges: UnrolledEdge[]): string {
  const lstm = cell === 'lstm';
  const q = (s: string) => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
  const style: Record<UnrolledNodeKind, string> = {
    input: 'shape=ellipse, style=filled, fillcolor="#deebf7"',
    hidden: 'shape=ellipse, style=filled, fillcolor="#e5f5e0"',
    cell: 'shape=ellipse, style=filled, fillcolor="#fff7bc"',
    step: 'shape=box, style="rounded,filled", fillcolor="#f0f0f0"',
    output: 'shape=ellipse, style=filled, fillcolor="#fde0dd"',
    weight: 'shape=box, style="filled,bold", fontcolor=white, margin="0.15,0.08"',
  };
  const L: string[] = [];
  L.push(`digraph unrolled_${cell}_T${T} {`);
  // BT: rank 0 (inputs) at the bottom; flat edges inside a rank=same row run left to right = time.
  L.push('  rankdir=BT; newrank=true; nodesep=0.35; ranksep=0.5;');
  L.push(`  label=${q(`${cell.toUpperCase()} unrolled for T = ${T}: every step uses the same W_ih, W_hh, b${withOutput ? ' (and W_hy, b_y)' : ''}`)}; labelloc=t;`);
  L.push('  node [fontname="Helvetica", fontsize=12]; edge [arrowsize=0.7];');
  for (const n of nodes) {
    const extra = n.kind === 'weight' ? `, fillcolor=${q(WEIGHT_COLOR[n.id])}, color=${q(WEIGHT_COLOR[n.id])}` : '';
    L.push(`  ${n.id} [label=${q(n.label)}, ${style[n.kind]}${extra}];`);
  }
  const steps = Array.from({ length: T }, (_, i) => i + 1);
  // The rows. The state chain h_0 → step_1 → h_1 → … is one row, so time reads left to right.
  L.push(`  { rank=same; ${['W_ih', 'W_hh', 'b'].join('; ')}; }`);
  L.push(`  { rank=same; ${steps.map((t) => `x_${t}`).join('; ')}; }`);
  L.push(`  { rank=same; h_0; ${steps.map((t) => `step_${t}; h_${t}`).join('; ')}; }`);
  if (lstm) L.push(`  { rank=same; ${[0, ...steps].map((t) => `c_${t}`).join('; ')}; }`);
  if (withOutput) {
    L.push(`  { rank=same; ${steps.map((t) => `y_${t}`).join('; ')}; }`);
    L.push('  { rank=same; W_hy; b_y; }');
  }
  // Invisible edges only stack the rows (weights, x, h, [c], y, head weights) and fix the order in a
  // row (W_ih, W_hh, b; x in time order). They are not in `edges`.
  L.push('  edge [style=invis];');
  L.push('  W_ih -> W_hh; W_hh -> b; W_hh -> x_1;');
  for (let t = 1; t < T; t++) L.push(`  x_${t} -> x_${t + 1};`);
  if (lstm) L.push(`  h_0 -> c_0; ${steps.map((t) => `h_${t} -> c_${t}`).join('; ')};`);
  if (withOutput) L.push(`  ${lstm ? 'c' : 'h'}_${T} -> y_${T}; y_1 -> W_hy; W_hy -> b_y;`);
  L.push('  edge [style=solid];');
  for (const e of edges) {
    let a = '';
    if (e.kind === 'weight') {
      // constraint=false for the head's weights: they sit above y, and their edges must not pull them down.
      const head = e.from === 'W_hy' || e.from === 'b_y';
      a = ` [color=${q(WEIGHT_COLOR[e.from])}, style=dashed${head ? ', constraint=false' : ''}]`;
    } else if (e.kind === 'recurrent' || e.kind === 'state') {
      a = ' [penwidth=2]'; // the chain through time: the path BPTT walks back
    }
    L.push(`  ${e.from} -> ${e.to}${a};`);
  }
  L.push('}');
  return L.join('\n') + '\n';
}

let graphviz: Promise<Graphviz> | null = null;

async function renderSvg(dot: string): Promise<string> {
  // Imported on first use: the package carries the Graphviz WebAssembly (~0.8 MB of JS), which
  // nobody who only trains models should pay for when importing rnnlab.
  graphviz ??= import('@hpcc-js/wasm-graphviz').then((m) => m.Graphviz.load());
  return (await graphviz).dot(dot);
}

/**
 * Draws the unrolled computational graph (theory A2) to an SVG:
 *
 *   node --import tsx scripts/draw-unrolled.ts                      → docs/img/unrolled-rnn-T4.svg
 *   node --import tsx scripts/draw-unrolled.ts lstm 6 [--no-output] → docs/img/unrolled-lstm-T6.svg
 *
 * The weight boxes are drawn once and send one dashed edge to every step: the same weights, T uses.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { unrolledGraph } from '../src/analysis/unrolled.js';
import { countMultiplications, type CellKind } from '../src/analysis/counts.js';

const args = process.argv.slice(2);
const withOutput = !args.includes('--no-output');
const [cell = 'rnn', steps = '4'] = args.filter((a) => !a.startsWith('--'));
const graph = unrolledGraph({ cell: cell as CellKind, T: Number(steps), withOutput });

const dir = new URL('../docs/img/', import.meta.url);
mkdirSync(dir, { recursive: true });
const file = new URL(`unrolled-${graph.cell}-T${graph.T}${withOutput ? '' : '-no-output'}.svg`, dir);
writeFileSync(file, await graph.svg());

const uses = graph.edges.filter((e) => e.from === 'W_hh').length;
const mul = countMultiplications({ cell: graph.cell, T: graph.T, D: 3, H: 4, O: withOutput ? 2 : undefined });
console.log(`wrote ${file.pathname}: ${graph.nodes.length} nodes, ${graph.edges.length} edges; W_hh used ${uses} times`);
console.log(`forward multiplications at D=3, H=4${withOutput ? ', O=2' : ''}: ${mul.formula} = ${mul.total}`);

/**
 * The architecture as the folders show it: every import in src/ points down this order (or stays in
 * its folder), so a cell never depends on a layer, an analysis never on an experiment, and nothing on
 * the command line. scripts/import-structure.ts prints the graph.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { folderGraph, folderOf, srcImports } from '../scripts/import-structure.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
/** Lowest first. The two entries sit on top; cli is a program above everything else. */
const ORDER = ['tensor', 'cells', 'layers', 'optim', 'analysis', 'plot', 'io', 'tasks', 'train', 'experiments', 'exercises', 'index.ts', 'node.ts', 'tutorial.ts', 'cli'];

test('every import in src/ points down the layers: tensor, cells, layers, optim, analysis, plot, io, tasks, train, experiments, exercises', () => {
  const up: string[] = [];
  for (const [from, to] of srcImports(SRC)) {
    const a = ORDER.indexOf(folderOf(from)), b = ORDER.indexOf(folderOf(to));
    assert.ok(a >= 0 && b >= 0, `${from} → ${to}: a folder missing from the layer order`);
    if (b > a) up.push(`${from} → ${to}`);
  }
  assert.deepEqual(up, []);
});

test('the check sees the graph: layers import cells, cells import only tensor', () => {
  const g = folderGraph(SRC);
  assert.ok(g.get('layers')?.has('cells'));
  assert.deepEqual([...(g.get('cells') ?? [])], ['tensor']);
});

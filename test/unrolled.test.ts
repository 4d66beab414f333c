/**
 * Theory A2: the unrolled graph has T copies of the step but one copy of each weight, with one use-edge
 * per step; its DOT is valid (Graphviz renders it).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_UNROLL_STEPS, unrolledGraph, type UnrolledGraph } from '../src/analysis/unrolled.js';

const out = (g: UnrolledGraph, id: string) => g.edges.filter((e) => e.from === id);
const into = (g: UnrolledGraph, id: string) => g.edges.filter((e) => e.to === id);
const ids = (g: UnrolledGraph, kind: string) => g.nodes.filter((n) => n.kind === kind).map((n) => n.id);

describe('unrolledGraph', () => {
  it('RNN, T=4: 22 nodes, 36 edges, every weight drawn once with T use-edges', () => {
    const T = 4;
    const g = unrolledGraph({ cell: 'rnn', T });
    // x 4 + step 4 + h_0..h_4 5 + y 4 + W_ih, W_hh, b, W_hy, b_y 5 = 22.
    assert.equal(g.nodes.length, 22);
    // x→step 4, h_{t-1}→step 4, step→h 4, h→y 4, weight uses (3 + 2)·4 = 20: 36.
    assert.equal(g.edges.length, 36);
    assert.deepEqual(ids(g, 'weight'), ['W_ih', 'W_hh', 'b', 'W_hy', 'b_y']);
    assert.deepEqual(ids(g, 'hidden'), ['h_0', 'h_1', 'h_2', 'h_3', 'h_4']);
    assert.deepEqual(ids(g, 'input'), ['x_1', 'x_2', 'x_3', 'x_4']);
    assert.equal(ids(g, 'cell').length, 0);
    for (const w of ['W_ih', 'W_hh', 'b', 'W_hy', 'b_y']) {
      assert.equal(out(g, w).length, T, w);
      assert.ok(out(g, w).every((e) => e.kind === 'weight'));
    }
    assert.deepEqual(out(g, 'W_hh').map((e) => e.to), ['step_1', 'step_2', 'step_3', 'step_4']);
    assert.deepEqual(out(g, 'W_hy').map((e) => e.to), ['y_1', 'y_2', 'y_3', 'y_4']);
    // The recurrence: step t reads h_{t-1} and writes h_t.
    assert.deepEqual(into(g, 'step_3').map((e) => e.from).sort(), ['W_hh', 'W_ih', 'b', 'h_2', 'x_3']);
    assert.deepEqual(out(g, 'step_3').map((e) => e.to), ['h_3']);
    // Node ids are unique and every edge joins two nodes.
    const all = new Set(g.nodes.map((n) => n.id));
    assert.equal(all.size, g.nodes.length);
    assert.ok(g.edges.every((e) => all.has(e.from) && all.has(e.to)));
    // The DOT has the same T use-edges of W_hh.
    assert.equal(g.dot.match(/^\s*W_hh -> step_\d+ \[/gm)?.length, T);
  });

  it('the count grows with T but the weights do not', () => {
    for (const T of [1, 2, 7]) {
      const g = unrolledGraph({ cell: 'gru', T });
      assert.equal(ids(g, 'weight').length, 5);
      assert.equal(ids(g, 'step').length, T);
      assert.equal(g.edges.filter((e) => e.kind === 'weight').length, 5 * T);
    }
  });

  it('LSTM has c_0..c_T on a second chain through the steps', () => {
    const T = 3;
    const g = unrolledGraph({ cell: 'lstm', T });
    assert.deepEqual(ids(g, 'cell'), ['c_0', 'c_1', 'c_2', 'c_3']);
    assert.deepEqual(into(g, 'step_2').filter((e) => e.kind === 'recurrent').map((e) => e.from), ['h_1', 'c_1']);
    assert.deepEqual(out(g, 'step_2').map((e) => e.to), ['h_2', 'c_2']);
    // x 3 + step 3 + h 4 + c 4 + y 3 + 5 weights = 22.
    assert.equal(g.nodes.length, 22);
    assert.match(g.nodes.find((n) => n.id === 'W_hh')!.label, /4H×H/);
  });

  it('withOutput: false drops y_t and the head weights', () => {
    const g = unrolledGraph({ cell: 'rnn', T: 4, withOutput: false });
    assert.equal(ids(g, 'output').length, 0);
    assert.deepEqual(ids(g, 'weight'), ['W_ih', 'W_hh', 'b']);
    assert.equal(g.nodes.length, 16);
    assert.equal(g.edges.length, 24);
    assert.doesNotMatch(g.dot, /W_hy|b_y|y_1/);
  });

  it('the DOT renders to SVG with every node and T use-edges of W_hh', async () => {
    for (const cell of ['rnn', 'lstm', 'gru'] as const) {
      const g = unrolledGraph({ cell, T: 4 });
      const svg = await g.svg();
      assert.match(svg, /^(<\?xml|<svg)/);
      assert.match(svg, /<svg[\s>]/);
      for (const n of g.nodes) assert.ok(svg.includes(`<title>${n.id}</title>`), `${cell}: node ${n.id}`);
      // Graphviz names each drawn edge "tail->head" (escaped); invisible layout edges are not drawn.
      assert.equal(svg.match(/<title>W_hh&#45;&gt;step_\d+<\/title>/g)?.length, 4);
      assert.equal(svg.match(/class="edge"/g)?.length, g.edges.length);
      for (const text of ['h_0', 'x_4', 'W_hh']) assert.ok(svg.includes(text), `${cell}: ${text}`);
    }
  });

  it('bad input names the argument, the expectation and the value', () => {
    assert.throws(() => unrolledGraph({ cell: 'rnn', T: 0 }), /T: expected an integer from 1 to 50 \(steps to unroll\), got 0/);
    assert.throws(() => unrolledGraph({ cell: 'rnn', T: 2.5 }), /T: expected an integer from 1 to 50.*got 2\.5/);
    assert.throws(() => unrolledGraph({ cell: 'rnn', T: MAX_UNROLL_STEPS + 1 }), /T: expected an integer from 1 to 50.*got 51/);
    assert.throws(() => unrolledGraph({ cell: 'rnn', T: '4' as unknown as number }), /T: .*got "4"/);
    assert.throws(() => unrolledGraph({ cell: 'transformer' as 'rnn', T: 4 }), /cell: expected one of 'rnn', 'lstm', 'gru', got "transformer"/);
    assert.throws(() => unrolledGraph({ cell: 'gru', T: 4, withOutput: 1 as unknown as boolean }), /withOutput: expected true or false, got 1/);
    assert.throws(() => unrolledGraph(null as unknown as { cell: 'rnn'; T: number }), /options: expected an object, got null/);
    assert.doesNotThrow(() => unrolledGraph({ cell: 'lstm', T: MAX_UNROLL_STEPS }));
  });
});

/**
 * The exercise set writes an LSTM gate in the textbook's concatenated form
 *
 *   f_t = σ(W_f [h_{t-1}, x_t] + b_f)       W_f [H, H + D],  b_f [H]
 *
 * while LSTMCell (as PyTorch) keeps split, stacked weights: weight_ih [4H, D], weight_hh [4H, H],
 * bias_ih, bias_hh [4H], gate blocks in the order i, f, g, o. They are the same function with
 *
 *   W_k = [W_hk | W_ik]   (the hidden columns first, as [h_{t-1}, x_t] is ordered)
 *   b_k = b_ik + b_hk
 *
 * for each gate k. This test builds W_k and b_k from the cell's stateDict, computes one step by hand in
 * the concatenated form, and compares with LSTMCell.forward.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, tensor, type Tensor } from '../src/index.js';
import { LSTMCell } from '../src/tutorial.js';
import { maxRelError } from './helpers/fixtures.js';

const D = 3, H = 5, B = 4;
const GATES = ['i', 'f', 'g', 'o'] as const;
type Gate = (typeof GATES)[number];

interface Concat {
  W: number[][]; // [H, H + D]
  b: number[]; // [H]
}

/** W_k = [W_hk | W_ik], b_k = b_ik + b_hk for every gate, from rows k·H … (k+1)·H − 1 of the stacks. */
function concatForm(sd: Record<string, Tensor>, hasBias: boolean): Record<Gate, Concat> {
  const wIh = sd.weight_ih.data, wHh = sd.weight_hh.data;
  const out = {} as Record<Gate, Concat>;
  GATES.forEach((gate, k) => {
    const W: number[][] = [], b: number[] = [];
    for (let j = 0; j < H; j++) {
      const row = k * H + j;
      const hPart = Array.from(wHh.subarray(row * H, (row + 1) * H));
      const xPart = Array.from(wIh.subarray(row * D, (row + 1) * D));
      W.push([...hPart, ...xPart]);
      b.push(hasBias ? sd.bias_ih.data[row] + sd.bias_hh.data[row] : 0);
    }
    out[gate] = { W, b };
  });
  return out;
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/** One LSTM step for one sequence, written the textbook way. */
function stepByHand(p: Record<Gate, Concat>, x: number[], hPrev: number[], cPrev: number[]): { h: number[]; c: number[] } {
  const hx = [...hPrev, ...x]; // [h_{t-1}, x_t]
  const affine = (g: Gate): number[] => p[g].W.map((row, j) => row.reduce((s, w, q) => s + w * hx[q], p[g].b[j]));
  const i = affine('i').map(sigmoid);
  const f = affine('f').map(sigmoid);
  const g = affine('g').map(Math.tanh);
  const o = affine('o').map(sigmoid);
  const c = cPrev.map((cp, j) => f[j] * cp + i[j] * g[j]);
  const h = c.map((cj, j) => o[j] * Math.tanh(cj));
  return { h, c };
}

const randn = (rng: Rng, shape: number[], scale = 1): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => scale * rng.normal()), shape, 'float64');
};

const row = (t: Tensor, b: number, width: number): number[] => Array.from(t.data.subarray(b * width, (b + 1) * width));

describe('LSTM: the concatenated form W_k [h_{t-1}, x_t] + b_k is LSTMCell', () => {
  for (const [label, batched, bias] of [
    ['batched [B, D]', true, true],
    ['unbatched [D]', false, true],
    ['batched, bias=False (b_k = 0)', true, false],
  ] as const) {
    it(`${label}: a step computed by hand from W_k = [W_hk | W_ik], b_k = b_ik + b_hk equals LSTMCell.forward`, () => {
      const rng = new Rng(batched ? (bias ? 11 : 13) : 12);
      const cell = new LSTMCell(D, H, { dtype: 'float64', seed: 7, bias });
      // Larger weights than the default init, so every gate is well inside its nonlinear range.
      const sd = cell.stateDict();
      for (const t of Object.values(sd)) for (let i = 0; i < t.size; i++) t.data[i] = rng.normal();
      cell.loadStateDict(sd);
      const n = batched ? B : 1;
      const x = randn(rng, batched ? [B, D] : [D]);
      const hPrev = randn(rng, batched ? [B, H] : [H], 0.5);
      const cPrev = randn(rng, batched ? [B, H] : [H], 0.5);

      const concat = concatForm(cell.stateDict(), bias);
      for (const g of GATES) {
        assert.equal(concat[g].W.length, H);
        assert.equal(concat[g].W[0].length, H + D);
      }
      const hs: number[] = [], cs: number[] = [];
      for (let b = 0; b < n; b++) {
        const r = stepByHand(concat, row(x, b, D), row(hPrev, b, H), row(cPrev, b, H));
        hs.push(...r.h);
        cs.push(...r.c);
      }

      const out = cell.forward(x, hPrev, cPrev);
      assert.deepEqual([...out.h.shape], batched ? [B, H] : [H]);
      const eh = maxRelError(out.h, hs), ec = maxRelError(out.c, cs);
      assert.ok(eh < 1e-12, `h: max relative error ${eh.toExponential(2)}`);
      assert.ok(ec < 1e-12, `c: max relative error ${ec.toExponential(2)}`);
    });
  }

  it('the gate blocks are i, f, g, o in that order: swapping the f and o blocks changes the step', () => {
    const rng = new Rng(21);
    const cell = new LSTMCell(D, H, { dtype: 'float64', seed: 3 });
    const x = randn(rng, [D]), hPrev = randn(rng, [H]), cPrev = randn(rng, [H]);
    const concat = concatForm(cell.stateDict(), true);
    const right = stepByHand(concat, Array.from(x.data), Array.from(hPrev.data), Array.from(cPrev.data));
    const wrong = stepByHand({ ...concat, f: concat.o, o: concat.f }, Array.from(x.data), Array.from(hPrev.data), Array.from(cPrev.data));
    const out = cell.forward(x, hPrev, cPrev);
    assert.ok(maxRelError(out.h, right.h) < 1e-12);
    assert.ok(maxRelError(out.h, wrong.h) > 1e-3);
  });
});

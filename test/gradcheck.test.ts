/**
 * Finite-difference checks of every hand-written backward pass, independent of PyTorch: for each cell and
 * layer, gradCheck (default options: 4th-order central stencil, ε = 1e-3) compares the analytic gradient
 * of a random linear loss
 *
 *   L = Σ gOut·output + Σ gH·h_N (+ Σ gC·c_N)
 *
 * with respect to every parameter, the input x and the initial states against the numeric one, in
 * float64. Every entry is checked; the worst relative error must be < 1e-6.
 *
 * ReLU has a kink at 0, where finite differences are meaningless. The relu cases use fixed seeds for
 * which no pre-activation comes within the stencil's reach (2ε) of 0 (one that did would show up as a
 * large error here), while a good share of the units are switched off, so the mask is exercised.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRU, LSTM, RNN, Rng, gradCheck, tensor, type Tensor } from '../src/index.js';
import { GRUCell, LSTMCell, RNNCell } from '../src/tutorial.js';
import * as tutorial from '../src/tutorial.js';

const T = 4, B = 2, D = 3, H = 4, O = 2;
const TOL = 1e-6;

const randn = (rng: Rng, shape: number[], scale = 1): Tensor => {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => scale * rng.normal()), shape, 'float64');
};

const dot = (a: Tensor, b: Tensor): number => {
  let s = 0;
  for (let i = 0; i < a.size; i++) s += a.data[i] * b.data[i];
  return s;
};

/** A copy of a record of live gradient buffers (later forwards must not be able to change it). */
const copy = (r: Record<string, Tensor>): Record<string, Tensor> =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v.clone()]));

/** The live parameter tensors by name: gradCheck perturbs them in place. */
const live = (m: { parameters(): { name: string; param: Tensor }[] }): Record<string, Tensor> =>
  Object.fromEntries(m.parameters().map((p) => [p.name, p.param]));

function assertPasses(what: string, res: ReturnType<typeof gradCheck>, names: string[]): void {
  assert.deepEqual(Object.keys(res.perTensor).sort(), [...names].sort(), `${what}: every tensor checked`);
  const w = res.worst;
  assert.ok(
    res.maxRelError < TOL,
    `${what}: max relative error ${res.maxRelError.toExponential(2)} at ${w.name}[${w.index}] ` +
      `(analytic ${w.analytic}, numeric ${w.numeric})`,
  );
}

// ---------------------------------------------------------------------------------------------------
// Cells
// ---------------------------------------------------------------------------------------------------

type CellSpec = { label: string; make: (seed: number) => RNNCell | LSTMCell | GRUCell };
const cellSpecs: CellSpec[] = [
  { label: 'RNNCell tanh', make: (seed) => new RNNCell(D, H, { dtype: 'float64', seed, nonlinearity: 'tanh' }) },
  { label: 'RNNCell relu', make: (seed) => new RNNCell(D, H, { dtype: 'float64', seed, nonlinearity: 'relu' }) },
  { label: 'LSTMCell', make: (seed) => new LSTMCell(D, H, { dtype: 'float64', seed }) },
  { label: 'GRUCell', make: (seed) => new GRUCell(D, H, { dtype: 'float64', seed }) },
];

describe('gradCheck: cells (every weight, x, hPrev, cPrev)', () => {
  let seed = 100;
  for (const spec of cellSpecs) {
    for (const batched of [true, false]) {
      const s = seed++;
      it(`${spec.label}, ${batched ? 'batched' : 'unbatched'}: analytic gradients match finite differences`, (t) => {
        const rng = new Rng(s);
        const cell = spec.make(s);
        const isLstm = cell instanceof LSTMCell;
        const xs = batched ? [B, D] : [D], hs = batched ? [B, H] : [H];
        const x = randn(rng, xs), hPrev = randn(rng, hs, 0.5), cPrev = randn(rng, hs, 0.5);
        const gH = randn(rng, hs), gC = randn(rng, hs);
        const loss = (): number => {
          if (cell instanceof LSTMCell) {
            const r = cell.forward(x, hPrev, cPrev);
            return dot(gH, r.h) + dot(gC, r.c);
          }
          return dot(gH, cell.step(x, hPrev).h);
        };
        let back;
        if (cell instanceof LSTMCell) {
          const r = cell.forward(x, hPrev, cPrev);
          back = cell.backward(gH, gC, r.cache);
        } else {
          back = cell.backward(gH, cell.step(x, hPrev).cache);
        }
        const wrt: Record<string, Tensor> = { ...live(cell), x, hPrev };
        const analytic: Record<string, Tensor> = { ...copy(back.grads), x: back.dx, hPrev: back.dhPrev };
        if (isLstm) {
          wrt.cPrev = cPrev;
          analytic.cPrev = back.dcPrev!;
        }
        const res = gradCheck(loss, wrt, analytic);
        t.diagnostic(`worst ${res.maxRelError.toExponential(2)} at ${res.worst.name}, ${res.checked} entries`);
        assertPasses(spec.label, res, Object.keys(wrt));
      });
    }
  }
});

// ---------------------------------------------------------------------------------------------------
// Layers
// ---------------------------------------------------------------------------------------------------

type Layer = RNN | LSTM | GRU;
interface LayerSpec {
  label: string;
  lstm: boolean;
  make: (o: { numLayers: number; outputSize?: number; batchFirst?: boolean; seed: number }) => Layer;
}
const base = { inputSize: D, hiddenSize: H, dtype: 'float64' as const };
const layerSpecs: LayerSpec[] = [
  { label: 'RNN tanh', lstm: false, make: (o) => new RNN({ ...base, ...o, nonlinearity: 'tanh' }) },
  { label: 'RNN relu', lstm: false, make: (o) => new RNN({ ...base, ...o, nonlinearity: 'relu' }) },
  { label: 'LSTM', lstm: true, make: (o) => new LSTM({ ...base, ...o }) },
  { label: 'GRU', lstm: false, make: (o) => new GRU({ ...base, ...o }) },
];

interface LayerCheck {
  spec: LayerSpec;
  numLayers: number;
  batched: boolean;
  head: boolean;
  batchFirst: boolean;
}

function checkLayer({ spec, numLayers, batched, head, batchFirst }: LayerCheck, seed: number): ReturnType<typeof gradCheck> {
  const rng = new Rng(seed);
  const model = spec.make({ numLayers, seed, batchFirst, ...(head ? { outputSize: O } : {}) });
  const W = head ? O : H;
  const xShape = batched ? (batchFirst ? [B, T, D] : [T, B, D]) : [T, D];
  const outShape = batched ? (batchFirst ? [B, T, W] : [T, B, W]) : [T, W];
  const stShape = batched ? [numLayers, B, H] : [numLayers, H];
  const x = randn(rng, xShape), h0 = randn(rng, stShape, 0.5), c0 = randn(rng, stShape, 0.5);
  const gOut = randn(rng, outShape), gH = randn(rng, stShape), gC = randn(rng, stShape);
  const state = () => (spec.lstm ? { h: h0, c: c0 } : { h: h0 });
  const loss = (): number => {
    const r = model.forward(x, state());
    return dot(gOut, r.output) + dot(gH, r.h) + (spec.lstm ? dot(gC, r.c!) : 0);
  };
  model.forward(x, state());
  const back = model.backward(gOut, spec.lstm ? { h: gH, c: gC } : { h: gH });
  const wrt: Record<string, Tensor> = { ...live(model), x, h0 };
  const analytic: Record<string, Tensor> = { ...copy(back.grads), x: back.dx, h0: back.dh };
  if (spec.lstm) {
    wrt.c0 = c0;
    analytic.c0 = back.dc!;
  }
  const res = gradCheck(loss, wrt, analytic);
  assertPasses(spec.label, res, Object.keys(wrt));
  return res;
}

for (const spec of layerSpecs) {
  describe(`gradCheck: ${spec.label} layer (every parameter, x, h0${spec.lstm ? ', c0' : ''})`, () => {
    let seed = 200 + 10 * layerSpecs.indexOf(spec);
    for (const numLayers of [1, 2]) {
      for (const batched of [true, false]) {
        for (const head of [false, true]) {
          const s = seed++;
          const name = [`${numLayers} layer${numLayers > 1 ? 's' : ''}`, batched ? 'batched' : 'unbatched', head ? 'linear head' : 'no head'].join(', ');
          it(`${spec.label}, ${name}: BPTT gradients match finite differences`, (t) => {
            const res = checkLayer({ spec, numLayers, batched, head, batchFirst: false }, s);
            t.diagnostic(`worst ${res.maxRelError.toExponential(2)} at ${res.worst.name}, ${res.checked} entries`);
          });
        }
      }
    }
  });
}

describe('gradCheck: batchFirst', () => {
  it('LSTM, 2 layers, batchFirst [B, T, D], linear head: BPTT gradients match finite differences', (t) => {
    const res = checkLayer({ spec: layerSpecs[2], numLayers: 2, batched: true, head: true, batchFirst: true }, 300);
    t.diagnostic(`worst ${res.maxRelError.toExponential(2)} at ${res.worst.name}, ${res.checked} entries`);
  });
});

// ---------------------------------------------------------------------------------------------------
// The tutorial's API: new RNN(inputSize, hiddenSize, outputSize), forward(xs).output, backward(douts)
// ---------------------------------------------------------------------------------------------------

describe("gradCheck: the tutorial's RNN(inputSize, hiddenSize, outputSize)", () => {
  for (const batched of [false, true]) {
    it(`${batched ? 'batched [T, B, D]' : 'one sequence [T, D]'}: backward(douts).grads and dx match finite differences`, (t) => {
      const rng = new Rng(batched ? 401 : 400);
      const rnn = new tutorial.RNN(D, H, O, { dtype: 'float64' });
      const xs = randn(rng, batched ? [T, B, D] : [T, D]);
      const douts = randn(rng, batched ? [T, B, O] : [T, O]);
      const loss = (): number => dot(douts, rnn.forward(xs).output);
      const out = rnn.forward(xs).output;
      assert.deepEqual([...out.shape], batched ? [T, B, O] : [T, O]);
      const { grads, dx } = rnn.backward(douts);
      assert.deepEqual(Object.keys(grads), ['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'head.weight', 'head.bias']);
      const wrt = { ...live(rnn), xs };
      const res = gradCheck(loss, wrt, { ...copy(grads), xs: dx });
      t.diagnostic(`worst ${res.maxRelError.toExponential(2)} at ${res.worst.name}, ${res.checked} entries`);
      assertPasses('RNN(D, H, O)', res, Object.keys(wrt));
    });
  }
});

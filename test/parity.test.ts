/**
 * Parity with PyTorch: every case of test/fixtures/{rnn,lstm,gru,cells,tbptt}.json (written by
 * scripts/fixtures_layers.py) loads torch's state dict, runs forward and backward here, and compares the
 * outputs, final states and every gradient with torch's. The loss is a random linear one,
 * L = Σ gOut·output + Σ gH·h_N (+ Σ gC·c_N), so backward starts from (gOut, {h: gH, c: gC}).
 *
 * Error measure: max |ours − torch| / max |torch| per tensor (helpers/fixtures.ts maxRelError).
 * float64 must agree to < 1e-9, float32 to < 1e-4.
 */
import assert from 'node:assert/strict';
import { describe, it, type TestContext } from 'node:test';
import { GRU, LSTM, RNN, type DType, type Tensor } from '../src/index.js';
import { GRUCell, LSTMCell, RNNCell } from '../src/tutorial.js';
import { loadFixture, maxRelError, toTensor, toTensors, type JsonTensor } from './helpers/fixtures.js';

type Kind = 'rnn' | 'lstm' | 'gru';
type Nl = 'tanh' | 'relu' | null;

interface LayerConfig {
  kind: Kind;
  nonlinearity: Nl;
  numLayers: number;
  inputSize: number;
  hiddenSize: number;
  outputSize: number | null;
  batchFirst: boolean;
  bias: boolean;
  batched: boolean;
  dtype: DType;
}

interface LayerCase {
  name: string;
  config: LayerConfig;
  stateDictKeys: string[];
  stateDict: Record<string, JsonTensor>;
  x: JsonTensor;
  h0: JsonTensor;
  c0?: JsonTensor;
  output: JsonTensor;
  h: JsonTensor;
  c?: JsonTensor;
  gOut: JsonTensor;
  gH: JsonTensor;
  gC?: JsonTensor;
  grads: Record<string, JsonTensor>;
  dx: JsonTensor;
  dh: JsonTensor;
  dc?: JsonTensor;
}

interface CellCase {
  name: string;
  config: { kind: Kind; nonlinearity: Nl; inputSize: number; hiddenSize: number; bias: boolean; batched: boolean; dtype: DType };
  stateDictKeys: string[];
  stateDict: Record<string, JsonTensor>;
  x: JsonTensor;
  hPrev: JsonTensor;
  cPrev?: JsonTensor;
  h: JsonTensor;
  c?: JsonTensor;
  gH: JsonTensor;
  gC?: JsonTensor;
  grads: Record<string, JsonTensor>;
  dx: JsonTensor;
  dhPrev: JsonTensor;
  dcPrev?: JsonTensor;
}

interface TbpttCase {
  name: string;
  config: LayerConfig;
  stateDictKeys: string[];
  stateDict: Record<string, JsonTensor>;
  x1: JsonTensor;
  x2: JsonTensor;
  h0: JsonTensor;
  c0: JsonTensor;
  gOut1: JsonTensor;
  gOut2: JsonTensor;
  gH: JsonTensor;
  gC: JsonTensor;
  output1: JsonTensor;
  h1: JsonTensor;
  c1: JsonTensor;
  output2: JsonTensor;
  h2: JsonTensor;
  c2: JsonTensor;
  dx1: JsonTensor;
  dh0: JsonTensor;
  dc0: JsonTensor;
  dx2: JsonTensor;
  dh1: JsonTensor;
  dc1: JsonTensor;
  grads1: Record<string, JsonTensor>;
  grads: Record<string, JsonTensor>;
  grads2: Record<string, JsonTensor>;
}

const TOL: Record<DType, number> = { float64: 1e-9, float32: 1e-4 };

/** Compares one tensor (shape exactly, values to tol); returns the error for the case's report. */
function check(what: string, actual: Tensor | undefined, expected: JsonTensor | undefined, dtype: DType): number {
  assert.ok(expected, `${what}: the fixture has no reference`);
  assert.ok(actual, `${what}: missing from our result`);
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  assert.equal(actual.dtype, dtype, `${what}: dtype`);
  const err = maxRelError(actual, expected);
  assert.ok(err < TOL[dtype], `${what}: max relative error ${err.toExponential(2)} ≥ ${TOL[dtype]} (${dtype})`);
  return err;
}

function checkAll(what: string, actual: Record<string, Tensor>, expected: Record<string, JsonTensor>, dtype: DType): number {
  assert.deepEqual(Object.keys(actual), Object.keys(expected), `${what}: keys`);
  let worst = 0;
  for (const k of Object.keys(expected)) worst = Math.max(worst, check(`${what}['${k}']`, actual[k], expected[k], dtype));
  return worst;
}

type Layer = RNN | LSTM | GRU;

function buildLayer(c: LayerConfig): Layer {
  const opts = {
    inputSize: c.inputSize,
    hiddenSize: c.hiddenSize,
    numLayers: c.numLayers,
    bias: c.bias,
    batchFirst: c.batchFirst,
    dtype: c.dtype,
    outputSize: c.outputSize ?? undefined,
  };
  if (c.kind === 'rnn') return new RNN({ ...opts, nonlinearity: c.nonlinearity ?? 'tanh' });
  if (c.kind === 'lstm') return new LSTM(opts);
  return new GRU(opts);
}

function buildCell(c: CellCase['config']): RNNCell | LSTMCell | GRUCell {
  const opts = { dtype: c.dtype, bias: c.bias };
  if (c.kind === 'rnn') return new RNNCell(c.inputSize, c.hiddenSize, { ...opts, nonlinearity: c.nonlinearity ?? 'tanh' });
  if (c.kind === 'lstm') return new LSTMCell(c.inputSize, c.hiddenSize, opts);
  return new GRUCell(c.inputSize, c.hiddenSize, opts);
}

function shapes(r: Record<string, Tensor>): [string, number[]][] {
  return Object.entries(r).map(([k, t]) => [k, [...t.shape]]);
}

function torchShapes(keys: string[], sd: Record<string, JsonTensor>): [string, number[]][] {
  return keys.map((k) => [k, sd[k].shape]);
}

/** "LSTM, 2 layers, unbatched, float64" → "LSTM" */
const groupOf = (name: string): string => name.slice(0, name.indexOf(','));

function groups<C extends { name: string }>(cases: C[]): Map<string, C[]> {
  const m = new Map<string, C[]>();
  for (const c of cases) {
    const g = groupOf(c.name);
    if (!m.has(g)) m.set(g, []);
    m.get(g)!.push(c);
  }
  return m;
}

function report(t: TestContext, errs: Record<string, number>): void {
  const worst = Math.max(...Object.values(errs));
  t.diagnostic(`worst ${worst.toExponential(2)} (${Object.entries(errs).map(([k, v]) => `${k} ${v.toExponential(1)}`).join(', ')})`);
}

const layerCases = [
  ...loadFixture<LayerCase[]>('rnn'),
  ...loadFixture<LayerCase[]>('lstm'),
  ...loadFixture<LayerCase[]>('gru'),
];

for (const [group, cases] of groups(layerCases)) {
  describe(`${group} matches torch.nn`, () => {
    for (const fx of cases) {
      const { config: cfg } = fx;
      const dt = cfg.dtype;

      it(`${fx.name}: outputs, final states and every gradient match PyTorch`, (t) => {
        const model = buildLayer(cfg);
        model.loadStateDict(toTensors(fx.stateDict, dt));
        const isLstm = cfg.kind === 'lstm';
        const out = model.forward(toTensor(fx.x, dt), {
          h: toTensor(fx.h0, dt),
          ...(isLstm ? { c: toTensor(fx.c0!, dt) } : {}),
        });
        const errs: Record<string, number> = {};
        errs.output = check('output', out.output, fx.output, dt);
        errs.h = check('h', out.h, fx.h, dt);
        if (isLstm) errs.c = check('c', out.c, fx.c, dt);
        else assert.equal(out.c, undefined);

        const back = model.backward(toTensor(fx.gOut, dt), {
          h: toTensor(fx.gH, dt),
          ...(isLstm ? { c: toTensor(fx.gC!, dt) } : {}),
        });
        errs.params = checkAll('gradients()', model.gradients(), fx.grads, dt);
        checkAll('backward().grads', back.grads, fx.grads, dt);
        errs.dx = check('dx', back.dx, fx.dx, dt);
        errs.dh = check('dh', back.dh, fx.dh, dt);
        if (isLstm) errs.dc = check('dc', back.dc, fx.dc, dt);
        else assert.equal(back.dc, undefined);
        report(t, errs);
      });

      if (dt === 'float64') {
        it(`${fx.name.replace(/, float64$/, '')}: stateDict() keys, order and shapes equal torch's state_dict()`, () => {
          const model = buildLayer(cfg);
          const want = torchShapes(fx.stateDictKeys, fx.stateDict);
          assert.deepEqual(shapes(model.stateDict()), want);
          assert.deepEqual(shapes(model.gradients()), want);
          assert.deepEqual(model.parameters().map((p) => p.name), fx.stateDictKeys);
          // The fixture's own key order is torch's too (JSON keeps insertion order).
          assert.deepEqual(Object.keys(fx.stateDict), fx.stateDictKeys);
        });
      }
    }
  });
}

const cellCases = loadFixture<CellCase[]>('cells');

for (const [group, cases] of groups(cellCases)) {
  describe(`${group} matches torch.nn.${group.split(' ')[0]}`, () => {
    for (const fx of cases) {
      const { config: cfg } = fx;
      const dt = cfg.dtype;
      it(`${fx.name}: h${cfg.kind === 'lstm' ? ', c' : ''} and every gradient match PyTorch`, (t) => {
        const cell = buildCell(cfg);
        assert.deepEqual(shapes(cell.stateDict()), torchShapes(fx.stateDictKeys, fx.stateDict));
        cell.loadStateDict(toTensors(fx.stateDict, dt));
        const x = toTensor(fx.x, dt), hPrev = toTensor(fx.hPrev, dt), gH = toTensor(fx.gH, dt);
        const errs: Record<string, number> = {};
        let back;
        if (cell instanceof LSTMCell) {
          const step = cell.forward(x, hPrev, toTensor(fx.cPrev!, dt));
          errs.h = check('h', step.h, fx.h, dt);
          errs.c = check('c', step.c, fx.c, dt);
          back = cell.backward(gH, toTensor(fx.gC!, dt), step.cache);
          errs.dcPrev = check('dcPrev', back.dcPrev, fx.dcPrev, dt);
        } else if (cell instanceof RNNCell) {
          errs.h = check('forward()', cell.forward(x, hPrev), fx.h, dt);
          const step = cell.step(x, hPrev);
          check('step().h', step.h, fx.h, dt);
          back = cell.backward(gH, step.cache);
        } else {
          const step = cell.forward(x, hPrev);
          errs.h = check('h', step.h, fx.h, dt);
          back = cell.backward(gH, step.cache);
        }
        errs.dx = check('dx', back.dx, fx.dx, dt);
        errs.dhPrev = check('dhPrev', back.dhPrev, fx.dhPrev, dt);
        errs.params = checkAll('backward().grads', back.grads, fx.grads, dt);
        checkAll('gradients()', cell.gradients(), fx.grads, dt);
        report(t, errs);
      });
    }
  });
}

describe('truncated BPTT matches PyTorch (LSTM, state detached between two chunks)', () => {
  for (const fx of loadFixture<TbpttCase[]>('tbptt')) {
    const dt = fx.config.dtype;
    it(`${fx.name}: gradients accumulate over both backward calls until zeroGrad()`, (t) => {
      const model = buildLayer(fx.config) as LSTM;
      model.loadStateDict(toTensors(fx.stateDict, dt));
      const errs: Record<string, number> = {};

      // Chunk 1: loss on the outputs only.
      const a = model.forward(toTensor(fx.x1, dt), { h: toTensor(fx.h0, dt), c: toTensor(fx.c0, dt) });
      errs.output1 = check('output1', a.output, fx.output1, dt);
      check('h1', a.h, fx.h1, dt);
      check('c1', a.c, fx.c1, dt);
      const ga = model.backward(toTensor(fx.gOut1, dt));
      errs.grads1 = checkAll('gradients() after chunk 1', model.gradients(), fx.grads1, dt);
      check('dx1', ga.dx, fx.dx1, dt);
      check('dh0', ga.dh, fx.dh0, dt);
      check('dc0', ga.dc, fx.dc0, dt);

      // Chunk 2 starts from chunk 1's final state (a plain value here: nothing flows back into chunk 1).
      const b = model.forward(toTensor(fx.x2, dt), { h: a.h, c: a.c });
      errs.output2 = check('output2', b.output, fx.output2, dt);
      check('h2', b.h, fx.h2, dt);
      check('c2', b.c, fx.c2, dt);
      const gb = model.backward(toTensor(fx.gOut2, dt), { h: toTensor(fx.gH, dt), c: toTensor(fx.gC, dt) });
      errs.grads = checkAll('gradients() after both chunks (accumulated)', model.gradients(), fx.grads, dt);
      errs.dx2 = check('dx2', gb.dx, fx.dx2, dt);
      check('dh1', gb.dh, fx.dh1, dt);
      check('dc1', gb.dc, fx.dc1, dt);

      // The accumulated gradient really is the sum of two different chunks' gradients.
      const w = 'weight_hh_l0';
      assert.ok(maxRelError(model.gradients()[w], fx.grads1[w]) > 1e-2, 'chunk 2 changed the accumulated gradient');

      model.zeroGrad();
      for (const g of Object.values(model.gradients())) assert.ok(g.data.every((v) => v === 0), 'zeroGrad() clears');
      model.forward(toTensor(fx.x2, dt), { h: a.h, c: a.c });
      model.backward(toTensor(fx.gOut2, dt), { h: toTensor(fx.gH, dt), c: toTensor(fx.gC, dt) });
      errs.grads2 = checkAll('gradients() of chunk 2 alone, after zeroGrad()', model.gradients(), fx.grads2, dt);
      report(t, errs);
    });
  }
});

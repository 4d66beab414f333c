/**
 * Theory A1/A2: the closed-form parameter and multiplication counts equal what the code really has and
 * really does. The multiplications are measured by the counter the forward kernels bump (countOps).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GRU, LSTM, RNN, Rng, tensor, type Tensor } from '../src/index.js';
import { GRUCell, LSTMCell, RNNCell } from '../src/tutorial.js';
import * as tutorial from '../src/tutorial.js';
import { countMultiplications, countParameters, type CellKind } from '../src/analysis/counts.js';
import { countOps, opCounter } from '../src/tensor/counter.js';

function randomInput(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => rng.uniform(-1, 1)), shape, 'float64');
}

function makeModel(cell: CellKind, D: number, H: number, O: number | undefined, L: number, bias = true) {
  const opts = { inputSize: D, hiddenSize: H, outputSize: O, numLayers: L, bias, dtype: 'float64' as const, seed: 1 };
  return cell === 'rnn' ? new RNN(opts) : cell === 'lstm' ? new LSTM(opts) : new GRU(opts);
}

describe('the hand example (theory A2)', () => {
  it('RNN, T=10, D=3, H=4, O=2: 360 multiplications, 46 parameters', () => {
    // One step: W_ih x_t is H·D = 4·3 = 12, W_hh h_{t-1} is H·H = 4·4 = 16, the head W_hy h_t is
    // O·H = 2·4 = 8: 36 per step, and the same weights are used at all 10 steps: 10 · 36 = 360.
    // Parameters: 12 + 16 + b_ih 4 + b_hh 4 + W_hy 8 + b_y 2 = 46, whatever T is.
    const c = countMultiplications({ cell: 'rnn', T: 10, D: 3, H: 4, O: 2 });
    assert.equal(c.total, 360);
    assert.equal(c.perStep, 36);
    assert.deepEqual(c.breakdown, { input: 120, recurrent: 160, elementwise: 0, head: 80 });
    assert.equal(c.formula, 'T·B·(H·D + H·H + O·H)');
    assert.equal(countParameters({ cell: 'rnn', D: 3, H: 4, O: 2 }).total, 46);

    const model = new tutorial.RNN(3, 4, 2, { dtype: 'float64' });
    assert.equal(model.numParameters(), 46);
    const { mul } = countOps(() => model.forward(randomInput([10, 3], 0)));
    assert.equal(mul, 360);
  });

  it('LSTM and GRU add 3H elementwise products per step', () => {
    // LSTM: 4H·D + 4H·H + 3H + O·H = 48 + 64 + 12 + 8 = 132 per step.
    assert.equal(countMultiplications({ cell: 'lstm', T: 10, D: 3, H: 4, O: 2 }).total, 1320);
    // GRU: 3H·D + 3H·H + 3H + O·H = 36 + 48 + 12 + 8 = 104 per step.
    assert.equal(countMultiplications({ cell: 'gru', T: 10, D: 3, H: 4, O: 2 }).total, 1040);
  });
});

describe("A2's answer in H and D", () => {
  it('a vanilla RNN over T steps multiplies T·H·(D + H) times in its recurrence, and T·O·H more with an output at every step', () => {
    const rng = new Rng(11);
    for (let trial = 0; trial < 20; trial++) {
      const T = 1 + rng.int(50), D = 1 + rng.int(40), H = 1 + rng.int(40), O = 1 + rng.int(10);
      assert.equal(countMultiplications({ cell: 'rnn', T, D, H }).total, T * H * (D + H), `T=${T} D=${D} H=${H}`);
      assert.equal(countMultiplications({ cell: 'rnn', T, D, H, O }).total, T * H * (D + H) + T * O * H);
    }
  });
});

describe('countMultiplications equals what a real forward multiplies', () => {
  const configs: { T: number; D: number; H: number; O?: number; B: number; L: number }[] = [
    { T: 1, D: 1, H: 1, B: 1, L: 1 },
    { T: 5, D: 3, H: 4, O: 2, B: 1, L: 1 },
    { T: 7, D: 2, H: 5, B: 3, L: 1 },
    { T: 4, D: 6, H: 3, O: 7, B: 2, L: 2 },
    { T: 12, D: 4, H: 8, O: 1, B: 5, L: 2 },
    { T: 3, D: 5, H: 2, B: 4, L: 2 },
  ];
  for (const cell of ['rnn', 'lstm', 'gru'] as const) {
    for (const { T, D, H, O, B, L } of configs) {
      it(`${cell} T=${T} D=${D} H=${H} O=${O ?? '-'} B=${B} L=${L}`, () => {
        const model = makeModel(cell, D, H, O, L);
        const x = randomInput(B === 1 ? [T, D] : [T, B, D], T * 100 + D);
        const { mul } = countOps(() => model.forward(x));
        const c = countMultiplications({ cell, T, D, H, O, B, numLayers: L });
        assert.equal(mul, c.total);
        assert.equal(c.perStep * T, c.total);
        const sum = c.breakdown.input + c.breakdown.recurrent + c.breakdown.elementwise + c.breakdown.head;
        assert.equal(sum, c.total);
      });
    }
  }

  it('a model without biases multiplies exactly as much (biases are additions)', () => {
    const model = makeModel('lstm', 3, 4, 2, 1, false);
    const { mul } = countOps(() => model.forward(randomInput([6, 2, 3], 9)));
    assert.equal(mul, countMultiplications({ cell: 'lstm', T: 6, D: 3, H: 4, O: 2, B: 2 }).total);
  });

  it('one cell step costs the T = 1, no-head count', () => {
    const D = 3, H = 5, B = 2;
    const cells = { rnn: new RNNCell(D, H, { dtype: 'float64' }), lstm: new LSTMCell(D, H, { dtype: 'float64' }), gru: new GRUCell(D, H, { dtype: 'float64' }) };
    for (const [cell, c] of Object.entries(cells) as [CellKind, RNNCell | LSTMCell | GRUCell][]) {
      const { mul } = countOps(() => c.step(randomInput([B, D], 3)));
      assert.equal(mul, countMultiplications({ cell, T: 1, D, H, B }).total, cell);
    }
  });

  it('the counter is off outside countOps, and countOps nests', () => {
    const model = makeModel('gru', 2, 3, undefined, 1);
    const x = randomInput([4, 2], 1);
    model.forward(x);
    assert.equal(opCounter.mul, 0);
    assert.equal(opCounter.enabled, false);
    const one = countMultiplications({ cell: 'gru', T: 4, D: 2, H: 3 }).total;
    const outer = countOps(() => {
      const inner = countOps(() => model.forward(x));
      model.forward(x);
      return inner.mul;
    });
    assert.equal(outer.result, one);
    assert.equal(outer.mul, 2 * one);
    assert.equal(opCounter.enabled, false);
  });

  it('multiplications grow linearly in T; parameters do not grow at all', () => {
    for (const cell of ['rnn', 'lstm', 'gru'] as const) {
      const at = (T: number) => countMultiplications({ cell, T, D: 3, H: 4, O: 2 }).total;
      assert.equal(at(20), 2 * at(10));
      assert.equal(at(10) - at(9), at(1));
    }
  });
});

describe('countParameters equals numParameters()', () => {
  for (const cell of ['rnn', 'lstm', 'gru'] as const) {
    for (const [D, H, O, L, bias] of [[1, 1, undefined, 1, true], [3, 4, 2, 1, true], [5, 3, undefined, 2, true], [2, 6, 3, 3, false]] as const) {
      it(`${cell} D=${D} H=${H} O=${O ?? '-'} L=${L} bias=${bias}`, () => {
        const model = makeModel(cell, D, H, O, L, bias);
        const c = countParameters({ cell, D, H, O, numLayers: L, bias });
        assert.equal(c.total, model.numParameters());
        const sizes = Object.fromEntries(model.parameters().map((p) => [p.name, p.param.size]));
        assert.deepEqual(c.breakdown, sizes);
      });
    }
  }

  it('the A1 formula for a one-layer RNN with a head: H·D + H·H + 2H + O·H + O', () => {
    const D = 7, H = 9, O = 4;
    const c = countParameters({ cell: 'rnn', D, H, O });
    assert.equal(c.total, H * D + H * H + 2 * H + O * H + O);
    assert.equal(c.formula, 'H·D + H·H + 2H + O·H + O');
  });
});

describe('bad arguments name themselves', () => {
  it('reports the argument, the expectation and the value', () => {
    assert.throws(() => countMultiplications({ cell: 'tree' as CellKind, T: 3, D: 1, H: 1 }), /cell: expected one of 'rnn', 'lstm', 'gru', got "tree"/);
    assert.throws(() => countMultiplications({ cell: 'rnn', T: 0, D: 1, H: 1 }), /T: expected a positive integer, got 0/);
    assert.throws(() => countMultiplications({ cell: 'rnn', T: 2, D: 1.5, H: 1 }), /D: expected a positive integer, got 1.5/);
    assert.throws(() => countMultiplications({ cell: 'rnn', T: 2, D: 1, H: 1, B: -1 }), /B: expected a positive integer, got -1/);
    assert.throws(() => countParameters({ cell: 'gru', D: 1, H: 1, numLayers: 0 }), /numLayers: expected a positive integer, got 0/);
    assert.throws(() => countParameters({ cell: 'gru', D: 1, H: 1, bias: 'yes' as unknown as boolean }), /bias: expected true or false, got "yes"/);
    assert.throws(() => countOps(42 as unknown as () => void), /fn: expected a function/);
  });
});

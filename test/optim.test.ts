import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  Adagrad, Adam, AdamW, LSTM, RMSprop, SGD, tensor, zeros,
  type DType, type ParamRef, type ParamsInput, type Tensor,
} from '../src/index.js';
import { loadFixture, maxRelError, toTensor, type JsonTensor } from './helpers/fixtures.js';

type AnyOptimizer = SGD | Adam | AdamW | RMSprop | Adagrad;

interface OptimCase {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, unknown>;
  dtype: DType;
  init: JsonTensor[];
  grads: JsonTensor[][];
  after: JsonTensor[][];
}

// The fixture's options are already camelCase, as the constructors take them.
const make: Record<OptimCase['optimizer'], (p: ParamsInput, o: Record<string, unknown>) => AnyOptimizer> = {
  SGD: (p, o) => new SGD(p, o as unknown as ConstructorParameters<typeof SGD>[1]),
  Adam: (p, o) => new Adam(p, o),
  AdamW: (p, o) => new AdamW(p, o),
  RMSprop: (p, o) => new RMSprop(p, o),
  Adagrad: (p, o) => new Adagrad(p, o),
};

const fx = loadFixture<{ steps: number; cases: OptimCase[] }>('optim');
const TOL: Record<DType, number> = { float64: 1e-9, float32: 1e-4 };

for (const c of fx.cases) {
  test(`${c.name} matches torch.optim.${c.optimizer} after every step in ${c.dtype}`, (t) => {
    const params: ParamRef[] = c.init.map((p, i) => ({ name: `p${i}`, param: toTensor(p, c.dtype), grad: zeros(p.shape, c.dtype) }));
    const opt = make[c.optimizer](params, c.options);
    let worst = 0;
    c.grads.forEach((step, k) => {
      step.forEach((g, i) => params[i].grad.data.set(g.data));
      opt.step();
      params.forEach(({ param }, i) => (worst = Math.max(worst, maxRelError(param, c.after[k][i]))));
      assert.ok(worst < TOL[c.dtype], `step ${k + 1}: worst relative error ${worst}`);
    });
    t.diagnostic(`worst relative error ${worst.toExponential(2)}`);
  });
}

/** Two float64 parameters with fixed gradients, for the behaviour tests. */
function pair(): ParamRef[] {
  return [
    { param: tensor([0.5, -1, 2, 0.25], [2, 2], 'float64'), grad: tensor([0.1, -0.2, 0.3, 0.05], [2, 2], 'float64') },
    { param: tensor([1, -0.5], [2], 'float64'), grad: tensor([-0.4, 0.7], [2], 'float64') },
  ];
}

test('an optimizer built on a Module updates its live parameters from its gradients', () => {
  const m = new LSTM({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
  const before = m.stateDict();
  for (const { grad } of m.parameters()) grad.data.fill(0.5);
  new SGD(m, { lr: 0.1 }).step();
  for (const [name, p] of Object.entries(m.stateDict())) {
    p.data.forEach((v, i) => assert.ok(Math.abs(v - (before[name].data[i] - 0.05)) < 1e-15, name));
  }
});

test('zeroGrad zeroes every gradient buffer', () => {
  const m = new LSTM({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
  for (const { grad } of m.parameters()) grad.data.fill(1);
  new Adam(m).zeroGrad();
  for (const g of Object.values(m.gradients())) assert.ok(g.data.every((v) => v === 0));
});

for (const [name, build] of [
  ['SGD with nesterov momentum', (p: ParamsInput) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true })],
  ['Adam with amsgrad', (p: ParamsInput) => new Adam(p, { lr: 0.01, amsgrad: true })],
  ['AdamW', (p: ParamsInput) => new AdamW(p, { lr: 0.01 })],
  ['centered RMSprop with momentum', (p: ParamsInput) => new RMSprop(p, { centered: true, momentum: 0.5 })],
  ['Adagrad with lr decay', (p: ParamsInput) => new Adagrad(p, { lrDecay: 0.1 })],
] as const) {
  test(`${name}: a stateDict through JSON resumes with the same next step`, () => {
    const a = pair();
    const optA = build(a);
    for (let k = 0; k < 3; k++) optA.step();
    const saved = JSON.parse(JSON.stringify(optA.stateDict()));
    const b = a.map(({ param, grad }) => ({ param: param.clone(), grad: grad.clone() }));
    const optB = build(b);
    optB.loadStateDict(saved);
    assert.equal(optB.stepCount, 3);
    optA.step();
    optB.step();
    a.forEach(({ param }, i) => assert.deepEqual(Array.from(b[i].param.data), Array.from(param.data)));
  });
}

test('stateDict restores the learning rate a schedule had set', () => {
  const opt = new Adam(pair(), { lr: 0.01 });
  opt.lr = 0.003;
  const other = new Adam(pair(), { lr: 0.01 });
  other.loadStateDict(opt.stateDict());
  assert.equal(other.lr, 0.003);
});

test('setting lr changes the size of the next step', () => {
  const p = pair();
  const opt = new SGD(p, { lr: 1 });
  opt.lr = 0.5;
  opt.step();
  assert.ok(Math.abs(p[0].param.data[0] - (0.5 - 0.5 * 0.1)) < 1e-15);
});

test('float32 parameters keep float32 optimizer state', () => {
  const p = [{ param: tensor([1, 2], [2], 'float32'), grad: tensor([0.1, 0.2], [2], 'float32') }];
  const opt = new Adam(p);
  opt.step();
  assert.ok(opt.stateDict().state[0].buffers.exp_avg.every((v) => v === Math.fround(v)));
});

test('loading a stateDict from another optimizer type is refused', () => {
  const saved = new SGD(pair(), { lr: 0.1 }).stateDict();
  assert.throws(() => new Adam(pair()).loadStateDict(saved), /stateDict.type: expected 'Adam', got "SGD"/);
});

test('loading a stateDict for other parameters is refused', () => {
  const saved = new Adam(pair()).stateDict();
  assert.throws(() => new Adam([pair()[0]]).loadStateDict(saved), /stateDict.state: expected 1 entries/);
});

test('a negative learning rate is rejected, naming lr and the value', () => {
  assert.throws(() => new SGD(pair(), { lr: -0.1 }), /options.lr: expected a finite number >= 0, got -0.1/);
  assert.throws(() => new Adam(pair()).lr = NaN, /lr: expected a finite number >= 0, got NaN/);
});

test('Adam rejects betas outside [0, 1)', () => {
  assert.throws(() => new Adam(pair(), { betas: [0.9, 1] }), /options.betas\[1\]: expected a finite number in \[0, 1\), got 1/);
  assert.throws(() => new AdamW(pair(), { betas: [-0.1, 0.9] }), /options.betas\[0\]: .*got -0.1/);
});

test('SGD nesterov without momentum or with dampening is rejected as torch does', () => {
  assert.throws(() => new SGD(pair(), { lr: 0.1, nesterov: true }), /options.nesterov: Nesterov momentum requires momentum > 0 and dampening 0, got momentum 0/);
  assert.throws(() => new SGD(pair(), { lr: 0.1, momentum: 0.9, dampening: 0.1, nesterov: true }), /dampening 0.1/);
});

test('RMSprop rejects alpha above 1 and negative momentum', () => {
  assert.throws(() => new RMSprop(pair(), { alpha: 1.5 }), /options.alpha: expected a finite number in \[0, 1\], got 1.5/);
  assert.throws(() => new RMSprop(pair(), { momentum: -1 }), /options.momentum: .*got -1/);
});

test('Adagrad rejects a negative lrDecay or initial accumulator', () => {
  assert.throws(() => new Adagrad(pair(), { lrDecay: -1 }), /options.lrDecay: .*got -1/);
  assert.throws(() => new Adagrad(pair(), { initialAccumulatorValue: -1 }), /options.initialAccumulatorValue: .*got -1/);
});

test('an empty parameter list is rejected', () => {
  assert.throws(() => new Adam([]), /params: expected at least one parameter/);
});

test('a gradient that does not match its parameter is rejected', () => {
  const bad: ParamRef[] = [{ param: zeros([2, 2], 'float64'), grad: zeros([3], 'float64') as Tensor }];
  assert.throws(() => new SGD(bad, { lr: 0.1 }), /params\[0\].grad: expected float64 \[2, 2\] \(as its param\), got float64 \[3\]/);
});

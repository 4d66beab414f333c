import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crossEntropyLoss, gradCheck, mseLoss, softmax, tensor, type DType, type Tensor } from '../src/index.js';
import { loadFixture, maxRelError, toTensor, type JsonTensor } from './helpers/fixtures.js';

interface LossCase {
  kind: 'mse' | 'cross_entropy';
  dtype: DType;
  pred?: JsonTensor;
  target?: JsonTensor;
  logits?: JsonTensor;
  targets?: number[];
  loss: number;
  grad: JsonTensor;
}

const cases = loadFixture<{ cases: LossCase[] }>('loss').cases;
const TOL: Record<DType, number> = { float64: 1e-9, float32: 1e-4 };
const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function run(c: LossCase): { loss: number; grad: Tensor } {
  return c.kind === 'mse'
    ? mseLoss(toTensor(c.pred!, c.dtype), toTensor(c.target!, c.dtype))
    : crossEntropyLoss(toTensor(c.logits!, c.dtype), c.targets!);
}

for (const dtype of ['float64', 'float32'] as const) {
  for (const kind of ['mse', 'cross_entropy'] as const) {
    test(`${kind} loss and gradient match torch in ${dtype}`, (t) => {
      let worst = 0;
      for (const c of cases.filter((x) => x.dtype === dtype && x.kind === kind)) {
        const { loss, grad } = run(c);
        assert.equal(grad.dtype, dtype);
        assert.deepEqual(grad.shape, c.grad.shape);
        worst = Math.max(worst, relErr(loss, c.loss), maxRelError(grad, c.grad));
      }
      t.diagnostic(`worst relative error ${worst.toExponential(2)}`);
      assert.ok(worst < TOL[dtype], `worst relative error ${worst}`);
    });
  }
}

test('mse gradient passes a finite-difference check', () => {
  const pred = tensor([0.3, -1.2, 2.0, 0.7, -0.1, 1.5], [2, 3], 'float64');
  const target = tensor([0.1, 0.4, -0.5, 0.9, 0.0, 1.0], [2, 3], 'float64');
  const { grad } = mseLoss(pred, target);
  assert.ok(gradCheck(() => mseLoss(pred, target).loss, pred, grad).maxRelError < 1e-6);
});

test('cross-entropy gradient passes a finite-difference check on [T, B, C] logits', () => {
  const logits = tensor([0.3, -1.2, 2.0, 0.7, -0.1, 1.5, 0.2, 0.9, -2.0, 1.1, 0.4, -0.6], [2, 2, 3], 'float64');
  const targets = [2, 0, 1, 1];
  const { grad } = crossEntropyLoss(logits, targets);
  assert.ok(gradCheck(() => crossEntropyLoss(logits, targets).loss, logits, grad).maxRelError < 1e-6);
});

test('cross-entropy accepts targets as Int32Array, number[] or a Tensor shaped as the rows', () => {
  const logits = tensor([1, 2, 3, 0, 1, -1], [2, 3], 'float64');
  const a = crossEntropyLoss(logits, [2, 0]).loss;
  assert.equal(crossEntropyLoss(logits, Int32Array.from([2, 0])).loss, a);
  assert.equal(crossEntropyLoss(logits, tensor([2, 0], [2], 'float64')).loss, a);
});

test('cross-entropy stays finite for logits of 1000', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const logits = tensor([1000, 0, -1000, 1000, 999, 0], [2, 3], dtype);
    const { loss, grad } = crossEntropyLoss(logits, [1, 0]);
    assert.ok(Number.isFinite(loss), `loss ${loss}`);
    assert.ok(Math.abs(loss - (1000 + Math.log1p(Math.exp(-1000)) + Math.log1p(Math.exp(-1))) / 2) < 1e-6 * 1000);
    assert.ok(Array.from(grad.data).every(Number.isFinite));
  }
});

test('softmax rows sum to one and survive huge logits', () => {
  const s = softmax(tensor([1000, 1000, -5, 1, 2, 3], [2, 3], 'float64'));
  assert.ok(Math.abs(s.data[0] + s.data[1] + s.data[2] - 1) < 1e-15);
  assert.ok(Math.abs(s.data[0] - 0.5) < 1e-15);
  assert.ok(Math.abs(s.data[3] + s.data[4] + s.data[5] - 1) < 1e-15);
});

test('mse rejects a target of another shape, naming target and both shapes', () => {
  assert.throws(() => mseLoss(tensor([1, 2, 3, 4], [2, 2]), tensor([1, 2, 3, 4], [4])), /target: expected shape \[2, 2\].*got \[4\]/);
});

test('mse rejects a target of another dtype', () => {
  assert.throws(() => mseLoss(tensor([1, 2], [2], 'float64'), tensor([1, 2], [2], 'float32')), /target: expected dtype float64.*got float32/);
});

test('mse rejects non-finite predictions, naming pred', () => {
  assert.throws(() => mseLoss(tensor([1, NaN], [2]), tensor([1, 2], [2])), /pred: expected finite numbers, got NaN/);
});

test('cross-entropy rejects a target class out of range, naming targets', () => {
  assert.throws(() => crossEntropyLoss(tensor([1, 2, 3, 4], [2, 2]), [0, 2]), /targets: expected integer class indices in \[0, 2\), got 2 at index 1/);
});

test('cross-entropy rejects fractional class indices', () => {
  assert.throws(() => crossEntropyLoss(tensor([1, 2, 3, 4], [2, 2]), [0, 0.5]), /targets: .*got 0\.5/);
});

test('cross-entropy rejects the wrong number of targets', () => {
  assert.throws(() => crossEntropyLoss(tensor([1, 2, 3, 4], [2, 2]), [0, 1, 1]), /targets: expected 2 class indices.*got 3/);
});

test('cross-entropy rejects 1-D logits, naming logits', () => {
  assert.throws(() => crossEntropyLoss(tensor([1, 2, 3]), [0]), /logits: expected shape \[N, C\] or \[T, B, C\], got \[3\]/);
});

test('cross-entropy rejects infinite logits', () => {
  assert.throws(() => crossEntropyLoss(tensor([1, Infinity], [1, 2]), [0]), /logits: expected finite numbers, got Infinity/);
});

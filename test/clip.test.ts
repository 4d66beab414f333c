import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LSTM, clipGradNorm, clipGradValue, clipGradients, tensor, type DType, type Tensor } from '../src/index.js';
import { loadFixture, maxRelError, toTensor, type JsonTensor } from './helpers/fixtures.js';

interface NormCase {
  dtype: DType;
  normType: number | 'inf';
  maxNorm: number;
  grads: JsonTensor[];
  norm: number;
  clipped: JsonTensor[];
}
interface ValueCase {
  dtype: DType;
  clipValue: number;
  grads: JsonTensor[];
  clipped: JsonTensor[];
}

const fx = loadFixture<{ norm: NormCase[]; value: ValueCase[] }>('clip');
const TOL: Record<DType, number> = { float64: 1e-9, float32: 1e-4 };
const relErr = (a: number, b: number): number => Math.abs(a - b) / Math.abs(b);

for (const dtype of ['float64', 'float32'] as const) {
  for (const p of [2, 1, 3, 'inf'] as const) {
    test(`clipGradNorm with normType ${p} matches torch clip_grad_norm_ in ${dtype}`, (t) => {
      let worst = 0;
      const cases = fx.norm.filter((c) => c.dtype === dtype && c.normType === p);
      assert.ok(cases.length > 0);
      for (const c of cases) {
        const grads = c.grads.map((g) => toTensor(g, dtype));
        const norm = clipGradNorm(grads, c.maxNorm, p === 'inf' ? Infinity : p);
        worst = Math.max(worst, relErr(norm, c.norm));
        grads.forEach((g, i) => (worst = Math.max(worst, maxRelError(g, c.clipped[i]))));
      }
      t.diagnostic(`worst relative error ${worst.toExponential(2)}`);
      assert.ok(worst < TOL[dtype], `worst relative error ${worst}`);
    });
  }
  test(`clipGradValue matches torch clip_grad_value_ in ${dtype}`, () => {
    for (const c of fx.value.filter((x) => x.dtype === dtype)) {
      const grads = c.grads.map((g) => toTensor(g, dtype));
      clipGradValue(grads, c.clipValue);
      grads.forEach((g, i) => assert.deepEqual(Array.from(g.data), c.clipped[i].data));
    }
  });
}

test('clipGradients matches torch on the L2 cases (norm and clipped values)', () => {
  for (const c of fx.norm.filter((x) => x.dtype === 'float64' && x.normType === 2)) {
    const { grads, norm, clipped } = clipGradients(c.grads.map((g) => toTensor(g)), c.maxNorm);
    assert.ok(relErr(norm, c.norm) < 1e-12);
    assert.equal(clipped, c.norm > c.maxNorm);
    // torch divides by norm + 1e-6, the tutorial version by norm: equal to ~1e-6 relative
    grads.forEach((g, i) => assert.ok(maxRelError(g, c.clipped[i]) < 1e-5));
  }
});

test('clipGradients returns copies and leaves its input untouched', () => {
  const a = tensor([3, 4], [2], 'float64');
  const { grads } = clipGradients([a], 1);
  assert.deepEqual(Array.from(a.data), [3, 4]);
  assert.notEqual(grads[0], a);
  assert.notEqual(grads[0].data, a.data);
});

test('clipGradients scales a record to norm maxNorm and reports the norm before clipping', () => {
  const { grads, norm, clipped } = clipGradients({ w: tensor([3, 0], [2], 'float64'), b: tensor([4], [1], 'float64') }, 1);
  assert.equal(norm, 5);
  assert.equal(clipped, true);
  assert.ok(maxRelError(grads.w, [0.6, 0]) < 1e-15);
  assert.ok(maxRelError(grads.b, [0.8]) < 1e-15);
});

test('clipGradients does not scale gradients whose norm is below maxNorm', () => {
  const { grads, norm, clipped } = clipGradients([tensor([0.3, 0.4], [2], 'float64')], 1);
  assert.equal(clipped, false);
  assert.ok(Math.abs(norm - 0.5) < 1e-15);
  assert.deepEqual(Array.from(grads[0].data), [0.3, 0.4]);
});

test('clipGradNorm leaves gradients alone below maxNorm and returns their norm', () => {
  const g = tensor([0.3, 0.4], [2], 'float64');
  assert.ok(Math.abs(clipGradNorm([g], 1) - 0.5) < 1e-15);
  assert.deepEqual(Array.from(g.data), [0.3, 0.4]);
});

test('clipGradNorm with Infinity uses the largest absolute entry', () => {
  const g = tensor([1, -6, 2], [3], 'float64');
  assert.equal(clipGradNorm({ g }, 3, Infinity), 6);
  assert.ok(Math.abs(g.data[1] - (-6 * 3) / (6 + 1e-6)) < 1e-15);
});

test('clipGradNorm clips a Module\'s live gradient buffers in place', () => {
  const m = new LSTM({ inputSize: 3, hiddenSize: 4, dtype: 'float64' });
  const grads: Tensor[] = Object.values(m.gradients());
  grads.forEach((g) => g.data.fill(1));
  const n = Math.sqrt(grads.reduce((s, g) => s + g.size, 0));
  assert.ok(Math.abs(clipGradNorm(m, 1) - n) < 1e-12);
  let sq = 0;
  for (const g of Object.values(m.gradients())) for (const v of g.data) sq += v * v;
  assert.ok(Math.abs(Math.sqrt(sq) - 1) < 1e-5);
});

test('clipGradValue clamps a single tensor in place', () => {
  const g = tensor([-3, 0.2, 5], [3], 'float64');
  clipGradValue(g, 1);
  assert.deepEqual(Array.from(g.data), [-1, 0.2, 1]);
});

test('clipGradients rejects a NaN maxNorm, naming maxNorm and the value', () => {
  assert.throws(() => clipGradients([tensor([1])], NaN), /maxNorm: expected a finite number >= 0, got NaN/);
});

test('clipGradNorm rejects a negative maxNorm', () => {
  assert.throws(() => clipGradNorm([tensor([1])], -1), /maxNorm: expected a finite number >= 0, got -1/);
});

test('clipGradNorm rejects an infinite maxNorm', () => {
  assert.throws(() => clipGradNorm([tensor([1])], Infinity), /maxNorm: .*got Infinity/);
});

test('clipGradNorm rejects a normType that is not > 0', () => {
  assert.throws(() => clipGradNorm([tensor([1])], 1, 0), /normType: expected a number > 0 or Infinity, got 0/);
  assert.throws(() => clipGradNorm([tensor([1])], 1, NaN), /normType: .*got NaN/);
});

test('clipGradValue rejects a negative clipValue', () => {
  assert.throws(() => clipGradValue([tensor([1])], -0.5), /clipValue: expected a finite number >= 0, got -0.5/);
});

test('clipGradients rejects something that is not a Tensor, naming its position', () => {
  assert.throws(() => clipGradients([tensor([1]), [1, 2] as unknown as Tensor], 1), /grads\[1\]: expected a Tensor, got an array/);
});

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Rng } from '../src/tensor/random.js';
import { Tensor, full, zeros } from '../src/tensor/tensor.js';
import { AddingTask } from '../src/tasks/adding.js';
import { COPY_BLANK, COPY_DELIMITER, COPY_LENGTH, CopyMemoryTask } from '../src/tasks/copy-memory.js';
import { TemporalOrderTask } from '../src/tasks/temporal-order.js';
import type { Task, TaskBatch } from '../src/tasks/task.js';

/** Class index of the one-hot row at step t of sequence b, asserting it is one-hot. */
function oneHotAt(x: Tensor, t: number, b: number): number {
  const [, B, D] = x.shape;
  let k = -1;
  for (let d = 0; d < D; d++) {
    const v = x.data[(t * B + b) * D + d];
    assert.ok(v === 0 || v === 1, `x[${t}, ${b}, ${d}] = ${v}`);
    if (v === 1) {
      assert.equal(k, -1, `two 1s at step ${t}, sequence ${b}`);
      k = d;
    }
  }
  assert.notEqual(k, -1, `no 1 at step ${t}, sequence ${b}`);
  return k;
}

const sameBatch = (a: TaskBatch, b: TaskBatch): void => {
  assert.deepEqual(a.x.shape, b.x.shape);
  assert.deepEqual(Array.from(a.x.data), Array.from(b.x.data));
  const ta = a.target instanceof Tensor ? Array.from(a.target.data) : Array.from(a.target);
  const tb = b.target instanceof Tensor ? Array.from(b.target.data) : Array.from(b.target);
  assert.deepEqual(ta, tb);
};

// ---------------------------------------------------------------- adding

test('adding: shapes, dtypes, two markers one per half, target = sum of the marked values', () => {
  for (const T of [2, 3, 50, 51]) {
    for (const dtype of ['float32', 'float64'] as const) {
      const task = new AddingTask({ seqLen: T, dtype });
      const B = 64;
      const batch = task.batch(new Rng(1), B);
      assert.deepEqual(batch.x.shape, [T, B, 2]);
      assert.deepEqual(batch.target.shape, [B, 1]);
      assert.equal(batch.x.dtype, dtype);
      assert.equal(batch.target.dtype, dtype);
      const half = Math.floor(T / 2);
      for (let b = 0; b < B; b++) {
        const marked: number[] = [];
        for (let t = 0; t < T; t++) {
          const v = batch.x.data[(t * B + b) * 2], m = batch.x.data[(t * B + b) * 2 + 1];
          assert.ok(v >= 0 && v < 1);
          assert.ok(m === 0 || m === 1);
          if (m === 1) marked.push(t);
        }
        assert.equal(marked.length, 2, `sequence ${b}: exactly two markers`);
        assert.ok(marked[0] < half && marked[1] >= half, `one marker per half, got ${marked} for T = ${T}`);
        assert.deepEqual(marked, [batch.positions[2 * b], batch.positions[2 * b + 1]]);
        const sum = batch.x.data[(marked[0] * B + b) * 2] + batch.x.data[(marked[1] * B + b) * 2];
        assert.ok(Math.abs(batch.target.data[b] - sum) <= 1e-6 * (dtype === 'float64' ? 1e-9 : 1));
      }
    }
  }
});

test('adding: marker positions cover both halves', () => {
  const task = new AddingTask({ seqLen: 10 });
  const batch = task.batch(new Rng(2), 2000);
  const seen = new Set<number>();
  for (const p of batch.positions) seen.add(p);
  assert.deepEqual([...seen].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('adding: predicting 1 scores the analytic baseline 1/6; the oracle scores 0', () => {
  const task = new AddingTask({ seqLen: 20 });
  const B = 40000;
  const batch = task.batch(new Rng(3), B);
  const ones = full([task.seqLen, B, 1], 1);
  const base = task.evaluate(ones, batch);
  // sd of (s − 1)² is sqrt(7/180) ≈ 0.197, so the standard error here is ≈ 0.001; allow 5 of them.
  assert.ok(Math.abs(base.loss - task.baseline()) < 0.005, `empirical ${base.loss} vs analytic ${task.baseline()}`);
  assert.ok(Math.abs(task.baseline() - 1 / 6) < 1e-15);
  assert.ok(base.loss > task.solvedBelow);

  const oracle = new Float32Array(B);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < task.seqLen; t++) {
      if (batch.x.data[(t * B + b) * 2 + 1] === 1) oracle[b] += batch.x.data[(t * B + b) * 2];
    }
  }
  const ev = task.evaluate(new Tensor(oracle, [B, 1]), batch);
  assert.ok(ev.loss < 1e-12, `oracle loss ${ev.loss}`);
  assert.equal(ev.metric, 1);
  assert.ok(ev.loss < task.solvedBelow);
  assert.deepEqual(ev.grad.shape, [B, 1]);
});

test('adding: evaluate on [T, B, 1] reads the last step and puts the gradient there', () => {
  const task = new AddingTask({ seqLen: 5, dtype: 'float64' });
  const B = 3;
  const batch = task.batch(new Rng(4), B);
  const out = zeros([5, B, 1], 'float64');
  for (let b = 0; b < B; b++) out.data[4 * B + b] = batch.target.data[b] + 0.5;
  out.data[0] = 100; // earlier steps are ignored
  const ev = task.evaluate(out, batch);
  assert.ok(Math.abs(ev.loss - 0.25) < 1e-12);
  assert.equal(ev.metric, 0);
  assert.deepEqual(ev.grad.shape, [5, B, 1]);
  for (let i = 0; i < 4 * B; i++) assert.equal(ev.grad.data[i], 0);
  for (let b = 0; b < B; b++) assert.ok(Math.abs(ev.grad.data[4 * B + b] - (2 * 0.5) / B) < 1e-12);
});

// ---------------------------------------------------------------- copy memory

test('copy memory: shapes, symbols first, delimiter at step T + 10, targets blank but the last 10', () => {
  for (const T of [1, 5, 30]) {
    const task = new CopyMemoryTask({ delay: T });
    const B = 16, L = T + 20;
    const batch = task.batch(new Rng(5), B);
    assert.equal(task.seqLen, L);
    assert.equal(task.inputSize, 10);
    assert.equal(task.outputSize, 9);
    assert.deepEqual(batch.x.shape, [L, B, 10]);
    assert.equal(batch.x.dtype, 'float32');
    assert.equal(batch.target.length, L * B);
    assert.equal(task.delimiterStep, T + 9); // 0-based: the (T + 10)-th step
    for (let b = 0; b < B; b++) {
      const symbols: number[] = [];
      for (let t = 0; t < L; t++) {
        const k = oneHotAt(batch.x, t, b);
        if (t < COPY_LENGTH) {
          assert.ok(k >= 1 && k <= 8, `symbol ${k}`);
          symbols.push(k);
        } else {
          assert.equal(k, t === T + 9 ? COPY_DELIMITER : COPY_BLANK, `step ${t}`);
        }
      }
      for (let t = 0; t < L - COPY_LENGTH; t++) assert.equal(batch.target[t * B + b], COPY_BLANK);
      for (let i = 0; i < COPY_LENGTH; i++) assert.equal(batch.target[(L - COPY_LENGTH + i) * B + b], symbols[i]);
    }
  }
  const x64 = new CopyMemoryTask({ delay: 3, dtype: 'float64' }).batch(new Rng(0), 2).x;
  assert.equal(x64.dtype, 'float64');
});

test('copy memory: the memoryless predictor scores exactly 10 ln 8 / (T + 20); the oracle scores 0', () => {
  for (const T of [10, 100]) {
    const task = new CopyMemoryTask({ delay: T });
    const B = 200, L = task.seqLen, C = task.outputSize;
    const batch = task.batch(new Rng(6), B);
    const logits = zeros([L, B, C]);
    for (let t = 0; t < L; t++) {
      for (let b = 0; b < B; b++) {
        for (let c = 0; c < C; c++) {
          const blankPhase = t < L - COPY_LENGTH;
          logits.data[(t * B + b) * C + c] = blankPhase ? (c === COPY_BLANK ? 0 : -1e4) : c === COPY_BLANK ? -1e4 : 0;
        }
      }
    }
    const base = task.evaluate(logits, batch);
    const analytic = (10 * Math.log(8)) / (T + 20);
    assert.ok(Math.abs(task.baseline() - analytic) < 1e-15);
    assert.ok(Math.abs(base.loss - analytic) < 1e-12, `empirical ${base.loss} vs analytic ${analytic}`);
    assert.ok(base.loss > task.solvedBelow);

    // Oracle: read the first 10 inputs, emit blank until the last 10 steps, then the symbols.
    const oracle = full([L, B, C], -30);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < L; t++) {
        const k = t < L - COPY_LENGTH ? COPY_BLANK : oneHotAt(batch.x, t - (L - COPY_LENGTH), b);
        oracle.data[(t * B + b) * C + k] = 30;
      }
    }
    const ev = task.evaluate(oracle, batch);
    assert.ok(ev.loss < 1e-12, `oracle loss ${ev.loss}`);
    assert.ok(ev.loss < task.solvedBelow);
    assert.equal(ev.metric, 1);
    assert.deepEqual(ev.grad.shape, [L, B, C]);
  }
});

// ---------------------------------------------------------------- temporal order

test('temporal order: shapes, markers, two relevant symbols in the documented ranges, order class', () => {
  for (const T of [10, 100, 137]) {
    const task = new TemporalOrderTask({ seqLen: T });
    const B = 300;
    const batch = task.batch(new Rng(7), B);
    assert.deepEqual(batch.x.shape, [T, B, 8]);
    assert.equal(batch.target.length, B);
    const [a1, b1] = task.firstRange, [a2, b2] = task.secondRange;
    assert.deepEqual([a1, b1, a2, b2], [Math.max(1, Math.floor(T / 10)), Math.floor(T / 5), Math.floor(T / 2), Math.floor((6 * T) / 10)]);
    const classes = new Set<number>();
    for (let b = 0; b < B; b++) {
      const rel: [number, number][] = [];
      for (let t = 0; t < T; t++) {
        const k = oneHotAt(batch.x, t, b);
        if (t === 0) assert.equal(k, 6, 'start marker B');
        else if (t === T - 1) assert.equal(k, 7, 'end marker E');
        else if (k === 4 || k === 5) rel.push([t, k]);
        else assert.ok(k < 4, `distractor at ${t}: ${k}`);
      }
      assert.equal(rel.length, 2);
      assert.ok(rel[0][0] >= a1 && rel[0][0] <= b1, `first at ${rel[0][0]}`);
      assert.ok(rel[1][0] >= a2 && rel[1][0] <= b2, `second at ${rel[1][0]}`);
      assert.equal(batch.target[b], 2 * (rel[0][1] - 4) + (rel[1][1] - 4));
      classes.add(batch.target[b]);
    }
    assert.equal(classes.size, 4);
  }
});

test('temporal order: uniform logits score ln 4; the oracle scores 0 with accuracy 1', () => {
  const task = new TemporalOrderTask({ seqLen: 50, dtype: 'float64' });
  const B = 500, T = task.seqLen;
  const batch = task.batch(new Rng(8), B);
  const base = task.evaluate(zeros([T, B, 4], 'float64'), batch);
  assert.ok(Math.abs(base.loss - Math.log(4)) < 1e-12, `empirical ${base.loss} vs analytic ${task.baseline()}`);
  assert.ok(Math.abs(task.baseline() - Math.log(4)) < 1e-15);

  const oracle = full([B, 4], -30, 'float64');
  for (let b = 0; b < B; b++) {
    const rel: number[] = [];
    for (let t = 0; t < T; t++) {
      const k = oneHotAt(batch.x, t, b);
      if (k === 4 || k === 5) rel.push(k - 4);
    }
    oracle.data[b * 4 + 2 * rel[0] + rel[1]] = 30;
  }
  const ev = task.evaluate(oracle, batch);
  assert.ok(ev.loss < 1e-12, `oracle loss ${ev.loss}`);
  assert.equal(ev.metric, 1);
  assert.equal(ev.metricName, 'accuracy');
  assert.ok(ev.loss < task.solvedBelow && base.loss > task.solvedBelow);
});

// ---------------------------------------------------------------- shared

const tasks = (): Task[] => [new AddingTask({ seqLen: 30 }), new CopyMemoryTask({ delay: 12 }), new TemporalOrderTask({ seqLen: 40 })];

test('every task: same seed, same batch; another seed, another batch; float64 equals float32 draws', () => {
  for (const task of tasks()) {
    const a = task.batch(new Rng(42), 8), b = task.batch(new Rng(42), 8);
    sameBatch(a, b);
    const c = task.batch(new Rng(43), 8);
    assert.notDeepEqual(Array.from(a.x.data), Array.from(c.x.data), task.name);
    assert.equal(a.x.shape[0], task.seqLen);
    assert.equal(a.x.shape[2], task.inputSize);
    assert.ok(task.solvedBelow < task.baseline(), task.name);
    assert.equal(a.mask, undefined);
  }
  const f32 = new AddingTask({ seqLen: 9 }).batch(new Rng(1), 4);
  const f64 = new AddingTask({ seqLen: 9, dtype: 'float64' }).batch(new Rng(1), 4);
  for (let i = 0; i < f32.x.size; i++) assert.equal(f32.x.data[i], Math.fround(f64.x.data[i]));
});

test('bad options and arguments give errors that name the argument', () => {
  assert.throws(() => new AddingTask({ seqLen: 1 }), /seqLen: expected an integer >= 2.*got 1/);
  assert.throws(() => new AddingTask({ seqLen: 2.5 }), /seqLen: expected an integer >= 2/);
  assert.throws(() => new CopyMemoryTask({ delay: 0 }), /delay: expected an integer >= 1.*got 0/);
  assert.throws(() => new TemporalOrderTask({ seqLen: 9 }), /seqLen: expected an integer >= 10.*got 9/);
  assert.throws(() => new AddingTask({ dtype: 'float16' as never }), /dtype: expected one of 'float32', 'float64', got "float16"/);
  const task = new AddingTask({ seqLen: 4 });
  assert.throws(() => task.batch(new Rng(0), 0), /batchSize: expected a positive integer, got 0/);
  assert.throws(() => task.batch(42 as unknown as Rng, 2), /rng: expected an Rng/);
  const batch = task.batch(new Rng(0), 2);
  assert.throws(() => task.evaluate(zeros([4, 3, 1]), batch), /output: expected shape \[2, 1\] or \[4, 2, 1\]/);
  const copy = new CopyMemoryTask({ delay: 2 });
  const cb = copy.batch(new Rng(0), 2);
  assert.throws(() => copy.evaluate(zeros([22, 2, 10]), cb), /output: expected shape \[22, 2, 9\]/);
  assert.throws(() => copy.evaluate(zeros([22, 2, 9]), batch as never), /batch.x: expected shape \[22, \*, 10\]/);
});

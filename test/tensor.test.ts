import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng, tensor, zeros } from '../src/index.js';

describe('Tensor', () => {
  it('tensor() takes a flat array and a shape, float32 by default', () => {
    const t = tensor([1, 2, 3, 4, 5, 6], [2, 3]);
    assert.deepEqual(t.shape, [2, 3]);
    assert.equal(t.dtype, 'float32');
    assert.ok(t.data instanceof Float32Array);
  });

  it('tensor() infers the shape of nested arrays', () => {
    const t = tensor([[1, 2, 3], [4, 5, 6]], undefined, 'float64');
    assert.deepEqual(t.shape, [2, 3]);
    assert.deepEqual(t.toArray(), [[1, 2, 3], [4, 5, 6]]);
  });

  it('tensor() keeps the dtype of a Float64Array and copies it', () => {
    const src = new Float64Array([1, 2]);
    const t = tensor(src);
    assert.equal(t.dtype, 'float64');
    src[0] = 9;
    assert.equal(t.data[0], 1);
  });

  it('to() converts dtype into new storage; reshape() shares it', () => {
    const t = tensor([1.5, 2.5], [2], 'float64');
    const f = t.to('float32');
    assert.equal(f.dtype, 'float32');
    const r = t.reshape([1, 2]);
    r.data[0] = 3;
    assert.equal(t.data[0], 3);
    assert.throws(() => t.reshape([3]), /data has 2 values but shape \[3\] needs 3/);
  });

  it('detach() is an independent copy', () => {
    const t = zeros([2]);
    const d = t.detach();
    d.data[0] = 1;
    assert.equal(t.data[0], 0);
  });
});

describe('Rng', () => {
  it('the same seed gives the same stream', () => {
    const a = new Rng(42), b = new Rng(42);
    for (let i = 0; i < 100; i++) assert.equal(a.random(), b.random());
  });

  it('uniform draws lie in [0, 1) with mean about 1/2', () => {
    const r = new Rng(1);
    let s = 0;
    for (let i = 0; i < 20000; i++) {
      const u = r.random();
      assert.ok(u >= 0 && u < 1);
      s += u;
    }
    assert.ok(Math.abs(s / 20000 - 0.5) < 0.01);
  });

  it('normal draws have mean about 0 and variance about 1', () => {
    const r = new Rng(2);
    let s = 0, s2 = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    assert.ok(Math.abs(s / n) < 0.03);
    assert.ok(Math.abs(s2 / n - 1) < 0.05);
  });

  it('getState/setState replays the stream', () => {
    const r = new Rng(3);
    r.random();
    const st = r.getState();
    const x = [r.random(), r.random()];
    r.setState(st);
    assert.deepEqual([r.random(), r.random()], x);
  });
});

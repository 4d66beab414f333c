import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { orthogonal } from '../src/layers/init.js';
import { Rng, fillUniform } from '../src/tensor/random.js';
import { largestSingularValue, spectralRadius, toRows } from '../src/tensor/linalg.js';

describe('spectral radius', () => {
  it('equals the largest |eigenvalue| from an eigendecomposition on random matrices', () => {
    for (let seed = 0; seed < 10; seed++) {
      const n = 12, a = new Float64Array(n * n);
      fillUniform(a, new Rng(seed), -1, 1);
      const e = new EigenvalueDecomposition(new Matrix(toRows(a, n, n)));
      const ref = Math.max(...e.realEigenvalues.map((re, i) => Math.hypot(re, e.imaginaryEigenvalues[i])));
      assert.ok(Math.abs(spectralRadius(a, n) - ref) < 1e-9 * ref, `seed ${seed}`);
    }
  });

  it('is 1 for orthogonal matrices, including those on which an eigendecomposition never converges', () => {
    // Seed 36 (64×64) is one where ml-matrix's QR iteration loops forever.
    for (const seed of [0, 36]) assert.ok(Math.abs(spectralRadius(orthogonal(64, 64, new Rng(seed)), 64) - 1) < 1e-12);
  });

  it('is 0 for a nilpotent matrix and a for a Jordan block with eigenvalue a', () => {
    assert.equal(spectralRadius([0, 1, 0, 0], 2), 0);
    assert.ok(Math.abs(spectralRadius([0.7, 1, 0, 0.7], 2) - 0.7) < 1e-12);
  });

  it('scales linearly: ρ(cA) = |c| ρ(A)', () => {
    const a = new Float64Array(25);
    fillUniform(a, new Rng(3), -1, 1);
    const r = spectralRadius(a, 5);
    assert.ok(Math.abs(spectralRadius(a.map((v) => -3 * v), 5) - 3 * r) < 1e-10 * r);
  });

  it('never exceeds the largest singular value', () => {
    const a = new Float64Array(64);
    fillUniform(a, new Rng(4), -1, 1);
    assert.ok(spectralRadius(a, 8) <= largestSingularValue(a, 8, 8) * (1 + 1e-12));
  });
});

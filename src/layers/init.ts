/**
 * Weight initialization. The default is PyTorch's for nn.RNN/LSTM/GRU (every parameter uniform in
 * ±1/√H); the others are the ones the vanishing-gradient literature turns on: Xavier/Glorot,
 * orthogonal (Saxe et al. 2014), identity (IRNN, Le et al. 2015), W_hh scaled to a spectral radius or to
 * a largest singular value, and the LSTM forget-gate bias (Gers et al. 2000; Jozefowicz et al. 2015).
 *
 * Recurrent inits act per gate: each H×H block of W_hh [G·H, H] is orthogonal / identity / scaled on
 * its own, since each block is one gate's recurrence.
 */
import { Matrix, QrDecomposition } from 'ml-matrix';
import { largestSingularValue, spectralRadius, toRows } from '../tensor/linalg.js';
import { checkFiniteNumber, checkOneOf, checkOptions } from '../tensor/check.js';
import { Rng, fillNormal, fillUniform } from '../tensor/random.js';
import type { FloatArray } from '../tensor/tensor.js';
import type { CellWeights } from '../cells/ops.js';

export type InputInit = 'default' | 'xavier' | 'orthogonal';
export type RecurrentInit = 'default' | 'xavier' | 'orthogonal' | 'identity';

export interface InitOptions {
  /** W_ih: PyTorch default (uniform ±1/√H), Xavier-uniform, or orthogonal. */
  weightIh?: InputInit;
  /** W_hh: PyTorch default, Xavier-uniform, orthogonal or identity, per gate block. */
  weightHh?: RecurrentInit;
  /** After the W_hh init, rescale each gate block so its spectral radius (largest |eigenvalue|) is this. */
  spectralRadius?: number;
  /** After the W_hh init, rescale each gate block so its largest singular value is this. */
  maxSingularValue?: number;
  /** Biases: PyTorch default (uniform ±1/√H) or zeros. */
  bias?: 'default' | 'zeros';
  /** LSTM only: the total forget-gate bias b_if + b_hf (set as b_if = forgetBias, b_hf = 0). */
  forgetBias?: number;
}

export function checkInitOptions(init: InitOptions, kind: string): void {
  checkOptions('init', init, ['weightIh', 'weightHh', 'spectralRadius', 'maxSingularValue', 'bias', 'forgetBias']);
  if (init.weightIh !== undefined) checkOneOf('init.weightIh', init.weightIh, ['default', 'xavier', 'orthogonal']);
  if (init.weightHh !== undefined) checkOneOf('init.weightHh', init.weightHh, ['default', 'xavier', 'orthogonal', 'identity']);
  if (init.bias !== undefined) checkOneOf('init.bias', init.bias, ['default', 'zeros']);
  if (init.spectralRadius !== undefined) checkFiniteNumber('init.spectralRadius', init.spectralRadius, { min: 0 });
  if (init.maxSingularValue !== undefined) checkFiniteNumber('init.maxSingularValue', init.maxSingularValue, { min: 0 });
  if (init.spectralRadius !== undefined && init.maxSingularValue !== undefined) {
    throw new RangeError('init: give spectralRadius or maxSingularValue, not both');
  }
  if (init.forgetBias !== undefined) {
    checkFiniteNumber('init.forgetBias', init.forgetBias);
    if (kind !== 'lstm') throw new RangeError(`init.forgetBias: only an LSTM has a forget gate (this is a ${kind})`);
  }
}

/** Fills one layer's weights in place; the RNG is consumed in state_dict order. */
/** `R`: the width of the state W_hh reads (H, or the projection size P of an LSTM with proj_size). */
export function initLayer(w: CellWeights, D: number, H: number, G: number, kind: string, init: InitOptions, rng: Rng, R = H): void {
  const k = 1 / Math.sqrt(H);
  const initIh = init.weightIh ?? 'default';
  const initHh = init.weightHh ?? 'default';
  if (initIh === 'default') fillUniform(w.weightIh, rng, -k, k);
  else fillBlocks(w.weightIh, G, H, D, initIh, rng);
  if (initHh === 'default') fillUniform(w.weightHh, rng, -k, k);
  else if (R !== H) throw new RangeError(`init.weightHh: '${initHh}' needs square H×H blocks, and with a projection W_hh is ${H}×${R}; use the default`);
  else fillBlocks(w.weightHh, G, H, H, initHh, rng);
  for (const b of [w.biasIh, w.biasHh]) {
    if (!b) continue;
    if ((init.bias ?? 'default') === 'default') fillUniform(b, rng, -k, k);
    else b.fill(0);
  }
  if (init.spectralRadius !== undefined || init.maxSingularValue !== undefined) {
    if (R !== H) throw new RangeError(`init: spectralRadius and maxSingularValue need square H×H blocks of W_hh, and with a projection they are ${H}×${R}`);
    for (let g = 0; g < G; g++) {
      const block = w.weightHh.subarray(g * H * H, (g + 1) * H * H);
      const current = init.spectralRadius !== undefined ? spectralRadius(block, H) : largestSingularValue(block, H, H);
      const target = init.spectralRadius ?? init.maxSingularValue!;
      const scale = current > 0 ? target / current : 0;
      for (let i = 0; i < block.length; i++) block[i] *= scale;
    }
  }
  if (kind === 'lstm' && init.forgetBias !== undefined) {
    if (!w.biasIh || !w.biasHh) throw new RangeError('init.forgetBias: the model was built with bias: false');
    w.biasIh.fill(init.forgetBias, H, 2 * H);
    w.biasHh.fill(0, H, 2 * H);
  }
}

function fillBlocks(W: FloatArray, G: number, H: number, cols: number, how: RecurrentInit, rng: Rng): void {
  for (let g = 0; g < G; g++) {
    const block = W.subarray(g * H * cols, (g + 1) * H * cols);
    if (how === 'xavier') {
      // Glorot & Bengio (2010), uniform; fans of the gate's own block.
      const a = Math.sqrt(6 / (H + cols));
      fillUniform(block, rng, -a, a);
    } else if (how === 'identity') {
      block.fill(0);
      for (let i = 0; i < Math.min(H, cols); i++) block[i * cols + i] = 1;
    } else {
      block.set(orthogonal(H, cols, rng));
    }
  }
}

/** A (semi-)orthogonal [rows, cols] matrix as PyTorch's orthogonal_: QR of a Gaussian, signs fixed by diag(R). */
export function orthogonal(rows: number, cols: number, rng: Rng): Float64Array {
  const tall = rows >= cols;
  const r = tall ? rows : cols, c = tall ? cols : rows;
  const a = new Float64Array(r * c);
  fillNormal(a, rng, 0, 1);
  const qr = new QrDecomposition(new Matrix(toRows(a, r, c)));
  const q = qr.orthogonalMatrix; // [r, r]
  const R = qr.upperTriangularMatrix;
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < c; j++) {
      const v = q.get(i, j) * Math.sign(R.get(j, j) || 1);
      if (tall) out[i * cols + j] = v;
      else out[j * cols + i] = v;
    }
  }
  return out;
}

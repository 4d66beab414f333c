/**
 * The LSTM with a projection (PyTorch's proj_size, Sak, Senior & Beaufays 2014 "LSTMP"), one step at a
 * time with the reference kernels. The cell's pointwise part is the LSTM's own (src/cells/lstm.ts); what
 * changes is that the state fed back and passed up is the projection h_t = W_hr m_t of the cell's output
 * m_t = o_t ⊙ tanh(c_t):
 *
 *   z_t = W_ih x_t + b_ih + W_hh h_{t−1} + b_hh      W_hh [4H, P], h [B, P]
 *   c_t, m_t = LSTM pointwise(z_t, c_{t−1})           c, m [B, H]
 *   h_t = m_t W_hrᵀ                                   W_hr = weight_hr [P, H]
 *
 * Backward, given dL/dh_t [B, P] (from above and from step t+1) and dL/dc_t from step t+1:
 *   dW_hr += dh_tᵀ m_t    dm_t = dh_t W_hr    then the LSTM's pointwise backward with dm_t as its dh,
 *   dW_ih += dzᵀ x    dx = dz W_ih    dW_hh += dzᵀ h_{t−1}    dh_{t−1} = dz W_hh   [B, P]
 * The fast backend has no projection; a model with projSize runs here in either dtype.
 */
import { linearBackward, linearForward } from '../../tensor/kernels.js';
import { allocate, type FloatArray } from '../../tensor/tensor.js';
import { stepBackward, stepForward, type CellOps, type CellWeights } from '../../cells/ops.js';
import type { LayerBackwardIn, LayerBackwardOut, LayerCache } from './backend.js';

/** A layer's cache with the projection: hs are the projected states [T+1, B, P]; ms the cell outputs [T, B, H]. */
export interface ProjectedCache extends LayerCache {
  ms: FloatArray;
}

export interface ProjectedShape {
  ops: CellOps;
  D: number;
  H: number;
  P: number;
  T: number;
  B: number;
}

/** W_hr [P, H] and its gradient, next to the layer's usual weights. */
export type ProjectedWeights = CellWeights & { weightHr: FloatArray };

function dtypeOf(a: FloatArray): 'float32' | 'float64' {
  return a instanceof Float64Array ? 'float64' : 'float32';
}

export function projectedLayerForward(s: ProjectedShape, w: ProjectedWeights, xs: FloatArray, h0: FloatArray, c0: FloatArray): ProjectedCache {
  const { ops, D, H, P, T, B } = s;
  const dtype = dtypeOf(xs), G = 4 * H, A = ops.auxWidth(H), BH = B * H, BP = B * P;
  const cache: ProjectedCache = {
    xs, hs: allocate(dtype, (T + 1) * BP), cs: allocate(dtype, (T + 1) * BH), aux: allocate(dtype, T * B * A), ms: allocate(dtype, T * BH),
  };
  cache.hs.set(h0);
  cache.cs!.set(c0);
  const scratch = { z: allocate(dtype, B * G), u: null };
  for (let t = 0; t < T; t++) {
    const x = xs.subarray(t * B * D, (t + 1) * B * D), hPrev = cache.hs.subarray(t * BP, (t + 1) * BP);
    const m = cache.ms.subarray(t * BH, (t + 1) * BH);
    stepForward(ops, w, D, H, {
      B, x, hPrev, cPrev: cache.cs!.subarray(t * BH, (t + 1) * BH), h: m, c: cache.cs!.subarray((t + 1) * BH, (t + 2) * BH),
      aux: cache.aux.subarray(t * B * A, (t + 1) * B * A),
    }, scratch, P);
    linearForward(cache.hs.subarray((t + 1) * BP, (t + 2) * BP), m, w.weightHr, null, B, H, P);
  }
  return cache;
}

export function projectedLayerBackward(s: ProjectedShape, w: ProjectedWeights, g: ProjectedWeights, cache: ProjectedCache, d: LayerBackwardIn): LayerBackwardOut {
  const { ops, D, H, P, T, B } = s;
  const dtype = dtypeOf(cache.xs), A = ops.auxWidth(H), BH = B * H, BP = B * P;
  const dxs = allocate(dtype, T * B * D);
  let dh: FloatArray = d.dhN.slice();
  let dc: FloatArray = d.dcN ? d.dcN.slice() : allocate(dtype, BH);
  const dm = allocate(dtype, BH);
  for (let t = T - 1; t >= 0; t--) {
    const above = d.dAbove.subarray(t * BP, (t + 1) * BP);
    for (let i = 0; i < BP; i++) dh[i] += above[i];
    d.keptDh?.set(dh, t * BP);
    if (d.dcAbove) for (let i = 0; i < BH; i++) dc[i] += d.dcAbove[t * BH + i];
    const m = cache.ms.subarray(t * BH, (t + 1) * BH), hPrev = cache.hs.subarray(t * BP, (t + 1) * BP);
    linearBackward(dh, m, w.weightHr, g.weightHr, null, dm, B, H, P);
    const dcPrev = allocate(dtype, BH), dhPrev = allocate(dtype, BP);
    stepBackward(ops, w, g, D, H, {
      B, x: cache.xs.subarray(t * B * D, (t + 1) * B * D), hPrev, cPrev: cache.cs!.subarray(t * BH, (t + 1) * BH), h: m,
      c: cache.cs!.subarray((t + 1) * BH, (t + 2) * BH), aux: cache.aux.subarray(t * B * A, (t + 1) * B * A),
      dh: dm, dc, dx: dxs.subarray(t * B * D, (t + 1) * B * D), dhPrev, dcPrev, dcTotal: d.keptDc ? d.keptDc.subarray(t * BH, (t + 1) * BH) : null,
    }, P);
    dh = dhPrev;
    dc = dcPrev;
  }
  return { dxs, dh0: dh, dc0: dc };
}

/**
 * The reference sequence backend: BPTT written out one step at a time with the plain kernels, in the
 * dtype of the model. Forward runs t = 0 … T−1 keeping every state; backward runs t = T−1 … 0 with
 *   dL/dh_t = (gradient from the output or the layer above at t) + (what step t+1 sent back to h_t)
 * and the parameter gradients adding up over steps.
 */
import { stepBackward, stepForward } from '../../cells/ops.js';
import { linearBackward, linearForward } from '../../tensor/kernels.js';
import { allocate, type FloatArray } from '../../tensor/tensor.js';
import { stepView, type LayerCache, type SequenceBackend } from './backend.js';

export const referenceBackend: SequenceBackend = {
  name: 'reference',

  layerForward({ ops, D, H, T, B }, w, xs, h0, c0, keep = true) {
    const dtype = xs instanceof Float64Array ? 'float64' : 'float32';
    const BH = B * H, A = ops.auxWidth(H);
    const cache: LayerCache = {
      xs,
      hs: allocate(dtype, (T + 1) * BH),
      cs: c0 ? allocate(dtype, (T + 1) * BH) : null,
      aux: allocate(dtype, (keep ? T : 1) * B * A),
    };
    cache.hs.set(h0);
    if (c0) cache.cs!.set(c0);
    for (let t = 0; t < T; t++) {
      const s = stepView(cache, t, B, D, H, keep ? A : 0);
      if (!keep) s.aux = cache.aux; // one step's gates, written again at every step
      stepForward(ops, w, D, H, s);
    }
    return cache;
  },

  layerBackward({ ops, D, H, T, B }, w, g, cache, { dAbove, dhN, dcN, dcAbove, keptDh, keptDc }) {
    const dtype = cache.xs instanceof Float64Array ? 'float64' : 'float32';
    const BH = B * H, A = ops.auxWidth(H);
    const dxs = allocate(dtype, T * B * D);
    let dh: FloatArray = dhN.slice();
    let dc: FloatArray | null = dcN ? dcN.slice() : null;
    for (let t = T - 1; t >= 0; t--) {
      const above = dAbove.subarray(t * BH, (t + 1) * BH);
      for (let i = 0; i < BH; i++) dh[i] += above[i]; // dL/dh_t = from above at t + from step t+1
      keptDh?.set(dh, t * BH);
      if (dcAbove && dc) for (let i = 0; i < BH; i++) dc[i] += dcAbove[t * BH + i];
      const dhPrev = allocate(dtype, BH);
      const dcPrev = dc ? allocate(dtype, BH) : null;
      stepBackward(ops, w, g, D, H, {
        ...stepView(cache, t, B, D, H, A),
        dh,
        dc,
        dx: dxs.subarray(t * B * D, (t + 1) * B * D),
        dhPrev,
        dcPrev,
        dcTotal: keptDc ? keptDc.subarray(t * BH, (t + 1) * BH) : null,
      });
      dh = dhPrev;
      dc = dcPrev;
    }
    return { dxs, dh0: dh, dc0: dc };
  },

  linearForward(y, x, W, b, M, In, Out) {
    linearForward(y, x, W, b, M, In, Out);
  },

  linearBackward(dy, x, W, dW, db, dx, M, In, Out) {
    linearBackward(dy, x, W, dW, db, dx, M, In, Out);
  },
};

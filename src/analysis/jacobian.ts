/**
 * The exact Jacobian of one recurrent step, built row by row from the hand-written backward pass:
 * backward with dL/dh_t = e_j returns row j of dh_t/dh_{t-1} (a vector–Jacobian product), so H
 * backward calls give the whole matrix. For a vanilla tanh RNN the result is
 *
 *   dh_t/dh_{t-1} = diag(1 − h_t²) W_hh                                 [H, H]
 *
 * and for an LSTM the state is (h, c), so the step Jacobian is the [2H, 2H] block matrix
 *
 *   [ dh_t/dh_{t-1}  dh_t/dc_{t-1} ]
 *   [ dc_t/dh_{t-1}  dc_t/dc_{t-1} ]      with dc_t/dc_{t-1} = diag(f_t): the cell path
 *
 * (rows: outputs h_t then c_t; columns: inputs h_{t-1} then c_{t-1}).
 */
import { Cell } from '../layers/cells.js';
import { checkShape, checkTensor } from '../tensor/check.js';
import { Tensor, allocate, zeros } from '../tensor/tensor.js';

export interface StepJacobianOptions {
  /** 'full' (default): as above. 'cell' (LSTM only): just dc_t/dc_{t-1} = diag(f_t), [H, H]. */
  part?: 'full' | 'cell';
}

/** x [D], hPrev [H], cPrev [H] (LSTM; zeros when omitted). Returns [H, H], or [2H, 2H] for an LSTM. */
export function stepJacobian(cell: Cell, x: Tensor, hPrev?: Tensor, cPrev?: Tensor, options: StepJacobianOptions = {}): Tensor {
  if (!(cell instanceof Cell)) throw new TypeError('cell: expected an RNNCell, LSTMCell or GRUCell');
  checkTensor('x', x);
  checkShape('x', x, [cell.inputSize], 'one input vector [inputSize]');
  const H = cell.hiddenSize, isLSTM = cell.kind === 'lstm';
  const part = options.part ?? 'full';
  if (part === 'cell' && !isLSTM) throw new RangeError(`options.part: 'cell' needs an LSTMCell, got ${cell.constructor.name}`);
  const saved = cell.parameters().map((p) => p.grad.data.slice());
  try {
    const { cache } = cell.step(x, hPrev, isLSTM ? cPrev : undefined);
    const S = isLSTM ? 2 * H : H; // state width
    const J = allocate(cell.dtype, S * S);
    for (let row = 0; row < S; row++) {
      const seed = zeros([H], cell.dtype);
      const dh = row < H ? seed : zeros([H], cell.dtype);
      const dc = row >= H ? seed : zeros([H], cell.dtype);
      seed.data[row % H] = 1;
      const { dhPrev, dcPrev } = cell.stepBackward(dh, isLSTM ? dc : undefined, cache);
      J.set(dhPrev.data, row * S);
      if (dcPrev) J.set(dcPrev.data, row * S + H);
    }
    if (part === 'cell') {
      const C = allocate(cell.dtype, H * H);
      for (let i = 0; i < H; i++) C.set(J.subarray((H + i) * S + H, (H + i) * S + 2 * H), i * H);
      return new Tensor(C, [H, H]);
    }
    return new Tensor(J, [S, S]);
  } finally {
    cell.parameters().forEach((p, i) => p.grad.data.set(saved[i]));
  }
}

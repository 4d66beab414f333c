/**
 * The exercise set's API (../shared/exercise-set.md, part B), as the `rnnlab/tutorial` entry gives it:
 * the call shapes of its stubs, on the same cells and layers as the PyTorch-style API.
 *
 *   B1  class RNNCell: __init__(input_size, hidden_size); forward(x, h_prev) → "h: New hidden state"
 *   B2  class RNN: __init__(input_size, hidden_size, output_size); forward(xs); backward(douts)
 *   B4  class LSTMCell: __init__(input_size, hidden_size); forward(x, h_prev, c_prev) → "h, c, cache";
 *       backward(dh, dc, cache) → "Gradients for all weights and dx, dh_prev, dc_prev"
 *
 * GRUCell follows them: forward(x, hPrev) → { h, cache }, backward(dh, cache). The third argument of
 * this RNN is the output size (a linear head), as in B2; `rnnlab`'s RNN takes PyTorch's order
 * (inputSize, hiddenSize, numLayers).
 */
import { gruOps } from '../cells/gru.js';
import { lstmOps } from '../cells/lstm.js';
import { rnnOpsFor, type Nonlinearity } from '../cells/rnn.js';
import type { Tensor } from '../tensor/tensor.js';
import { Cell, type CellBackward, type CellCache, type CellOptions, type CellStep, type LSTMCellBackward, type LSTMCellStep, type RNNCellOptions } from './cells.js';
import { RNN as TorchRNN, type RNNOptions } from './models.js';

/** B1: h_t = tanh(W_hh h_{t-1} + W_xh x_t + b) (PyTorch's W_ih, W_hh and two biases). */
export class RNNCell extends Cell {
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    super(rnnOpsFor(options.nonlinearity), inputSize, hiddenSize, options);
  }
  get nonlinearity(): Nonlinearity {
    return this.ops.nonlinearity!;
  }
  /** One step: the new hidden state. step() also returns the cache that backward() needs. */
  forward(x: Tensor, hPrev?: Tensor): Tensor {
    return this.step(x, hPrev).h;
  }
  backward(dh: Tensor, cache: CellCache): CellBackward {
    return this.stepBackward(dh, undefined, cache);
  }
}

/** B4, in PyTorch's gate order i, f, g, o (docs/cells.md shows it is the exercise's W_f [h, x] form). */
export class LSTMCell extends Cell {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super(lstmOps, inputSize, hiddenSize, options);
  }
  forward(x: Tensor, hPrev?: Tensor, cPrev?: Tensor): LSTMCellStep {
    return this.step(x, hPrev, cPrev) as LSTMCellStep;
  }
  /** dc = dL/dc_t from the next step (omit for zeros). */
  backward(dh: Tensor, dc: Tensor | undefined, cache: CellCache): LSTMCellBackward {
    return this.stepBackward(dh, dc, cache) as LSTMCellBackward;
  }
}

export class GRUCell extends Cell {
  constructor(inputSize: number, hiddenSize: number, options: CellOptions = {}) {
    super(gruOps, inputSize, hiddenSize, options);
  }
  forward(x: Tensor, hPrev?: Tensor): CellStep {
    return this.step(x, hPrev);
  }
  backward(dh: Tensor, cache: CellCache): CellBackward {
    return this.stepBackward(dh, undefined, cache);
  }
}

/** B2: an RNN with a linear output layer, `new RNN(inputSize, hiddenSize, outputSize)`. */
export class RNN extends TorchRNN {
  constructor(inputSize: number, hiddenSize: number, outputSize?: number, options: Omit<RNNOptions, 'inputSize' | 'hiddenSize' | 'outputSize'> = {}) {
    super({ ...options, inputSize, hiddenSize, outputSize });
  }
}


/**
 * The public single-step cells. Each is the shared Cell (cell.ts) with its step math (rnn.ts, lstm.ts,
 * gru.ts) and the call shape the exercise set uses:
 *
 *   RNNCell:  forward(x, hPrev) → h                     step(x, hPrev) → { h, cache }   backward(dh, cache)
 *   LSTMCell: forward(x, hPrev, cPrev) → { h, c, cache }                                backward(dh, dc, cache)
 *   GRUCell:  forward(x, hPrev) → { h, cache }                                          backward(dh, cache)
 */
import { Cell, type CellBackward, type CellCache, type CellOptions, type CellStep } from './cell.js';
import { gruOps } from './gru.js';
import { lstmOps } from './lstm.js';
import { rnnOps, type Nonlinearity } from './rnn.js';
import { checkOneOf } from '../tensor/check.js';
import type { Tensor } from '../tensor/tensor.js';

export interface RNNCellOptions extends CellOptions {
  nonlinearity?: Nonlinearity;
}

export class RNNCell extends Cell {
  readonly nonlinearity: Nonlinearity;
  constructor(inputSize: number, hiddenSize: number, options: RNNCellOptions = {}) {
    const nonlinearity = checkOneOf('nonlinearity', options.nonlinearity ?? 'tanh', ['tanh', 'relu'] as const);
    super(rnnOps(nonlinearity), inputSize, hiddenSize, options);
    this.nonlinearity = nonlinearity;
  }
  /** h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh). Use step() to keep the cache for backward. */
  forward(x: Tensor, hPrev?: Tensor): Tensor {
    return this.step(x, hPrev).h;
  }
  backward(dh: Tensor, cache: CellCache): CellBackward {
    return this.stepBackward(dh, undefined, cache);
  }
}

export interface LSTMCellStep extends CellStep {
  c: Tensor;
}
export interface LSTMCellBackward extends CellBackward {
  dcPrev: Tensor;
}

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

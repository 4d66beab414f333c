/**
 * One way to build a model from a name. `createModel({ cell: 'lstm', inputSize, hiddenSize, ... })` is
 * `new LSTM({ inputSize, hiddenSize, ... })`, and so on; `cellKindOf(model)` goes back. Every place that
 * picks the class from a configuration (the checkpoint codec, the command line, the reproductions, the
 * gradient-flow analysis, the browser lab) goes through here.
 *
 * Cells are named by CellKind ('rnn', 'lstm', 'gru') everywhere. The checkpoint file alone names the
 * classes as PyTorch does (`"kind": "LSTM"`, as torch.nn.LSTM); MODEL_CLASS converts, in one place.
 */
import { CELL_KINDS, type CellKind } from '../cells/ops.js';
import { checkOneOf, describeValue } from '../tensor/check.js';
import { GRUCell, LSTMCell, RNNCell, type Cell, type CellOptions } from './cells.js';
import { GRU, LSTM, RNN, type GRUOptions, type RNNOptions } from './models.js';
import type { RecurrentOptions } from './recurrent.js';

export type Model = RNN | LSTM | GRU;

/** The constructor's options plus the cell; `nonlinearity` is the RNN's alone, `resetAfter` the GRU's, `recurrentActivation` the LSTM's and GRU's. */
export interface ModelSpec extends RecurrentOptions {
  cell: CellKind;
  nonlinearity?: RNNOptions['nonlinearity'];
  recurrentActivation?: GRUOptions['recurrentActivation'];
  resetAfter?: GRUOptions['resetAfter'];
}

/** The model class's name for each cell, as a checkpoint file and PyTorch spell it. */
export const MODEL_CLASS = { rnn: 'RNN', lstm: 'LSTM', gru: 'GRU' } as const satisfies Record<CellKind, string>;
export type ModelClass = (typeof MODEL_CLASS)[CellKind];

export function createModel(spec: ModelSpec): Model {
  if (spec === null || typeof spec !== 'object') throw new TypeError(`spec: expected { cell, inputSize, hiddenSize, ... }, got ${describeValue(spec)}`);
  const { cell, nonlinearity, ...options } = spec;
  checkOneOf('spec.cell', cell, CELL_KINDS);
  if (cell === 'rnn') return new RNN({ ...options, nonlinearity });
  if (nonlinearity !== undefined) throw new RangeError(`spec.nonlinearity: only an RNN has one, got ${describeValue(nonlinearity)} for cell '${cell}'`);
  return cell === 'lstm' ? new LSTM(options) : new GRU(options);
}

export function cellKindOf(model: Model): CellKind {
  if (model instanceof LSTM) return 'lstm';
  if (model instanceof GRU) return 'gru';
  if (model instanceof RNN) return 'rnn';
  const what = model === null ? 'null' : typeof model === 'object' ? (model as object).constructor?.name : typeof model;
  throw new TypeError(`model: expected an RNN, LSTM or GRU, got ${what}`);
}

/** A single-step cell of that kind (the RNN's nonlinearity in `options`, as RNNCell takes it). */
export function createCell(cell: CellKind, inputSize: number, hiddenSize: number, options: CellOptions & { nonlinearity?: RNNOptions['nonlinearity'] } = {}): Cell {
  checkOneOf('cell', cell, CELL_KINDS);
  if (cell === 'rnn') return new RNNCell(inputSize, hiddenSize, options);
  const { nonlinearity, ...rest } = options;
  if (nonlinearity !== undefined) throw new RangeError(`options.nonlinearity: only an RNN cell has one, got ${describeValue(nonlinearity)} for cell '${cell}'`);
  return cell === 'lstm' ? new LSTMCell(inputSize, hiddenSize, rest) : new GRUCell(inputSize, hiddenSize, rest);
}

/** The cell of a model class name ('LSTM' → 'lstm'); null for anything else. */
export function cellOfClass(name: unknown): CellKind | null {
  return CELL_KINDS.find((c) => MODEL_CLASS[c] === name) ?? null;
}

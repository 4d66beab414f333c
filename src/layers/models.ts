/**
 * The three sequence models, as torch.nn.RNN / LSTM / GRU. Each only picks its cell; BPTT lives in
 * recurrent.ts. Two ways to build one:
 *
 *   new LSTM({ inputSize: 8, hiddenSize: 32, numLayers: 2, dtype: 'float64' })   // PyTorch style
 *   new RNN(inputSize, hiddenSize, outputSize)                                   // the tutorial's
 *
 * The positional form is the options form with those three fields (outputSize adds the linear head).
 */
import { gruOps } from '../cells/gru.js';
import { lstmOps } from '../cells/lstm.js';
import { rnnOps, type Nonlinearity } from '../cells/rnn.js';
import { checkOneOf } from '../tensor/check.js';
import type { Tensor } from '../tensor/tensor.js';
import { Recurrent, type BackwardOptions, type RecurrentGradients, type RecurrentOptions, type RecurrentOutput, type RecurrentState } from './recurrent.js';

export interface RNNOptions extends RecurrentOptions {
  nonlinearity?: Nonlinearity;
}

type Extra<O> = Omit<O, 'inputSize' | 'hiddenSize' | 'outputSize'>;

function options<O extends RecurrentOptions>(a: number | O, hiddenSize?: number, outputSize?: number, rest?: Extra<O>): O {
  if (typeof a === 'number') return { ...(rest ?? {}), inputSize: a, hiddenSize, outputSize } as O;
  return a;
}

export class RNN extends Recurrent {
  readonly nonlinearity: Nonlinearity;
  constructor(options: RNNOptions);
  constructor(inputSize: number, hiddenSize: number, outputSize?: number, options?: Extra<RNNOptions>);
  constructor(a: number | RNNOptions, hiddenSize?: number, outputSize?: number, rest?: Extra<RNNOptions>) {
    const o = options(a, hiddenSize, outputSize, rest);
    const nonlinearity = checkOneOf('nonlinearity', o?.nonlinearity ?? 'tanh', ['tanh', 'relu'] as const);
    super(rnnOps(nonlinearity), o);
    this.nonlinearity = nonlinearity;
  }
}

export interface LSTMOutput extends RecurrentOutput {
  c: Tensor;
}
export interface LSTMGradients extends RecurrentGradients {
  dc: Tensor;
}

export class LSTM extends Recurrent {
  constructor(options: RecurrentOptions);
  constructor(inputSize: number, hiddenSize: number, outputSize?: number, options?: Extra<RecurrentOptions>);
  constructor(a: number | RecurrentOptions, hiddenSize?: number, outputSize?: number, rest?: Extra<RecurrentOptions>) {
    super(lstmOps, options(a, hiddenSize, outputSize, rest));
  }
  override forward(x: Tensor, state?: RecurrentState): LSTMOutput {
    return super.forward(x, state) as LSTMOutput;
  }
  override backward(dOutput: Tensor | null, dState?: RecurrentState, options?: BackwardOptions): LSTMGradients {
    return super.backward(dOutput, dState, options) as LSTMGradients;
  }
}

export class GRU extends Recurrent {
  constructor(options: RecurrentOptions);
  constructor(inputSize: number, hiddenSize: number, outputSize?: number, options?: Extra<RecurrentOptions>);
  constructor(a: number | RecurrentOptions, hiddenSize?: number, outputSize?: number, rest?: Extra<RecurrentOptions>) {
    super(gruOps, options(a, hiddenSize, outputSize, rest));
  }
}

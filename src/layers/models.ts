/**
 * The three sequence models, as torch.nn.RNN / LSTM / GRU. Each only picks its cell; BPTT lives in
 * recurrent.ts. Two ways to build one, both meaning what PyTorch means:
 *
 *   new LSTM({ inputSize: 8, hiddenSize: 32, numLayers: 2, dtype: 'float64' })
 *   new LSTM(8, 32, 2, { dtype: 'float64' })        // torch.nn.LSTM(8, 32, 2): inputSize, hiddenSize, numLayers
 *
 * The exercise set's `RNN(input_size, hidden_size, output_size)` is the `rnnlab/tutorial` entry's RNN
 * (src/layers/tutorial.ts); here a linear head is the `outputSize` option.
 */
import { gruOps } from '../cells/gru.js';
import { lstmOps } from '../cells/lstm.js';
import { rnnOpsFor, type Nonlinearity } from '../cells/rnn.js';
import type { Tensor } from '../tensor/tensor.js';
import { Recurrent, type BackwardOptions, type ForwardOptions, type RecurrentGradients, type RecurrentOptions, type RecurrentOutput, type RecurrentState } from './recurrent.js';

export interface RNNOptions extends RecurrentOptions {
  nonlinearity?: Nonlinearity;
}

type Extra<O> = Omit<O, 'inputSize' | 'hiddenSize' | 'numLayers'>;

/** The options object of either form; in the positional one, PyTorch's (inputSize, hiddenSize, numLayers = 1). */
function options<O extends RecurrentOptions>(a: number | O, hiddenSize?: number, numLayers?: number, rest?: Extra<O>): O {
  if (typeof a !== 'number') return a;
  const o = { ...(rest ?? {}), inputSize: a, hiddenSize } as O;
  if (numLayers !== undefined) o.numLayers = numLayers;
  return o;
}

export class RNN extends Recurrent {
  readonly nonlinearity: Nonlinearity;
  constructor(options: RNNOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers?: number, options?: Extra<RNNOptions>);
  constructor(a: number | RNNOptions, hiddenSize?: number, numLayers?: number, rest?: Extra<RNNOptions>) {
    const o = options(a, hiddenSize, numLayers, rest);
    const ops = rnnOpsFor(o?.nonlinearity);
    super(ops, o);
    this.nonlinearity = ops.nonlinearity!;
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
  constructor(inputSize: number, hiddenSize: number, numLayers?: number, options?: Extra<RecurrentOptions>);
  constructor(a: number | RecurrentOptions, hiddenSize?: number, numLayers?: number, rest?: Extra<RecurrentOptions>) {
    super(lstmOps, options(a, hiddenSize, numLayers, rest));
  }
  override forward(x: Tensor, state?: RecurrentState, options?: ForwardOptions): LSTMOutput {
    return super.forward(x, state, options) as LSTMOutput;
  }
  override backward(dOutput: Tensor | null, dState?: RecurrentState, options?: BackwardOptions): LSTMGradients {
    return super.backward(dOutput, dState, options) as LSTMGradients;
  }
}

export class GRU extends Recurrent {
  constructor(options: RecurrentOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers?: number, options?: Extra<RecurrentOptions>);
  constructor(a: number | RecurrentOptions, hiddenSize?: number, numLayers?: number, rest?: Extra<RecurrentOptions>) {
    super(gruOps, options(a, hiddenSize, numLayers, rest));
  }
}

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
import type { RecurrentActivation } from '../cells/gate-activation.js';
import { gruOpsFor } from '../cells/gru.js';
import { lstmOpsFor } from '../cells/lstm.js';
import { rnnOpsFor, type Nonlinearity } from '../cells/rnn.js';
import type { Tensor } from '../tensor/tensor.js';
import { Recurrent, type BackwardOptions, type ForwardOptions, type RecurrentGradients, type RecurrentOptions, type RecurrentOutput, type RecurrentState } from './recurrent.js';

export interface RNNOptions extends RecurrentOptions {
  nonlinearity?: Nonlinearity;
}

export interface LSTMOptions extends RecurrentOptions {
  /**
   * The gates' activation (i, f, o): 'sigmoid' (default, PyTorch's) or 'hardSigmoid', TF.js's default,
   * clip(0.2x + 0.5, 0, 1) (src/cells/gate-activation.ts). A variant runs on the reference backend.
   */
  recurrentActivation?: RecurrentActivation;
}

export interface GRUOptions extends RecurrentOptions {
  /** The gates' activation (r, z), as LSTMOptions.recurrentActivation. */
  recurrentActivation?: RecurrentActivation;
  /**
   * true (default): PyTorch's GRU, n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)) (Keras reset_after=True).
   * false: the reset gate before the product, n = tanh(W_in x + b_in + W_hn (r ⊙ h) + b_hn), Keras 2's
   * and TF.js's default (src/cells/gru-reset-before.ts); same parameters. Runs on the reference backend.
   */
  resetAfter?: boolean;
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
  readonly recurrentActivation: RecurrentActivation;
  constructor(options: LSTMOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers?: number, options?: Extra<LSTMOptions>);
  constructor(a: number | LSTMOptions, hiddenSize?: number, numLayers?: number, rest?: Extra<LSTMOptions>) {
    const o = options(a, hiddenSize, numLayers, rest);
    super(lstmOpsFor(o?.recurrentActivation), o);
    this.recurrentActivation = o.recurrentActivation ?? 'sigmoid';
  }
  override forward(x: Tensor, state?: RecurrentState, options?: ForwardOptions): LSTMOutput {
    return super.forward(x, state, options) as LSTMOutput;
  }
  override step(x: Tensor, state?: RecurrentState): LSTMOutput {
    return super.step(x, state) as LSTMOutput;
  }
  override backward(dOutput: Tensor | null, dState?: RecurrentState, options?: BackwardOptions): LSTMGradients {
    return super.backward(dOutput, dState, options) as LSTMGradients;
  }
}

export class GRU extends Recurrent {
  readonly recurrentActivation: RecurrentActivation;
  readonly resetAfter: boolean;
  constructor(options: GRUOptions);
  constructor(inputSize: number, hiddenSize: number, numLayers?: number, options?: Extra<GRUOptions>);
  constructor(a: number | GRUOptions, hiddenSize?: number, numLayers?: number, rest?: Extra<GRUOptions>) {
    const o = options(a, hiddenSize, numLayers, rest);
    super(gruOpsFor({ resetAfter: o?.resetAfter, recurrentActivation: o?.recurrentActivation }), o);
    this.recurrentActivation = o.recurrentActivation ?? 'sigmoid';
    this.resetAfter = o.resetAfter ?? true;
  }
}

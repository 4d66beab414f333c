// Type-checked against the installed package with "types": [] (no @types/node): the fixed surface of
// the rnnlab entry, as a TypeScript user would call it.
import {
  GRU, LSTM, RNN, gradientFlow, stepJacobian, tensor, type DType, type RecurrentOutput, type Tensor,
} from 'rnnlab';

const dtype: DType = 'float64';
const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, dtype, batchFirst: false, outputSize: 2 });
const rnn = new RNN({ inputSize: 3, hiddenSize: 4, numLayers: 1, nonlinearity: 'relu', dtype });
const gru = new GRU({ inputSize: 3, hiddenSize: 4, numLayers: 1, dtype });
const x: Tensor = tensor([[[0.1, 0.2, 0.3]]], undefined, dtype);
const out: RecurrentOutput = lstm.forward(x, { h: undefined, c: undefined });
lstm.backward(out.output, { h: undefined, c: undefined });
const grads: Record<string, Tensor> = lstm.gradients();
lstm.loadStateDict(lstm.stateDict());
void [rnn, gru, grads, gradientFlow, stepJacobian];

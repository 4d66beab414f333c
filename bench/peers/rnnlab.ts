/**
 * rnnlab's training step through its public API, exactly as a user writes it: forward over [T, B, D],
 * MSE against the target, BPTT, one Adam update. The backend ('reference' or 'wasm') is passed through
 * RecurrentOptions, and the row's note says which one the model resolved to.
 */
import { Adam, GRU, LSTM, RNN, mseLoss, tensor, type RecurrentOptions } from '../../src/index.js';
import { LR, makeData, type Cell, type Config } from '../configs.js';
import type { PeerFactory } from './peer.js';

export type RnnlabBackend = 'reference' | 'wasm';

export function factory(backend: RnnlabBackend): PeerFactory {
  return async (cell: Cell, c: Config) => {
    const opts: RecurrentOptions = { inputSize: c.D, hiddenSize: c.H, outputSize: c.D, seed: 0, backend };
    const model = cell === 'lstm' ? new LSTM(opts) : cell === 'gru' ? new GRU(opts) : new RNN(opts);
    const { x: xd, y: yd } = makeData(c);
    const x = tensor(xd, [c.T, c.B, c.D]);
    const y = tensor(yd, [c.T, c.B, c.D]);
    const optimizer = new Adam(model, { lr: LR });
    const note = `backend ${model.backend}`;
    return {
      unitsPerStep: 1,
      note,
      step() {
        model.zeroGrad();
        const { output } = model.forward(x);
        const { loss, grad } = mseLoss(output, y);
        model.backward(grad);
        optimizer.step();
        return loss;
      },
    };
  };
}

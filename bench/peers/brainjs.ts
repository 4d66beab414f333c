/**
 * brain.js (1.6, CommonJS) through its recurrent TimeStep networks. It has no batch dimension: a
 * training step of B sequences is B calls of trainPattern(sequence), each a forward, BPTT and update,
 * so one timed unit is one sequence and the step time is B units.
 *
 * What it cannot match, recorded in the note: TimeStep nets predict the next vector of the sequence
 * they are given, so a sequence of T+1 vectors gives T predictions D → D (the same shapes and FLOPs
 * as the others, but the target is the input shifted by one); its update is its own RMSprop with
 * clipping (there is no Adam), and its output gradient is (output − target).
 */
import { createRequire } from 'node:module';
import { LR, makeData, toBatchMajor, type Cell, type Config } from '../configs.js';
import type { PeerFactory } from './peer.js';

interface TimeStepNet {
  train(data: Float32Array[][], options: { iterations: number; learningRate: number }): { error: number };
  trainPattern(sequence: Float32Array[], logErrorRate: true): number;
}
type TimeStepCtor = new (options: { inputSize: number; hiddenLayers: number[]; outputSize: number }) => TimeStepNet;

export function factory(): PeerFactory {
  const require = createRequire(import.meta.url);
  const brain = require('brain.js') as { recurrent: Record<string, TimeStepCtor> };
  return async (cell: Cell, c: Config) => {
    const Net = brain.recurrent[cell === 'lstm' ? 'LSTMTimeStep' : cell === 'gru' ? 'GRUTimeStep' : 'RNNTimeStep'];
    const net = new Net({ inputSize: c.D, hiddenLayers: [c.H], outputSize: c.D });
    // Sequence b: its T input vectors, then the last target vector, so T predictions per sequence.
    const one = { ...c, T: c.T + 1 };
    const { x } = makeData(one);
    const xb = toBatchMajor(x, one);
    const sequences: Float32Array[][] = [];
    for (let b = 0; b < c.B; b++) {
      const seq: Float32Array[] = [];
      for (let t = 0; t <= c.T; t++) seq.push(xb.slice((b * (c.T + 1) + t) * c.D, (b * (c.T + 1) + t + 1) * c.D));
      sequences.push(seq);
    }
    // train() is brain.js's only way to size the net and set its options; one iteration on one sequence.
    net.train([sequences[0]], { iterations: 1, learningRate: LR });
    let b = 0;
    return {
      unitsPerStep: c.B,
      note: 'one sequence per call (B calls per step); target = input shifted by one; own RMSprop, not Adam',
      step() {
        const loss = net.trainPattern(sequences[b], true);
        b = (b + 1) % c.B;
        return loss;
      },
    };
  };
}

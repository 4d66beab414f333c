/**
 * TensorFlow.js, trained the way its users train: a tf.sequential() of one recurrent layer
 * (returnSequences) and a dense head on the 3-D output, compiled with Adam and meanSquaredError, one
 * model.trainOnBatch() per step. Layers are batch-major, so the data are transposed once, untimed.
 *
 * Gates are made PyTorch's (sigmoid recurrent activation instead of TF.js's hardSigmoid default);
 * TF.js's GRU only has the reset-before-matmul form, which costs the same FLOPs.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LR, makeData, toBatchMajor, type Cell, type Config } from '../configs.js';
import type { PeerFactory } from './peer.js';

export type TfjsBackend = 'cpu' | 'wasm';

/** Node has no page to fetch the .wasm binaries from: point the backend at the installed files. */
async function useBackend(backend: TfjsBackend): Promise<void> {
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') + path.sep;
    wasm.setWasmPaths(dist);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tf.setBackend('${backend}') failed`);
  await tf.ready();
}

export function factory(backend: TfjsBackend): PeerFactory {
  return async (cell: Cell, c: Config) => {
    await useBackend(backend);
    const rnnArgs = { units: c.H, returnSequences: true, inputShape: [c.T, c.D] };
    const gated = { ...rnnArgs, recurrentActivation: 'sigmoid' as const };
    const model = tf.sequential();
    model.add(cell === 'lstm' ? tf.layers.lstm(gated) : cell === 'gru' ? tf.layers.gru(gated) : tf.layers.simpleRNN({ ...rnnArgs, activation: 'tanh' }));
    model.add(tf.layers.dense({ units: c.D }));
    model.compile({ optimizer: tf.train.adam(LR), loss: 'meanSquaredError' });
    const { x: xd, y: yd } = makeData(c);
    const x = tf.tensor3d(toBatchMajor(xd, c), [c.B, c.T, c.D]);
    const y = tf.tensor3d(toBatchMajor(yd, c), [c.B, c.T, c.D]);
    const simd = backend === 'wasm' ? await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT') : null;
    return {
      unitsPerStep: 1,
      note: backend === 'wasm' ? `SIMD ${simd ? 'on' : 'off'}` : undefined,
      // trainOnBatch disposes its intermediates itself and reads the loss back (the step's sync point).
      async step() {
        const loss = await model.trainOnBatch(x, y);
        return Array.isArray(loss) ? loss[0] : loss;
      },
    };
  };
}

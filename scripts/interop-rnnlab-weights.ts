/**
 * The rnnlab half of the safetensors round trip with PyTorch: writes safetensors files with rnnlab's
 * encoder, and rnnlab's outputs on a fixed input, for scripts/fixtures_interop.py to load into
 * torch.nn.LSTM / GRU / RNN and check. Run it first, then the Python side:
 *
 *   node --import tsx scripts/interop-rnnlab-weights.ts
 *   /usr/bin/python3 scripts/torch-fixtures.py          (or only: cd scripts && python3 -c "import fixtures_interop; fixtures_interop.main()")
 *
 * Writes test/fixtures/rnnlab-{lstm,gru,rnn}.safetensors and rnnlab-interop-io.json. Everything is seeded;
 * the weights files are committed, so the test (test/interop-safetensors.test.ts) reads the very bytes
 * PyTorch read, without Python.
 */
import { writeFileSync } from 'node:fs';
import { GRU, LSTM, RNN, Rng, encodeSafetensors, tensor, type Tensor } from '../src/index.js';

const dir = new URL('../test/fixtures/', import.meta.url);

function j(t: Tensor): { shape: number[]; data: number[] } {
  return { shape: [...t.shape], data: Array.from(t.data) };
}

const cases = {
  // float32, 2 layers, a head: the common case of a trained checkpoint.
  lstm: new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, outputSize: 2, seed: 11, backend: 'reference' }),
  // float64, 2 layers, a head, batch-first input.
  gru: new GRU({ inputSize: 3, hiddenSize: 5, numLayers: 2, outputSize: 3, batchFirst: true, dtype: 'float64', seed: 12, backend: 'reference' }),
  // float32, relu, no bias, no head.
  rnn: new RNN({ inputSize: 3, hiddenSize: 4, nonlinearity: 'relu', bias: false, seed: 13, backend: 'reference' }),
};

const io: Record<string, unknown> = {};
const rng = new Rng(2024);
for (const [name, model] of Object.entries(cases)) {
  const [T, B, D] = [5, 2, model.inputSize];
  const shape = model.batchFirst ? [B, T, D] : [T, B, D];
  const x = tensor(Array.from({ length: T * B * D }, () => rng.uniform(-1, 1)), shape, model.dtype);
  const out = model.forward(x);
  const file = `rnnlab-${name}.safetensors`;
  writeFileSync(new URL(file, dir), encodeSafetensors(model.stateDict(), { format: 'pt', producer: 'rnnlab' }));
  io[name] = {
    file,
    config: { kind: name, inputSize: model.inputSize, hiddenSize: model.hiddenSize, numLayers: model.numLayers, outputSize: model.outputSize, batchFirst: model.batchFirst, bias: model.hasBias, dtype: model.dtype, nonlinearity: model instanceof RNN ? model.nonlinearity : null },
    x: j(x),
    output: j(out.output),
    h: j(out.h),
    ...(out.c ? { c: j(out.c) } : {}),
  };
  console.log(`wrote test/fixtures/${file}`);
}
writeFileSync(new URL('rnnlab-interop-io.json', dir), `${JSON.stringify(io)}\n`);
console.log('wrote test/fixtures/rnnlab-interop-io.json');

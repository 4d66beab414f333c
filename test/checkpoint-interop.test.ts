/**
 * Reading a safetensors file written on the Python side by an independent, spec-following writer
 * (scripts/fixtures_safetensors.py) holding a torch nn.LSTM's state_dict plus a linear head.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LSTM, decodeSafetensors, encodeSafetensors } from '../src/index.js';
import { loadFixture, maxRelError, toTensor, type JsonTensor } from './helpers/fixtures.js';

const bytes = new Uint8Array(readFileSync(new URL('./fixtures/torch-lstm.safetensors', import.meta.url)));
const io = loadFixture<{ x: JsonTensor; output: JsonTensor }>('torch-lstm-io');

describe('safetensors written from Python', () => {
  it("loads into an LSTM under PyTorch's names and reproduces torch's output", () => {
    const { tensors, metadata } = decodeSafetensors(bytes);
    assert.equal(metadata.format, 'pt');
    const lstm = new LSTM({ inputSize: 3, hiddenSize: 4, numLayers: 2, outputSize: 2, dtype: 'float64' });
    lstm.loadStateDict(tensors);
    const { output } = lstm.forward(toTensor(io.x));
    assert.ok(maxRelError(output, io.output) < 1e-12, `${maxRelError(output, io.output)}`);
  });

  it('our encoder writes the same bytes as the Python writer for the same tensors in the same order', () => {
    const { tensors, metadata } = decodeSafetensors(bytes);
    assert.deepEqual(encodeSafetensors(tensors, metadata), bytes);
  });
});

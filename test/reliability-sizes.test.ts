/**
 * Size bombs (docs/reliability.md, "sizes"): every size is checked before anything is allocated, with a
 * message naming the argument and the bytes, whether it comes from code, a flag or a file's claim.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadCheckpoint, saveCheckpoint } from '../src/io/checkpoint.js';
import { manifestChecksum } from '../src/io/checkpoint-format.js';
import { GRU, LSTM, RNN, RNNCell, tensor, zeros } from '../src/index.js';
import { AddingTask } from '../src/tasks/adding.js';
import { taskFromSpec } from '../src/tasks/registry.js';
import { Rng } from '../src/tensor/random.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-sizes-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A checkpoint of a small LSTM whose manifest is then rewritten by `edit` and re-signed with a matching checksum. */
function resigned(name: string, edit: (m: Record<string, any>) => void): string {
  const root = join(dir, name);
  const model = new LSTM({ inputSize: 2, hiddenSize: 3, outputSize: 1 });
  const path = saveCheckpoint(root, { model, step: 1, rng: new Rng(0), task: new AddingTask({ seqLen: 10 }).spec() });
  const file = join(path, 'checkpoint.json');
  const m = JSON.parse(readFileSync(file, 'utf8'));
  edit(m);
  delete m.checksum;
  m.checksum = manifestChecksum(m);
  writeFileSync(file, JSON.stringify(m));
  return path;
}

describe('sizes are refused before anything is allocated', () => {
  it('numLayers: 1e7 is an error naming numLayers, not an abort', () => {
    assert.throws(() => new LSTM({ inputSize: 2, hiddenSize: 1, numLayers: 1e7 }), /numLayers: expected at most 1024, got 10000000/);
  });
  it('hiddenSize: 1e9 is an error naming hiddenSize and the bytes', () => {
    assert.throws(() => new GRU({ inputSize: 2, hiddenSize: 1e9 }), /hiddenSize: .* float32 values \([\d.]+ [TPGM]B\), more than the 2\.1 GB one array may take/);
    assert.throws(() => new RNNCell(2, 1e9), /hiddenSize: /);
  });
  it('a model whose parameters together are too large names hiddenSize and their size', () => {
    assert.throws(() => new LSTM({ inputSize: 8, hiddenSize: 8000, numLayers: 3 }), /hiddenSize: 3 layer\(s\) of hiddenSize 8000 .* with their gradients, more than the 4\.3 GB a model may take/);
  });
  it('zeros([1e10]) and tensor(values, [1e10]) name the shape and the bytes', () => {
    assert.throws(() => zeros([1e10]), /shape: \[10000000000\] needs 1\.000e\+10 float32 values \(40\.0 GB\)/);
    assert.throws(() => tensor([1], [1e5, 1e5, 10]), /shape: \[100000, 100000, 10\] needs/);
  });
  it('a sequence length of 1e8 is an error naming seqLen', () => {
    assert.throws(() => new AddingTask({ seqLen: 1e8 }), /seqLen: expected at most 1000000, got 100000000/);
  });
  it('a forward pass whose cache would be too large names x', () => {
    const m = new LSTM({ inputSize: 1, hiddenSize: 512 });
    assert.throws(() => m.forward(zeros([300_000, 1, 1])), /x: a forward pass over 300000 steps × 1 sequences .* more than the 2\.1 GB one array may take/);
  });
});

describe('a re-signed checkpoint cannot claim more than it holds', () => {
  it('numLayers: 1000000 with a small weights file is refused by name, at once', () => {
    const p = resigned('layers', (m) => { m.model.options.numLayers = 1_000_000; });
    const t0 = performance.now();
    assert.throws(() => loadCheckpoint(p), /model\.options: numLayers: expected at most 1024, got 1000000/);
    assert.ok(performance.now() - t0 < 2000);
  });
  it('hiddenSize: 6000 next to a small weights file is refused as a mismatch before the model is built', () => {
    const p = resigned('hidden', (m) => { m.model.options.hiddenSize = 6000; });
    assert.throws(() => loadCheckpoint(p), /tensor 'weight_ih_l0' has shape \[12, 2\], but LSTM\(.*"hiddenSize":6000.*\) expects \[24000, 2\]/);
  });
  it('a task spec claiming seqLen 10000000 is refused when the task is rebuilt', () => {
    const p = resigned('task', (m) => { m.task.seqLen = 10_000_000; });
    const ck = loadCheckpoint(p);
    assert.throws(() => taskFromSpec(ck.task!), /seqLen: expected at most 1000000, got 10000000/);
  });
});

describe('the bounds leave room for real models', () => {
  it('an LSTM of 2 layers, H = 1024, builds', () => {
    assert.equal(new LSTM({ inputSize: 256, hiddenSize: 1024, numLayers: 2 }).numLayers, 2);
    assert.equal(new RNN({ inputSize: 1, hiddenSize: 1, numLayers: 1024 }).numLayers, 1024);
  });
});

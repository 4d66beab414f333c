/**
 * One checkpoint in one file (src/io/checkpoint-archive.ts), as the browser lab downloads and loads
 * it: the same bytes as a saved directory, read by loadCheckpoint and the CLI, interchangeable with the
 * system's tar in both directions, and every damaged file refused with its name and what is wrong.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { decodeCheckpointArchive, encodeCheckpointArchive } from '../src/io/checkpoint-archive.js';
import { loadCheckpoint, saveCheckpoint } from '../src/io/checkpoint.js';
import { CheckpointError } from '../src/io/safetensors.js';
import { sha256 } from '../src/io/sha256.js';
import { packTar, unpackTar } from '../src/io/tar.js';
import { LSTM } from '../src/layers/models.js';
import { Adam } from '../src/optim/adam.js';
import { AddingTask } from '../src/tasks/adding.js';
import { Rng } from '../src/tensor/random.js';
import { tensor } from '../src/tensor/tensor.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-archive-'));
after(() => rmSync(root, { recursive: true, force: true }));

function contents() {
  const model = new LSTM({ inputSize: 2, hiddenSize: 5, outputSize: 1, seed: 3 });
  const opt = new Adam(model, { lr: 0.01 });
  const x = tensor(new Float32Array(4 * 2).fill(0.5), [4, 1, 2]);
  opt.zeroGrad();
  model.backward(model.forward(x).output);
  opt.step();
  const rng = new Rng(9);
  rng.random();
  return { model, optimizer: opt, rng, step: 12, metrics: { evalLoss: 0.25 }, task: new AddingTask({ seqLen: 8 }).spec() };
}

function throwsCkpt(fn: () => unknown, ...patterns: RegExp[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `expected a CheckpointError, got ${String(e)}`);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

describe('sha256', () => {
  it('agrees with node:crypto on lengths around the 64-byte block and on UTF-8 text', () => {
    for (const n of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 70001]) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 131 + 7) & 255);
      assert.equal(sha256(b), createHash('sha256').update(b).digest('hex'), `${n} bytes`);
      assert.equal(sha256(b.subarray(1)), createHash('sha256').update(b.subarray(1)).digest('hex'), `a view of ${n - 1} bytes`);
    }
    assert.equal(sha256('ρ ≤ σ_max 𝄞'), createHash('sha256').update('ρ ≤ σ_max 𝄞').digest('hex'));
  });
});

describe('checkpoint archives', () => {
  it('hold exactly the files saveCheckpoint writes, and load back everything', () => {
    const c = contents();
    const archive = encodeCheckpointArchive(c, 1_700_000_000);
    assert.equal(archive.fileName, 'step-000000012.tar');
    const dir = saveCheckpoint(join(root, 'saved'), c);
    const entries = unpackTar(archive.bytes);
    assert.deepEqual(entries.map((e) => [e.name, e.type]), [['step-000000012', 'directory'], ['step-000000012/checkpoint.json', 'file'], ['step-000000012/model.safetensors', 'file']]);
    assert.deepEqual(entries[1].data, new Uint8Array(readFileSync(join(dir, 'checkpoint.json'))));
    assert.deepEqual(entries[2].data, new Uint8Array(readFileSync(join(dir, 'model.safetensors'))));

    const file = join(root, archive.fileName);
    writeFileSync(file, archive.bytes);
    for (const ck of [loadCheckpoint(file), decodeCheckpointArchive(archive.bytes, file)]) {
      assert.equal(ck.path, file);
      assert.equal(ck.step, 12);
      assert.deepEqual(ck.task, { kind: 'adding', seqLen: 8, dtype: 'float32' });
      assert.deepEqual(ck.metrics, { evalLoss: 0.25 });
      assert.deepEqual(ck.rngState, c.rng.getState());
      assert.deepEqual(ck.optimizerState, c.optimizer.stateDict());
      for (const [k, t] of Object.entries(c.model.stateDict())) assert.deepEqual(ck.model.stateDict()[k].data, t.data, k);
    }
  });

  it('are what the system tar makes of a checkpoint directory, and the system tar reads ours', () => {
    const c = contents();
    const saved = join(root, 'sys');
    saveCheckpoint(saved, c);
    const made = join(root, 'by-tar.tar');
    execFileSync('tar', ['-cf', made, '-C', saved, 'step-000000012']);
    assert.equal(loadCheckpoint(made).step, 12);
    const viaDotSlash = join(root, 'dot-slash.tar');
    execFileSync('tar', ['-cf', viaDotSlash, '-C', join(saved, 'step-000000012'), '.']);
    assert.equal(decodeCheckpointArchive(new Uint8Array(readFileSync(viaDotSlash)), 'dot-slash.tar').step, 12);

    const ours = join(root, 'ours.tar');
    writeFileSync(ours, encodeCheckpointArchive(c).bytes);
    const out = join(root, 'extracted');
    mkdirSync(out);
    execFileSync('tar', ['-xf', ours, '-C', out]);
    assert.equal(loadCheckpoint(join(out, 'step-000000012')).step, 12);
  });

  it('refuse a file that is not one, naming it and saying what it is instead', () => {
    const rng = new Rng(1);
    const noise = Uint8Array.from({ length: 3000 }, () => rng.int(256));
    throwsCkpt(() => decodeCheckpointArchive(noise, 'noise.tar'), /^noise\.tar: not an rnnlab checkpoint archive: the first 512 bytes are not a tar header/, /tar cf/);
    throwsCkpt(() => decodeCheckpointArchive(new Uint8Array(0), 'empty.tar'), /^empty\.tar: .*the file is empty/);
    throwsCkpt(() => decodeCheckpointArchive(new Uint8Array(100), 'short.tar'), /^short\.tar: .*100 bytes, shorter than one 512-byte tar header/);
    const c = contents();
    const manifest = new TextEncoder().encode(JSON.stringify({ format: 'rnnlab-checkpoint', version: 1 }));
    throwsCkpt(() => decodeCheckpointArchive(manifest, 'checkpoint.json'), /looks like a checkpoint\.json on its own/);
    const weights = new Uint8Array(readFileSync(join(saveCheckpoint(join(root, 'w'), c), 'model.safetensors')));
    throwsCkpt(() => decodeCheckpointArchive(weights, 'model.safetensors'), /looks like a safetensors file/);
    const file = join(root, 'noise.bin');
    writeFileSync(file, noise);
    throwsCkpt(() => loadCheckpoint(file), /noise\.bin: not a checkpoint: expected a checkpoint directory.*or a \.tar of a checkpoint directory/);
    const tarFile = join(root, 'noise.tar');
    writeFileSync(tarFile, noise);
    throwsCkpt(() => loadCheckpoint(tarFile), /noise\.tar: not an rnnlab checkpoint archive/);
  });

  it('refuse a damaged archive, naming the archive and the entry', () => {
    const bytes = encodeCheckpointArchive(contents()).bytes;
    throwsCkpt(() => decodeCheckpointArchive(bytes.subarray(0, 2048), 'cut.tar'), /^cut\.tar: .*the file ends .* \(truncated\?\)/);
    const flipped = bytes.slice();
    const weights = unpackTar(bytes)[2];
    flipped[weights.data.byteOffset + 100] ^= 0xff;
    throwsCkpt(() => decodeCheckpointArchive(flipped, 'flip.tar'), /^flip\.tar:step-000000012\/model\.safetensors: sha256 mismatch/);
    const header = bytes.slice();
    header[2000] ^= 1; // inside checkpoint.json's content
    throwsCkpt(() => decodeCheckpointArchive(header, 'j.tar'), /^j\.tar:step-000000012\/checkpoint\.json: /);
    const e = unpackTar(bytes);
    const noWeights = packTar([{ name: e[1].name, type: 'file', data: e[1].data }], 0);
    throwsCkpt(() => decodeCheckpointArchive(noWeights, 'half.tar'), /^half\.tar:step-000000012\/model\.safetensors: missing from the archive/);
    const two = packTar([
      { name: 'a/checkpoint.json', type: 'file', data: e[1].data }, { name: 'a/model.safetensors', type: 'file', data: e[2].data },
      { name: 'b/checkpoint.json', type: 'file', data: e[1].data }, { name: 'b/model.safetensors', type: 'file', data: e[2].data },
    ], 0);
    throwsCkpt(() => decodeCheckpointArchive(two, 'two.tar'), /^two\.tar: holds 2 checkpoints \(a, b\); expected one/);
    const none = packTar([{ name: 'notes.txt', type: 'file', data: new TextEncoder().encode('hi') }], 0);
    throwsCkpt(() => decodeCheckpointArchive(none, 'notes.tar'), /^notes\.tar: not an rnnlab checkpoint archive: it holds no checkpoint\.json \(entries: notes\.txt\)/);
  });

  it('refuse to encode what saveCheckpoint refuses', () => {
    const c = contents();
    c.model.parameters()[0].param.data[0] = Number.NaN;
    throwsCkpt(() => encodeCheckpointArchive(c), /model parameter 'weight_ih_l0'.*finite.*refusing to save/);
  });
});

/**
 * `rnnlab export`, end to end through the real command line (src/cli/main.ts): train a tiny model for 2
 * steps, export it to ONNX and safetensors, run the ONNX file in onnxruntime-web (its WebAssembly CPU
 * backend, in Node) and compare with the checkpoint loaded in rnnlab; and the flag errors.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as ort from 'onnxruntime-web';
import { GRU, Rng, decodeSafetensors, loadCheckpoint, saveCheckpoint, tensor } from '../src/node.js';
import { maxRelError } from './helpers/fixtures.js';

// One wasm thread: with its thread pool, two sessions run by concurrent tests sometimes left the main
// thread in an Atomics.wait that never returned (seen about 1 run in 5 on this 2-core machine).
ort.env.wasm.numThreads = 1;

const root = mkdtempSync(join(tmpdir(), 'rnnlab-export-'));
after(() => rmSync(root, { recursive: true, force: true }));

interface Run { code: number | null; stdout: string; stderr: string }

function cli(args: string[]): Promise<Run> {
  return new Promise((res) => {
    const child = spawn(process.execPath, ['--import', 'tsx', resolve('src/cli/main.ts'), ...args], { cwd: resolve('.'), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('close', (code) => res({ code, stdout, stderr }));
  });
}

const ckpt = join(root, 'run', 'checkpoints');

before(async () => {
  const r = await cli(['train', '--task', 'adding', '--cell', 'lstm', '--hidden', '6', '--layers', '2', '--steps', '2', '--batch', '4', '--seq-len', '8', '--out', join(root, 'run')]);
  assert.equal(r.code, 0, r.stderr);
});

describe('rnnlab export', { concurrency: true }, () => {
  it('--onnx and --safetensors: the ONNX model runs in onnxruntime as the checkpoint does in rnnlab', async () => {
    const onnxPath = join(root, 'model.onnx'), stPath = join(root, 'weights.safetensors');
    const r = await cli(['export', '--checkpoint', ckpt, '--onnx', onnxPath, '--safetensors', stPath, '--initial-state']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /wrote .*model\.onnx: ONNX opset 14/);
    const { model } = loadCheckpoint(ckpt);
    const session = await ort.InferenceSession.create(readFileSync(onnxPath));
    const [T, B, D, L, H] = [8, 3, model.inputSize, model.numLayers, model.hiddenSize];
    const rng = new Rng(5);
    const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
    const x = rand(T * B * D), h0 = rand(L * B * H), c0 = rand(L * B * H);
    const got = await session.run({
      x: new ort.Tensor('float32', x, [T, B, D]), h0: new ort.Tensor('float32', h0, [L, B, H]), c0: new ort.Tensor('float32', c0, [L, B, H]),
    });
    const ref = model.forward(tensor(x, [T, B, D], 'float32'), { h: tensor(h0, [L, B, H], 'float32'), c: tensor(c0, [L, B, H], 'float32') });
    for (const [name, ours] of [['y', ref.output], ['h_n', ref.h], ['c_n', ref.c!]] as const) {
      const e = maxRelError(got[name].data as Float32Array, ours);
      assert.ok(e < 1e-5, `${name}: max relative error ${e}`);
    }
    // The safetensors file holds exactly the model's state dict under PyTorch's names.
    const { tensors, metadata } = decodeSafetensors(new Uint8Array(readFileSync(stPath)));
    assert.equal(metadata.format, 'pt');
    const sd = model.stateDict();
    assert.deepEqual(Object.keys(tensors), Object.keys(sd));
    for (const k of Object.keys(sd)) assert.deepEqual(tensors[k].data, sd[k].data, k);
  });

  it('--sequence-lens: a bidirectional checkpoint runs in onnxruntime as forward(x, {}, { lengths }) in rnnlab', async () => {
    const dir = join(root, 'bidir'), onnxPath = join(root, 'bidir.onnx');
    const model = new GRU({ inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, outputSize: 2, seed: 7 });
    saveCheckpoint(dir, { model, step: 0 });
    const r = await cli(['export', '--checkpoint', dir, '--onnx', onnxPath, '--sequence-lens']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /h_n \[2·2, B, 3\]; inputs sequence_lens \[B\] int32/);
    const session = await ort.InferenceSession.create(readFileSync(onnxPath));
    const [T, B] = [5, 3], lengths = [4, 5, 1];
    const rng = new Rng(6);
    const x = Float32Array.from({ length: T * B * 2 }, () => rng.uniform(-1, 1));
    const got = await session.run({ x: new ort.Tensor('float32', x, [T, B, 2]), sequence_lens: new ort.Tensor('int32', Int32Array.from(lengths), [B]) });
    const ref = model.forward(tensor(x, [T, B, 2], 'float32'), {}, { lengths });
    for (const [name, ours] of [['y', ref.output], ['h_n', ref.h]] as const) {
      const e = maxRelError(got[name].data as Float32Array, ours);
      assert.ok(e < 1e-5, `${name}: max relative error ${e}`);
    }
  });

  it('--help lists the flags and examples', async () => {
    const r = await cli(['export', '--help']);
    assert.equal(r.code, 0);
    for (const s of ['--checkpoint <dir>', '--onnx <file>', '--safetensors <file>', '--initial-state', '--sequence-lens', 'Examples:']) assert.ok(r.stdout.includes(s), s);
  });

  it('missing, unknown and contradictory flags are errors naming the flag', async () => {
    const [noCkpt, noOut, unknown, same, badCkpt] = await Promise.all([
      cli(['export', '--onnx', join(root, 'a.onnx')]),
      cli(['export', '--checkpoint', ckpt]),
      cli(['export', '--checkpoint', ckpt, '--onnx', join(root, 'b.onnx'), '--opset', '13']),
      cli(['export', '--checkpoint', ckpt, '--onnx', join(root, 'c'), '--safetensors', join(root, 'c')]),
      cli(['export', '--checkpoint', join(root, 'nowhere'), '--onnx', join(root, 'd.onnx')]),
    ]);
    assert.notEqual(noCkpt.code, 0);
    assert.match(noCkpt.stderr, /required option '--checkpoint <dir>' not specified/);
    assert.equal(noOut.code, 1);
    assert.match(noOut.stderr, /--onnx \/ --safetensors: expected at least one output file, got neither/);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown option '--opset'/);
    assert.equal(same.code, 1);
    assert.match(same.stderr, /--onnx and --safetensors: expected two different files/);
    assert.equal(badCkpt.code, 1);
    assert.match(badCkpt.stderr, /nowhere: cannot read \(ENOENT\)/);
  });
});

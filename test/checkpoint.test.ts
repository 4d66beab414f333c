import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { GRU, LSTM, RNN } from '../src/layers/models.js';
import { Adam } from '../src/optim/adam.js';
import { Rng } from '../src/tensor/random.js';
import { Tensor, tensor } from '../src/tensor/tensor.js';
import { CheckpointError, decodeSafetensors, encodeSafetensors } from '../src/io/safetensors.js';
import { bestCheckpoint, checkpointDirName, latestCheckpoint, loadCheckpoint, manifestChecksum, saveCheckpoint } from '../src/io/checkpoint.js';

const roots: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'rnnlab-ckpt-'));
  roots.push(d);
  return d;
}
after(() => {
  for (const d of roots) rmSync(d, { recursive: true, force: true });
});

function input(rng: Rng, shape: number[], dtype: 'float32' | 'float64'): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  return tensor(Array.from({ length: n }, () => rng.uniform(-1, 1)), shape, dtype);
}

function throwsCkpt(fn: () => unknown, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `expected CheckpointError, got ${(e as Error)?.name}: ${(e as Error)?.message}`);
    if (re) assert.match(e.message, re);
    return true;
  });
}

/** Rewrites checkpoint.json (and its checksum) as if a consistent, but different, writer had made it. */
function rewriteManifest(dir: string, edit: (m: Record<string, any>) => void): void {
  const p = join(dir, 'checkpoint.json');
  const m = JSON.parse(readFileSync(p, 'utf8'));
  edit(m);
  m.checksum = manifestChecksum(m);
  writeFileSync(p, JSON.stringify(m));
}
function sha(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

describe('safetensors', () => {
  it('writes the byte layout of the spec (hand-built buffer)', () => {
    const bytes = encodeSafetensors({ 'weight_ih_l0': tensor([1, -2, 0.5], [3, 1], 'float32'), b: tensor([0.25], [1], 'float64') }, { format: 'pt' });
    const json = '{"__metadata__":{"format":"pt"},"weight_ih_l0":{"dtype":"F32","shape":[3,1],"data_offsets":[0,12]},"b":{"dtype":"F64","shape":[1],"data_offsets":[12,20]}}';
    const padded = json + ' '.repeat((8 - (json.length % 8)) % 8);
    const expected = Buffer.alloc(8 + padded.length + 20);
    expected.writeBigUInt64LE(BigInt(padded.length), 0);
    expected.write(padded, 8, 'latin1');
    let p = 8 + padded.length;
    for (const v of [1, -2, 0.5]) p = expected.writeFloatLE(v, p);
    expected.writeDoubleLE(0.25, p);
    assert.deepEqual(Buffer.from(bytes), expected);
    assert.equal((8 + padded.length) % 8, 0);
  });

  it('reads a hand-built file with an unpadded header and tensors stored out of key order', () => {
    const json = '{"x":{"dtype":"F64","shape":[],"data_offsets":[4,12]},"y":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[12,12]}}';
    const buf = Buffer.alloc(8 + json.length + 12);
    buf.writeBigUInt64LE(BigInt(json.length), 0);
    buf.write(json, 8, 'latin1');
    buf.writeFloatLE(3, 8 + json.length);
    buf.writeDoubleLE(-7.5, 12 + json.length);
    const { tensors, metadata } = decodeSafetensors(buf);
    assert.deepEqual(Object.keys(tensors), ['x', 'y', 'e']);
    assert.deepEqual([...tensors.x.data], [-7.5]);
    assert.deepEqual(tensors.x.shape, []);
    assert.deepEqual([...tensors.y.data], [3]);
    assert.deepEqual(tensors.e.shape, [0, 3]);
    assert.deepEqual({ ...metadata }, {});
  });

  it('round-trips values bit for bit, NaN included (decoding does not judge values)', () => {
    const t32 = tensor([Math.PI, -0, 1e-40, NaN, Infinity], [5], 'float32');
    const t64 = tensor([Math.PI, Number.MIN_VALUE, -1e300], [1, 3], 'float64');
    const back = decodeSafetensors(encodeSafetensors({ a: t32, b: t64 })).tensors;
    assert.ok(Object.is(back.a.data[1], -0));
    assert.deepEqual([...back.a.data], [...t32.data]);
    assert.deepEqual([...back.b.data], [...t64.data]);
    assert.equal(back.a.dtype, 'float32');
    assert.equal(back.b.dtype, 'float64');
  });

  it('rejects each kind of malformed file with a CheckpointError saying what', () => {
    const make = (header: string, bufLen: number, n = header.length): Uint8Array => {
      const b = Buffer.alloc(8 + header.length + bufLen);
      b.writeBigUInt64LE(BigInt(n), 0);
      b.write(header, 8, 'latin1');
      return b;
    };
    const t = (o: object) => JSON.stringify(o);
    throwsCkpt(() => decodeSafetensors(new Uint8Array(5)), /too short/);
    throwsCkpt(() => decodeSafetensors(make('{}', 0, 1000)), /past the end/);
    throwsCkpt(() => decodeSafetensors(make('{"a":', 0)), /not valid JSON/);
    throwsCkpt(() => decodeSafetensors(make('[1,2]', 0)), /start with '\{'/);
    throwsCkpt(() => decodeSafetensors(make('{"\xff":1}', 0)), /UTF-8/);
    throwsCkpt(() => decodeSafetensors(make(t({ a: { dtype: 'I16', shape: [1], data_offsets: [0, 2] } }), 2)), /I16.*not supported/);
    throwsCkpt(() => decodeSafetensors(make(t({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }), 8)), /needs 8 bytes/);
    throwsCkpt(() => decodeSafetensors(make(t({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 8] } }), 4)), /run past/);
    throwsCkpt(() => decodeSafetensors(make(t({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] }, b: { dtype: 'F32', shape: [1], data_offsets: [2, 6] } }), 8)), /overlap/);
    throwsCkpt(() => decodeSafetensors(make(t({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }), 8)), /gap/);
    throwsCkpt(() => decodeSafetensors(make(t({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }), 9)), /trailing garbage/);
    throwsCkpt(() => decodeSafetensors(make(t({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }), 4)), /shape/);
    throwsCkpt(() => decodeSafetensors(make(t({ a: { dtype: 'F32', shape: [2 ** 40, 2 ** 40], data_offsets: [0, 4] } }), 4)), /more bytes/);
    throwsCkpt(() => decodeSafetensors(make(t({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }), 4)), /begin after end/);
    throwsCkpt(() => decodeSafetensors(make(t({ __metadata__: { k: 1 } }), 0)), /must be a string/);
    throwsCkpt(() => decodeSafetensors(make(t({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4], x: 1 } }), 4)), /unexpected field/);
  });

  it('uses PyTorch state_dict names for the weights file', () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 3, numLayers: 2, outputSize: 1 });
    const keys = Object.keys(decodeSafetensors(encodeSafetensors(m.stateDict())).tensors);
    assert.deepEqual(keys, [
      'weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0',
      'weight_ih_l1', 'weight_hh_l1', 'bias_ih_l1', 'bias_hh_l1', 'head.weight', 'head.bias',
    ]);
  });
});

describe('checkpoint round trip', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    it(`LSTM, 2 layers + head, ${dtype}: identical outputs after load; optimizer and rng resume exactly`, () => {
      const root = tmp();
      const model = new LSTM({ inputSize: 3, hiddenSize: 5, numLayers: 2, outputSize: 2, dtype, seed: 7 });
      const opt = new Adam(model, { lr: 0.01 });
      const data = new Rng(1);
      const x = input(data, [4, 2, 3], dtype);
      for (let s = 0; s < 3; s++) {
        opt.zeroGrad();
        const { output } = model.forward(x);
        model.backward(output);
        opt.step();
      }
      const rng = new Rng(5);
      rng.normal(); // leave a spare normal in the state
      const dir = saveCheckpoint(root, { model, optimizer: opt, rng, step: 3, metrics: { loss: 0.5 } });
      assert.equal(dir, join(root, checkpointDirName(3)));
      const loaded = loadCheckpoint(root);
      assert.equal(loaded.step, 3);
      assert.deepEqual(loaded.metrics, { loss: 0.5 });
      assert.equal(loaded.config.kind, 'LSTM');
      assert.ok(loaded.model instanceof LSTM);
      assert.equal(loaded.model.dtype, dtype);
      assert.deepEqual([...loaded.model.forward(x).output.data], [...model.forward(x).output.data]);

      // The next Adam step is identical.
      const opt2 = new Adam(loaded.model, { lr: 0.5 });
      opt2.loadStateDict(loaded.optimizerState!);
      for (const [m, o] of [[model, opt], [loaded.model, opt2]] as const) {
        o.zeroGrad();
        const { output } = m.forward(x);
        m.backward(output);
        o.step();
      }
      assert.deepEqual(loaded.model.stateDict(), model.stateDict());
      assert.equal(opt2.lr, 0.01);

      const rng2 = new Rng(0);
      rng2.setState(loaded.rngState!);
      assert.deepEqual([rng2.normal(), rng2.normal(), rng2.random()], [rng.normal(), rng.normal(), rng.random()]);
    });
  }

  it('RNN (relu) and GRU (no bias, batchFirst) rebuild with their options', () => {
    const root = tmp();
    const rnn = new RNN({ inputSize: 2, hiddenSize: 3, nonlinearity: 'relu', dtype: 'float64' });
    const a = loadCheckpoint(saveCheckpoint(join(root, 'r'), { model: rnn, step: 0 })).model as RNN;
    assert.ok(a instanceof RNN);
    assert.equal(a.nonlinearity, 'relu');
    const gru = new GRU({ inputSize: 2, hiddenSize: 3, bias: false, batchFirst: true });
    const b = loadCheckpoint(saveCheckpoint(join(root, 'g'), { model: gru, step: 0 })).model;
    assert.ok(b instanceof GRU);
    assert.equal(b.hasBias, false);
    assert.equal(b.batchFirst, true);
    const x = input(new Rng(2), [2, 4, 2], 'float32');
    assert.deepEqual([...b.forward(x).output.data], [...gru.forward(x).output.data]);
    // The checkpoint directory itself and its checkpoint.json both load.
    assert.equal(loadCheckpoint(join(root, 'g', checkpointDirName(0), 'checkpoint.json')).model.numParameters(), gru.numParameters());
  });
});

function goodCheckpoint(): { root: string; dir: string; model: LSTM } {
  const root = tmp();
  const model = new LSTM({ inputSize: 2, hiddenSize: 3, outputSize: 1 });
  const dir = saveCheckpoint(root, { model, optimizer: new Adam(model), rng: new Rng(3), step: 10, metrics: { loss: 1 } });
  return { root, dir, model };
}

describe('checkpoint task spec', () => {
  it('round-trips the task spec, and a checkpoint without one loads with task null', () => {
    const root = tmp();
    const model = new RNN({ inputSize: 2, hiddenSize: 3, outputSize: 2, seed: 1 });
    const spec = { kind: 'char-lm', vocab: 'ab\n', seqLen: 5 };
    saveCheckpoint(root, { model, step: 1, task: spec });
    assert.deepEqual(loadCheckpoint(root).task, spec);
    saveCheckpoint(root, { model, step: 2 });
    assert.equal(loadCheckpoint(root).task, null);
  });

  it('refuses to save a task spec without a kind, naming contents.task', () => {
    const model = new RNN({ inputSize: 2, hiddenSize: 3, seed: 1 });
    assert.throws(() => saveCheckpoint(tmp(), { model, step: 1, task: { seqLen: 5 } as never }), /contents\.task: expected a task spec/);
  });

  it('a checkpoint.json whose task is not a spec is a CheckpointError naming task', () => {
    const root = tmp();
    const dir = saveCheckpoint(root, { model: new RNN({ inputSize: 2, hiddenSize: 3, seed: 1 }), step: 1, task: { kind: 'adding' } });
    const file = join(dir, 'checkpoint.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    m.task = { kind: 7 };
    m.checksum = manifestChecksum(m);
    writeFileSync(file, JSON.stringify(m));
    throwsCkpt(() => loadCheckpoint(dir), /task: expected a task spec/);
  });
});

describe('damaged, foreign and mismatched checkpoints', () => {
  it('a truncated weights file, at several lengths, is a CheckpointError', () => {
    const { dir } = goodCheckpoint();
    const w = readFileSync(join(dir, 'model.safetensors'));
    for (const n of [0, 3, 8, 20, 100, w.length - 4, w.length - 1]) {
      const cut = w.subarray(0, n);
      throwsCkpt(() => decodeSafetensors(cut));
      writeFileSync(join(dir, 'model.safetensors'), cut);
      throwsCkpt(() => loadCheckpoint(dir), /sha256 mismatch/);
    }
  });

  it('a truncated checkpoint.json is a CheckpointError', () => {
    const { dir } = goodCheckpoint();
    const j = readFileSync(join(dir, 'checkpoint.json'));
    for (const n of [0, 1, 50, j.length - 3]) {
      writeFileSync(join(dir, 'checkpoint.json'), j.subarray(0, n));
      throwsCkpt(() => loadCheckpoint(dir));
    }
  });

  it('flipped bytes in either file are a CheckpointError', () => {
    const { dir } = goodCheckpoint();
    for (const f of ['model.safetensors', 'checkpoint.json']) {
      const good = readFileSync(join(dir, f));
      for (const at of [0, 9, Math.floor(good.length / 2), good.length - 2]) {
        const b = Buffer.from(good);
        b[at] ^= 0x10;
        writeFileSync(join(dir, f), b);
        throwsCkpt(() => loadCheckpoint(dir));
      }
      writeFileSync(join(dir, f), good);
    }
    loadCheckpoint(dir);
  });

  it('foreign files and directories are a CheckpointError', () => {
    const root = tmp();
    writeFileSync(join(root, 'random.json'), '{"hello": [1, 2, 3]}');
    throwsCkpt(() => loadCheckpoint(join(root, 'random.json')), /not a checkpoint/);
    mkdirSync(join(root, 'd'));
    writeFileSync(join(root, 'd', 'checkpoint.json'), '{"format": "something-else", "version": 1}');
    throwsCkpt(() => loadCheckpoint(join(root, 'd')), /not an rnnlab checkpoint/);
    writeFileSync(join(root, 'd', 'checkpoint.json'), '\x89PNG\r\n\x1a\n');
    throwsCkpt(() => loadCheckpoint(join(root, 'd')), /not a checkpoint/);
    mkdirSync(join(root, 'empty'));
    throwsCkpt(() => loadCheckpoint(join(root, 'empty')), /no checkpoint\.json/);
    throwsCkpt(() => loadCheckpoint(join(root, 'nope')), /cannot read \(ENOENT\)/);
    // A foreign safetensors (e.g. from another model) next to a valid manifest: caught by name.
    const { dir } = goodCheckpoint();
    const foreign = encodeSafetensors({ 'fc.weight': tensor([1, 2], [1, 2]) });
    writeFileSync(join(dir, 'model.safetensors'), foreign);
    rewriteManifest(dir, (m) => (m.files['model.safetensors'] = sha(foreign)));
    throwsCkpt(() => loadCheckpoint(dir), /missing tensor 'weight_ih_l0'/);
    // A newer version.
    rewriteManifest(dir, (m) => (m.version = 2));
    throwsCkpt(() => loadCheckpoint(dir), /version 2 is not supported/);
  });

  it('config and weights that disagree are a CheckpointError naming the key', () => {
    const { dir } = goodCheckpoint();
    rewriteManifest(dir, (m) => (m.model.options.hiddenSize = 4));
    throwsCkpt(() => loadCheckpoint(dir), /tensor 'weight_ih_l0' has shape \[12, 2\], but LSTM.* expects \[16, 2\]/);
    rewriteManifest(dir, (m) => {
      m.model.options.hiddenSize = 3;
      delete m.model.options.outputSize;
    });
    throwsCkpt(() => loadCheckpoint(dir), /unexpected tensor\(s\) 'head.weight', 'head.bias'/);
    rewriteManifest(dir, (m) => {
      m.model.options.outputSize = 1;
      m.model.options.dtype = 'float64';
    });
    throwsCkpt(() => loadCheckpoint(dir), /tensor 'weight_ih_l0' is float32, but the config says dtype float64/);
    rewriteManifest(dir, (m) => {
      m.model.options.dtype = 'float32';
      m.model.kind = 'GRU';
    });
    throwsCkpt(() => loadCheckpoint(dir), /tensor 'weight_ih_l0' has shape \[12, 2\], but GRU.* expects \[9, 2\]/);
    rewriteManifest(dir, (m) => {
      m.model.kind = 'LSTM';
      m.optimizer.state[0].buffers.exp_avg = [1, 2];
    });
    throwsCkpt(() => loadCheckpoint(dir), /optimizer.state\[0\].buffers.exp_avg: expected 24 finite numbers \(parameter 'weight_ih_l0' \[12, 2\]\)/);
  });

  it('non-finite weights are refused on save and on load', () => {
    const { root, dir, model } = goodCheckpoint();
    const bad = new LSTM({ inputSize: 2, hiddenSize: 3, outputSize: 1 });
    // loadStateDict refuses NaN (as it should), so poke the live parameter, as a diverged step would.
    bad.parameters().find((p) => p.name === 'bias_hh_l0')!.param.data[2] = NaN;
    throwsCkpt(() => saveCheckpoint(root, { model: bad, step: 11 }), /bias_hh_l0.*finite.*refusing to save/);
    assert.deepEqual(readdirSync(root).sort(), ['latest', checkpointDirName(10)]);
    assert.equal(latestCheckpoint(root), dir);
    assert.deepEqual(loadCheckpoint(root).model.stateDict(), model.stateDict());
    // A NaN smuggled into a (consistent) weights file is caught on load.
    const weights = encodeSafetensors(Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => {
      if (k === 'head.bias') t.data[0] = Infinity;
      return [k, t];
    })));
    writeFileSync(join(dir, 'model.safetensors'), weights);
    rewriteManifest(dir, (m) => (m.files['model.safetensors'] = sha(weights)));
    throwsCkpt(() => loadCheckpoint(dir), /tensor 'head.bias' holds a non-finite value/);
  });
});

describe('saving never spoils a good checkpoint', () => {
  it('an interrupted save leaves the previous checkpoint as latest and loadable', () => {
    const { root, dir, model } = goodCheckpoint();
    // A crash mid-save leaves a temporary directory and, at worst, a half-renamed step dir that
    // `latest` does not point at yet.
    mkdirSync(join(root, '.tmp-step-000000011-1-2-x'));
    writeFileSync(join(root, '.tmp-step-000000011-1-2-x', 'model.safetensors'), 'partial');
    mkdirSync(join(root, checkpointDirName(12)));
    writeFileSync(join(root, checkpointDirName(12), 'checkpoint.json'), '{"format":"rnnlab-chec');
    assert.equal(latestCheckpoint(root), dir);
    assert.deepEqual(loadCheckpoint(root).model.stateDict(), model.stateDict());
    throwsCkpt(() => loadCheckpoint(join(root, checkpointDirName(12))));
  });

  it('refuses to replace an existing step unless asked; a failed write cleans up after itself', () => {
    const { root, dir, model } = goodCheckpoint();
    const other = new LSTM({ inputSize: 2, hiddenSize: 3, outputSize: 1, seed: 9 });
    throwsCkpt(() => saveCheckpoint(root, { model: other, step: 10 }), /already exists/);
    assert.deepEqual(loadCheckpoint(dir).model.stateDict(), model.stateDict());
    saveCheckpoint(root, { model: other, step: 10 }, { overwrite: true });
    assert.deepEqual(loadCheckpoint(dir).model.stateDict(), other.stateDict());
    // A root that is a file: the save fails with a CheckpointError and nothing is left behind.
    const file = join(root, 'not-a-dir');
    writeFileSync(file, 'x');
    assert.throws(() => saveCheckpoint(file, { model, step: 1 }));
    assert.deepEqual(readdirSync(root).filter((n) => n.startsWith('.')), []);
  });

  it('keepLast prunes old checkpoints but keeps the best and the latest', () => {
    const root = tmp();
    const model = new GRU({ inputSize: 1, hiddenSize: 2 });
    const losses = [5, 1, 4, 3, 6, 7];
    losses.forEach((loss, step) => saveCheckpoint(root, { model, step, metrics: { loss } }, { keepLast: 2, best: { metric: 'loss', mode: 'min' } }));
    const dirs = readdirSync(root).filter((n) => n.startsWith('step-')).sort();
    assert.deepEqual(dirs, [checkpointDirName(1), checkpointDirName(4), checkpointDirName(5)]);
    assert.equal(bestCheckpoint(root), join(root, checkpointDirName(1)));
    assert.equal(latestCheckpoint(root), join(root, checkpointDirName(5)));
    assert.equal(loadCheckpoint(bestCheckpoint(root)!).metrics.loss, 1);
    assert.ok(existsSync(join(root, 'best.json')));
    // mode 'max' picks the highest.
    const root2 = tmp();
    [0.1, 0.9, 0.5].forEach((acc, step) => saveCheckpoint(root2, { model, step, metrics: { acc } }, { keepLast: 1, best: { metric: 'acc', mode: 'max' } }));
    assert.deepEqual(readdirSync(root2).filter((n) => n.startsWith('step-')).sort(), [checkpointDirName(1), checkpointDirName(2)]);
  });
});

describe('fuzz: the loader fails only with CheckpointError', () => {
  function expectOnlyCheckpointError(fn: () => unknown): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      if (!(e instanceof CheckpointError)) throw new Error(`expected CheckpointError, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
      return false;
    }
  }

  it('300 random buffers and 300 mutations of a valid file through decodeSafetensors', () => {
    const rng = new Rng(42);
    const { dir } = goodCheckpoint();
    const good = new Uint8Array(readFileSync(join(dir, 'model.safetensors')));
    const headerLen = Number(new DataView(good.buffer).getBigUint64(0, true));
    for (let i = 0; i < 300; i++) {
      const b = new Uint8Array(rng.int(200));
      for (let j = 0; j < b.length; j++) b[j] = rng.int(256);
      // Half of them get a plausible header length and a '{' so that parsing goes further.
      if (i % 2 && b.length > 9) {
        new DataView(b.buffer).setBigUint64(0, BigInt(rng.int(b.length - 8)), true);
        b[8] = 0x7b;
      }
      assert.equal(expectOnlyCheckpointError(() => decodeSafetensors(b)), false);
    }
    let decoded = 0;
    for (let i = 0; i < 300; i++) {
      const b = mutate(good, rng, headerLen);
      if (expectOnlyCheckpointError(() => decodeSafetensors(b))) decoded++;
    }
    assert.ok(decoded < 300);
  });

  it('300 mutations of the weights and 300 of checkpoint.json through loadCheckpoint', () => {
    const rng = new Rng(43);
    const { dir } = goodCheckpoint();
    const wPath = join(dir, 'model.safetensors'), jPath = join(dir, 'checkpoint.json');
    const goodW = new Uint8Array(readFileSync(wPath));
    const goodJ = readFileSync(jPath);
    const headerLen = Number(new DataView(goodW.buffer).getBigUint64(0, true));
    let loaded = 0;
    for (let i = 0; i < 300; i++) {
      const b = mutate(goodW, rng, headerLen);
      writeFileSync(wPath, b);
      // Every other one gets a matching sha256 and checksum so that decoding and the config checks are reached.
      if (i % 2) rewriteManifest(dir, (m) => (m.files['model.safetensors'] = sha(b)));
      else writeFileSync(jPath, goodJ);
      if (expectOnlyCheckpointError(() => loadCheckpoint(dir))) loaded++;
    }
    writeFileSync(wPath, goodW);
    for (let i = 0; i < 300; i++) {
      const text = goodJ.toString('utf8');
      const b = i % 3 === 0 ? mutate(new Uint8Array(goodJ), rng, 0) : Buffer.from(mutateJsonText(text, rng));
      writeFileSync(jPath, b);
      if (i % 3 === 2) {
        // Keep the mutation consistent (re-sealed) when it still parses, to reach the field checks.
        try {
          const m = JSON.parse(Buffer.from(b).toString('utf8'));
          if (m && typeof m === 'object') {
            m.checksum = manifestChecksum(m);
            writeFileSync(jPath, JSON.stringify(m));
          }
        } catch {
          /* unparseable: leave as is */
        }
      }
      if (expectOnlyCheckpointError(() => loadCheckpoint(dir))) loaded++;
    }
    assert.ok(loaded < 600);
  });
});

function mutate(good: Uint8Array, rng: Rng, headerLen: number): Uint8Array {
  const b = new Uint8Array(good);
  const kind = rng.int(5);
  if (kind === 0) return good.slice(0, rng.int(good.length));
  if (kind === 1) {
    const extra = new Uint8Array(1 + rng.int(16));
    return new Uint8Array([...good, ...extra]);
  }
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    // kind 2: anywhere; kind 3: in the header; kind 4: set to a JSON-significant character in the header.
    const at = kind === 2 || headerLen === 0 ? rng.int(b.length) : 8 + rng.int(headerLen);
    b[at] = kind === 4 ? '{}[]:,"0123456789-e. '.charCodeAt(rng.int(21)) : kind === 3 ? rng.int(256) : b[at] ^ (1 << rng.int(8));
  }
  return b;
}

function mutateJsonText(text: string, rng: Rng): string {
  const c = text.split('');
  const n = 1 + rng.int(3);
  for (let k = 0; k < n; k++) c[rng.int(c.length)] = '{}[]:,"0123456789-e. ntul'.charAt(rng.int(25));
  return c.join('');
}

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { runEval, runSample } from '../src/cli/eval.js';
import { runMemoryDemo } from '../src/cli/demo-memory.js';
import { clipNormArg, gammaArg, makeSchedule, validate, trainDefaults } from '../src/cli/train-options.js';
import { runTrain } from '../src/cli/train.js';
import { saveCheckpoint } from '../src/io/checkpoint.js';
import { LSTM } from '../src/layers/models.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-eval-'));
after(() => rmSync(root, { recursive: true, force: true }));
const quiet = (): void => {};
const inProcess = { inProcess: true, tty: false } as const;

const textFile = join(root, 'text.txt');
const text = 'the cat sat on the mat. the dog sat on the log. '.repeat(40);
writeFileSync(textFile, text);

describe('rnnlab train on a text, then eval and sample', () => {
  const out = join(root, 'char');
  const ready = runTrain({ task: 'char-lm', text: textFile, cell: 'lstm', hidden: 16, steps: 40, batch: 8, seqLen: 20, lr: 0.02, out }, quiet, inProcess);

  it('eval scores the whole held-out text in bits per character, consistent with its loss in nats', async () => {
    await ready;
    const r = runEval({ checkpoint: join(out, 'checkpoints'), text: textFile, json: false }, quiet);
    assert.equal(r.task, 'char-lm');
    assert.ok(r.bitsPerChar! > 0 && r.bitsPerChar! < Math.log2(20), `bpc ${r.bitsPerChar}`);
    assert.ok(Math.abs(r.loss - r.bitsPerChar! * Math.LN2) < 1e-12);
    assert.equal(r.chars, Math.round(0.1 * text.length) - 1); // the held-out tenth, minus its last character (no successor)
    assert.equal(r.solved, r.loss < r.solvedBelow);
  });

  it('eval reads the training text only when it is named again: the checkpoint\'s path alone is refused, naming --text', async () => {
    await ready;
    assert.throws(() => runEval({ checkpoint: join(out, 'checkpoints'), json: false }, quiet),
      new RegExp(`the task reads the file ${textFile.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}, and rnnlab opens no file only because a spec names it; name the file yourself \\(--text`));
  });

  it('sample continues the prime from the checkpoint alone; the same seed gives the same text', async () => {
    await ready;
    const o = { checkpoint: join(out, 'checkpoints'), prime: 'the ', temperature: 0.8, length: 60, seed: 3 };
    const a = runSample(o), b = runSample(o), c = runSample({ ...o, seed: 4 });
    assert.equal([...a].length, 60);
    assert.equal(a, b);
    assert.notEqual(a, c);
    for (const ch of a) assert.ok('the catsondgmlo.'.includes(ch), `"${ch}" is from the training text's vocabulary`);
  });

  it('a prime with a character outside the vocabulary is an error naming prime and the character', async () => {
    await ready;
    assert.throws(() => runSample({ checkpoint: join(out, 'checkpoints'), prime: 'the Z', temperature: 1, length: 5, seed: 0 }), /prime: character "Z"/);
  });
});

describe('rnnlab train on a time series, then eval', () => {
  it('the built-in sunspot series trains, and eval reports MSE against persistence and the AR fit', async () => {
    const out = join(root, 'forecast');
    await runTrain({ task: 'forecast', cell: 'gru', hidden: 8, steps: 20, batch: 16, out }, quiet, inProcess);
    const r = runEval({ checkpoint: join(out, 'checkpoints'), json: false }, quiet);
    assert.equal(r.metricName, 'skill vs persistence');
    assert.equal(r.forecast!.targets, 62);
    assert.ok(r.forecast!.arMse < r.forecast!.persistenceMse);
    assert.ok(Math.abs(r.metric - (1 - r.loss / r.forecast!.persistenceMse)) < 1e-12);
  });

  it('a malformed CSV stops training before anything is written, naming the file and the line', async () => {
    const csv = resolve('test/fixtures/csv/non-numeric.csv');
    await assert.rejects(runTrain({ task: 'forecast', csv, steps: 2, out: join(root, 'bad') }, quiet, inProcess), (e: Error) => e.message.includes(csv) && /line \d+/.test(e.message));
  });

  it('eval of a synthetic task scores fresh held-out batches, the same seed giving the same numbers', async () => {
    const out = join(root, 'adding');
    await runTrain({ task: 'adding', cell: 'lstm', hidden: 6, steps: 5, batch: 4, seqLen: 8, out }, quiet, inProcess);
    const o = { checkpoint: join(out, 'checkpoints'), json: false };
    const a = runEval(o, quiet), b = runEval(o, quiet);
    assert.equal(a.loss, b.loss);
    assert.equal(a.baseline, 1 / 6);
    assert.throws(() => runSample({ checkpoint: join(out, 'checkpoints'), prime: 'a', temperature: 1, length: 3, seed: 0 }), /not a character model \(its task is "adding"\)/);
  });

  it('eval of a checkpoint without a task spec says so', () => {
    const dir = join(root, 'bare');
    saveCheckpoint(dir, { model: new LSTM({ inputSize: 2, hiddenSize: 3, outputSize: 1 }), step: 1 });
    assert.throws(() => runEval({ checkpoint: dir, json: false }, quiet), /holds no task spec/);
  });
});

describe('train options: data files, clipping off, the step schedule', () => {
  const o = { ...trainDefaults };
  it('--text, --csv and --column are refused with a task that does not read them', () => {
    assert.throws(() => validate({ ...o, task: 'adding', text: 'a.txt' }), /--text: only with --task char-lm/);
    assert.throws(() => validate({ ...o, task: 'char-lm', csv: 'a.csv' }), /--csv: only with --task forecast/);
    assert.throws(() => validate({ ...o, task: 'forecast', column: 'x' }), /--column: only with --csv/);
  });

  it("--clip-norm off (or 0) turns clipping by norm off; a negative value is an error", () => {
    assert.equal(clipNormArg('off'), 0);
    assert.equal(clipNormArg('0'), 0);
    assert.equal(clipNormArg('2.5'), 2.5);
    assert.throws(() => clipNormArg('-1'), /expected a number > 0/);
  });

  it('--step-size and --gamma set the step schedule and are refused with another schedule', () => {
    assert.deepEqual(makeSchedule({ ...o, schedule: 'step', stepSize: 7, gamma: 0.5 }), { kind: 'step', stepSize: 7, gamma: 0.5 });
    assert.deepEqual(makeSchedule({ ...o, schedule: 'step', steps: 300 }), { kind: 'step', stepSize: 100, gamma: 0.1 });
    assert.throws(() => validate({ ...o, schedule: 'cosine', gamma: 0.5 }), /--gamma: only with --schedule step/);
    assert.throws(() => gammaArg('1.5'), /expected a number in \(0, 1\]/);
  });
});

describe('demo: LSTM vs tanh RNN on the adding problem', () => {
  it('trains both models for the same steps and reports held-out curves side by side', () => {
    const r = runMemoryDemo({ steps: 20, every: 10, seed: 0 }, quiet);
    assert.deepEqual(r.curves.LSTM.map(([s]) => s), [10, 20]);
    assert.deepEqual(r.curves['tanh RNN'].map(([s]) => s), [10, 20]);
    assert.ok(Number.isFinite(r.final.LSTM) && Number.isFinite(r.final['tanh RNN']));
  });
});

/**
 * The lab's training session (web/src/train-session.ts) and task builders (web/src/train-tasks.ts), run
 * in Node: the loss falls, a checkpoint continues exactly, the CLI reads the page's checkpoints and the
 * page reads the CLI's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runEval, runSample } from '../src/cli/eval.js';
import { decodeCheckpointArchive } from '../src/io/checkpoint-archive.js';
import { loadCheckpoint } from '../src/io/checkpoint.js';
import { taskFromSpec as cliTaskFromSpec } from '../src/tasks/registry.js';
import { CharLMTask } from '../src/tasks/char-lm.js';
import type { TrainConfig } from '../web/src/protocol.js';
import { train } from '../src/train/trainer.js';
import { TrainSession, buildModel, sessionOptions } from '../web/src/train-session.js';
import { TaskUnavailable, taskFromChoice, taskFromSpec } from '../web/src/train-tasks.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-lab-session-'));
after(() => rmSync(root, { recursive: true, force: true }));

const adding: TrainConfig = {
  task: { kind: 'adding', seqLen: 20 }, cell: 'lstm', hidden: 16, forgetBias: 1, lr: 0.01, batchSize: 16, clipNorm: 1, evalEvery: 10, seed: 2,
};
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

describe('the lab training session', () => {
  it('takes the steps train() takes: the same losses and bit-identical weights after 25 steps', async () => {
    const config: TrainConfig = { ...adding, clipValue: 0.5, schedule: { kind: 'cosine', totalSteps: 25 } };
    const task = await taskFromChoice(config.task);
    const s = TrainSession.fresh(config, task);
    const inPage = Array.from({ length: 25 }, () => s.trainStep().loss);
    const model = buildModel(config, task);
    const summary = train(model, task, { ...sessionOptions(config), steps: 25 });
    assert.deepEqual(inPage, summary.history.map((h) => h.loss));
    const a = s.model.stateDict(), b = model.stateDict();
    assert.deepEqual(Object.keys(a), Object.keys(b));
    for (const k of Object.keys(a)) assert.deepEqual(a[k]!.data, b[k]!.data, k);
  });

  it('keeps its state when the page changes its settings: a new lr applies, the step count and the data go on', async () => {
    const task = await taskFromChoice(adding.task);
    const s = TrainSession.fresh(adding, task);
    for (let i = 0; i < 5; i++) s.trainStep();
    s.configure({ ...adding, lr: 0.002, batchSize: 8 });
    assert.equal(s.trainStep().step, 6);
    const ck = decodeCheckpointArchive(s.checkpoint().bytes, 'x.tar');
    assert.equal(ck.optimizerState!.options.lr, 0.002);
  });

  it('lowers the adding problem loss within a few dozen steps', async () => {
    const s = TrainSession.fresh(adding, await taskFromChoice(adding.task));
    const losses = Array.from({ length: 60 }, () => s.trainStep().loss);
    assert.equal(s.step, 60);
    assert.ok(mean(losses.slice(-10)) < mean(losses.slice(0, 5)) / 1.5, `first ${mean(losses.slice(0, 5))}, last ${mean(losses.slice(-10))}`);
    assert.ok(Number.isFinite(s.evaluate().loss));
  });

  it('continues from its checkpoint exactly as it would have without stopping', async () => {
    const task = await taskFromChoice(adding.task);
    const a = TrainSession.fresh(adding, task);
    for (let i = 0; i < 15; i++) a.trainStep();
    const archive = a.checkpoint();
    const straight = Array.from({ length: 10 }, () => a.trainStep().loss);
    const ck = decodeCheckpointArchive(archive.bytes, archive.fileName);
    const b = TrainSession.restore(ck, await taskFromSpec(ck.task!), adding);
    assert.equal(b.step, 15);
    assert.deepEqual(Array.from({ length: 10 }, () => b.trainStep().loss), straight);
  });

  it("writes checkpoints that rnnlab eval reads, and reads rnnlab's", async () => {
    const s = TrainSession.fresh(adding, await taskFromChoice(adding.task));
    for (let i = 0; i < 30; i++) s.trainStep();
    const file = join(root, 'page.tar');
    writeFileSync(file, s.checkpoint().bytes);
    const ev = runEval({ checkpoint: file, json: false }, () => {});
    assert.equal(ev.step, 30);
    assert.equal(ev.task, 'adding');
    const ck = loadCheckpoint(file);
    const back = TrainSession.restore(ck, await taskFromSpec(ck.task!), adding);
    assert.equal(back.trainStep().step, 31);
  });

  it('trains a character model on pasted text whose checkpoint the CLI samples from', async () => {
    const text = 'the cat sat on the mat. the dog sat on the log. '.repeat(30);
    const config: TrainConfig = { ...adding, task: { kind: 'char-lm', corpus: { text }, seqLen: 16 }, hidden: 24, lr: 0.02 };
    const task = await taskFromChoice(config.task);
    const s = TrainSession.fresh(config, task);
    const losses = Array.from({ length: 40 }, () => s.trainStep().loss);
    assert.ok(mean(losses.slice(-5)) < mean(losses.slice(0, 5)), 'the loss falls');
    assert.equal(s.autoPrime(), 't', "'The ' is not in this text's vocabulary: the first character primes instead");
    assert.match(s.sample('the ', 0.5, 40, 1)!, /^[the casondgml.]{40}$/);
    const file = join(root, 'char.tar');
    writeFileSync(file, s.checkpoint().bytes);
    const ck = loadCheckpoint(file);
    assert.equal(ck.task!.text, text, 'pasted text travels in the spec');
    const cliTask = cliTaskFromSpec(ck.task!);
    assert.ok(cliTask instanceof CharLMTask && cliTask.vocab.chars === (task as CharLMTask).vocab.chars);
    assert.equal(runSample({ checkpoint: file, prime: 'the ', temperature: 0.5, length: 20, seed: 0 }).length, 20);
  });

  it('explains a task the page cannot rebuild', async () => {
    await assert.rejects(taskFromSpec({ kind: 'char-lm', source: '/home/me/notes.txt', vocab: 'ab', seqLen: 4, heldOutFraction: 0.1 }),
      (e: unknown) => e instanceof TaskUnavailable && /the file \/home\/me\/notes\.txt, which a web page cannot read/.test(e.message));
    await assert.rejects(taskFromSpec({ kind: 'forecast', source: 'sunspots' }), (e: unknown) => e instanceof TaskUnavailable && /'forecast' is not available in the lab/.test(e.message));
    await assert.rejects(taskFromSpec({ kind: 'adding', seqLen: 1 }), /spec\.seqLen: expected an integer >= 2/);
  });
});

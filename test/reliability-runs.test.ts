/**
 * Runs that must not be lost or changed silently (docs/reliability.md): numbers that diverge, resumes
 * that must continue the same run, two runs on one folder, a full disk, unwritable or wrong --out.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runTrain } from '../src/cli/train.js';
import { latestCheckpoint, loadCheckpoint } from '../src/io/checkpoint.js';
import { GRU, LSTM } from '../src/layers/models.js';
import { AddingTask } from '../src/tasks/adding.js';
import { ForecastTask } from '../src/tasks/forecast.js';
import { train } from '../src/train/trainer.js';
import { trainCli } from './helpers/train-cli.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-runs-'));
after(() => rmSync(root, { recursive: true, force: true }));
const quiet = () => {};
const inProcess = { inProcess: true, tty: false } as const;
const tiny = { task: 'adding', seqLen: 12, steps: 6, batch: 4, hidden: 5 } as const;
const cli = trainCli(root);

function allFinite(m: { parameters(): { param: { data: ArrayLike<number> } }[] }): boolean {
  return m.parameters().every(({ param }) => Array.from(param.data).every(Number.isFinite));
}

describe('a run never dies of numbers', () => {
  for (const kind of ['sgd', 'adamw'] as const) {
    it(`${kind} with lr 1e300 and clipping finishes: updates that make weights non-finite are undone and the lr halves`, () => {
      const task = new AddingTask({ seqLen: 10 });
      const model = new LSTM({ inputSize: task.inputSize, hiddenSize: 4, outputSize: 1 });
      const dir = join(root, `lr-${kind}`);
      const s = train(model, task, { steps: 12, batchSize: 4, seed: 1, optimizer: { kind, lr: 1e300 }, clip: { norm: 1 }, checkpoint: { dir, every: 4 } });
      assert.equal(s.steps, 12);
      assert.ok(s.skippedSteps > 0 && s.lrScale < 1, `${s.skippedSteps} skipped, scale ${s.lrScale}`);
      assert.match(s.warnings[0]!, /the update made a weight non-finite; restored the last good weights/);
      assert.ok(allFinite(model));
      assert.ok(allFinite(loadCheckpoint(dir).model), 'the checkpoint holds finite weights');
    });
  }

  it('a forecast whose held-out tail is flat (skill −∞) trains and checkpoints, the metric left out', () => {
    const values = [...Array.from({ length: 60 }, (_, i) => Math.sin(i / 3)), ...Array(20).fill(0.5)];
    const task = new ForecastTask({ series: { name: 'flat tail', values }, seqLen: 5, heldOutFraction: 0.25 });
    const model = new GRU({ inputSize: 1, hiddenSize: 4, outputSize: 1 });
    const dir = join(root, 'flat');
    const s = train(model, task, { steps: 4, batchSize: 4, seed: 0, optimizer: { kind: 'adam', lr: 0.01 }, evalEvery: 2, checkpoint: { dir, every: 2 } });
    assert.equal(s.final.metric, -Infinity);
    const ck = loadCheckpoint(dir);
    assert.ok('evalLoss' in ck.metrics && !('evalMetric' in ck.metrics));
  });
});

describe('--resume continues the run it resumes', () => {
  const out = join(root, 'resume');
  const first = runTrain({ ...tiny, out }, quiet, inProcess);

  it('takes the task, model and optimizer from the checkpoint, not from the defaults', async () => {
    await first;
    const r = await runTrain({ out, resume: true, steps: 9 }, quiet, inProcess);
    assert.equal(r.steps, 9);
    const ck = loadCheckpoint(join(out, 'checkpoints'));
    assert.equal(ck.task!.seqLen, 12, 'T = 12 as the run began, not the default 100');
    assert.equal(ck.model.hiddenSize, 5);
  });
  it('refuses a flag that would change the run, naming it and what may change', async () => {
    await first;
    await assert.rejects(runTrain({ out, resume: true, steps: 20, seqLen: 50 }, quiet, inProcess),
      /--seq-len: the run in .* has 12, and resuming cannot change it \(given 50\); on --resume these may change: --steps/);
    await assert.rejects(runTrain({ out, resume: true, steps: 20, seed: 9 }, quiet, inProcess), /--seed: the run in .* has 0/);
  });
  it('refuses --steps that are not more than the run has done', async () => {
    await first;
    await assert.rejects(runTrain({ out, resume: true, steps: 3 }, quiet, inProcess), /--steps: the run in .* is at step \d+; to continue, give more than \d+ steps \(got 3\)/);
  });
  it('needs --text again for a run on a text file', async () => {
    const text = join(root, 'notes.txt');
    writeFileSync(text, 'the cat sat on the mat. '.repeat(40));
    const o = join(root, 'resume-text');
    await runTrain({ task: 'char-lm', text, seqLen: 10, steps: 4, batch: 2, hidden: 4, out: o }, quiet, inProcess);
    await assert.rejects(runTrain({ out: o, resume: true, steps: 6 }, quiet, inProcess), /--text: the run trained on the file .*notes\.txt; rnnlab reads no file only because a checkpoint names it/);
    const r = await runTrain({ out: o, resume: true, steps: 6, text }, quiet, inProcess);
    assert.equal(r.steps, 6);
  });
});

describe('one trainer per run folder', () => {
  it('a second run on the same --out is refused naming the first; SIGTERM then stops the first with a checkpoint (exit 143)', async () => {
    const out = join(root, 'busy');
    let second: Promise<unknown> | null = null;
    const first = cli(['--steps', '100000', '--batch', '4', '--hidden', '6', '--seq-len', '8', '--out', out], (all, child) => {
      if (second === null && all.includes('writing to')) {
        second = runTrain({ ...tiny, out }, quiet, inProcess).then(() => null, (e: Error) => e);
        void second.then(() => setTimeout(() => child.kill('SIGTERM'), 500));
      }
    });
    const r = await first;
    const err = await second;
    assert.match(String(err), /--out: .*busy is in use by another rnnlab run \(pid \d+ on .*, since /);
    assert.equal(r.code, 143, r.stdout + r.stderr);
    assert.match(r.stdout, /checkpoint written to/);
    assert.ok(latestCheckpoint(join(out, 'checkpoints')));
    assert.ok(!existsSync(join(out, '.lock')), 'the lock is released at the end');
  });
  it('a stale lock of a process that is gone is taken over', async () => {
    const out = join(root, 'stale');
    mkdirSync(out, { recursive: true });
    const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }));
    writeFileSync(join(out, '.lock'), JSON.stringify({ pid: dead, host: (await import('node:os')).hostname(), started: 'earlier' }));
    const r = await runTrain({ ...tiny, out }, quiet, inProcess);
    assert.equal(r.steps, 6);
  });
});

describe('disk and folders', () => {
  it('a full disk while logging names the log file and the reason', () => {
    const task = new AddingTask({ seqLen: 8 });
    const model = new LSTM({ inputSize: task.inputSize, hiddenSize: 3, outputSize: 1 });
    assert.throws(() => train(model, task, { steps: 2, batchSize: 2, seed: 0, optimizer: { kind: 'adam', lr: 0.01 }, logJsonl: '/dev/full' }),
      /options\.logJsonl: cannot append to \/dev\/full \(no space left on the device\); the log ends at the last whole line/);
  });
  it('--out naming a file is refused as such', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    await assert.rejects(runTrain({ ...tiny, out: file }, quiet, inProcess), /--out: expected a folder, got the file .*a-file/);
  });
  it('an --out that cannot be created says why, and nothing hangs', async () => {
    await assert.rejects(runTrain({ ...tiny, out: '/sys/rnnlab-cannot' }, quiet, inProcess), /--out: cannot create the folder \/sys\/rnnlab-cannot \(permission denied\)/);
    await assert.rejects(runTrain({ ...tiny, out: '/proc/rnnlab-cannot/x' }, quiet, inProcess), /--out: cannot create the folder \/proc\/rnnlab-cannot\/x/);
  });
  it('the log after a run has one whole line per step', async () => {
    const out = join(root, 'whole');
    await runTrain({ ...tiny, out }, quiet, inProcess);
    const lines = readFileSync(join(out, 'train.jsonl'), 'utf8').split('\n');
    assert.equal(lines.pop(), '');
    assert.equal(lines.length, 6);
    for (const l of lines) JSON.parse(l);
  });
});

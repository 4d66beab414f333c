import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { loadTrainConfig, runTrain } from '../src/cli/train.js';
import { trainCli } from './helpers/train-cli.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-train-'));
after(() => rmSync(root, { recursive: true, force: true }));

const tiny = { steps: 12, batch: 4, hidden: 6, seqLen: 8 } as const;
const cli = trainCli(root);

const tinyArgs = ['--steps', '12', '--batch', '4', '--hidden', '6', '--seq-len', '8'];

describe('rnnlab train', { concurrency: true }, () => {
  test('runTrain writes the log, checkpoints, plot and summary', async () => {
    const out = join(root, 'basic');
    const lines: string[] = [];
    const r = await runTrain({ ...tiny, out, json: true }, (l) => lines.push(l), { tty: false });
    assert.equal(r.interrupted, false);
    assert.equal(r.steps, 12);
    for (const f of ['train.jsonl', 'loss.svg', 'loss.png', 'summary.json']) assert.ok(existsSync(join(out, f)), f);
    assert.ok(readdirSync(join(out, 'checkpoints')).some((d) => d.startsWith('step-')));
    assert.equal(readFileSync(join(out, 'train.jsonl'), 'utf8').trim().split('\n').length, 12);
    const summary = JSON.parse(readFileSync(join(out, 'summary.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(summary.steps, 12);
    assert.equal(summary.task, 'adding');
    assert.ok(readFileSync(join(out, 'loss.svg'), 'utf8').startsWith('<svg'));
    const last = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
    for (const k of ['task', 'cell', 'steps', 'seconds', 'final', 'baseline', 'solved']) assert.ok(k in last, k);
    assert.ok(lines.some((l) => l.startsWith('Result: eval loss')));
  });

  test('--resume continues to more steps', async () => {
    const out = join(root, 'resume');
    await runTrain({ ...tiny, steps: 6, out }, () => {}, { tty: false });
    await assert.rejects(runTrain({ ...tiny, steps: 6, out }, () => {}), /--out: .*already holds checkpoints/);
    const r = await runTrain({ ...tiny, steps: 10, out, resume: true }, () => {}, { tty: false });
    assert.equal(r.steps, 10);
    assert.equal(r.summary!.history.length, 4);
    assert.equal(r.summary!.history[0].step, 7);
    assert.equal(readFileSync(join(out, 'train.jsonl'), 'utf8').trim().split('\n').length, 10);
    await assert.rejects(runTrain({ ...tiny, out: join(root, 'nothing'), resume: true }, () => {}), /--resume: no checkpoint/);
  });

  test('bad values from code name the flag', async () => {
    const out = join(root, 'bad');
    await assert.rejects(runTrain({ ...tiny, out, hidden: 0 }), /--hidden/);
    await assert.rejects(runTrain({ ...tiny, out, cell: 'gru', forgetBias: 1 }), /--forget-bias/);
    await assert.rejects(runTrain({ ...tiny, out, task: 'temporal-order', seqLen: 3 }), /--seq-len/);
    await assert.rejects(runTrain({ ...tiny, out, warmup: 5 }), /--warmup/);
    await assert.rejects(runTrain({ ...tiny, out, optimizer: 'lbfgs' as never }), /--optimizer/);
  });

  test('config files: keys are the flags in camelCase; unknown keys name the key and the file', () => {
    const good = join(root, 'good.json');
    writeFileSync(good, JSON.stringify({ task: 'copy', seqLen: 5, cell: 'gru', lr: '0.02', tbptt: { window: 10, stride: 5 }, json: true }));
    assert.deepEqual(loadTrainConfig(good), { task: 'copy', seqLen: 5, cell: 'gru', lr: 0.02, tbptt: { window: 10, stride: 5 }, json: true });
    const bad = join(root, 'bad.json');
    writeFileSync(bad, JSON.stringify({ steps: 5, learningRate: 0.1 }));
    assert.throws(() => loadTrainConfig(bad), (e: Error) => e.message.includes('"learningRate"') && e.message.includes(bad));
    const badValue = join(root, 'bad-value.json');
    writeFileSync(badValue, JSON.stringify({ hidden: -3 }));
    assert.throws(() => loadTrainConfig(badValue), /"hidden" \(--hidden\)/);
  });

  test('CLI: --json last line, config with flags winning, bad flag names the flag', async () => {
    const cfg = join(root, 'cli.json');
    writeFileSync(cfg, JSON.stringify({ steps: 50, batch: 4, hidden: 6, seqLen: 8, cell: 'gru' }));
    const out = join(root, 'cli-out');
    const [ok, bad, unknown] = await Promise.all([
      cli(['--config', cfg, '--steps', '8', '--out', out, '--json']),
      cli([...tinyArgs, '--lr', 'fast', '--out', join(root, 'cli-bad')]),
      cli(['--config', join(root, 'bad.json'), '--out', join(root, 'cli-unknown')]),
    ]);
    assert.equal(ok.code, 0, ok.stderr);
    const lines = ok.stdout.trim().split('\n');
    const last = JSON.parse(lines[lines.length - 1]) as { task: string; cell: string; steps: number; final: { loss: number; metricName: string } };
    assert.equal(last.steps, 8); // the flag beat the file's 50
    assert.equal(last.cell, 'gru'); // from the file
    assert.equal(typeof last.final.loss, 'number');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /--lr/);
    assert.notEqual(unknown.code, 0);
    assert.match(unknown.stderr, /unknown key "learningRate"/);
  });

  test('CLI: Ctrl-C checkpoints the current step and exits 130', async () => {
    const out = join(root, 'sigint');
    let sent = false;
    const r = await cli(['--steps', '100000', '--batch', '4', '--hidden', '6', '--seq-len', '8', '--out', out], (s, child) => {
      // Non-TTY progress lines come every 10% of the run (too rare here): interrupt a moment after the start.
      if (!sent && s.includes('writing to')) { sent = true; setTimeout(() => child.kill('SIGINT'), 1500); }
    });
    assert.equal(r.code, 130, r.stdout + r.stderr);
    assert.match(r.stdout, /checkpoint written to/);
    const latest = readFileSync(join(out, 'checkpoints', 'latest'), 'utf8').trim();
    const step = Number(/step-(\d+)/.exec(latest)![1]);
    assert.equal(readFileSync(join(out, 'train.jsonl'), 'utf8').trim().split('\n').length, step);
  });
});

/**
 * A kill at any moment leaves a run that resumes (docs/reliability.md, "kills"): `latest` is a hint
 * and the newest complete step directory the truth; what a killed save leaves behind is removed at the
 * next start; and real `rnnlab train` processes killed with SIGKILL at random moments always resume.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runTrain } from '../src/cli/train.js';
import { checkpointDirName, latestCheckpoint } from '../src/io/checkpoint.js';
import { Rng } from '../src/tensor/random.js';
import { trainCli } from './helpers/train-cli.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-kills-'));
after(() => rmSync(root, { recursive: true, force: true }));
const quiet = () => {};
const inProcess = { inProcess: true, tty: false } as const;
const cli = trainCli(root);

describe('a kill between the step directory and `latest`', () => {
  it('resume continues from the newest step directory, whatever `latest` says', async () => {
    const out = join(root, 'pointer');
    await runTrain({ task: 'adding', seqLen: 8, steps: 30, batch: 4, hidden: 4, checkpointEvery: 10, out }, quiet, inProcess);
    const ckpts = join(out, 'checkpoints');
    writeFileSync(join(ckpts, 'latest'), `${checkpointDirName(20)}\n`); // as if killed before `latest` moved to 30
    assert.equal(latestCheckpoint(ckpts), join(ckpts, checkpointDirName(30)));
    const r = await runTrain({ out, resume: true, steps: 40 }, quiet, inProcess);
    assert.equal(r.steps, 40);
    assert.equal(r.summary!.history[0]!.step, 31);
  });

  it('what a killed save left behind is removed at the next start', async () => {
    const out = join(root, 'leftovers');
    await runTrain({ task: 'adding', seqLen: 8, steps: 4, batch: 4, hidden: 4, out }, quiet, inProcess);
    const ckpts = join(out, 'checkpoints');
    mkdirSync(join(ckpts, '.tmp-step-000000005-123-456-abcd'));
    writeFileSync(join(ckpts, '.tmp-step-000000005-123-456-abcd', 'model.safetensors'), 'partial');
    writeFileSync(join(ckpts, '.latest.123.456.0.tmp'), 'step-0000');
    writeFileSync(join(out, '.summary.json.123.456.1.tmp'), '{');
    await runTrain({ out, resume: true, steps: 6 }, quiet, inProcess);
    assert.deepEqual(readdirSync(ckpts).filter((n) => n.startsWith('.')), []);
    assert.deepEqual(readdirSync(out).filter((n) => n.endsWith('.tmp')), []);
  });
});

describe('rnnlab train killed with SIGKILL at random moments', { timeout: 180_000 }, () => {
  it('resumes after every kill, and the log has exactly one line per step of the run', async () => {
    const out = join(root, 'random');
    const rng = new Rng(20261201);
    const args = ['--task', 'adding', '--seq-len', '8', '--batch', '4', '--hidden', '8', '--checkpoint-every', '1', '--eval-every', '5', '--out', out];
    let started = false;
    for (let trial = 0; trial < 12; trial++) {
      const delay = rng.uniform(0, 300);
      const before = started ? readLatestStep(out) : 0;
      const r = await cli([...args, '--steps', '100000', ...(started ? ['--resume'] : [])], (all, child) => {
        // Once this run has written a checkpoint of its own (however slow the machine is to start it),
        // kill it a random moment later: inside a save, between saves, or in a step.
        if (!all.includes('writing to') || (child as { polling?: boolean }).polling) return;
        (child as { polling?: boolean }).polling = true;
        const t0 = Date.now();
        const poll = setInterval(() => {
          const now = latestCheckpoint(join(out, 'checkpoints')) === null ? 0 : readLatestStep(out);
          if (now > before || Date.now() - t0 > 60_000) {
            clearInterval(poll);
            setTimeout(() => child.kill('SIGKILL'), delay);
          }
        }, 10);
      });
      assert.equal(r.signal, 'SIGKILL', `trial ${trial}: ${r.stdout}${r.stderr}`);
      if (latestCheckpoint(join(out, 'checkpoints')) !== null) started = true;
    }
    assert.ok(started, 'some run wrote a checkpoint before it was killed');
    const done = await cli([...args, '--resume', '--steps', String(readLatestStep(out) + 3)]);
    assert.equal(done.code, 0, done.stdout + done.stderr);
    // Steps logged after a killed run's last checkpoint were cut at the resume and run again.
    const steps = readFileSync(join(out, 'train.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { step: number }).step);
    assert.deepEqual(steps, Array.from({ length: readLatestStep(out) }, (_, i) => i + 1));
  });
});

function readLatestStep(out: string): number {
  const dir = latestCheckpoint(join(out, 'checkpoints'))!;
  return Number(/step-(\d+)/.exec(dir)![1]);
}

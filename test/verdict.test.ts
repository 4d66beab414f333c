/**
 * One verdict for `rnnlab train` and `rnnlab eval` (src/train/verdict.ts): the same loss and the same
 * "solved" for the same weights, on a held-out set large enough that the memoryless predictor's loss
 * on it is within 2 % of the analytic baseline.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { runEval } from '../src/cli/eval.js';
import { runTrain } from '../src/cli/train.js';
import { AddingTask } from '../src/tasks/adding.js';
import { Tensor } from '../src/tensor/tensor.js';
import { Rng } from '../src/tensor/random.js';
import { VERDICT_BATCH, VERDICT_SEED, VERDICT_SEQUENCES, verdict } from '../src/train/verdict.js';
import { LSTM } from '../src/layers/models.js';

const root = mkdtempSync(join(tmpdir(), 'rnnlab-verdict-'));
after(() => rmSync(root, { recursive: true, force: true }));
const quiet = () => {};
const inProcess = { inProcess: true, tty: false } as const;

describe('one verdict for train and eval', () => {
  for (const [what, options] of [
    ['a forecaster', { task: 'forecast', cell: 'gru', hidden: 8, steps: 30, batch: 16 }],
    ['the adding problem', { task: 'adding', cell: 'lstm', hidden: 6, steps: 20, batch: 8, seqLen: 10 }],
  ] as const) {
    it(`${what}: rnnlab train's result and rnnlab eval of its checkpoint give the same loss and the same verdict`, async () => {
      const out = join(root, what.replace(/\W+/g, '-'));
      const t = await runTrain({ ...options, out }, quiet, inProcess);
      const e = runEval({ checkpoint: join(out, 'checkpoints'), json: false }, quiet);
      assert.equal(t.verdict!.loss, e.loss);
      assert.equal(t.verdict!.solved, e.solved);
      assert.equal(t.json!.solved, e.solved);
    });
  }

  it(`the ${VERDICT_SEQUENCES} held-out adding sequences score "always 1" within 2 % of the analytic 1/6`, () => {
    const task = new AddingTask({ seqLen: 50 });
    const rng = new Rng(VERDICT_SEED);
    let loss = 0;
    const batches = VERDICT_SEQUENCES / VERDICT_BATCH;
    for (let i = 0; i < batches; i++) {
      const b = task.batch(rng, VERDICT_BATCH);
      const ones = new Tensor(new Float32Array(50 * VERDICT_BATCH).fill(1), [50, VERDICT_BATCH, 1]);
      loss += task.evaluate(ones, b).loss / batches;
    }
    assert.ok(Math.abs(loss - 1 / 6) / (1 / 6) < 0.02, `always-1 scores ${loss}`);
  });

  it('an untrained model is judged on that set, so it is not called far better than the baseline', () => {
    const task = new AddingTask({ seqLen: 50 });
    const v = verdict(new LSTM({ inputSize: 2, hiddenSize: 8, outputSize: 1, seed: 3 }), task);
    assert.equal(v.on, '4096 held-out sequences');
    assert.ok(v.loss > 0.9 * task.baseline(), `untrained loss ${v.loss} vs baseline ${task.baseline()}`);
    assert.equal(v.solved, false);
  });
});

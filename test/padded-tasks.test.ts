/**
 * Padded batches in the tasks and the trainer: the adding problem in Hochreiter & Schmidhuber's own
 * variable-length form (lengths from T to 1.1T), scored at each sequence's own last step, and trained
 * as PyTorch's packed sequences.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LSTM } from '../src/layers/models.js';
import { AddingTask } from '../src/tasks/adding.js';
import { taskFromSpec } from '../src/tasks/registry.js';
import { lastStep } from '../src/tasks/task.js';
import { Rng } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { evaluateOn } from '../src/train/loss-and-grad.js';
import { train } from '../src/train/trainer.js';

describe('the adding problem with padded batches', () => {
  const task = new AddingTask({ seqLen: 22, minLen: 20, dtype: 'float64' });
  const b = task.batch(new Rng(3), 64);

  it('draws each length in [minLen, seqLen], both ends reached', () => {
    const ls = [...b.lengths!];
    assert.ok(ls.every((l) => l >= 20 && l <= 22));
    assert.ok(ls.includes(20) && ls.includes(22));
  });

  it('puts the markers in the halves of each sequence’s own length, zeros after it, and the target is their sum', () => {
    for (let j = 0; j < 64; j++) {
      const L = b.lengths![j], half = Math.floor(L / 2), [p1, p2] = [b.positions[2 * j], b.positions[2 * j + 1]];
      assert.ok(p1 < half && p2 >= half && p2 < L, `sequence ${j}: markers ${p1}, ${p2} for length ${L}`);
      for (let t = L; t < 22; t++) assert.deepEqual([b.x.data[(t * 64 + j) * 2], b.x.data[(t * 64 + j) * 2 + 1]], [0, 0]);
      assert.equal(b.target.data[j], b.x.data[(p1 * 64 + j) * 2] + b.x.data[(p2 * 64 + j) * 2]);
    }
  });

  it('keeps minLen in its spec, and a fixed-length task’s spec and batches as they were', () => {
    assert.equal((taskFromSpec(task.spec()) as AddingTask).minLen, 20);
    assert.equal('minLen' in new AddingTask({ seqLen: 5 }).spec(), false);
    const a = new AddingTask({ seqLen: 8 }).batch(new Rng(1), 4), c = new AddingTask({ seqLen: 8, minLen: 8 }).batch(new Rng(1), 4);
    assert.deepEqual([...a.x.data], [...c.x.data]);
    assert.equal(a.lengths, undefined);
  });

  it('refuses a minLen above seqLen, by name', () => {
    assert.throws(() => new AddingTask({ seqLen: 10, minLen: 11 }), /minLen: expected at most seqLen = 10/);
  });
});

describe('lastStep with lengths', () => {
  it('reads each row at its own last step and puts the gradient back there', () => {
    const out = new Tensor(Float64Array.from({ length: 3 * 2 }, (_, i) => i), [3, 2, 1]);
    const { last, expand } = lastStep(out, 3, 2, 1, Int32Array.from([1, 3]));
    assert.deepEqual([...last.data], [0, 5]);
    assert.deepEqual([...expand(new Tensor(Float64Array.from([7, 8]), [2, 1])).data], [7, 0, 0, 0, 0, 8]);
  });
});

describe('the trainer on padded batches', () => {
  const task = new AddingTask({ seqLen: 12, minLen: 9, dtype: 'float64' });

  it('scores a padded batch exactly as each sequence run alone at its own length', () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 5, outputSize: 1, dtype: 'float64', seed: 2 });
    const b = task.batch(new Rng(4), 6);
    const batched = evaluateOn(m, task, [b]).loss;
    let alone = 0;
    for (let j = 0; j < 6; j++) {
      const L = b.lengths![j];
      const x = new Float64Array(L * 2);
      for (let t = 0; t < L; t++) x.set(b.x.data.subarray((t * 6 + j) * 2, (t * 6 + j) * 2 + 2), t * 2);
      const y = m.forward(new Tensor(x, [L, 1, 2])).output.data[L - 1];
      alone += (y - b.target.data[j]) ** 2 / 6;
    }
    assert.ok(Math.abs(batched - alone) < 1e-12, `${batched} vs ${alone}`);
  });

  it('learns from padded batches (in 400 steps the held-out loss falls below half the memoryless baseline)', () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 8, outputSize: 1, dtype: 'float64', seed: 1 });
    const s = train(m, task, { steps: 400, batchSize: 16, seed: 0, optimizer: { kind: 'adam', lr: 1e-2 }, evalEvery: 400 });
    assert.ok(s.final.loss < 0.5 * task.baseline(), `${s.final.loss}`); // observed 0.034 against 1/6
  });

  it('refuses truncated BPTT on padded batches, naming the option', () => {
    const m = new LSTM({ inputSize: 2, hiddenSize: 3, outputSize: 1, dtype: 'float64' });
    assert.throws(() => train(m, task, { steps: 1, batchSize: 2, seed: 0, optimizer: { kind: 'sgd', lr: 1e-2 }, tbptt: { window: 4 } }), /options\.tbptt: truncated BPTT is not for padded batches/);
  });
});

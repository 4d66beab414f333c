import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { bestCheckpoint, latestCheckpoint } from '../src/io/checkpoint.js';
import { GRU, LSTM, RNN } from '../src/layers/models.js';
import { AddingTask, type AddingBatch } from '../src/tasks/adding.js';
import { CopyMemoryTask } from '../src/tasks/copy-memory.js';
import { Rng } from '../src/tensor/random.js';
import type { Task } from '../src/tasks/task.js';
import { Tensor } from '../src/tensor/tensor.js';
import { Trainer } from '../src/train/core.js';
import { train, type TrainOptions } from '../src/train/trainer.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'rnnlab-train-'));
  dirs.push(d);
  return d;
}
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const adding = new AddingTask({ seqLen: 10 });
const lstm = (seed = 1): LSTM => new LSTM({ inputSize: 2, hiddenSize: 8, outputSize: 1, seed });
const base = (o: Partial<TrainOptions> = {}): TrainOptions => ({
  steps: 20, batchSize: 16, seed: 3, optimizer: { kind: 'adam', lr: 0.01 }, clip: { norm: 1 }, evalBatches: 1, ...o,
});
const losses = (h: { loss: number }[]): number[] => h.map((e) => e.loss);
const weights = (m: LSTM | GRU | RNN): number[][] => Object.values(m.stateDict()).map((t) => Array.from(t.data));

/**
 * The adding task, but on data call k (0-based, in the order batch() is called) with poison(k) the
 * loss and its gradient come out NaN, as in a divergence. With evalBatches: 1 the held-out batch is
 * call 0, so training step s is call s (`firstCall` shifts the count, for a resumed run).
 */
function poisoned(poison: (call: number) => boolean, firstCall = 0): Task<AddingBatch> {
  let calls = firstCall;
  const bad = new WeakSet<AddingBatch>();
  return Object.assign(Object.create(adding) as AddingTask, {
    batch(rng: Parameters<AddingTask['batch']>[0], B: number): AddingBatch {
      const b = adding.batch(rng, B);
      if (poison(calls++)) bad.add(b);
      return b;
    },
    evaluate(output: Tensor, b: AddingBatch) {
      const ev = adding.evaluate(output, b);
      if (!bad.has(b)) return ev;
      return { ...ev, loss: Number.NaN, grad: new Tensor(new Float32Array(ev.grad.size).fill(Number.NaN), ev.grad.shape) };
    },
  });
}

describe('train', () => {
  it('learns the adding task (T = 10) well below the 1/6 baseline', () => {
    const s = train(lstm(), adding, base({ steps: 300, batchSize: 32, evalEvery: 50, evalBatches: 4 }));
    assert.equal(s.steps, 300);
    assert.equal(s.history.length, 300);
    assert.ok(Math.abs(s.baseline - 1 / 6) < 1e-12);
    const evals = s.history.filter((h) => h.evalLoss !== undefined).map((h) => h.evalLoss!);
    assert.equal(evals.length, 6);
    // Observed: ~0.168 at step 50 (the baseline), ~0.027 at step 300.
    assert.ok(evals[0] > 0.12, `early eval loss ${evals[0]}`);
    assert.ok(s.final.loss < 0.06, `final loss ${s.final.loss} vs baseline ${s.baseline}`);
    assert.equal(s.solved, s.final.loss < adding.solvedBelow);
    assert.match(s.final.metricName, /accuracy/);
    assert.equal(s.skippedSteps, 0);
    assert.deepEqual(s.warnings, []);
    assert.ok(s.seconds > 0);
  });

  it('same seed gives the same history step for step; another seed does not', () => {
    const a = train(lstm(), adding, base({ schedule: { kind: 'cosine', totalSteps: 20 } }));
    const b = train(lstm(), adding, base({ schedule: { kind: 'cosine', totalSteps: 20 } }));
    assert.deepEqual(losses(a.history), losses(b.history));
    assert.deepEqual(a.history.map((h) => h.gradNorm), b.history.map((h) => h.gradNorm));
    assert.deepEqual(a.history.map((h) => h.lr), b.history.map((h) => h.lr));
    assert.ok(a.history[19].lr < a.history[0].lr, 'the cosine schedule lowers the lr');
    const c = train(lstm(), adding, base({ seed: 4, schedule: { kind: 'cosine', totalSteps: 20 } }));
    assert.notDeepEqual(losses(a.history), losses(c.history));
  });

  it('resume is exact: N steps + checkpoint + resume into a fresh model = 2N steps straight', () => {
    const N = 12;
    const o = base({ schedule: { kind: 'step', stepSize: 5, gamma: 0.5 }, evalEvery: 4 });
    const straightModel = lstm();
    const straight = train(straightModel, adding, { ...o, steps: 2 * N });
    const dir = tmp();
    const first = train(lstm(), adding, { ...o, steps: N, checkpoint: { dir, every: 6, keepLast: 1 } });
    assert.deepEqual(losses(first.history), losses(straight.history.slice(0, N)));
    assert.ok(latestCheckpoint(dir)!.endsWith('step-000000012'));
    assert.ok(bestCheckpoint(dir) !== null);
    // A fresh model with different initial weights: everything must come from the checkpoint.
    const resumedModel = lstm(99);
    const resumed = train(resumedModel, adding, { ...o, steps: 2 * N, resume: dir });
    assert.deepEqual(resumed.history.map((h) => h.step), Array.from({ length: N }, (_, i) => N + i + 1));
    assert.deepEqual(losses(resumed.history), losses(straight.history.slice(N)));
    assert.deepEqual(resumed.history.map((h) => h.lr), straight.history.slice(N).map((h) => h.lr));
    assert.deepEqual(resumed.history.map((h) => h.evalLoss), straight.history.slice(N).map((h) => h.evalLoss));
    assert.deepEqual(weights(resumedModel), weights(straightModel));
    assert.equal(resumed.final.loss, straight.final.loss);
    // Resuming at the target step runs nothing, and writes no duplicate checkpoint.
    const noop = train(lstm(5), adding, { ...o, steps: N, resume: dir, checkpoint: { dir, every: 6 } });
    assert.equal(noop.history.length, 0);
    assert.equal(noop.steps, N);
    assert.equal(noop.final.loss, first.final.loss);
  });

  it('resume is exact across a divergence recovery (lr scale and counters come back too)', () => {
    const N = 12, poison = (k: number): boolean => k >= 3 && k <= 7;
    const o = base({ snapshotEvery: 2 });
    const straight = train(lstm(), poisoned(poison), { ...o, steps: 2 * N });
    assert.equal(straight.warnings.length, 1);
    const dir = tmp();
    train(lstm(), poisoned(poison), { ...o, steps: N, checkpoint: { dir, every: N } });
    const resumed = train(lstm(7), poisoned(poison, N), { ...o, steps: 2 * N, resume: dir });
    assert.deepEqual(losses(resumed.history), losses(straight.history.slice(N)));
    assert.deepEqual(resumed.history.map((h) => h.lr), straight.history.slice(N).map((h) => h.lr));
    assert.equal(resumed.lrScale, 0.5);
    assert.equal(resumed.skippedSteps, straight.skippedSteps);
  });

  it('resume is exact when a divergence recovery follows right after the resume point', () => {
    const N = 12, poison = (k: number): boolean => k >= N + 1 && k <= N + 5;
    const o = base({ snapshotEvery: 5 });
    const dir = tmp();
    const straight = train(lstm(), poisoned(poison), { ...o, steps: 2 * N, checkpoint: { dir: tmp(), every: N } });
    assert.equal(straight.warnings.length, 1);
    train(lstm(), poisoned(poison), { ...o, steps: N, checkpoint: { dir, every: N } });
    const resumedModel = lstm(7);
    const resumed = train(resumedModel, poisoned(poison, N), { ...o, steps: 2 * N, resume: dir });
    assert.deepEqual(losses(resumed.history), losses(straight.history.slice(N)));
    assert.equal(resumed.final.loss, straight.final.loss);
  });

  it('resume refuses a checkpoint of another model shape, naming the option', () => {
    const dir = tmp();
    train(lstm(), adding, base({ steps: 2, checkpoint: { dir, every: 2 } }));
    const other = new LSTM({ inputSize: 2, hiddenSize: 4, outputSize: 1 });
    assert.throws(() => train(other, adding, base({ steps: 4, resume: dir })), /options\.resume: .*does not match/);
  });

  it('truncated BPTT: window >= T is full BPTT; window < T differs but still trains', () => {
    const full = train(lstm(), adding, base({ steps: 300, batchSize: 32 }));
    const wide = train(lstm(), adding, base({ steps: 30, batchSize: 32, tbptt: { window: 10 } }));
    assert.deepEqual(losses(wide.history), losses(full.history.slice(0, 30)));
    const tb = train(lstm(), adding, base({ steps: 300, batchSize: 32, tbptt: { window: 5 } }));
    // Step 1: the same weights, and the chunked forward pass gives the same loss.
    assert.ok(Math.abs(tb.history[0].loss - full.history[0].loss) < 1e-6);
    // The gradients differ (the loss at step 9 cannot reach steps 0..4), so the runs part.
    assert.notEqual(tb.history[0].gradNorm, full.history[0].gradNorm);
    assert.notDeepEqual(losses(tb.history), losses(full.history));
    // Observed final held-out loss: ~0.027 full, ~0.038 with window 5 (baseline 0.167).
    assert.ok(full.final.loss < 0.08, `full ${full.final.loss}`);
    assert.ok(tb.final.loss < 0.08, `tbptt ${tb.final.loss}`);
    // Overlapping chunks (stride < window) run too, on a GRU.
    const gru = new GRU({ inputSize: 2, hiddenSize: 6, outputSize: 1, seed: 2 });
    const ov = train(gru, adding, base({ steps: 10, tbptt: { window: 6, stride: 3 } }));
    assert.ok(ov.history.every((h) => Number.isFinite(h.loss) && h.gradNorm > 0));
  });

  it('truncated BPTT back-propagates each step\'s loss gradient once, inside its chunk (checked by hand)', () => {
    // Copy memory (loss at every step), T = 22. With window w and stride k the chunk ends are k, 2k, ..., 22;
    // the chunk ending at e runs [max(0, e − w), e) from the detached state there and back-propagates the
    // loss gradient of its own steps [previous end, e).
    const task = new CopyMemoryTask({ delay: 2, dtype: 'float64' });
    const make = (): LSTM => new LSTM({ inputSize: task.inputSize, hiddenSize: 6, outputSize: task.outputSize, dtype: 'float64', seed: 5 });
    const o = { steps: 1, batchSize: 4, seed: 11, optimizer: { kind: 'sgd' as const, lr: 0.1 }, evalBatches: 1 };
    const full = train(make(), task, o);
    const byHand = (w: number, k: number): number => {
      const m = make();
      const batch = task.batch(new Rng(11), 4);
      const [T, B, D] = batch.x.shape, O = task.outputSize;
      const xs = (a: number, b: number): Tensor => new Tensor(batch.x.data.slice(a * B * D, b * B * D), [b - a, B, D]);
      const ev = task.evaluate(m.forward(batch.x).output, batch);
      const ends: number[] = [];
      for (let e = k; e < T; e += k) ends.push(e);
      ends.push(T);
      let own = 0;
      for (const e of ends) {
        const a = Math.max(0, e - w);
        const state = a === 0 ? {} : (({ h, c }) => ({ h, c }))(m.forward(xs(0, a)));
        const g = new Float64Array((e - a) * B * O);
        g.set(ev.grad.data.subarray(own * B * O, e * B * O), (own - a) * B * O);
        m.forward(xs(a, e), state);
        m.backward(new Tensor(g, [e - a, B, O]));
        own = e;
      }
      return Math.sqrt(m.parameters().reduce((acc, { grad }) => acc + Array.from(grad.data).reduce((x, v) => x + v * v, 0), 0));
    };
    for (const [w, k] of [[8, 8], [8, 4], [5, 2]]) {
      const tb = train(make(), task, { ...o, tbptt: { window: w, stride: k } });
      const norm = byHand(w, k);
      assert.ok(Math.abs(tb.history[0].gradNorm - norm) < 1e-12 * norm, `window ${w}, stride ${k}: ${tb.history[0].gradNorm} vs ${norm}`);
      assert.ok(Math.abs(full.history[0].gradNorm - norm) > 1e-6 * norm, 'full BPTT gives another gradient');
      assert.ok(Math.abs(tb.history[0].loss - full.history[0].loss) < 1e-12, 'the chunked forward pass gives the same loss');
    }
  });

  it('a non-finite step is skipped and counted; the weights do not move and stay finite', () => {
    const task = poisoned((k) => k === 3 || k === 7);
    const seen = new Map<number, number[][]>();
    const m = lstm();
    const s = train(m, task, base({ steps: 10, onStep: (i) => seen.set(i.step, weights(m)) }));
    assert.equal(s.skippedSteps, 2);
    assert.deepEqual(s.history.filter((h) => h.skipped).map((h) => h.step), [3, 7]);
    assert.ok(Number.isNaN(s.history[2].loss));
    assert.deepEqual(seen.get(3), seen.get(2), 'skipped step 3 left the weights alone');
    assert.notDeepEqual(seen.get(4), seen.get(3), 'step 4 trained again');
    assert.ok(weights(m).every((w) => w.every(Number.isFinite)));
    assert.deepEqual(s.warnings, []);
    assert.ok(Number.isFinite(s.final.loss));
  });

  it('after maxBadSteps bad steps in a row it restores the last good state and halves the lr', () => {
    const task = poisoned((k) => k >= 6 && k <= 10);
    const seen = new Map<number, number[][]>();
    const m = lstm();
    const infos: string[] = [];
    const s = train(m, task, base({
      steps: 12, optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 }, snapshotEvery: 2, schedule: { kind: 'step', stepSize: 1, gamma: 0.5 },
      onStep: (i) => { seen.set(i.step, weights(m)); if (i.warning) infos.push(i.warning); },
    }));
    assert.equal(s.skippedSteps, 5);
    assert.equal(s.warnings.length, 1);
    assert.match(s.warnings[0], /step 10: 5 non-finite steps in a row.*halved the lr/);
    assert.deepEqual(infos, s.warnings);
    assert.equal(s.lrScale, 0.5);
    // The schedule runs on applied updates: lr = 0.1 · 0.5^t, t = updates so far.
    assert.deepEqual(s.history.slice(0, 6).map((h) => h.lr), [0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125]);
    assert.equal(s.history[9].lr, 0.003125); // 5 updates, then skipped steps 6..10 leave t at 5
    // Step 11: back to the step-4 snapshot (optimizer state too, so t = 4), times the halved scale.
    assert.equal(s.history[10].lr, 0.5 * 0.1 * 0.5 ** 4);
    // Good steps 1..5, snapshots after good steps 2 and 4: the restore goes back to step 4's weights.
    assert.deepEqual(seen.get(10), seen.get(4));
    assert.notDeepEqual(seen.get(5), seen.get(4));
  });

  it('a real divergence (relu RNN, SGD lr 100) never reaches the weights', () => {
    const m = new RNN({ inputSize: 2, hiddenSize: 8, outputSize: 1, seed: 1, nonlinearity: 'relu' });
    const s = train(m, adding, { steps: 60, batchSize: 16, seed: 3, optimizer: { kind: 'sgd', lr: 100 }, evalBatches: 1 });
    // Observed: 35 skipped steps, 7 recoveries, lr scale 1/128, final loss ~0.17.
    assert.ok(s.skippedSteps >= 10, `skipped ${s.skippedSteps}`);
    assert.ok(s.warnings.length >= 2, `warnings ${s.warnings.length}`);
    assert.equal(s.lrScale, 0.5 ** s.warnings.length);
    assert.equal(s.history.filter((h) => h.skipped).length, s.skippedSteps);
    assert.ok(s.history.filter((h) => h.skipped).every((h) => !Number.isFinite(h.loss) || !Number.isFinite(h.gradNorm)));
    assert.ok(weights(m).every((w) => w.every(Number.isFinite)));
    assert.ok(Number.isFinite(s.final.loss));
  });

  it('early stopping stops before steps when the eval loss stops improving', () => {
    const s = train(lstm(), adding, base({ steps: 50, evalEvery: 1, earlyStopping: { patience: 2, minDelta: 1 } }));
    assert.equal(s.stoppedEarly, true);
    assert.equal(s.steps, 3); // step 1 sets the best; steps 2 and 3 do not beat it by 1
    assert.equal(s.history.length, 3);
    const none = train(lstm(), adding, base({ steps: 5, evalEvery: 1, earlyStopping: { patience: 10 } }));
    assert.equal(none.stoppedEarly, false);
    assert.equal(none.steps, 5);
  });

  it('stopWhenSolved stops at the first evaluation below task.solvedBelow and reports the step', () => {
    const easy = Object.assign(Object.create(adding) as AddingTask, { solvedBelow: 10 });
    const s = train(lstm(), easy, base({ steps: 50, evalEvery: 5, stopWhenSolved: true }));
    assert.equal(s.solvedAt, 5); // the first evaluation already beats 10
    assert.equal(s.steps, 5);
    assert.equal(s.stoppedEarly, true);
    const never = train(lstm(), adding, base({ steps: 10, evalEvery: 5, stopWhenSolved: true }));
    assert.equal(never.solvedAt, undefined);
    assert.equal(never.steps, 10);
    assert.throws(() => train(lstm(), adding, base({ stopWhenSolved: true })), /options\.stopWhenSolved: expected evalEvery/);
  });

  /** The adding task with scripted held-out losses (one per held-out evaluation, then `rest`); training batches are real. */
  const scripted = (losses: number[], rest: number): AddingTask => {
    const q = [...losses];
    const heldOut = new WeakSet<object>();
    return Object.assign(Object.create(adding) as AddingTask, {
      heldOutBatch(rng: Rng, B: number) { const b = adding.batch(rng, B); heldOut.add(b); return b; },
      evaluate(output: Tensor, b: AddingBatch) {
        const ev = adding.evaluate(output, b);
        return heldOut.has(b) ? { ...ev, loss: q.shift() ?? rest } : ev;
      },
    });
  };

  it('solvedChecks: a run stops only after that many evaluations in a row below task.solvedBelow', () => {
    const dip = scripted([0.5, 0.005, 0.5, 0.005, 0.005], 0.5);
    const s = train(lstm(), dip, base({ steps: 50, evalEvery: 2, evalBatches: 1, stopWhenSolved: true, solvedChecks: 2 }));
    assert.equal(s.solvedAt, 10); // the dip at step 4 alone does not count; steps 8 and 10 do
    assert.equal(s.steps, 10);
    const once = train(lstm(), scripted([0.5, 0.005], 0.5), base({ steps: 50, evalEvery: 2, evalBatches: 1, stopWhenSolved: true }));
    assert.equal(once.solvedAt, 4);
  });

  it('solvedChecks needs stopWhenSolved and a positive integer', () => {
    assert.throws(() => train(lstm(), adding, base({ evalEvery: 1, solvedChecks: 2 })), /options\.solvedChecks: expected stopWhenSolved/);
    assert.throws(() => train(lstm(), adding, base({ evalEvery: 1, stopWhenSolved: true, solvedChecks: 0 })), /options\.solvedChecks/);
  });

  it('the streak of solved checks is part of the trainer state, so a resumed run counts on', () => {
    const t = new Trainer(lstm(), scripted([0.005], 0.005), base({ steps: 50, evalEvery: 1, evalBatches: 1, stopWhenSolved: true, solvedChecks: 2 }));
    t.step();
    assert.equal(t.state().solvedStreak, 1);
    const m2 = lstm();
    m2.loadStateDict(t.model.stateDict());
    const t2 = Trainer.fromState(m2, scripted([0.005], 0.005), base({ steps: 50, evalEvery: 1, evalBatches: 1, stopWhenSolved: true, solvedChecks: 2 }), t.state());
    t2.step();
    assert.equal(t2.done, true);
    assert.equal(t2.summary(0).solvedAt, 2);
  });

  it('evaluates on task.heldOutBatch when the task has one, never on training batches', () => {
    const marks: string[] = [];
    const split = Object.assign(Object.create(adding) as AddingTask, {
      batch(rng: Rng, B: number) { marks.push('train'); return adding.batch(rng, B); },
      heldOutBatch(rng: Rng, B: number) { marks.push('heldOut'); return adding.batch(rng, B); },
    });
    train(lstm(), split, base({ steps: 3, evalBatches: 2, evalEvery: 1 }));
    assert.deepEqual(marks, ['heldOut', 'heldOut', 'train', 'train', 'train']);
  });

  it('checkpoints store the task spec when the task has one', () => {
    const dir = tmp();
    const described = Object.assign(Object.create(adding) as AddingTask, { spec: () => ({ kind: 'adding', seqLen: 10 }) });
    train(lstm(), described, base({ steps: 2, checkpoint: { dir, every: 2 } }));
    const manifest = JSON.parse(readFileSync(join(latestCheckpoint(dir)!, 'checkpoint.json'), 'utf8')) as { task: unknown };
    assert.deepEqual(manifest.task, { kind: 'adding', seqLen: 10 });
  });

  it('writes one parseable JSONL line per step', () => {
    const file = join(tmp(), 'log.jsonl');
    const s = train(lstm(), poisoned((k) => k === 5), base({ steps: 12, evalEvery: 4, logJsonl: file }));
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    assert.equal(lines.length, 12);
    const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(rows.map((r) => r.step), Array.from({ length: 12 }, (_, i) => i + 1));
    for (const [i, r] of rows.entries()) {
      assert.equal(typeof r.lr, 'number');
      if (i + 1 === 5) {
        assert.equal(r.skipped, true);
        assert.equal(r.loss, null); // NaN is written as null
      } else {
        assert.equal(r.loss, s.history[i].loss);
        assert.equal(r.gradNorm, s.history[i].gradNorm);
      }
      assert.equal('evalLoss' in r, (i + 1) % 4 === 0);
    }
  });

  it('rejects bad options with errors naming the option', () => {
    const m = lstm();
    const bad: Array<[Partial<TrainOptions> & Record<string, unknown>, RegExp]> = [
      [{ steps: 0 }, /options\.steps: expected an integer >= 1, got 0/],
      [{ batchSize: 2.5 }, /options\.batchSize/],
      [{ seed: Number.NaN }, /options\.seed/],
      [{ optimizer: { kind: 'lbfgs' as never, lr: 0.1 } }, /options\.optimizer\.kind: expected one of/],
      [{ optimizer: { kind: 'adam', lr: -1 } }, /options\.optimizer\.lr/],
      [{ optimizer: { kind: 'sgd', lr: 0.1, momentum: -2 } }, /options\.optimizer \(sgd\): .*momentum/],
      [{ clip: { norm: -1 } }, /options\.clip\.norm/],
      [{ tbptt: { window: 4, stride: 5 } }, /options\.tbptt\.stride/],
      [{ tbptt: { window: 0 } }, /options\.tbptt\.window/],
      [{ earlyStopping: { patience: 3 } }, /options\.earlyStopping: expected evalEvery/],
      [{ checkpoint: { dir: '', every: 5 } }, /options\.checkpoint\.dir/],
      [{ logJsonl: 7 as never }, /options\.logJsonl/],
      [{ maxBadSteps: 0 }, /options\.maxBadSteps/],
      [{ stpes: 10 }, /unknown option\(s\) stpes/],
    ];
    for (const [o, re] of bad) assert.throws(() => train(m, adding, base(o)), re, JSON.stringify(o));
    const wrongHead = new LSTM({ inputSize: 2, hiddenSize: 4, outputSize: 3 });
    assert.throws(() => train(wrongHead, adding, base()), /model\.outputSize: expected a head of size 1/);
    assert.throws(() => train(m, adding, base({ resume: join(tmp(), 'nothing-here') })), /nothing-here/);
    assert.ok(!existsSync(join(tmpdir(), 'nothing-here')));
  });
});

describe('train: files', () => {
  it('creates the JSONL log’s folder when it does not exist yet', () => {
    const path = join(tmp(), 'nested', 'deeper', 'log.jsonl');
    train(lstm(), adding, base({ steps: 3, logJsonl: path }));
    assert.equal(readFileSync(path, 'utf8').trim().split('\n').length, 3);
  });
});

/**
 * The page's side of a Check (web/src/exercise-grading.ts), in Node with a stand-in for the browser's
 * Worker: a report comes through as the worker sent it, a worker that never answers is stopped at the
 * time limit, and one that fails is a failed check; every way ends the worker.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { ExerciseReport } from '../src/exercises/types.js';
import { gradeInPage } from '../web/src/exercise-grading.js';

/** The members of a Worker that gradeInPage uses; `last` is the one it created. */
class FakeWorker {
  static last: FakeWorker | null = null;
  onmessage: ((e: { data: unknown }) => void) | null = null;
  onerror: ((e: { message: string; preventDefault(): void }) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  posted: unknown[] = [];
  terminated = false;
  constructor(readonly url: URL, readonly options: { type: string }) {
    FakeWorker.last = this;
  }
  postMessage(m: unknown): void { this.posted.push(m); }
  terminate(): void { this.terminated = true; }
}

const sources = { 'b1-rnn-cell.ts': 'export class RNNCell {}' };

describe('grading in the page', () => {
  const saved = (globalThis as { Worker?: unknown }).Worker;
  beforeEach(() => { (globalThis as { Worker?: unknown }).Worker = FakeWorker; });
  afterEach(() => { (globalThis as { Worker?: unknown }).Worker = saved; });

  it('sends the exercise, all the sources and the seed to a module worker, and passes its report through', async () => {
    const report: ExerciseReport = { id: 'B1', passed: true, checks: [{ name: 'x', passed: true, message: 'fine' }] };
    const g = gradeInPage('B1', sources, { timeoutS: 5, seed: 3 });
    const w = FakeWorker.last!;
    assert.equal(w.options.type, 'module');
    assert.match(w.url.pathname, /exercises-worker\.ts$/);
    assert.deepEqual(w.posted, [{ id: 'B1', sources, seed: 3 }]);
    w.onmessage!({ data: { type: 'done', report } });
    assert.deepEqual(await g.report, report);
    assert.equal(w.terminated, true);
  });

  it('stops a worker that does not answer in time, as a failed "finishes in time" check', async () => {
    const g = gradeInPage('B2', sources, { timeoutS: 0.05 });
    const r = await g.report;
    assert.deepEqual(r.checks.map((c) => [c.name, c.passed]), [['finishes in time', false]]);
    assert.match(r.checks[0]!.message, /^grading B2 took longer than 0.05 s, so it was stopped/);
    assert.equal(FakeWorker.last!.terminated, true);
  });

  it('reports a worker error as a failed "runs without crashing" check with its message', async () => {
    const g = gradeInPage('B3', sources, { timeoutS: 5 });
    let prevented = false;
    FakeWorker.last!.onerror!({ message: 'Uncaught RangeError: Maximum call stack size exceeded', preventDefault: () => { prevented = true; } });
    const r = await g.report;
    assert.equal(r.passed, false);
    assert.equal(r.checks[0]!.name, 'runs without crashing');
    assert.match(r.checks[0]!.message, /Maximum call stack size exceeded/);
    assert.equal(prevented, true, 'not also an uncaught error on the page');
  });

  it('reports a grader that could not run as a failed "grader" check', async () => {
    const g = gradeInPage('B4', sources, { timeoutS: 5 });
    FakeWorker.last!.onmessage!({ data: { type: 'error', message: 'sucrase failed' } });
    assert.deepEqual((await g.report).checks, [{ name: 'grader', passed: false, message: 'the grader could not run: sucrase failed' }]);
  });
});

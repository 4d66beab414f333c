/**
 * `rnnlab check`, the runner around the grader: it reads the workbook, grades each exercise in a worker
 * with a time limit, and prints the report (text or the fixed JSON) with exit code 0 only when every
 * selected exercise passes. The grader's own judgements are tested in test/exercises-grader.test.ts.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { gradeInWorker, readWorkbook } from '../src/cli/check.js';
import { EXERCISE_FILES, type CheckReport } from '../src/exercises/types.js';
import { runRnnlab } from './helpers/cli.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const solutions = join(root, 'exercises', 'solutions');
const dirs: string[] = [];
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'rnnlab-check-')); dirs.push(d); return d; };
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const cli = (...args: string[]) => runRnnlab(args, 120_000);

/** A workbook holding rnnlab's own solutions. */
function solvedWorkbook(): string {
  const d = tmp();
  for (const f of Object.values(EXERCISE_FILES)) copyFileSync(join(solutions, `${f}.ts`), join(d, `${f}.ts`));
  return d;
}

describe('rnnlab check', () => {
  it('passes rnnlab’s own solutions with exit code 0 and prints the fixed JSON shape', () => {
    const r = cli('check', solvedWorkbook(), 'B1', 'B3', '--json');
    assert.equal(r.status, 0, r.stderr + r.stdout);
    const report = JSON.parse(r.stdout) as CheckReport;
    assert.deepEqual(Object.keys(report), ['exercises']);
    assert.deepEqual(report.exercises.map((e) => e.id), ['B1', 'B3']);
    for (const e of report.exercises) {
      assert.deepEqual(Object.keys(e), ['id', 'passed', 'checks']);
      assert.equal(e.passed, true);
      for (const c of e.checks) assert.deepEqual(Object.keys(c), ['name', 'passed', 'message']);
    }
  });

  it('exits 1 and says NOT YET for the untouched stubs', () => {
    const d = tmp();
    for (const f of Object.values(EXERCISE_FILES)) copyFileSync(join(root, 'exercises', 'stubs', `${f}.ts`), join(d, `${f}.ts`));
    const r = cli('check', d, 'B1');
    assert.equal(r.status, 1);
    assert.match(r.stdout, /B1 \(b1-rnn-cell\): NOT YET/);
    assert.match(r.stdout, /not implemented/);
  });

  it('a workbook directory that does not exist is an error naming it and how to make one', () => {
    const r = cli('check', '/nonexistent/workbook');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /DIR \/nonexistent\/workbook: cannot read the workbook directory \(no such file\); create one with `rnnlab exercises init/);
  });

  it('an unknown exercise id is an error listing the ids', () => {
    const r = cli('check', solvedWorkbook(), 'B9');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /exercise: expected one of B1, B2, B3, B4, B5, got 'B9'/);
  });

  it('code that never returns fails "finishes in time" instead of hanging the grader', async () => {
    const d = solvedWorkbook();
    writeFileSync(join(d, 'b3-clip.ts'), 'export function clipGradients(grads: number[][], maxNorm: number) { for (;;) {} }\n');
    const t0 = performance.now();
    const r = await gradeInWorker('B3', readWorkbook(d), { timeout: 1, seed: 0 });
    assert.ok(performance.now() - t0 < 10_000);
    assert.equal(r.passed, false);
    assert.equal(r.checks[0].name, 'finishes in time');
    assert.match(r.checks[0].message, /longer than 1 s/);
  });

  it('code that exhausts the memory fails "runs without crashing", and the next exercise is still graded', async () => {
    const d = solvedWorkbook();
    writeFileSync(join(d, 'b3-clip.ts'), 'export function clipGradients() { const a: number[][] = []; for (;;) a.push(new Array(1e6).fill(1)); }\n');
    const r = await gradeInWorker('B3', readWorkbook(d), { timeout: 60, seed: 0 });
    assert.equal(r.passed, false);
    assert.equal(r.checks[0].name, 'runs without crashing');
    assert.match(r.checks[0].message, /memory/);
    const next = await gradeInWorker('B1', readWorkbook(d), { timeout: 60, seed: 0 });
    assert.equal(next.passed, true);
  });

  it('the learner’s console output does not reach --json', () => {
    const d = solvedWorkbook();
    writeFileSync(join(d, 'b1-rnn-cell.ts'), `console.log('hello from B1');\n${readWorkbook(solutions)['b1-rnn-cell.ts']}`);
    const r = cli('check', d, 'B1', '--json');
    assert.doesNotThrow(() => JSON.parse(r.stdout));
    assert.doesNotMatch(r.stdout, /hello from B1/);
  });

  it('refuses a workbook file larger than 1 MiB before reading it', () => {
    const d = tmp();
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'b1-rnn-cell.ts'), Buffer.alloc((1 << 20) + 1, 32));
    assert.throws(() => readWorkbook(d), /workbook file .*b1-rnn-cell\.ts: expected at most 1048576 bytes, got a file of 1048577 bytes/);
  });
});

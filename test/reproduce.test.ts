import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { renderFromResults, runReproduce, selectRows } from '../src/cli/reproduce.js';
import { verdict } from '../src/experiments/reproductions-md.js';
import { reproductionRows, rowId, runReproduction, type ReproResult } from '../src/experiments/reproductions.js';

const dirs: string[] = [];
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'rnnlab-repro-')); dirs.push(d); return d; };
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

describe('reproductions table', () => {
  it('the full table covers adding at T = 50, 100, 200 for tanh RNN, IRNN, LSTM and GRU, temporal order at 50 and 100, and copy for LSTM vs RNN', () => {
    const ids = reproductionRows().map(rowId);
    for (const T of [50, 100, 200]) for (const m of ['tanh-rnn', 'irnn', 'lstm', 'gru']) assert.ok(ids.includes(`adding-T${T}-${m}`), `adding-T${T}-${m}`);
    for (const T of [50, 100]) assert.ok(ids.includes(`temporal-order-T${T}-lstm`));
    assert.ok(ids.includes('copy-T100-lstm') && ids.includes('copy-T100-tanh-rnn'));
    for (const r of reproductionRows()) assert.ok(r.hidden >= 16 && r.hidden <= 32, `${rowId(r)}: hidden ${r.hidden}`);
  });

  it('a row is deterministic: the same row twice gives the same test loss', () => {
    const row = reproductionRows(true)[0];
    const a = runReproduction(row), b = runReproduction(row);
    assert.equal(a.testLoss, b.testLoss);
    assert.ok(Number.isFinite(a.testLoss) && a.testLoss > 0);
  });

  it('the verdict agrees or differs according to the measured outcome and the paper’s claim', () => {
    const row = { ...reproductionRows()[2] }; // adding-T50-lstm: the paper says it solves
    const res = (solved: boolean): ReproResult => ({
      row, params: 1, testLoss: solved ? 0.001 : 0.16, testMetric: 0, metricName: 'm', baseline: 1 / 6,
      solvedBelow: 0.01, solved, stepsRun: 10, seconds: 1,
    });
    assert.match(verdict(res(true)), /^\*\*agrees\*\*/);
    assert.match(verdict(res(false)), /^\*\*differs\*\*/);
    assert.match(verdict({ ...res(false), solvedAt: 450, testLoss: 0.012 }), /^\*\*borderline\*\*: not solved on the test set \(0\.0120 ≥ 0\.01\), though the held-out check passed at step 450/);
    row.expect = { outcome: 'none', says: 'no claim' };
    assert.doesNotMatch(verdict(res(true)), /agrees|differs/);
  });

  it('--only with an unknown row id is an error listing the rows', () => {
    assert.throws(() => selectRows(reproductionRows(), ['adding-T7-lstm']), /--only: unknown row "adding-T7-lstm" \(rows: adding-T50-tanh-rnn/);
    assert.deepEqual(selectRows(reproductionRows(), ['copy-T100-lstm']).map(rowId), ['copy-T100-lstm']);
  });

  it('smoke: `reproduce --quick` trains every quick row in worker threads and writes the table and the JSON from the same numbers', async () => {
    const dir = tmp();
    const out = join(dir, 'reproductions.md'), results = join(dir, 'r.json');
    const lines: string[] = [];
    const res = await runReproduce({ quick: true, jobs: 2, out, results, json: false }, (l) => lines.push(l));
    assert.equal(res.length, reproductionRows(true).length);
    const md = readFileSync(out, 'utf8');
    const json = JSON.parse(readFileSync(results, 'utf8')) as { results: ReproResult[] };
    assert.equal(json.results.length, res.length);
    for (const r of json.results) {
      assert.ok(Number.isFinite(r.testLoss));
      assert.ok(md.includes(`| ${r.row.T} | ${r.row.model} | ${r.params} |`), `${rowId(r.row)} has its row in the table`);
    }
    assert.match(md, /## Adding problem/);
    assert.match(md, /quick smoke version/);
    assert.ok(lines.some((l) => l.startsWith('[done 4/4]')));
    // --from: the same table again, from the results file alone.
    const again = join(dir, 'again.md');
    renderFromResults(results, again);
    assert.equal(readFileSync(again, 'utf8'), md);
    assert.throws(() => renderFromResults(out, again), /--from .*reproductions\.md: /);
  });
});

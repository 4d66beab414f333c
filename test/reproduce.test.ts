import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { renderFromResults, renderFromRunLog, runReproduce, selectRows } from '../src/cli/reproduce.js';
import { verdict } from '../src/experiments/reproductions-md.js';
import { reproductionRows, rowId } from '../src/experiments/reproduction-rows.js';
import { planNext, runJob, summarize, type ReproJob, type ReproResult, type ReproRow, type ReproRun } from '../src/experiments/reproductions.js';

const dirs: string[] = [];
const tmp = (): string => { const d = mkdtempSync(join(tmpdir(), 'rnnlab-repro-')); dirs.push(d); return d; };
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

const full = reproductionRows();
const byId = (id: string): ReproRow => {
  const r = full.find((x) => x.id === id);
  assert.ok(r, `row ${id}`);
  return r;
};
/** A finished run of `job` (no training): solved or not, solved at `at`. */
const ran = (job: ReproJob, solved: boolean, at = 500): ReproRun => ({
  ...job, solvedAt: solved ? at : undefined, stepsRun: solved ? at : 3000, testLoss: solved ? 0.001 : 0.16, testMetric: 0, solved,
  paperMetric: 0, skippedSteps: 0, seconds: 1,
});

describe('reproductions table', () => {
  it('covers adding at T = 50, 100, 200 and 400 for the tanh RNN, Le et al.’s IRNN, the LSTM with forget bias 1 and 3, and the GRU', () => {
    for (const T of [50, 100, 200, 400]) for (const m of ['tanh-rnn', 'irnn', 'lstm-b1', 'lstm-b3', 'gru']) byId(`adding-T${T}-${m}`);
  });

  it('covers temporal order at T = 50 and 100 (LSTM bias 1 and 3, GRU, tanh RNN) and copy at T = 100 (LSTM with H ≥ 64, tanh RNN)', () => {
    for (const T of [50, 100]) for (const m of ['tanh-rnn', 'lstm-b1', 'lstm-b3', 'gru']) byId(`temporal-order-T${T}-${m}`);
    assert.ok(byId('copy-T100-lstm-b3').hidden >= 64);
    byId('copy-T100-tanh-rnn');
  });

  it('every row has at least 3 seeds, an lr sweep and a unique id', () => {
    for (const r of full) {
      assert.ok(r.seeds.length >= 3, `${r.id}: ${r.seeds.length} seeds`);
      assert.ok(r.lrSweep.length >= 1 && !r.lrSweep.includes(r.lr), `${r.id}: sweep ${r.lrSweep}`);
    }
    assert.equal(new Set(full.map(rowId)).size, full.length);
  });

  it('the IRNN row is Le et al.’s: W_hh = I, zero biases, ReLU, plain SGD, 100 units', () => {
    const r = byId('adding-T200-irnn');
    assert.deepEqual(r.init, { weightHh: 'identity', bias: 'zeros' });
    assert.equal(r.nonlinearity, 'relu');
    assert.equal(r.optimizer, 'sgd');
    assert.equal(r.hidden, 100);
  });

  it('the ledger gives H&S’s budgets: 74,000 sequences for adding at T = 100, 31,390 for temporal order', () => {
    assert.equal(byId('adding-T100-lstm-b3').paper.sequences, 74_000);
    assert.equal(byId('temporal-order-T100-lstm-b1').paper.sequences, 31_390);
  });
});

describe('the protocol (planNext, summarize)', () => {
  const r = byId('adding-T100-lstm-b1');
  const seedJobs = (): ReproJob[] => planNext(r, []);

  it('a row starts with every seed at its own lr', () => {
    assert.deepEqual(seedJobs(), r.seeds.map((seed) => ({ seed, lr: r.lr, phase: 'seeds' })));
  });

  it('a row with a solved seed is complete', () => {
    const runs = seedJobs().map((j, i) => ran(j, i === 1));
    assert.deepEqual(planNext(r, runs), []);
    const s = summarize(r, runs, 1);
    assert.equal(s.solvedSeeds, 1);
    assert.equal(s.lr, r.lr);
    assert.equal(s.medianSteps, 500);
  });

  it('a row with no solved seed sweeps the lr on its first seed', () => {
    const runs = seedJobs().map((j) => ran(j, false));
    assert.deepEqual(planNext(r, runs), r.lrSweep.map((lr) => ({ seed: r.seeds[0], lr, phase: 'sweep' })));
  });

  it('a sweep that solves runs the other seeds at the swept lr that solved soonest, and the row reports that lr', () => {
    const runs = seedJobs().map((j) => ran(j, false));
    const sweep = planNext(r, runs);
    runs.push(ran(sweep[0], true, 900), ran(sweep[1], true, 400));
    const confirm = planNext(r, runs);
    assert.deepEqual(confirm, r.seeds.slice(1).map((seed) => ({ seed, lr: sweep[1].lr, phase: 'confirm' })));
    runs.push(ran(confirm[0], true, 600), ran(confirm[1], false));
    assert.deepEqual(planNext(r, runs), []);
    const s = summarize(r, runs, 1);
    assert.equal(s.lr, sweep[1].lr);
    assert.equal(s.reported.length, r.seeds.length);
    assert.equal(s.solvedSeeds, 2);
    assert.equal(s.medianSteps, 500);
  });

  it('a diverged run (NaN loss, or null after JSON) counts as +∞ in the medians', () => {
    const runs = seedJobs().map((j, i) => ({ ...ran(j, i === 0), testLoss: [0.002, Number.NaN, null as unknown as number][i] }));
    assert.equal(summarize(r, runs, 1).medianTestLoss, Infinity);
    runs[2].testLoss = 0.1;
    assert.equal(summarize(r, runs, 1).medianTestLoss, 0.1);
  });

  it('a sweep that solves nothing ends the row as a failure at its own lr', () => {
    const runs = seedJobs().map((j) => ran(j, false));
    for (const j of planNext(r, runs)) runs.push(ran(j, false));
    assert.deepEqual(planNext(r, runs), []);
    const s = summarize(r, runs, 1);
    assert.equal(s.solvedSeeds, 0);
    assert.equal(s.lr, r.lr);
    assert.equal(s.medianSteps, undefined);
    assert.equal(s.sequencesSeen, 3000 * r.batch);
  });
});

describe('the verdict against the paper', () => {
  const result = (id: string, solved: number, loss = 0.16): ReproResult => {
    const r = byId(id);
    const runs = r.seeds.map((seed, i) => ({ ...ran({ seed, lr: r.lr, phase: 'seeds' }, i < solved), testLoss: loss }));
    return { ...summarize(r, runs, 1), baseline: 0.1733 };
  };

  it('agrees when the paper says it solves and a seed solved, and differs when none did', () => {
    assert.match(verdict(result('adding-T100-lstm-b3', 2)), /^\*\*agrees\*\*: solved by 2\/3 seeds/);
    assert.match(verdict(result('adding-T100-lstm-b3', 0)), /^\*\*differs\*\*: solved by 0\/3 seeds/);
  });

  it('a failure names both budgets when ours was the smaller', () => {
    const r = result('adding-T100-lstm-b3', 0);
    const bigger = { ...r, row: { ...r.row, paper: { ...r.row.paper, sequences: 1_000_000 } } };
    assert.match(verdict(bigger), new RegExp(`Our runs saw ${(3000 * r.row.batch).toLocaleString('en-US')} sequences, the paper's 1,000,000\\.`));
    assert.doesNotMatch(verdict(r), /Our runs saw/); // 3000 steps of 32 is more than H&S's 74,000
  });

  it('a copy row beats the baseline when its median loss is below 95 % of it', () => {
    assert.match(verdict(result('copy-T100-lstm-b3', 0, 0.1)), /^\*\*agrees\*\*: median loss 0\.5770× the baseline/);
    assert.match(verdict(result('copy-T100-lstm-b3', 0, 0.17)), /^\*\*differs\*\*/);
    assert.match(verdict(result('copy-T100-tanh-rnn', 0, 0.17)), /^\*\*agrees\*\*/);
  });

  it('a row whose paper makes no comparable claim gets no agrees or differs', () => {
    assert.doesNotMatch(verdict(result('temporal-order-T50-tanh-rnn', 0)), /agrees|differs/);
  });
});

describe('rnnlab reproduce', () => {
  it('--only with an unknown row id is an error listing the rows', () => {
    assert.throws(() => selectRows(full, ['adding-T7-lstm']), /--only: unknown row "adding-T7-lstm" \(rows: adding-T50-tanh-rnn/);
    assert.deepEqual(selectRows(full, ['copy-T100-lstm-b3']).map(rowId), ['copy-T100-lstm-b3']);
  });

  it('a run is deterministic: the same job twice gives the same verdict loss', () => {
    const row = reproductionRows(true)[0];
    const job: ReproJob = { seed: 0, lr: row.lr, phase: 'seeds' };
    const a = runJob(row, job), b = runJob(row, job);
    assert.equal(a.testLoss, b.testLoss);
    assert.ok(Number.isFinite(a.testLoss) && a.testLoss > 0);
  });

  it('smoke: `reproduce --quick` runs every quick row’s jobs in worker threads and writes the table and the JSON from the same numbers', async () => {
    const dir = tmp();
    const out = join(dir, 'reproductions.md'), results = join(dir, 'r.json');
    const lines: string[] = [];
    const res = await runReproduce({ quick: true, jobs: 2, out, results, json: false }, (l) => lines.push(l));
    assert.equal(res.length, reproductionRows(true).length);
    const md = readFileSync(out, 'utf8');
    const json = JSON.parse(readFileSync(results, 'utf8')) as { results: ReproResult[] };
    assert.equal(json.results.length, res.length);
    for (const r of json.results) {
      assert.deepEqual(r.runs.map((x) => x.phase).slice(0, r.row.seeds.length), r.row.seeds.map(() => 'seeds'));
      assert.ok(md.includes(`| ${r.row.T} | ${r.row.model} | ${r.params} | ${r.solvedSeeds}/${r.reported.length} |`), `${r.row.id} has its row in the table`);
      for (const x of r.runs) assert.ok(md.includes(`| ${r.row.id} | ${x.seed} | ${x.lr} | ${x.phase} |`), `${r.row.id} seed ${x.seed} lr ${x.lr} is listed`);
    }
    assert.match(md, /## Adding problem/);
    assert.match(md, /quick smoke version/);
    assert.equal(lines.filter((l) => l.startsWith('[row done]')).length, res.length);
    // --from: the same table again, from the results file alone.
    const again = join(dir, 'again.md');
    renderFromResults(results, again);
    assert.equal(readFileSync(again, 'utf8'), md);
    assert.throws(() => renderFromResults(out, again), /--from .*reproductions\.md: /);
    // --from the run log: the same rows, none unfinished.
    const fromLog = join(dir, 'from-log.md');
    const partial = renderFromRunLog(`${results}.runs.jsonl`, fromLog, true);
    assert.deepEqual(partial.unfinished, []);
    assert.equal(partial.results.length, res.length);
    // A log that lacks a row's last run: that row is listed as unfinished, the others are rendered.
    const logLines = readFileSync(`${results}.runs.jsonl`, 'utf8').trim().split('\n');
    const cut = join(dir, 'cut.runs.jsonl');
    writeFileSync(cut, `${logLines.slice(0, -1).join('\n')}\n`);
    const some = renderFromRunLog(cut, fromLog, true);
    assert.equal(some.unfinished.length, 1);
    assert.equal(some.results.length, res.length - 1);
    assert.ok(readFileSync(fromLog, 'utf8').includes('`' + some.unfinished[0] + '`'), 'the unfinished row is named');
    assert.match(readFileSync(fromLog, 'utf8'), /\*\*Unfinished: /);
    // --resume: every run was logged as it finished, so a second invocation trains nothing and gives the same table.
    const relog: string[] = [];
    await runReproduce({ quick: true, jobs: 2, out: again, results, json: false, resume: true }, (l) => relog.push(l));
    assert.equal(relog.filter((l) => l.startsWith('[run]')).length, 0);
    assert.ok(relog.filter((l) => l.startsWith('[reused]')).length >= res.length);
    assert.equal(readFileSync(again, 'utf8').replace(/\d+ min wall-clock/, ''), md.replace(/\d+ min wall-clock/, ''));
  });
});

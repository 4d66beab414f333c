/**
 * `rnnlab reproduce`: trains every row of the reproductions table (src/experiments/reproductions.ts) in
 * worker threads, `--jobs` at a time, and writes docs/reproductions.md and the raw results as JSON.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { writeFileAtomic } from '../io/atomic.js';
import { reproductionsMarkdown } from '../experiments/reproductions-md.js';
import { reproductionRows, rowId } from '../experiments/reproduction-rows.js';
import { parameterCount, planNext, runJob, summarize, type ReproJob, type ReproResult, type ReproRow, type ReproRun } from '../experiments/reproductions.js';
import { readFileSync } from 'node:fs';
import { lineAppender, readJsonLines } from '../io/jsonl.js';
import { ensureDir } from '../io/files.js';
import { dirname, resolve } from 'node:path';
import { positiveInt } from './args.js';
import { workerSource } from './worker.js';

export interface ReproduceOptions {
  quick: boolean;
  /** Row ids to run (default: all). */
  only?: string[];
  jobs: number;
  /** The markdown file. */
  out: string;
  /** The JSON results file. */
  results: string;
  json: boolean;
  /** Reuse the runs an earlier, unfinished invocation logged next to `results` (same rows, same settings). */
  resume?: boolean;
}

export const reproduceDefaults: ReproduceOptions = {
  quick: false, jobs: Math.max(1, Math.min(2, availableParallelism())), out: 'docs/reproductions.md', results: 'out/reproductions.json', json: false,
};

interface WorkerInput { kind: 'rnnlab-reproduce'; row: ReproRow; job: ReproJob }
type WorkerMessage = { type: 'done'; run: ReproRun } | { type: 'error'; message: string };

if (!isMainThread && (workerData as WorkerInput | null)?.kind === 'rnnlab-reproduce') {
  const { row, job } = workerData as WorkerInput;
  const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
  try {
    post({ type: 'done', run: runJob(row, job) });
  } catch (e) {
    post({ type: 'error', message: (e as Error)?.message ?? String(e) });
  }
}

function runInWorker(row: ReproRow, job: ReproJob): Promise<ReproRun> {
  return new Promise((resolvePromise, reject) => {
    const worker = new Worker(workerSource(import.meta.url), { eval: true, workerData: { kind: 'rnnlab-reproduce', row, job } satisfies WorkerInput });
    let settled = false;
    worker.on('message', (m: WorkerMessage) => {
      settled = true;
      if (m.type === 'done') resolvePromise(m.run);
      else reject(new Error(`${row.id} (seed ${job.seed}, lr ${job.lr}): ${m.message}`));
      void worker.terminate();
    });
    worker.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
    worker.on('exit', (code) => { if (!settled) { settled = true; reject(new Error(`${row.id}: the worker stopped (exit code ${code})`)); } });
  });
}

/** The rows `--only` picks, in table order; an unknown id is an error listing the known ones. */
export function selectRows(rows: ReproRow[], only: string[] | undefined): ReproRow[] {
  if (only === undefined) return rows;
  const ids = rows.map(rowId);
  for (const id of only) {
    if (!ids.includes(id)) throw new RangeError(`--only: unknown row "${id}" (rows: ${ids.join(', ')})`);
  }
  return rows.filter((r) => only.includes(rowId(r)));
}

/** Writes the markdown table (atomically) from results already computed. */
export function writeReproductions(out: string, results: ReproResult[], meta: { command: string; quick: boolean; date?: string; wallSeconds?: number; unfinished?: string[] }): void {
  const seconds = results.reduce((s, r) => s + r.seconds, 0);
  const md = reproductionsMarkdown(results, {
    command: meta.command, date: meta.date ?? new Date().toISOString().slice(0, 10), seconds, wallSeconds: meta.wallSeconds, quick: meta.quick, unfinished: meta.unfinished,
  });
  ensureDir(dirname(resolve(out)), '--out');
  writeFileAtomic(out, md);
}

/** Re-renders the table from a results file that `rnnlab reproduce` wrote (no training). */
export function renderFromResults(file: string, out: string): ReproResult[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RangeError(`--from ${file}: ${(e as Error).message}`);
  }
  const p = parsed as { command?: unknown; date?: unknown; wallSeconds?: unknown; results?: unknown };
  const ok = typeof p?.command === 'string' && Array.isArray(p.results) && p.results.length > 0
    && (p.results as unknown[]).every((r) => Array.isArray((r as { runs?: unknown })?.runs));
  if (!ok) throw new RangeError(`--from ${file}: expected the JSON that rnnlab reproduce writes ({command, results: [{row, runs, ...}]})`);
  // The rows' summaries are computed again from their runs, so a table re-rendered by newer code is that code's.
  const results = (p.results as ReproResult[]).map((r) => summarize(r.row, r.runs, r.params));
  const command = p.command as string;
  writeReproductions(out, results, {
    command, quick: command.includes('--quick'), date: typeof p.date === 'string' ? p.date : undefined,
    wallSeconds: typeof p.wallSeconds === 'number' ? p.wallSeconds : undefined,
  });
  return results;
}

/**
 * Renders the table from the run log of an invocation that has not finished (or was killed): every row
 * whose runs are all logged, by the protocol's own plan, and the list of the rows still missing.
 */
export function renderFromRunLog(file: string, out: string, quick: boolean): { results: ReproResult[]; unfinished: string[] } {
  const logged = loggedRuns(file);
  if (logged.size === 0) throw new RangeError(`--from ${file}: expected the run log rnnlab reproduce writes (<results>.runs.jsonl), found no runs in it`);
  const results: ReproResult[] = [], unfinished: string[] = [];
  for (const row of reproductionRows(quick)) {
    const runs: ReproRun[] = [];
    let complete = true;
    for (let jobs = planNext(row, runs); jobs.length > 0; jobs = planNext(row, runs)) {
      const found = jobs.map((j) => logged.get(runKey(row, j)));
      if (found.some((r) => r === undefined)) { complete = false; break; }
      runs.push(...(found as ReproRun[]));
    }
    if (complete) results.push(summarize(row, runs, parameterCount(row)));
    else unfinished.push(row.id);
  }
  if (results.length === 0) throw new RangeError(`--from ${file}: no row has all its runs in the log yet`);
  writeReproductions(out, results, { command: `rnnlab reproduce${quick ? ' --quick' : ''} (rendered from its run log, ${unfinished.length} of ${results.length + unfinished.length} rows unfinished)`, quick, unfinished });
  return { results, unfinished };
}

/** Every finished run is appended here (one JSON line), so a run that dies loses nothing: --resume reads it. */
export function runLogPath(results: string): string {
  return `${results}.runs.jsonl`;
}

/** What identifies a run across invocations: the row's every setting, and the job. */
function runKey(row: ReproRow, job: ReproJob): string {
  return JSON.stringify([row, job.seed, job.lr, job.phase]);
}

/** The runs an earlier invocation logged, by key; a torn last line (a kill mid-write) is skipped. */
function loggedRuns(file: string): Map<string, ReproRun> {
  const out = new Map<string, ReproRun>();
  for (const e of readJsonLines(file) as { key?: unknown; run?: unknown }[]) {
    if (typeof e?.key === 'string' && e.run !== null && typeof e.run === 'object') out.set(e.key, e.run as ReproRun);
  }
  return out;
}

/**
 * Runs every job of the selected rows on `jobs` worker threads. A row's next jobs (its lr sweep, then
 * the sweep's other seeds) are planned by planNext when its last job in flight finishes, so the pool
 * stays full while rows are at different phases.
 */
export async function runReproduce(o: ReproduceOptions, log: (line: string) => void = console.error): Promise<ReproResult[]> {
  const rows = selectRows(reproductionRows(o.quick), o.only);
  const t0 = performance.now();
  ensureDir(dirname(resolve(o.results)), '--results');
  const logFile = runLogPath(o.results);
  const done = o.resume ? loggedRuns(logFile) : new Map<string, ReproRun>();
  if (!o.resume) writeFileAtomic(logFile, '');
  else log(`resuming: ${done.size} runs already logged in ${logFile}`);
  const appendRun = lineAppender(logFile, '--results');
  const runs: ReproRun[][] = rows.map(() => []);
  const inFlight = rows.map(() => 0);
  const results: ReproResult[] = new Array(rows.length);
  const queue: { i: number; job: ReproJob }[] = [];
  const plan = (i: number): void => {
    const next = planNext(rows[i], runs[i]);
    if (next.length === 0) {
      results[i] = summarize(rows[i], runs[i], parameterCount(rows[i]));
      const r = results[i];
      const steps = r.medianSteps !== undefined ? `, median ${r.medianSteps} steps` : '';
      log(`[row done] ${rows[i].id}: solved ${r.solvedSeeds}/${r.reported.length} at lr ${r.lr}${steps} (${results.filter(Boolean).length}/${rows.length} rows)`);
    }
    for (const job of next) queue.push({ i, job });
  };
  // The longest sequences first, so the slowest rows do not start last and leave one lane idle.
  rows.map((r, i) => ({ i, cost: r.T })).sort((a, b) => b.cost - a.cost).forEach(({ i }) => plan(i));
  let waiting: (() => void)[] = [];
  const wake = (): void => { const w = waiting; waiting = []; for (const f of w) f(); };
  const lane = async (): Promise<void> => {
    for (;;) {
      const item = queue.shift();
      if (item === undefined) {
        if (inFlight.every((n) => n === 0)) { wake(); return; }
        await new Promise<void>((r) => waiting.push(r));
        continue;
      }
      const { i, job } = item;
      inFlight[i]++;
      try {
        const key = runKey(rows[i], job);
        let run = done.get(key);
        const reused = run !== undefined;
        if (run === undefined) {
          // One retry: a worker that fails to start (a busy machine, a file being replaced) is not a result.
          run = await runInWorker(rows[i], job).catch((e: unknown) => {
            log(`[retry] ${rows[i].id} seed ${job.seed} lr ${job.lr}: ${(e as Error).message}`);
            return runInWorker(rows[i], job);
          });
          appendRun(`${JSON.stringify({ key, run })}\n`);
        }
        runs[i].push(run);
        const how = run.solvedAt !== undefined ? `checks passed at step ${run.solvedAt}` : `no pass in ${run.stepsRun} steps`;
        log(`[${reused ? 'reused' : 'run'}] ${rows[i].id} seed ${job.seed} lr ${job.lr} (${job.phase}): ${how}, verdict loss ${run.testLoss.toPrecision(4)}${run.solved ? ' (solved)' : ''}, ${run.seconds.toFixed(1)} s`);
      } finally {
        inFlight[i]--;
      }
      if (inFlight[i] === 0 && !queue.some((q) => q.i === i)) plan(i);
      wake();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, lane));
  const wallSeconds = (performance.now() - t0) / 1000;
  const command = `rnnlab reproduce${o.quick ? ' --quick' : ''}${o.only ? ` --only ${o.only.join(',')}` : ''}`;
  const date = new Date().toISOString().slice(0, 10);
  writeReproductions(o.out, results, { command, quick: o.quick, date, wallSeconds });
  writeFileAtomic(o.results, `${JSON.stringify({ command, date, wallSeconds, jobs: o.jobs, results }, null, 1)}\n`);
  log(`wrote ${o.out} and ${o.results} (${wallSeconds.toFixed(1)} s wall)`);
  return results;
}

function idList(value: string): string[] {
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (ids.length === 0) throw new InvalidArgumentError(`expected comma-separated row ids, got "${value}"`);
  return ids;
}

export function registerReproduce(program: Command): void {
  const d = reproduceDefaults;
  program
    .command('reproduce')
    .description('rerun the classic long-range results (adding, temporal order, copy memory; RNN, IRNN, LSTM, GRU) and write docs/reproductions.md')
    .option('--quick', 'the smoke version: tiny T, a few dozen steps (seconds)')
    .option('--only <ids>', 'comma-separated row ids (see --list)', idList)
    .option('--jobs <n>', 'training runs at once, one worker thread each', positiveInt, d.jobs)
    .option('--out <file>', 'the markdown table', d.out)
    .option('--results <file>', 'the raw results as JSON', d.results)
    .option('--list', 'list the rows and their settings, and exit')
    .option('--from <file>', 'no training: rewrite --out from a results file an earlier run wrote, or from the run log (.runs.jsonl) of one that has not finished')
    .option('--resume', 'reuse the runs an unfinished earlier invocation logged (<results>.runs.jsonl); only the missing ones train')
    .option('--json', 'print the results as one JSON line, last')
    .addHelpText('after', '\nExamples:\n  rnnlab reproduce                      # the full table: about an hour on two cores\n  rnnlab reproduce --quick --out /tmp/r.md\n  rnnlab reproduce --only adding-T100-lstm-b3,adding-T100-tanh-rnn --out /tmp/r.md')
    .action(async (opts: Partial<ReproduceOptions> & { list?: boolean; from?: string }) => {
      const { from, list: _list, ...rest } = opts;
      void _list;
      const o: ReproduceOptions = { ...d, ...rest, quick: opts.quick === true, json: opts.json === true, resume: opts.resume === true };
      if (from !== undefined) {
        if (from.endsWith('.jsonl')) {
          const { results, unfinished } = renderFromRunLog(from, o.out, o.quick);
          console.error(`wrote ${o.out} from ${from} (${results.length} rows; unfinished: ${unfinished.join(', ') || 'none'})`);
          return;
        }
        const results = renderFromResults(from, o.out);
        console.error(`wrote ${o.out} from ${from} (${results.length} rows)`);
        return;
      }
      if (opts.list) {
        for (const r of reproductionRows(o.quick)) {
          console.log(`${rowId(r).padEnd(32)} H=${r.hidden} ${r.optimizer} lr=${r.lr} (sweep ${r.lrSweep.join(', ')}) batch=${r.batch} steps<=${r.steps} seeds=${r.seeds.join(',')}`);
        }
        return;
      }
      const results = await runReproduce(o);
      if (o.json) console.log(JSON.stringify(results.map((r) => ({ id: rowId(r.row), ...r, row: undefined }))));
    });
}

/**
 * `rnnlab check DIR [B1 B2 ...] [--json]`: grades a learner's workbook (the files `rnnlab exercises init`
 * wrote, filled in). Each exercise is graded in its own worker thread with a time limit and a memory
 * cap, so code that loops forever, recurses without end or allocates without bound costs that exercise
 * a failed check with a message, never a hung or crashed grader. Inside the worker the learner's files
 * are compiled with sucrase and graded by src/exercises/grade.ts, the same grader the lab runs in a Web
 * Worker.
 */
import type { Command } from 'commander';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { EXERCISE_FILES, EXERCISE_IDS, type CheckReport, type ExerciseId, type ExerciseReport } from '../exercises/types.js';
import { WORKBOOK_EXTENSIONS } from '../exercises/load.js';
import { CHECK_TIMEOUT_S, crashedReport, gradeWorkbook, graderFailedReport, sucraseTranspile, timedOutReport, type SucraseTransform } from '../exercises/run.js';
import { FileError, readRegularFile, systemReason } from '../io/files.js';
import { positiveNumber } from './args.js';
import { workerSource } from './worker.js';

/** A workbook file larger than this is not a learner's exercise; refused before it is read. */
export const MAX_WORKBOOK_FILE_BYTES = 1 << 20;
/** The worker's heap cap: far above what a correct exercise needs, far below the machine's memory. */
const WORKER_HEAP_MB = 512;

export interface CheckOptions {
  /** Exercises to grade (default: all). */
  ids?: ExerciseId[];
  /** Seconds each exercise may take. */
  timeout: number;
  seed: number;
}

interface WorkerInput { kind: 'rnnlab-check'; id: ExerciseId; sources: Record<string, string>; seed: number }
type WorkerMessage = { type: 'done'; report: ExerciseReport } | { type: 'error'; message: string };

if (!isMainThread && (workerData as WorkerInput | null)?.kind === 'rnnlab-check') {
  const { id, sources, seed } = workerData as WorkerInput;
  const post = (m: WorkerMessage): void => parentPort!.postMessage(m);
  (async () => {
    const transpile = sucraseTranspile(await loadSucrase());
    post({ type: 'done', report: gradeWorkbook(id, sources, transpile, seed) });
  })().catch((e: unknown) => post({ type: 'error', message: (e as Error)?.message ?? String(e) }));
}

/** sucrase is an optional peer dependency (rnnlab-cli brings it): a missing one says what to install. */
async function loadSucrase(): Promise<SucraseTransform> {
  try {
    return (await import('sucrase')).transform;
  } catch {
    throw new Error('rnnlab check compiles your TypeScript with the optional package sucrase, which is not installed here: run `npm install sucrase@3`, or use rnnlab-cli, which brings it');
  }
}

/** The workbook files in `dir` (name → text): every .ts and .js file named after an exercise. */
export function readWorkbook(dir: string): Record<string, string> {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (e) {
    throw new FileError(`DIR ${dir}: cannot read the workbook directory (${systemReason(e)}); create one with \`rnnlab exercises init ${dir}\``);
  }
  const wanted = new Set(Object.values(EXERCISE_FILES).flatMap((f) => WORKBOOK_EXTENSIONS.map((e) => f + e)));
  const sources: Record<string, string> = {};
  for (const name of names.filter((n) => wanted.has(n)).sort()) {
    sources[name] = readRegularFile(join(dir, name), { what: 'workbook file', maxBytes: MAX_WORKBOOK_FILE_BYTES }).toString('utf8');
  }
  return sources;
}

/** Grades one exercise in a fresh worker; a timeout, a crash or an error is a failed check. */
export function gradeInWorker(id: ExerciseId, sources: Record<string, string>, o: Pick<CheckOptions, 'timeout' | 'seed'>): Promise<ExerciseReport> {
  return new Promise((resolvePromise) => {
    const worker = new Worker(workerSource(import.meta.url), {
      eval: true, workerData: { kind: 'rnnlab-check', id, sources, seed: o.seed } satisfies WorkerInput,
      resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB }, stdout: true, stderr: true,
    });
    // The learner's console output is the worker's own: drained, so it neither blocks nor mixes into --json.
    worker.stdout.resume();
    worker.stderr.resume();
    let settled = false;
    const settle = (r: ExerciseReport): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolvePromise(r);
      void worker.terminate();
    };
    const timer = setTimeout(() => settle(timedOutReport(id, o.timeout)), o.timeout * 1000);
    worker.on('message', (m: WorkerMessage) => settle(m.type === 'done' ? m.report : graderFailedReport(id, m.message)));
    worker.on('error', (e) => settle(crashedReport(id, /memory/i.test(e.message) ? `it ran out of memory (more than ${WORKER_HEAP_MB} MB): ${e.message}` : e.message)));
    worker.on('exit', (code) => settle(crashedReport(id, `the worker stopped (exit code ${code}) before it reported`)));
  });
}

export async function runCheck(dir: string, o: CheckOptions): Promise<CheckReport> {
  const sources = readWorkbook(dir);
  const ids = o.ids ?? [...EXERCISE_IDS];
  const exercises: ExerciseReport[] = [];
  for (const id of ids) exercises.push(await gradeInWorker(id, sources, o));
  return { exercises };
}

/** The report for a person: one line per exercise, one per check under it. */
export function formatReport(r: CheckReport): string {
  const lines: string[] = [];
  for (const e of r.exercises) {
    lines.push(`${e.id} (${EXERCISE_FILES[e.id]}): ${e.passed ? 'PASSED' : 'NOT YET'}`);
    for (const c of e.checks) lines.push(`  ${c.passed ? '✓' : '✗'} ${c.name}${c.message ? `: ${c.message}` : ''}`);
  }
  const passed = r.exercises.filter((e) => e.passed).length;
  lines.push(`${passed} of ${r.exercises.length} exercise${r.exercises.length === 1 ? '' : 's'} passed.`);
  return lines.join('\n');
}

function exerciseIds(values: string[]): ExerciseId[] {
  return values.map((v) => {
    const id = v.toUpperCase();
    if (!(EXERCISE_IDS as readonly string[]).includes(id)) throw new RangeError(`exercise: expected one of ${EXERCISE_IDS.join(', ')}, got '${v}'`);
    return id as ExerciseId;
  });
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('grade your workbook (B1–B5): forward against rnnlab, every gradient against rnnlab and finite differences, with hints')
    .argument('<dir>', 'the workbook directory (`rnnlab exercises init <dir>` writes one)')
    .argument('[exercises...]', `which exercises (default all: ${EXERCISE_IDS.join(' ')})`)
    .option('--json', 'print the report as JSON: {"exercises": [{"id", "passed", "checks": [{"name", "passed", "message"}]}]}')
    .option('--timeout <s>', 'seconds each exercise may run', positiveNumber, CHECK_TIMEOUT_S)
    .addHelpText('after', '\nExamples:\n  rnnlab exercises init my-rnn && rnnlab check my-rnn\n  rnnlab check my-rnn B2 B4\n  rnnlab check my-rnn --json')
    .action(async (dir: string, names: string[], opts: { json?: boolean; timeout: number }) => {
      const ids = names.length ? exerciseIds(names) : undefined;
      const report = await runCheck(dir, { ids, timeout: opts.timeout, seed: 0 });
      console.log(opts.json ? JSON.stringify(report) : formatReport(report));
      if (!report.exercises.every((e) => e.passed)) process.exitCode = 1;
    });
}

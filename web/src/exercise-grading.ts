/**
 * The page's side of a Check, as src/cli/check.ts's gradeInWorker is the terminal's: a fresh Web Worker
 * per exercise with a time limit, and every way it can end turned into a report. A timeout is a failed
 * 'finishes in time' check and a crashed worker a failed 'runs without crashing' one, worded as the CLI
 * words them. (A browser cannot cap a worker's memory as Node does; an allocation without bound ends
 * in the worker's error, or in the time limit.)
 */
import { CHECK_TIMEOUT_S, crashedReport, graderFailedReport, timedOutReport } from '../../src/exercises/run.js';
import type { ExerciseId, ExerciseReport } from '../../src/exercises/types.js';
import type { GradeReply, GradeRequest } from './exercises-worker.js';

/** Seconds one exercise may take: `rnnlab check`'s default. */
export const PAGE_CHECK_TIMEOUT_S = CHECK_TIMEOUT_S;

export interface Grading {
  report: Promise<ExerciseReport>;
  /** Stops the worker; the report then says it was stopped. */
  cancel(): void;
}

export function gradeInPage(id: ExerciseId, sources: Record<string, string>, o: { timeoutS?: number; seed?: number } = {}): Grading {
  const timeoutS = o.timeoutS ?? PAGE_CHECK_TIMEOUT_S;
  const worker = new Worker(new URL('./exercises-worker.ts', import.meta.url), { type: 'module' });
  let settle: (r: ExerciseReport) => void = () => {};
  const report = new Promise<ExerciseReport>((resolve) => {
    let settled = false;
    settle = (r) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      worker.terminate();
      resolve(r);
    };
  });
  const timer = setTimeout(() => settle(timedOutReport(id, timeoutS)), timeoutS * 1000);
  worker.onmessage = (e: MessageEvent<GradeReply>) => {
    const m = e.data;
    settle(m.type === 'done' ? m.report : graderFailedReport(id, m.message));
  };
  worker.onerror = (e) => {
    e.preventDefault(); // reported here, as a check: not also as an uncaught error on the page
    settle(crashedReport(id, e.message || 'the worker failed to start or stopped with an error'));
  };
  worker.onmessageerror = () => settle(graderFailedReport(id, 'its report could not be read'));
  worker.postMessage({ id, sources, seed: o.seed ?? 0 } satisfies GradeRequest);
  return {
    report,
    cancel: () => settle({ id, passed: false, checks: [{ name: 'finishes in time', passed: false, message: `grading ${id} was stopped before it finished` }] }),
  };
}

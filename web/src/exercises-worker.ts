/**
 * Grades one exercise off the page's thread: the learner's files are compiled by sucrase, with the
 * options `rnnlab check` uses, and graded by src/exercises/run.ts, the very module `rnnlab check` runs in
 * its Node worker, so the page and the terminal give the same verdicts. One worker per Check (see
 * exercise-grading.ts): the page ends it when it is done or out of time, so a learner's endless loop
 * costs nothing but that worker.
 */
import { transform } from 'sucrase';
import { gradeWorkbook, sucraseTranspile } from '../../src/exercises/run.js';
import type { ExerciseId, ExerciseReport } from '../../src/exercises/types.js';
import { workerScope } from './worker-scope.js';

export interface GradeRequest {
  id: ExerciseId;
  /** Every workbook file, name → text: B5 imports B2's and B4's. */
  sources: Record<string, string>;
  seed: number;
}

/** As the CLI's worker replies: a report, or why the grader itself could not run. */
export type GradeReply = { type: 'done'; report: ExerciseReport } | { type: 'error'; message: string };

const transpile = sucraseTranspile(transform);

const scope = workerScope<GradeRequest, GradeReply>();
scope.onmessage = (e) => {
  const { id, sources, seed } = e.data;
  try {
    scope.postMessage({ type: 'done', report: gradeWorkbook(id, sources, transpile, seed) });
  } catch (err) {
    scope.postMessage({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  }
};

/**
 * One exercise graded from the learner's sources: the body of the worker that `rnnlab check` starts
 * (src/cli/check.ts) and of the lab's Web Worker (web/src/exercises-worker.ts), so the terminal and the
 * page grade with the same code, compile with the same options, stop at the same time limit and word
 * the same failures the same way.
 */
import { gradeExercise } from './grade.js';
import { createLoader, type Transpile } from './load.js';
import type { ExerciseId, ExerciseReport } from './types.js';

/** Seconds one exercise may take (`rnnlab check --timeout`, and the page's limit). */
export const CHECK_TIMEOUT_S = 20;

export function gradeWorkbook(id: ExerciseId, sources: Readonly<Record<string, string>>, transpile: Transpile, seed = 0): ExerciseReport {
  return gradeExercise(id, createLoader(sources, transpile), { seed });
}

/** sucrase's `transform`, as much of its signature as the workbook uses. */
export type SucraseTransform = (code: string, options: { transforms: ('typescript' | 'imports')[]; filePath: string }) => { code: string };

/** The workbook's compiler from sucrase's transform: TypeScript (or JavaScript) to CommonJS. */
export function sucraseTranspile(transform: SucraseTransform): Transpile {
  return (source, file) => transform(source, { transforms: file.endsWith('.ts') ? ['typescript', 'imports'] : ['imports'], filePath: file }).code;
}

function failed(id: ExerciseId, name: string, message: string): ExerciseReport {
  return { id, passed: false, checks: [{ name, passed: false, message }] };
}

/** The report of an exercise whose grading was stopped at the time limit. */
export function timedOutReport(id: ExerciseId, seconds: number): ExerciseReport {
  return failed(id, 'finishes in time', `grading ${id} took longer than ${seconds} s, so it was stopped: is there a loop that never ends (or a very slow one)?`);
}

/** The report of an exercise whose worker died (out of memory, a crash). */
export function crashedReport(id: ExerciseId, why: string): ExerciseReport {
  return failed(id, 'runs without crashing', `your code crashed the grader's worker: ${why}`);
}

/** The report when the grader itself could not run (a missing compiler, an unreadable reply). */
export function graderFailedReport(id: ExerciseId, message: string): ExerciseReport {
  return failed(id, 'grader', `the grader could not run: ${message}`);
}

/**
 * The grader's entry: one exercise's report from a loader of the learner's modules. Pure and
 * synchronous, with no Node imports, so that `rnnlab check` (in a worker thread with a time limit) and
 * the lab (in a Web Worker) run the same code. Whatever the learner's code does, a throw, a wrong type,
 * a NaN, becomes a failed check with a message: gradeExercise itself never throws. (A hang is the
 * caller's to stop.)
 */
import { Rng } from '../tensor/random.js';
import type { Check, ExerciseId, ExerciseReport, ModuleLoader } from './types.js';
import { check, errorText } from './contract.js';
import { checkB1 } from './check-b1.js';
import { checkB2 } from './check-b2.js';
import { checkB3 } from './check-b3.js';
import { checkB4 } from './check-b4.js';
import { checkB5 } from './check-b5.js';

export interface GradeOptions {
  /** Seed of the random weights and inputs (default 0): the same seed, the same cases. */
  seed?: number;
}

const CHECKERS: Record<ExerciseId, (load: ModuleLoader, rng: Rng) => Check[]> = {
  B1: checkB1, B2: checkB2, B3: checkB3, B4: checkB4, B5: checkB5,
};

export function gradeExercise(id: ExerciseId, load: ModuleLoader, options: GradeOptions = {}): ExerciseReport {
  const checker = Object.prototype.hasOwnProperty.call(CHECKERS, id) ? CHECKERS[id] : undefined;
  if (checker === undefined) {
    return { id, passed: false, checks: [check('a known exercise', false, `no exercise ${String(id)}: expected one of ${Object.keys(CHECKERS).join(', ')}`)] };
  }
  let checks: Check[];
  try {
    const seed = options?.seed ?? 0;
    checks = checker(load, new Rng(Number.isFinite(seed) ? seed : 0));
  } catch (e) {
    // Every call into the learner's code is guarded, so this is the grader's own bug: report it, not throw.
    checks = [check('the grader ran', false, `the grader itself failed (please report this): ${errorText(e)}`)];
  }
  return { id, passed: checks.length > 0 && checks.every((c) => c.passed), checks };
}

/**
 * The workbook's vocabulary, shared by the grader (src/exercises), `rnnlab check` / `rnnlab exercises`
 * (src/cli) and the lab's Exercises tab (web/): which exercises there are, the file each lives in, and
 * the report the grader gives. The report's JSON form is fixed (`rnnlab check --json` prints it, tests
 * outside this repo read it).
 */

export const EXERCISE_IDS = ['B1', 'B2', 'B3', 'B4', 'B5'] as const;
export type ExerciseId = (typeof EXERCISE_IDS)[number];

/** The workbook file of each exercise, without its extension (.ts, or .js for a learner who prefers it). */
export const EXERCISE_FILES: Record<ExerciseId, string> = {
  B1: 'b1-rnn-cell',
  B2: 'b2-rnn',
  B3: 'b3-clip',
  B4: 'b4-lstm-cell',
  B5: 'b5-gradient-flow',
};

/** One check of one exercise: a contract, a forward comparison, one gradient, ... */
export interface Check {
  name: string;
  passed: boolean;
  /** What was measured, against what threshold; on failure, what is wrong and (when known) a hint. */
  message: string;
}

export interface ExerciseReport {
  id: ExerciseId;
  passed: boolean;
  checks: Check[];
}

/** What `rnnlab check --json` prints, exactly. */
export interface CheckReport {
  exercises: ExerciseReport[];
}

/** A module's exports, as the learner's file gives them. */
export type ModuleExports = Record<string, unknown>;

/**
 * Loads a workbook module by its file name without extension ('b2-rnn'), compiling and evaluating it
 * on first use; throws an Error whose message says what went wrong (missing file, syntax error, a
 * throw at the top level).
 */
export type ModuleLoader = (name: string) => ModuleExports;

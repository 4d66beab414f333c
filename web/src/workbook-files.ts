/**
 * The workbook as the page has it: each exercise's stub (what the learner starts from) and rnnlab's
 * solution, the very files that `rnnlab exercises init` copies and `rnnlab exercises solution` prints,
 * bundled as text at build time, so the page and the terminal show the same exercise.
 */
import { WORKBOOK, type WorkbookEntry } from '../../src/exercises/workbook.js';
import type { ExerciseId } from '../../src/exercises/types.js';
import b1Stub from '../../exercises/stubs/b1-rnn-cell.ts?raw';
import b2Stub from '../../exercises/stubs/b2-rnn.ts?raw';
import b3Stub from '../../exercises/stubs/b3-clip.ts?raw';
import b4Stub from '../../exercises/stubs/b4-lstm-cell.ts?raw';
import b5Stub from '../../exercises/stubs/b5-gradient-flow.ts?raw';
import b1Solution from '../../exercises/solutions/b1-rnn-cell.ts?raw';
import b2Solution from '../../exercises/solutions/b2-rnn.ts?raw';
import b3Solution from '../../exercises/solutions/b3-clip.ts?raw';
import b4Solution from '../../exercises/solutions/b4-lstm-cell.ts?raw';
import b5Solution from '../../exercises/solutions/b5-gradient-flow.ts?raw';

export interface WorkbookExercise extends WorkbookEntry {
  stub: string;
  solution: string;
}

const STUBS: Record<ExerciseId, string> = { B1: b1Stub, B2: b2Stub, B3: b3Stub, B4: b4Stub, B5: b5Stub };
const SOLUTIONS: Record<ExerciseId, string> = { B1: b1Solution, B2: b2Solution, B3: b3Solution, B4: b4Solution, B5: b5Solution };

/** B1 … B5 in order, with their files' texts. */
export const EXERCISES: readonly WorkbookExercise[] = WORKBOOK.map((e) => ({ ...e, stub: STUBS[e.id], solution: SOLUTIONS[e.id] }));

export function exercise(id: ExerciseId): WorkbookExercise {
  return EXERCISES.find((e) => e.id === id)!;
}

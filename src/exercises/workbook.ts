/**
 * The workbook's table of contents: for each of B1–B5 its file and, quoted from the exercise set
 * (Tutorial 13, Part B), its level, its title and one line of its text, for `rnnlab exercises list`, the
 * README that `rnnlab exercises init` writes, and the lab. The files themselves live in exercises/stubs
 * (what the learner fills in) and exercises/solutions (rnnlab's own answers, in the same form).
 * Browser-safe: no node: imports.
 */
import { EXERCISE_FILES, EXERCISE_IDS, type ExerciseId } from './types.js';

export interface WorkbookEntry {
  id: ExerciseId;
  /** The workbook file, extension included: 'b1-rnn-cell.ts'. */
  file: string;
  /** The exercise set's level, quoted. */
  level: 'Easy' | 'Medium' | 'Hard';
  /** The exercise's bold title, quoted. */
  title: string;
  /** One line of the exercise's docstring, quoted. */
  quote: string;
}

const ENTRIES: Record<ExerciseId, Omit<WorkbookEntry, 'id' | 'file'>> = {
  B1: { level: 'Easy', title: 'Implement vanilla RNN cell', quote: 'Initialize RNN cell with random weights.' },
  B2: { level: 'Medium', title: 'Implement BPTT', quote: 'Backpropagation through time.' },
  B3: { level: 'Medium', title: 'Implement gradient clipping', quote: 'If ||grads|| > max_norm, scale all gradients by max_norm / ||grads||' },
  B4: { level: 'Hard', title: 'Implement LSTM cell', quote: 'LSTM cell with forget, input, and output gates.' },
  B5: { level: 'Hard', title: 'Compare gradient flow: RNN vs LSTM', quote: 'Compare how gradients flow through RNN and LSTM.' },
};

/** B1 … B5, in order. */
export const WORKBOOK: readonly WorkbookEntry[] = EXERCISE_IDS.map((id) => ({ id, file: `${EXERCISE_FILES[id]}.ts`, ...ENTRIES[id] }));

/** The entry of `id`, given as 'B4' or 'b4'; an error listing the ids for anything else. */
export function findExercise(id: string): WorkbookEntry {
  const entry = WORKBOOK.find((e) => e.id === id.toUpperCase());
  if (entry === undefined) throw new Error(`unknown exercise '${id}': expected one of ${EXERCISE_IDS.join(', ')}`);
  return entry;
}

/** The README that `rnnlab exercises init <dir>` writes beside the stubs; `dir` as the learner typed it. */
export function workbookReadme(dir: string): string {
  const rows = WORKBOOK.map((e) => `| ${e.id} | ${e.level} | ${e.title} | \`${e.file}\` |`);
  return [
    '# RNN exercises: the workbook',
    '',
    'Part B of the exercise set "Tutorial 13: Recurrent Neural Networks - Exercises", in TypeScript. Each',
    'file holds one exercise: its text at the top, then the class or function to fill in where it says',
    '`// YOUR CODE HERE`. Vectors are `number[]`, matrices `number[][]` (row-major).',
    '',
    '| | Level | Exercise | File |',
    '|---|---|---|---|',
    ...rows,
    '',
    'Check all of them, or one:',
    '',
    '```',
    `rnnlab check ${dir}`,
    `rnnlab check ${dir} B2`,
    '```',
    '',
    'B5 imports your B2 and B4, so it passes only once they do. When you are done, compare with',
    "rnnlab's own answer: `rnnlab exercises solution B2`.",
    '',
  ].join('\n');
}

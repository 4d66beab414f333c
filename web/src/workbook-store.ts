/**
 * The learner's code, kept in the browser's localStorage between visits: one key per workbook file
 * ('rnnlab.exercises.b2-rnn.ts'), so each file is saved and reset on its own. A file the learner has not
 * changed is not stored, so it follows the stub of the page's version. Storage may be missing or full
 * (private windows, a quota): the page then works as before and says the code is not kept.
 */
import type { WorkbookExercise } from './workbook-files.js';

export const STORAGE_PREFIX = 'rnnlab.exercises.';

/** The part of the Web Storage API used here (localStorage in the page; a Map in tests). */
export interface TextStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** The page's localStorage, or null where reading it throws (some privacy settings do). */
export function browserStorage(): TextStorage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

export class WorkbookStore {
  /** Why the code is not kept, or null: shown so the learner knows to copy their code out. */
  problem: string | null = null;
  /** This visit's texts: the truth while the page is open, whether or not storage took them. */
  private readonly texts = new Map<string, string>();

  constructor(private readonly storage: TextStorage | null) {
    if (storage === null) this.problem = 'this browser gives the page no storage, so your code is not kept after you leave';
  }

  /** The learner's text of this file: as edited in this visit, else as saved before, else the stub. */
  code(e: WorkbookExercise): string {
    const known = this.texts.get(e.file);
    if (known !== undefined) return known;
    let stored: string | null = null;
    try {
      stored = this.storage?.getItem(STORAGE_PREFIX + e.file) ?? null;
    } catch { /* unreadable storage: as if nothing were stored */ }
    return stored ?? e.stub;
  }

  /** Whether the learner's text differs from the stub. */
  edited(e: WorkbookExercise): boolean {
    return this.code(e) !== e.stub;
  }

  save(e: WorkbookExercise, text: string): void {
    this.texts.set(e.file, text);
    if (this.storage === null) return;
    try {
      if (text === e.stub) this.storage.removeItem(STORAGE_PREFIX + e.file);
      else this.storage.setItem(STORAGE_PREFIX + e.file, text);
      this.problem = null;
    } catch (err) {
      this.problem = `your code could not be saved in the browser (${err instanceof Error ? err.message : String(err)}): copy it somewhere before you leave`;
    }
  }

  /** All the workbook's files as the grader takes them (file name → text), the learner's where they have one. */
  sources(exercises: readonly WorkbookExercise[]): Record<string, string> {
    return Object.fromEntries(exercises.map((e) => [e.file, this.code(e)]));
  }
}

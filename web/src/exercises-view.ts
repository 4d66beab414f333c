/**
 * The Exercises tab: the workbook's B1–B5 in an editor, graded by the same grader as `rnnlab check`
 * (src/exercises/run.ts in a Web Worker, exercise-grading.ts), with the result of every check and its
 * hint, rnnlab's solution beside the learner's code on request, and the counting questions A1 and A2.
 * The learner's code is kept in the browser's storage (workbook-store.ts).
 *
 * Loaded the first time the tab is opened (main.ts), so CodeMirror costs nothing to a visit that never
 * opens it.
 */
import type { ExerciseId, ExerciseReport } from '../../src/exercises/types.js';
import { ReadOnlyCode, WorkbookEditor } from './code-editor.js';
import { mountCountQuestions } from './count-questions-view.js';
import { byId } from './dom.js';
import { gradeInPage, PAGE_CHECK_TIMEOUT_S, type Grading } from './exercise-grading.js';
import { EXERCISES, exercise, type WorkbookExercise } from './workbook-files.js';
import { browserStorage, STORAGE_PREFIX, WorkbookStore } from './workbook-store.js';

/** Which exercise was open last, so a return visit opens it again. */
const CURRENT_KEY = `${STORAGE_PREFIX}current`;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

/** Everything the tab shows, and what it is showing. */
class ExercisesView {
  private readonly storage = browserStorage();
  private readonly store = new WorkbookStore(this.storage);
  private readonly reports = new Map<ExerciseId, ExerciseReport>();
  private readonly editor: WorkbookEditor;
  private solution: ReadOnlyCode | null = null;
  private current: WorkbookExercise;
  private grading: { id: ExerciseId; run: Grading } | null = null;

  constructor() {
    this.editor = new WorkbookEditor(byId('ex-editor'), (file, text) => {
      const e = EXERCISES.find((x) => x.file === file)!;
      this.store.save(e, text);
      this.showStorageProblem();
    });
    let last: string | null = null;
    try {
      last = this.storage?.getItem(CURRENT_KEY) ?? null;
    } catch { /* start at B1 */ }
    this.current = EXERCISES.find((e) => e.id === last) ?? EXERCISES[0]!;
    this.mountPicker();
    byId('ex-check').addEventListener('click', () => void this.check());
    byId('ex-solution-toggle').addEventListener('click', () => this.toggleSolution());
    byId('ex-reset').addEventListener('click', () => this.reset());
    this.open(this.current.id);
    this.showStorageProblem();
  }

  private mountPicker(): void {
    const picker = byId('ex-picker');
    for (const e of EXERCISES) {
      const input = el('input', { type: 'radio', name: 'exercise', value: e.id, checked: e.id === this.current.id });
      input.addEventListener('change', () => { if (input.checked) this.open(e.id); });
      const mark = el('span', { className: 'verdict-mark' });
      mark.dataset.exercise = e.id;
      picker.append(el('label', { title: `${e.level}: ${e.title}` }, input, ` ${e.id} `, el('span', { className: 'ex-title' }, e.title), ' ', mark));
    }
  }

  private open(id: ExerciseId): void {
    const e = exercise(id);
    this.current = e;
    try {
      this.storage?.setItem(CURRENT_KEY, id);
    } catch { /* only a convenience */ }
    byId('ex-head').replaceChildren(
      el('h2', {}, `${e.id} (${e.level}): ${e.title}`),
      el('blockquote', {}, e.quote),
      el('p', { className: 'note' },
        'The exercise’s full text is the comment at the top of the file. Fill in the code where it says // YOUR CODE HERE, ' +
        'then press Check: the same grader as ', el('code', {}, `rnnlab check <dir> ${e.id}`), ' runs it against rnnlab.' +
        (id === 'B5' ? ' B5 uses your B2 and B4, so it passes once they do.' : '')),
    );
    byId('ex-file').textContent = e.file;
    this.editor.open(e.file, this.store.code(e));
    if (this.solution !== null && !byId('ex-solution').hidden) this.solution.show(e.solution, `rnnlab's solution: ${e.file}`);
    this.showReport();
  }

  private async check(): Promise<void> {
    if (this.grading !== null) return;
    const id = this.current.id;
    this.store.save(this.current, this.editor.text);
    const run = gradeInPage(id, this.store.sources(EXERCISES), { timeoutS: PAGE_CHECK_TIMEOUT_S });
    this.grading = { id, run };
    byId<HTMLButtonElement>('ex-check').disabled = true;
    this.showReport();
    const report = await run.report;
    this.grading = null;
    byId<HTMLButtonElement>('ex-check').disabled = false;
    this.reports.set(id, report);
    const mark = byId('ex-picker').querySelector<HTMLElement>(`[data-exercise=${id}]`)!;
    mark.textContent = report.passed ? '✓' : '✗';
    mark.dataset.passed = String(report.passed);
    this.showReport();
  }

  /** The current exercise's last report (or that it is being checked) in the status line and the list. */
  private showReport(): void {
    const status = byId('ex-status'), list = byId('ex-checks');
    const id = this.current.id;
    status.dataset.exercise = id;
    if (this.grading?.id === id) {
      status.textContent = `Checking ${id} (at most ${PAGE_CHECK_TIMEOUT_S} s)…`;
      status.dataset.state = 'busy';
      delete status.dataset.verdict;
      list.replaceChildren();
      return;
    }
    const r = this.reports.get(id);
    if (r === undefined) {
      status.textContent = `${id}: not checked yet in this visit.`;
      status.dataset.state = 'idle';
      delete status.dataset.verdict;
      list.replaceChildren();
      return;
    }
    const passed = r.checks.filter((c) => c.passed).length;
    status.textContent = r.passed
      ? `${id} passed: all ${r.checks.length} checks.`
      : `${id} not yet: ${passed} of ${r.checks.length} checks passed. The first ✗ below says what to look at.`;
    status.dataset.state = r.passed ? 'done' : 'error';
    status.dataset.verdict = r.passed ? 'passed' : 'failed';
    list.replaceChildren(...r.checks.map((c) => {
      const item = el('li', {}, el('span', { className: 'mark', ariaLabel: c.passed ? 'passed' : 'failed' }, c.passed ? '✓' : '✗'), ' ',
        el('strong', { className: 'check-name' }, c.name), c.message ? el('span', { className: 'check-message' }, `: ${c.message}`) : '');
      item.dataset.passed = String(c.passed);
      return item;
    }));
  }

  private toggleSolution(): void {
    const pane = byId('ex-solution'), button = byId('ex-solution-toggle');
    const show = pane.hidden;
    pane.hidden = !show;
    button.textContent = show ? 'Hide solution' : 'Show solution';
    button.setAttribute('aria-expanded', String(show));
    if (!show) return;
    this.solution ??= new ReadOnlyCode(byId('ex-solution-code'), 'rnnlab’s solution');
    this.solution.show(this.current.solution, `rnnlab's solution: ${this.current.file}`);
  }

  private reset(): void {
    const e = this.current;
    if (this.editor.text === e.stub) return;
    // Undoable while the page is open (the reset is one edit), but not after a reload: ask first.
    if (!confirm(`Replace your ${e.id} code (${e.file}) with the empty stub? Until you leave the page, Ctrl+Z in the editor brings it back.`)) return;
    this.editor.replace(e.stub);
    this.reports.delete(e.id);
    this.showReport();
  }

  private showStorageProblem(): void {
    const box = byId('ex-storage');
    box.hidden = this.store.problem === null;
    box.textContent = this.store.problem ?? '';
  }
}

let mounted = false;

export function mountExercises(): void {
  if (mounted) return;
  mounted = true;
  new ExercisesView();
  mountCountQuestions(byId('ex-counts'), browserStorage());
}

/**
 * The counting questions A1 and A2 on the Exercises tab: the question with its convention, a text field
 * for the formula, and the verdict of checkCountAnswer under it. Answers are kept in the browser's
 * storage like the workbook's code.
 */
import { checkCountAnswer, COUNT_QUESTIONS, type CountQuestion } from './count-questions.js';
import { escapeHtml } from './dom.js';
import { STORAGE_PREFIX, type TextStorage } from './workbook-store.js';

function mountQuestion(container: HTMLElement, q: CountQuestion, storage: TextStorage | null): void {
  const key = `${STORAGE_PREFIX}${q.id}`;
  const form = document.createElement('form');
  form.className = 'count-question';
  form.id = `count-${q.id}`;
  form.autocomplete = 'off';
  form.innerHTML = `
    <h3>${q.id}</h3>
    <p class="note">${escapeHtml(q.source)}</p>
    <p>${escapeHtml(q.question)}</p>
    <div class="buttons">
      <label class="inline">answer <input type="text" name="formula" spellcheck="false" placeholder="e.g. 3H(D + 1)" aria-label="${q.id}: your formula in ${q.variables.join(', ')}"></label>
      <button type="submit">Check</button>
    </div>
    <p class="verdict" role="status"></p>`;
  container.append(form);
  const input = form.querySelector<HTMLInputElement>('input')!;
  const verdict = form.querySelector<HTMLElement>('.verdict')!;
  try {
    input.value = storage?.getItem(key) ?? '';
  } catch { /* no storage: start empty */ }
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    try {
      storage?.setItem(key, input.value);
    } catch { /* not kept; the answer is checked all the same */ }
    const v = checkCountAnswer(q, input.value);
    verdict.textContent = `${v.correct ? '✓' : '✗'} ${v.message}`;
    verdict.dataset.correct = String(v.correct);
  });
}

export function mountCountQuestions(container: HTMLElement, storage: TextStorage | null): void {
  container.innerHTML = `
    <h2>Counting: theory A1 and A2</h2>
    <p class="note">Answer with a formula: whole numbers, the sizes ${['H', 'D', 'T'].join(', ')}, + − × / ^ and
      parentheses; 2H or H(D + H) multiply. It is checked against rnnlab's countParameters and countMultiplications at
      random sizes.</p>`;
  for (const q of COUNT_QUESTIONS) mountQuestion(container, q, storage);
}

/**
 * The lab's Exercises tab end to end, in headless Chromium (test/browser.ts), in one page load: a
 * correct B1 (rnnlab's solution) put into the editor as a learner pastes it passes; a B2 whose backward
 * never adds into dW_hh fails on that gradient, with the same verdicts as the grader gives in Node; the
 * code stays in the browser's storage; a counting answer is checked. Screenshots go to
 * test-artifacts/lab/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { transform } from 'sucrase';
import { gradeWorkbook } from '../src/exercises/run.js';
import { EXERCISE_FILES, EXERCISE_IDS, type ExerciseReport } from '../src/exercises/types.js';
import { buildLab } from '../web/build.js';
import { serveStatic, type StaticServer } from '../web/serve.js';
import { CHROMIUM_ARGS, chromiumExecutable } from './browser.js';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/lab/', import.meta.url));
const read = (path: string) => readFileSync(new URL(`../exercises/${path}`, import.meta.url), 'utf8');
const B1_SOLUTION = read('solutions/b1-rnn-cell.ts');
const B2_SOLUTION = read('solutions/b2-rnn.ts');
/** The one line of BPTT that adds step t's contribution into dW_hh: without it, dW_hh stays zero. */
const DW_HH_LINE = '      addOuter(dW_hh, da, hPrev);\n';
const B2_BROKEN = B2_SOLUTION.replace(DW_HH_LINE, '');

/** Every workbook file as the page sends it when only `changed` has been edited. */
function workbook(changed: Record<string, string>): Record<string, string> {
  return Object.fromEntries(EXERCISE_IDS.map((id) => {
    const file = `${EXERCISE_FILES[id]}.ts`;
    return [file, changed[file] ?? read(`stubs/${file}`)];
  }));
}

/** The grader as `rnnlab check` runs it, in this process. */
function gradeInNode(id: 'B1' | 'B2', changed: Record<string, string>): ExerciseReport {
  const transpile = (source: string, file: string) => transform(source, { transforms: ['typescript', 'imports'], filePath: file }).code;
  return gradeWorkbook(id, workbook(changed), transpile, 0);
}

interface ShownCheck { name: string; passed: boolean; message: string }

describe('the lab\'s Exercises tab in Chromium', { timeout: 150_000 }, () => {
  let root = '';
  let server: StaticServer | null = null;
  let context: BrowserContext | null = null;
  let page: Page;
  const problems: string[] = [];

  const status = () => page.$eval('#ex-status', (el) => {
    const d = (el as HTMLElement).dataset;
    return { exercise: d.exercise, verdict: d.verdict, text: el.textContent ?? '' };
  });
  const shownChecks = () => page.$$eval('#ex-checks li', (items) => items.map((li) => ({
    name: li.querySelector('.check-name')?.textContent ?? '',
    passed: (li as HTMLElement).dataset.passed === 'true',
    message: (li.querySelector('.check-message')?.textContent ?? '').replace(/^: /, ''),
  })));
  /** Replaces the editor's text as a learner pasting it would: select all, then insert. */
  const putCode = async (text: string) => {
    await page.click('#ex-editor .cm-content');
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.insertText(text);
  };
  const stored = (file: string) => page.evaluate((f) => localStorage.getItem(`rnnlab.exercises.${f}`), file);
  const checkAndWait = async (id: string) => {
    await page.click('#ex-check');
    await page.waitForFunction((x) => {
      const s = document.getElementById('ex-status')!.dataset;
      return s.exercise === x && s.verdict !== undefined;
    }, id, { timeout: 60_000 });
  };

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    root = mkdtempSync(join(tmpdir(), 'rnnlab-lab-exercises-'));
    await buildLab(join(root, 'dist'), 'error');
    server = await serveStatic(join(root, 'dist'), 0);
    context = await chromium.launchPersistentContext(join(root, 'profile'), {
      executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS, viewport: { width: 1300, height: 1000 },
    });
    page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(30_000);
    page.on('console', (m) => { if (m.type() === 'error') problems.push(`page console error: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    await page.goto(server.url);
    await page.click('#tab-exercises');
    await page.waitForSelector('#ex-editor .cm-content');
  });

  after(async () => {
    await context?.close();
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('opens on B1 with the workbook\'s stub in the editor', async () => {
    assert.equal(await page.textContent('#ex-file'), 'b1-rnn-cell.ts');
    // The top of the file; CodeMirror draws only the lines in view, so YOUR CODE HERE may not be in the DOM.
    assert.match(await page.textContent('#ex-editor .cm-content') ?? '', /Exercise B1 .*Implement vanilla RNN cell.*export class RNNCell/s);
    assert.equal((await status()).verdict, undefined, 'nothing checked yet');
  });

  it('a correct B1, pasted into the editor, passes every check', async () => {
    await putCode(B1_SOLUTION);
    assert.equal(await stored('b1-rnn-cell.ts'), B1_SOLUTION, 'the editor holds exactly the pasted text, and storage has it');
    await checkAndWait('B1');
    const checks = await shownChecks();
    assert.equal((await status()).verdict, 'passed', (await status()).text);
    assert.ok(checks.length >= 3, `${checks.length} checks shown`);
    assert.deepEqual(checks.filter((c) => !c.passed), []);
    assert.equal(await page.textContent('#ex-picker [data-exercise=B1]'), '✓');
    await page.screenshot({ path: join(ARTIFACTS, 'exercises-b1-passed.png'), fullPage: true });
  });

  it('a B2 whose backward never adds into dW_hh fails on dW_hh, as the grader in Node says', async () => {
    assert.notEqual(B2_BROKEN, B2_SOLUTION, 'the dW_hh line was found and removed');
    const node = gradeInNode('B2', { 'b2-rnn.ts': B2_BROKEN });
    assert.equal(node.passed, false, 'the edit breaks B2 for the grader in Node too');
    await page.check('#ex-picker input[value=B2]');
    await page.waitForFunction(() => document.getElementById('ex-file')!.textContent === 'b2-rnn.ts');
    await putCode(B2_BROKEN);
    await checkAndWait('B2');
    assert.equal((await status()).verdict, 'failed');
    const checks: ShownCheck[] = await shownChecks();
    const failing = checks.filter((c) => !c.passed);
    assert.ok(failing.some((c) => /W_hh/.test(c.name)), `failing: ${failing.map((c) => c.name).join('; ')}`);
    assert.ok(checks.some((c) => c.passed && /W_xh/.test(c.name)), 'dW_xh is still right');
    assert.deepEqual(checks.map((c) => [c.name, c.passed]), node.checks.map((c) => [c.name, c.passed]));
    await page.screenshot({ path: join(ARTIFACTS, 'exercises-b2-failed.png'), fullPage: true });
  });

  it('the learner\'s B1 is still in the editor after switching away and back', async () => {
    await page.check('#ex-picker input[value=B1]');
    await page.waitForFunction(() => document.getElementById('ex-file')!.textContent === 'b1-rnn-cell.ts');
    assert.match(await page.textContent('#ex-editor .cm-content') ?? '', /mulberry32/);
    assert.equal((await status()).verdict, 'passed', 'and its last report is shown again');
  });

  it('Show solution opens rnnlab\'s solution read-only beside the learner\'s code, which stays as it was', async () => {
    await page.click('#ex-solution-toggle');
    await page.waitForSelector('#ex-solution-code .cm-content');
    assert.match(await page.textContent('#ex-solution-code .cm-content') ?? '', /rnnlab's answer to Exercise B1/);
    assert.equal(await page.getAttribute('#ex-solution-code .cm-content', 'contenteditable'), 'false');
    assert.equal(await stored('b1-rnn-cell.ts'), B1_SOLUTION);
    await page.screenshot({ path: join(ARTIFACTS, 'exercises-solution.png') });
  });

  it('A2: the multiplication count T·(H·D + H·H) is accepted', async () => {
    await page.fill('#count-A2 input', 'T·(H·D + H·H)');
    await page.click('#count-A2 button');
    assert.equal(await page.getAttribute('#count-A2 .verdict', 'data-correct'), 'true', await page.textContent('#count-A2 .verdict') ?? '');
  });

  it('no console errors, page errors or failed requests', () => {
    assert.deepEqual(problems, []);
  });
});

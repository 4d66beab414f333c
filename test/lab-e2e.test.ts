/**
 * The browser lab, end to end, in headless Chromium driven by playwright-core (the browser from
 * test/browser.ts: the npm-packaged one, or CHROME_PATH): the app is built once with Vite into a
 * temporary directory, served on an ephemeral localhost port, and used as a learner would. Screenshots
 * go to test-artifacts/lab/.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { runEval } from '../src/cli/eval.js';
import { loadCheckpoint, saveCheckpoint } from '../src/io/checkpoint.js';
import { LSTM } from '../src/layers/models.js';
import { AddingTask } from '../src/tasks/adding.js';
import { Rng } from '../src/tensor/random.js';
import { setWasmThreads, wasmArena } from '../src/tensor/wasm/arena.js';
import { buildLab } from '../web/build.js';
import { STEP_WINDOW, type TrainConfig } from '../web/src/protocol.js';
import { TrainSession } from '../web/src/train-session.js';
import { taskFromChoice } from '../web/src/train-tasks.js';
import { serveStatic, type StaticServer } from '../web/serve.js';
import { CHROMIUM_ARGS, chromiumExecutable } from './browser.js';

const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/lab/', import.meta.url));

interface Point { k: number; value: number }

/**
 * The step the page and Node both time: the lab's adding problem and LSTM at its default settings,
 * except H = 128, where the step's GEMMs are large enough to be worth splitting over threads and the
 * step (about 10 ms here) long enough to time well.
 */
const TIMED: TrainConfig = {
  task: { kind: 'adding', seqLen: 30 }, cell: 'lstm', hidden: 128, forgetBias: 1, lr: 0.01, batchSize: 32, clipNorm: 1,
  clipValue: null, schedule: null, tbptt: null, evalEvery: 25, seed: 1,
};
/** Steps before the timed ones: the JIT tiers up, the arena reaches its size. */
const WARMUP = 30;

function median(a: number[]): number {
  const s = [...a].sort((x, y) => x - y), m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The median ms of steps `steps` − STEP_WINDOW + 1 … `steps` of a fresh TrainSession of `config` on
 * `threads` threads, timed as the lab's worker times them (the step alone; the evaluations every
 * evalEvery steps run too, untimed).
 */
async function nodeStepMs(config: TrainConfig, steps: number, threads: number): Promise<number> {
  setWasmThreads(threads);
  assert.equal(await wasmArena()!.waitForThreads(threads), threads, `Node: ${threads} threads did not start`);
  const session = TrainSession.fresh(config, await taskFromChoice(config.task));
  assert.equal(session.model.backend, 'wasm');
  const times: number[] = [];
  while (session.step < steps) {
    const t = performance.now();
    const r = session.trainStep();
    times.push(performance.now() - t);
    if (r.step % config.evalEvery === 0) session.evaluate();
  }
  return median(times.slice(-STEP_WINDOW));
}

describe('the browser lab in Chromium', { timeout: 200_000 }, () => {
  let root = '';
  let server: StaticServer | null = null;
  let context: BrowserContext | null = null;
  let page: Page;
  const problems: string[] = [];
  const warnings: string[] = [];

  const shot = async (name: string, fullPage = true) => {
    // From the top: a full-page shot of a scrolled page draws the sticky header in the middle.
    if (fullPage) await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage });
  };
  const dataset = (selector: string, key: string) => page.$eval(selector, (el, k) => (el as HTMLElement).dataset[k] ?? null, key);
  const stepOf = async () => Number(await dataset('#tr-status', 'step') ?? 0);

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    root = mkdtempSync(join(tmpdir(), 'rnnlab-lab-e2e-'));
    await buildLab(join(root, 'dist'), 'error');
    server = await serveStatic(join(root, 'dist'), 0);
    context = await chromium.launchPersistentContext(join(root, 'profile'), {
      executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS, acceptDownloads: true, viewport: { width: 1300, height: 950 },
    });
    page = context.pages()[0] ?? await context.newPage();
    page.setDefaultTimeout(30_000);
    const listen = (where: string) => (m: { type(): string; text(): string }) => {
      if (m.type() === 'error') problems.push(`${where} console error: ${m.text()}`);
      if (m.type() === 'warning') warnings.push(`${where}: ${m.text()}`);
    };
    page.on('console', listen('page'));
    page.on('worker', (w) => w.on('console', listen(`worker ${w.url().split('/').pop()}`)));
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    page.on('request', (r) => {
      if (!r.url().startsWith(server!.url) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) problems.push(`request off the lab's server: ${r.url()}`);
    });
    await page.goto(server.url);
  });

  after(async () => {
    await context?.close();
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
    if (warnings.length) console.log(`browser warnings (not failures):\n  ${warnings.join('\n  ')}`);
  });

  it('gradient flow: moving the spectral-radius slider redraws the curve, which stays under the A4 bound', async () => {
    await page.waitForSelector('#gf-status[data-state=done]');
    await page.waitForSelector('#gf-plot svg');
    const before = JSON.parse((await dataset('#gf-plot', 'curve'))!) as Point[];
    const version = Number(await dataset('#gf-plot', 'version'));
    await shot('gradflow');

    // As a learner would: focus the slider and press the arrow key (each press is an input event).
    await page.focus('#gf-rho');
    for (let i = 0; i < 16; i++) await page.keyboard.press('ArrowRight');
    assert.equal(await page.inputValue('#gf-rho'), '1.8');
    await page.waitForFunction(() => {
      const el = document.getElementById('gf-plot')!;
      return JSON.parse(el.dataset.params ?? '{}').spectralRadius === 1.8 && document.getElementById('gf-status')!.dataset.state === 'done';
    });
    assert.ok(Number(await dataset('#gf-plot', 'version')) > version, 'the chart was redrawn');
    const after = JSON.parse((await dataset('#gf-plot', 'curve'))!) as Point[];
    const bound = JSON.parse((await dataset('#gf-plot', 'bound'))!) as number[];
    const far = (c: Point[]) => c[c.length - 1];
    assert.equal(far(after).k, 49);
    // ρ = 1.8 keeps far more of the gradient 49 steps back than PyTorch's default init.
    assert.ok(far(after).value > 1e3 * far(before).value, `before ${far(before).value}, after ${far(after).value}`);
    for (const p of after) assert.ok(p.value <= bound[p.k] * (1 + 1e-9), `k = ${p.k}: curve ${p.value} above the bound ${bound[p.k]}`);
    assert.match(await page.textContent('#gf-readout') ?? '', /bound holds.*yes/s);
    await shot('gradflow-rho-1.8');
  });

  it('the page is cross-origin isolated (COOP same-origin, COEP require-corp), so shared memory is available', async () => {
    assert.equal(await page.evaluate(() => crossOriginIsolated), true);
    assert.equal(await page.evaluate(() => typeof SharedArrayBuffer), 'function');
  });

  it('training: the adding problem trains in the worker, the loss falls, the page answers clicks meanwhile', async () => {
    await page.click('#tab-train');
    await page.fill('#tr-steps', '5000');
    await page.click('#tr-start');
    await page.waitForFunction(() => Number(document.getElementById('tr-status')!.dataset.step ?? 0) >= 30);

    // The page's own thread is free: a tab switch is handled at once and a timer fires on time.
    const t0 = Date.now();
    await page.click('#tab-gradflow');
    assert.equal(await page.getAttribute('#tab-gradflow', 'aria-selected'), 'true');
    const lag = await page.evaluate(() => new Promise<number>((done) => { const t = performance.now(); setTimeout(() => done(performance.now() - t), 0); }));
    await page.click('#tab-train');
    assert.ok(Date.now() - t0 < 5000 && lag < 500, `clicks took ${Date.now() - t0} ms, a 0 ms timer fired after ${lag} ms`);
    const during = await stepOf();
    await page.waitForFunction((s) => Number(document.getElementById('tr-status')!.dataset.step ?? 0) >= Math.max(s + 20, 80), during);
    assert.equal(await page.getAttribute('#tr-status', 'data-state'), 'running', 'still training after the clicks');

    await page.click('#tr-stop');
    await page.waitForSelector('#tr-status[data-state=idle]');
    const stoppedAt = await stepOf();
    assert.ok(stoppedAt < 5000, `stopped at ${stoppedAt}`);
    await page.waitForTimeout(300);
    assert.equal(await stepOf(), stoppedAt, 'no step after Stop');
    await page.waitForFunction((s) => JSON.parse(document.getElementById('tr-plot')!.dataset.losses ?? '[]').length === s, stoppedAt);
    const losses = JSON.parse((await dataset('#tr-plot', 'losses'))!) as number[];
    const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;
    const first = mean(losses.slice(0, 5)), last = mean(losses.slice(-10));
    assert.ok(last < first / 1.5, `loss did not fall: first 5 steps ${first}, last 10 ${last}`);
    await shot('training-stopped');

    await page.click('#tr-resume');
    await page.waitForFunction((s) => Number(document.getElementById('tr-status')!.dataset.step ?? 0) >= s + 10, stoppedAt);
    await page.click('#tr-stop');
    await page.waitForSelector('#tr-status[data-state=idle]');
  });

  it('checkpoints: the download loads in the CLI; a corrupt file is refused by name; good ones load', async () => {
    const step = await stepOf();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#tr-save')]);
    assert.match(download.suggestedFilename(), /^rnnlab-adding-step-\d{9}\.tar$/);
    const saved = join(ARTIFACTS, 'downloaded-checkpoint.tar'); // one name, so runs do not pile up
    await download.saveAs(saved);
    const ck = loadCheckpoint(saved);
    assert.equal(ck.step, step);
    assert.equal(ck.task?.kind, 'adding');
    const ev = runEval({ checkpoint: saved, json: false }, () => {});
    // The download holds the trained weights: an untrained model predicts about 0 and scores about
    // E[s²] = 1/6 + 1 ≈ 1.17; a few dozen steps bring it to the 1/6 baseline, not always below it.
    assert.ok(Number.isFinite(ev.loss) && ev.loss < 0.5, `rnnlab eval on the download: loss ${ev.loss}, expected a trained model's (< 0.5)`);

    const corrupt = join(root, 'corrupt-checkpoint.tar');
    const rng = new Rng(7);
    writeFileSync(corrupt, Uint8Array.from({ length: 4096 }, () => rng.int(256)));
    await page.setInputFiles('#tr-load', corrupt);
    await page.waitForSelector('#tr-error:not([hidden])');
    const message = await page.textContent('#tr-error') ?? '';
    assert.match(message, /corrupt-checkpoint\.tar/);
    assert.match(message, /not an rnnlab checkpoint archive.*not a tar header/);
    await shot('checkpoint-corrupt');

    // A checkpoint written by the CLI's saveCheckpoint, packed by the system's tar.
    const cliRoot = join(root, 'cli-checkpoints');
    const task = new AddingTask({ seqLen: 12 });
    const model = new LSTM({ inputSize: 2, hiddenSize: 8, outputSize: 1, seed: 4 });
    saveCheckpoint(cliRoot, { model, step: 7, task: task.spec(), metrics: {} });
    const cliTar = join(root, 'cli-step-7.tar');
    execFileSync('tar', ['-cf', cliTar, '-C', cliRoot, 'step-000000007']);
    await page.setInputFiles('#tr-load', cliTar);
    await page.waitForFunction(() => document.getElementById('tr-status')!.dataset.loaded === 'cli-step-7.tar');
    assert.equal(await page.isHidden('#tr-error'), true, 'the error is cleared');
    assert.match(await page.textContent('#tr-status') ?? '', /LSTM, H = 8.*adding problem, T = 12, at step 7/);

    await page.setInputFiles('#tr-load', saved);
    await page.waitForFunction(() => document.getElementById('tr-status')!.dataset.loaded === 'downloaded-checkpoint.tar');
    assert.match(await page.textContent('#tr-status') ?? '', new RegExp(`at step ${step}\\b`));
    await page.click('#tr-resume');
    await page.waitForFunction((s) => Number(document.getElementById('tr-status')!.dataset.step ?? 0) >= s + 5, step);
    await page.click('#tr-stop');
    await page.waitForSelector('#tr-status[data-state=idle]');
    await shot('checkpoint-loaded');
  });

  /**
   * Trains TIMED from scratch in the page for WARMUP + STEP_WINDOW steps or a few more, and stops: what
   * the status line's data attributes say then, and its text while it ran. `target` (the steps field)
   * tells this run's progress lines from an earlier run's.
   */
  const trainTimedInPage = async (target: number) => {
    await page.click('#tab-train');
    await page.check('input[name=task][value=adding]');
    const fields: [string, number][] = [
      ['#tr-adding-T', 30], ['#tr-hidden', TIMED.hidden], ['#tr-forget', TIMED.forgetBias!], ['#tr-lr', TIMED.lr], ['#tr-batch', TIMED.batchSize],
      ['#tr-clip', TIMED.clipNorm!], ['#tr-clip-value', 0], ['#tr-tbptt', 0], ['#tr-eval', TIMED.evalEvery], ['#tr-seed', TIMED.seed], ['#tr-steps', target],
    ];
    for (const [id, v] of fields) await page.fill(id, String(v));
    await page.selectOption('#tr-cell', TIMED.cell);
    await page.selectOption('#tr-schedule', 'constant');
    await page.click('#tr-start');
    // Until this run's first progress arrives, data-step is still the last run's: wait for its target in the text too.
    await page.waitForFunction(([n, tgt]) => {
      const el = document.getElementById('tr-status')!;
      return (el.textContent ?? '').includes(` / ${tgt} ·`) && Number(el.dataset.step ?? 0) >= n;
    }, [WARMUP + STEP_WINDOW, target], { timeout: 60_000 });
    const runningText = await page.textContent('#tr-status') ?? '';
    await page.click('#tr-stop');
    await page.waitForSelector('#tr-status[data-state=idle]');
    return {
      steps: await stepOf(), backend: await dataset('#tr-status', 'backend'), threads: Number(await dataset('#tr-status', 'threads')),
      stepMs: Number(await dataset('#tr-status', 'stepMs')), runningText,
    };
  };

  it('threads: the fast backend in the page trains on more than one thread, and the status line says how many', async () => {
    const run = await trainTimedInPage(100_000);
    assert.equal(run.backend, 'wasm');
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    assert.ok(run.threads > 1, `the page's fast backend runs on ${run.threads} thread(s), expected more than 1 (navigator.hardwareConcurrency ${cores})`);
    assert.equal(run.threads, Math.min(4, cores), 'as many as defaultThreads() picks: the cores, at most 4');
    assert.match(run.runningText, new RegExp(`steps/s on ${run.threads} threads`));
    assert.ok(Number.isFinite(run.stepMs) && run.stepMs > 0, `data-step-ms ${run.stepMs}`);
  });

  it("threads: the page's training step is within 25 % of the same step in Node, on as many threads", async (t) => {
    // Rounds alternate between the page and this process (each idle while the other runs), and each side
    // keeps its best median. Load from elsewhere on the machine only ever slows a round down, so a round
    // or two more (up to ROUNDS) is taken while the best medians are further apart than 25 %.
    const ROUNDS = 5;
    const rounds: { page: number; node: number }[] = [];
    let threads = 0, pageMs = Infinity, nodeMs = Infinity;
    const within = () => Math.abs(pageMs / nodeMs - 1) <= 0.25;
    while (rounds.length < ROUNDS && !(rounds.length > 0 && within())) {
      const run = await trainTimedInPage(100_001 + rounds.length);
      assert.equal(run.backend, 'wasm');
      threads = run.threads;
      rounds.push({ page: run.stepMs, node: await nodeStepMs(TIMED, run.steps, run.threads) });
      pageMs = Math.min(pageMs, run.stepMs);
      nodeMs = Math.min(nodeMs, rounds[rounds.length - 1].node);
    }
    const line = `training step, LSTM H = ${TIMED.hidden}, adding T = 30, batch ${TIMED.batchSize}, wasm on ${threads} threads, ` +
      `median of the last ${STEP_WINDOW} of ${WARMUP + STEP_WINDOW}+ steps, best of ${rounds.length} round(s): page ${pageMs.toFixed(2)} ms, Node ${nodeMs.toFixed(2)} ms ` +
      `(page/Node ${(pageMs / nodeMs).toFixed(2)}; each round page/Node: ${rounds.map((x) => `${x.page.toFixed(2)}/${x.node.toFixed(2)}`).join(', ')})`;
    t.diagnostic(line);
    assert.ok(within(), line);
  });

  it('theory: the docs render with KaTeX math and the unrolled graph is drawn', async () => {
    await page.click('#tab-theory');
    await page.waitForSelector('#doc-theory .katex');
    const count = await page.$$eval('#doc-theory .katex', (els) => els.length);
    assert.ok(count > 100, `${count} formulas typeset`);
    assert.equal(await page.$$eval('.katex-error', (els) => els.length), 0, 'no formula failed');
    await page.waitForSelector('figure.unrolled .graph svg');
    assert.match(await page.textContent('figure.unrolled .graph svg') ?? '', /W_hh/);
    await page.selectOption('figure.unrolled select', 'lstm');
    await page.waitForFunction(() => (document.querySelector('figure.unrolled') as HTMLElement).dataset.drawn === 'lstm-4');
    assert.match(await page.textContent('figure.unrolled .graph svg') ?? '', /c_4/);
    await page.locator('figure.unrolled').screenshot({ path: join(ARTIFACTS, 'theory-unrolled.png') });
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot('theory', false);
  });

  it('no console errors, page errors or requests off the local server', () => {
    assert.deepEqual(problems, []);
  });
});

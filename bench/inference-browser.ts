/**
 * The inference benchmark (issue 18) in headless Chromium: rnnlab's forward-only pass and streaming step
 * against onnxruntime-web's WebAssembly backend (1 and 2 threads) on the model `exportOnnx` writes, the
 * cases of bench/inference.ts, measured in a page (bench/inference-page.ts) rather than in Node. Writes
 * bench/inference-browser.md:
 *
 *   npx tsx bench/inference-browser.ts [--quick]
 *
 * The page is bundled in memory by esbuild and served with ORT's run-time files from 127.0.0.1, cross-origin
 * isolated (so SharedArrayBuffer, and with it both libraries' threads, work). Nothing is fetched from the
 * internet. --quick: the short protocol, and no L.
 */
import { build } from 'esbuild';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, chromiumExecutable } from '../test/browser.js';
import { ISOLATION_HEADERS } from '../web/serve.js';
import { CONFIGS, FULL_PROTOCOL, QUICK_PROTOCOL, type Protocol } from './configs.js';
import type { PageCase, PageInfo } from './inference-page.js';

const BENCH = fileURLToPath(new URL('.', import.meta.url));
const ORT_DIST = fileURLToPath(new URL('../node_modules/onnxruntime-web/dist/', import.meta.url));

type Case = Omit<PageCase, 'peer' | 'threads' | 'protocol'> & { label: string };
interface Row { case: Case; rnnlab: number | null; ort1: number | null; ort2: number | null }

const quick = process.argv.includes('--quick');
const protocol: Protocol = quick ? QUICK_PROTOCOL : FULL_PROTOCOL;
const CASES: Case[] = [
  ...CONFIGS.filter((c) => !quick || c.name !== 'L').map((c) => ({ mode: 'forward' as const, label: `forward ${c.name}`, B: c.B, T: c.T, D: c.D, H: c.H })),
  { mode: 'stream', label: 'stream H=128', B: 1, T: 1, D: 64, H: 128 },
  { mode: 'stream', label: 'stream H=256', B: 1, T: 1, D: 64, H: 256 },
];

async function bundle(): Promise<Uint8Array> {
  const out = await build({
    entryPoints: [`${BENCH}inference-page.ts`], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'warning',
    // ort.min.mjs, not the default ort.bundle.min.mjs: the bundle build would start its worker threads from
    // its own URL, here our whole page; this one loads its glue .mjs (worker included) from wasmPaths.
    conditions: ['onnxruntime-web-use-extern-wasm'],
  });
  return out.outputFiles[0].contents;
}

/** The page, its bundle, and ORT's .mjs/.wasm files (by plain name only), all with the isolation headers. */
async function serve(js: Uint8Array): Promise<{ url: string; close(): void }> {
  const html = '<!doctype html><meta charset="utf-8"><title>rnnlab inference</title><script type="module" src="/page.js"></script>';
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (type: string, body: string | Uint8Array) => res.writeHead(200, { ...ISOLATION_HEADERS, 'content-type': type }).end(body);
    const ortFile = /^\/ort\/([\w.-]+\.(mjs|wasm))$/.exec(path);
    if (path === '/') send('text/html; charset=utf-8', html);
    else if (path === '/page.js') send('text/javascript', js);
    else if (ortFile) {
      readFile(ORT_DIST + ortFile[1]).then(
        (b) => send(ortFile[2] === 'wasm' ? 'application/wasm' : 'text/javascript', b),
        () => res.writeHead(404, ISOLATION_HEADERS).end(),
      );
    } else res.writeHead(404, ISOLATION_HEADERS).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, close: () => server.close() };
}

async function openPage(browser: Browser, url: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (e) => process.stderr.write(`page error: ${e.message}\n`));
  await page.goto(url);
  await page.waitForFunction(() => window.bench !== undefined);
  return page;
}

/** One case in the page: its median ms, or null (and the reason on stderr) when it fails. */
async function measure(page: Page, c: PageCase): Promise<number | null> {
  try {
    return (await page.evaluate((a) => window.bench!.run(a), c)).medianMs;
  } catch (e) {
    process.stderr.write(`${c.peer} ${c.threads} ${c.mode} H=${c.H}: ${e instanceof Error ? e.message : String(e)}\n`);
    return null;
  }
}

function markdown(rows: Row[], meta: { chromium: string; info: PageInfo; ortIsolated: boolean; load: [number, number] }): string {
  const f = (v: number | null) => (v === null ? 'failed' : v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(3) : v.toFixed(4));
  const out = [
    '# rnnlab inference benchmark in headless Chromium', '',
    `- Date: ${new Date().toISOString()}; Chromium ${meta.chromium} (headless), navigator.hardwareConcurrency ${meta.info.hardwareConcurrency}${quick ? '; **quick protocol: a smoke test, not for comparison**' : ''}`,
    `- Page crossOriginIsolated: ${meta.info.crossOriginIsolated} (rnnlab's page), ${meta.ortIsolated} (ORT's pages); rnnlab's fast backend ran on ${meta.info.rnnlabThreads ?? 'no wasm arena:'} thread(s) (\`wasmArena()?.threads\` after \`waitForThreads(2)\`).`,
    // The machine may be shared: its load says how far these numbers can be trusted.
    `- 1-minute load average ${meta.load[0].toFixed(2)} before, ${meta.load[1].toFixed(2)} after, on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown CPU'}).`,
    '- rnnlab: `forward(x, {}, { cache: false })` (forward) and `model.step(x_t, state)` (stream), LSTM float32, default backend. onnxruntime-web 1.23 WebAssembly backend on the model `exportOnnx` writes, a fresh page per thread count; stream = `session.run` on a one-step input with the state fed back.',
    `- Protocol: ${protocol.warmup} warm-up calls, then samples until ≥ ${protocol.minSteps} and ≥ ${protocol.minSeconds} s; median per call. A sample is as many calls as take ≥ 1 ms (the page's clock is coarsened to µs steps).`,
    '- ratio = ORT-web\'s faster thread count\'s ms ÷ rnnlab\'s: above 1× rnnlab is faster. Made by `npx tsx bench/inference-browser.ts`.', '',
    '| case | B | T | D | H | rnnlab ms | ORT-web 1 thread ms | ORT-web 2 threads ms | ratio |',
    '|---|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const r of rows) {
    const best = [r.ort1, r.ort2].filter((v): v is number => v !== null);
    const ratio = r.rnnlab !== null && best.length ? `${(Math.min(...best) / r.rnnlab).toFixed(2)}×` : '';
    out.push(`| ${r.case.label} | ${r.case.B} | ${r.case.T} | ${r.case.D} | ${r.case.H} | ${f(r.rnnlab)} | ${f(r.ort1)} | ${f(r.ort2)} | ${ratio} |`);
  }
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  const loadBefore = os.loadavg()[0];
  const server = await serve(await bundle());
  const browser = await chromium.launch({ executablePath: await chromiumExecutable(), headless: true, args: CHROMIUM_ARGS });
  try {
    const rows: Row[] = CASES.map((c) => ({ case: c, rnnlab: null, ort1: null, ort2: null }));
    const page = await openPage(browser, server.url);
    const info = await page.evaluate(() => window.bench!.info());
    for (const r of rows) r.rnnlab = await measure(page, { ...r.case, peer: 'rnnlab', threads: 1, protocol });
    await page.close();
    let ortIsolated = true;
    for (const threads of [1, 2] as const) {
      const p = await openPage(browser, server.url);
      ortIsolated &&= await p.evaluate(() => crossOriginIsolated);
      for (const r of rows) r[threads === 1 ? 'ort1' : 'ort2'] = await measure(p, { ...r.case, peer: 'ort-web', threads, protocol });
      await p.close();
    }
    const ms = (v: number | null): string => (v === null ? 'failed' : v.toPrecision(4));
    for (const r of rows) process.stderr.write(`${r.case.label}: rnnlab ${ms(r.rnnlab)} ms, ORT-web 1 thread ${ms(r.ort1)}, 2 threads ${ms(r.ort2)}\n`);
    await writeFile(`${BENCH}inference-browser.md`, markdown(rows, { chromium: browser.version(), info, ortIsolated, load: [loadBefore, os.loadavg()[0]] }));
    process.stderr.write(`wrote ${BENCH}inference-browser.md\n`);
  } finally {
    await browser.close();
    server.close();
  }
}

await main();

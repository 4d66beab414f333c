/**
 * The inference benchmark (issue 18): forward-only passes and streaming steps, rnnlab against
 * onnxruntime-web's WebAssembly backend (1 and 2 threads, in Node) and onnxruntime-node (native CPU,
 * one thread) on the same exported ONNX model. Each measurement runs in its own process
 * (bench/inference-child.ts). `npm run bench` runs it after the training steps and adds its table to
 * results.md; alone it writes a file of its own, inference.md, into the --out folder (default bench):
 *
 *   npx tsx bench/inference.ts [--quick] [--out bench]
 *
 * Bars (issue 18): forward-only ≥ 1.5× onnxruntime-web (its faster thread count) on every config and
 * ≥ 0.5× onnxruntime-node on M and L; streaming per-step latency ≤ 1/3 of onnxruntime-web's run per step.
 * (onnxruntime-node's own install script would download CUDA libraries from outside the npm registry:
 * .npmrc skips it, and the CPU build it ships is all this needs.)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CONFIGS, FULL_PROTOCOL, QUICK_PROTOCOL, type Cell, type Protocol } from './configs.js';
import { ROOT, parseResult, runChild } from './spawn.js';

interface Case { mode: 'forward' | 'stream'; label: string; B: number; T: number; D: number; H: number }
export interface Measured { case: Case; cell: Cell; rnnlab: number | null; ort1: number | null; ort2: number | null; ortNode: number | null }

const STREAMS: Case[] = [
  { mode: 'stream', label: 'stream H=128', B: 1, T: 1, D: 64, H: 128 },
  { mode: 'stream', label: 'stream H=256', B: 1, T: 1, D: 64, H: 256 },
];

async function one(peer: 'rnnlab' | 'ort-web' | 'ort-node', threads: number, cell: Cell, c: Case, protocol: Protocol): Promise<number | null> {
  const args = JSON.stringify({ peer, threads, cell, mode: c.mode, B: c.B, T: c.T, D: c.D, H: c.H, protocol });
  const out = await runChild(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/inference-child.ts'), args], 6 * protocol.capSeconds + 60);
  return parseResult<{ medianMs: number }>(out.stdout)?.medianMs ?? null;
}

export async function runInference(quick: boolean, cells: Cell[] = ['lstm'], log: (s: string) => void = (s) => process.stderr.write(`${s}\n`)): Promise<Measured[]> {
  const protocol = quick ? QUICK_PROTOCOL : FULL_PROTOCOL;
  const cases: Case[] = [...CONFIGS.filter((c) => !quick || c.name !== 'L').map((c) => ({ mode: 'forward' as const, label: `forward ${c.name}`, ...c })), ...STREAMS];
  const rows: Measured[] = [];
  for (const cell of cells) {
    for (const c of cases) {
      const m: Measured = {
        case: c, cell, rnnlab: await one('rnnlab', 1, cell, c, protocol),
        ort1: await one('ort-web', 1, cell, c, protocol), ort2: await one('ort-web', 2, cell, c, protocol), ortNode: await one('ort-node', 1, cell, c, protocol),
      };
      log(`${cell} ${c.label}: rnnlab ${m.rnnlab?.toFixed(3)} ms, onnxruntime-web 1 thread ${m.ort1?.toFixed(3)}, 2 threads ${m.ort2?.toFixed(3)}, onnxruntime-node ${m.ortNode?.toFixed(3)}`);
      rows.push(m);
    }
  }
  return rows;
}

/** The inference table, as a whole file (`heading` 1) or as a section of results.md (`heading` 2). */
export function inferenceMarkdown(rows: Measured[], meta: { date: string; quick: boolean; cpu: string; cores: number }, heading: 1 | 2 = 1): string {
  const f = (v: number | null) => (v === null ? 'failed' : v >= 10 ? v.toFixed(1) : v >= 0.1 ? v.toFixed(3) : v.toFixed(4));
  const x = (v: number | null) => (v === null ? '' : `${v.toFixed(2)}×`);
  const out = [
    `${'#'.repeat(heading)} rnnlab inference benchmark`, '',
    `- Date: ${meta.date}; ${meta.cpu}, ${meta.cores} cores; Node ${process.version}${meta.quick ? '; **quick protocol: a smoke test, not for comparison**' : ''}`,
    '- rnnlab: `forward(x, {}, { cache: false })` (forward) and `model.step(x_t, state)` (stream), float32, default backend (wasm, its default threads).',
    '- onnxruntime-web 1.23 (WebAssembly SIMD backend, in Node) and onnxruntime-node 1.30 (native CPU provider, 1 intra-op thread), on the model `exportOnnx` writes; stream = `session.run` on a one-step input with the state fed back.',
    '- ratio = the peer\'s ms ÷ rnnlab\'s: above 1× rnnlab is faster. "vs web" takes onnxruntime-web\'s faster thread count. Bars: forward ≥ 1.5× web on every config and ≥ 0.5× node on M and L; stream ≥ 3× web (a step in ≤ 1/3 of its time).', '',
    '| cell | case | B | T | D | H | rnnlab ms | ORT-web 1 thread ms | ORT-web 2 threads ms | ORT-node ms | vs web | vs node | bars |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|',
  ];
  for (const r of rows) {
    const best = [r.ort1, r.ort2].filter((v): v is number => v !== null);
    const web = r.rnnlab !== null && best.length ? Math.min(...best) / r.rnnlab : null;
    const node = r.rnnlab !== null && r.ortNode !== null ? r.ortNode / r.rnnlab : null;
    const verdict = (ratio: number | null, need: number, what: string) => `${what} ${ratio === null ? 'n/a' : ratio >= need ? '**met**' : 'missed'}`;
    const bars = r.case.mode === 'forward'
      ? [verdict(web, 1.5, 'web ≥ 1.5×'), ...(r.case.label.endsWith(' S') ? [] : [verdict(node, 0.5, 'node ≥ 0.5×')])]
      : [verdict(web, 3, 'web ≥ 3×')];
    out.push(`| ${r.cell} | ${r.case.label} | ${r.case.B} | ${r.case.T} | ${r.case.D} | ${r.case.H} | ${f(r.rnnlab)} | ${f(r.ort1)} | ${f(r.ort2)} | ${f(r.ortNode)} | ${x(web)} | ${x(node)} | ${bars.join('; ')} |`);
  }
  return `${out.join('\n')}\n`;
}

async function main(): Promise<void> {
  const quick = process.argv.includes('--quick');
  const outDir = process.argv.includes('--out') ? process.argv[process.argv.indexOf('--out') + 1] : 'bench';
  const rows = await runInference(quick);
  const md = inferenceMarkdown(rows, { date: new Date().toISOString(), quick, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length });
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'inference.md'), md);
  process.stderr.write(`wrote ${path.join(outDir, 'inference.md')}\n`);
}

if (process.argv[1]?.endsWith('inference.ts')) await main();

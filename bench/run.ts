/**
 * `npm run bench`: rnnlab's LSTM, GRU and RNN training steps timed side by side with TF.js (cpu and
 * wasm), brain.js and PyTorch (1 and 2 threads) in one run, each measurement in its own process, then
 * the inference table (bench/inference.ts: forward-only and streaming against onnxruntime-web and
 * onnxruntime-node). Writes results.md and results.json; see --help.
 */
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { CELLS, CONFIGS, FULL_PROTOCOL, QUICK_PROTOCOL, findConfig, type Cell, type Protocol } from './configs.js';
import type { GemmPeak } from './gemm-peak.js';
import { inferenceMarkdown, runInference, type Measured } from './inference.js';
import { PEERS, findPeer, type PeerInfo } from './peers/peer.js';
import { addSpeedups, blasKind, checkBars, renderMarkdown, simdFlags, type Bar, type Meta, type TorchBlas } from './report.js';
import { ROOT, measure, parseResult, probeTorch, runChild, type Row } from './spawn.js';

const HELP = `npx tsx bench/run.ts [options]      (npm run bench -- [options])

  --quick            smoke run: S and M only, 1 warm-up, ≥2 steps, 3 s cap (default out bench/results-quick)
  --only CELLS       comma list of ${CELLS.join(',')} (default all)
  --configs NAMES    comma list of ${CONFIGS.map((c) => c.name).join(',')} (default all; S,M with --quick)
  --peers IDS        comma list of ${PEERS.map((p) => p.id).join(',')}
  --out PATH         writes PATH.md and PATH.json, or results.md/.json inside PATH if it is a folder
                     (default bench/results)
  --json             also print the results JSON on stdout
  --no-gemm          skip measuring the GEMM ceiling
  --no-inference     skip the inference table (forward-only and streaming, LSTM)`;

export interface BenchOptions {
  quick: boolean;
  cells: Cell[];
  configs: string[];
  peers: PeerInfo[];
  out: string;
  json: boolean;
  gemm: boolean;
  inference: boolean;
}

function list<T>(value: string | undefined, fallback: T[], parse: (s: string) => T): T[] {
  return value === undefined ? fallback : value.split(',').map((s) => s.trim()).filter(Boolean).map(parse);
}

export function parseOptions(argv: string[]): BenchOptions | null {
  const { values } = parseArgs({
    args: argv, strict: true,
    options: { quick: { type: 'boolean' }, only: { type: 'string' }, configs: { type: 'string' }, peers: { type: 'string' }, out: { type: 'string' }, json: { type: 'boolean' }, 'no-gemm': { type: 'boolean' }, 'no-inference': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) return null;
  const quick = values.quick ?? false;
  const cells = list(values.only, [...CELLS], (s) => {
    if (!(CELLS as readonly string[]).includes(s)) throw new RangeError(`--only: expected cells from ${CELLS.join(', ')}, got ${JSON.stringify(s)}`);
    return s as Cell;
  });
  const configs = list(values.configs, quick ? ['S', 'M'] : CONFIGS.map((c) => c.name), (s) => findConfig(s).name);
  const peers = list(values.peers, [...PEERS], findPeer);
  return { quick, cells, configs, peers, out: values.out ?? path.join(ROOT, quick ? 'bench/results-quick' : 'bench/results'), json: values.json ?? false, gemm: !values['no-gemm'], inference: !values['no-inference'] };
}

function outPaths(out: string): { md: string; json: string } {
  let isDir = out.endsWith('/');
  try {
    isDir ||= statSync(out).isDirectory();
  } catch {
    // not there yet: a path prefix
  }
  const base = isDir ? path.join(out, 'results') : out.replace(/\.(md|json)$/, '');
  return { md: base + '.md', json: base + '.json' };
}

/** brain.js is CommonJS from 2019; if it does not load here, its rows say so instead of failing. */
function probeBrain(): string | null {
  try {
    createRequire(import.meta.url)('brain.js');
    return null;
  } catch (err) {
    return `brain.js does not load: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
}

async function measureGemm(quick: boolean): Promise<GemmPeak | null> {
  const out = await runChild(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/gemm-peak.ts'), '--json', ...(quick ? ['--quick'] : [])], 120);
  return parseResult<GemmPeak>(out.stdout);
}

export interface BenchResults {
  meta: Meta;
  options: { quick: boolean; cells: Cell[]; configs: string[]; peers: string[]; protocol: Protocol };
  gemm: GemmPeak | null;
  rows: Row[];
  bars: Bar[];
  /** The inference table's rows (null with --no-inference). */
  inference: Measured[] | null;
}

export async function runBench(o: BenchOptions, command: string, log: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<BenchResults> {
  const protocol = o.quick ? QUICK_PROTOCOL : FULL_PROTOCOL;
  const loadStart = os.loadavg();
  const torch = o.peers.some((p) => p.kind === 'torch') ? await probeTorch() : { reason: 'not requested' };
  const brain = o.peers.some((p) => p.id === 'brainjs') ? probeBrain() : null;
  const gemm = o.gemm ? await measureGemm(o.quick) : null;
  if (gemm) log(`GEMM 256³: JS ${gemm.js.bestGflops.toFixed(2)} GFLOP/s${gemm.wasm ? `, WASM ${gemm.wasm.bestGflops.toFixed(2)}` : ''}`);
  const rows: Row[] = [];
  for (const cell of o.cells) {
    for (const config of o.configs) {
      for (const peer of o.peers) {
        const absent = peer.kind === 'torch' && 'reason' in torch ? torch.reason : peer.id === 'brainjs' ? brain : null;
        const row = absent
          ? { peer: peer.id, label: peer.label, cell, config, status: 'unavailable' as const, reason: absent }
          : await measure(peer, cell, config, protocol);
        rows.push(row);
        log(`${cell} ${config} ${peer.id}: ${row.status === 'ok' ? `${row.medianMs!.toFixed(2)} ms/step (n=${row.n}), ${row.peakRssMiB!.toFixed(0)} MiB` : `${row.status}: ${row.reason}`}`);
      }
    }
  }
  addSpeedups(rows);
  const inference = o.inference ? await runInference(o.quick, ['lstm'], log) : null;
  const cpus = os.cpus();
  const torchBlas: TorchBlas | null = 'version' in torch ? { kind: blasKind(torch.loadedBlas), libraries: torch.loadedBlas, build: torch.buildBlas, gemmGflops: torch.gemmGflops } : null;
  const meta: Meta = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, os: `${os.type()} ${os.release()} ${os.arch()}`, node: process.version,
      torch: 'version' in torch ? torch.version : `not available (${torch.reason})`, simd: cpuSimd(), torchBlas,
    },
    command,
    load: { start: loadStart, end: os.loadavg() },
    protocol: `${o.quick ? 'QUICK (smoke test, not for comparison): ' : ''}${protocol.warmup} warm-up step(s), then timed steps until ≥ ${protocol.minSteps} steps and ≥ ${protocol.minSeconds} s, no new step after ${protocol.capSeconds} s; median ms/step. brain.js is timed per sequence (n counts sequences) and its step is B sequences.`,
  };
  return { meta, options: { quick: o.quick, cells: o.cells, configs: o.configs, peers: o.peers.map((p) => p.id), protocol }, gemm, rows, bars: checkBars(rows, gemm, torchBlas), inference };
}

/** The machine's SIMD extensions (Linux: /proc/cpuinfo), for the report's machine line. */
function cpuSimd(): string {
  try {
    return simdFlags(readFileSync('/proc/cpuinfo', 'utf8'));
  } catch {
    return 'unknown (no /proc/cpuinfo)';
  }
}

export const FLOPS_NOTE = 'GFLOP/s = 3 × forward FLOPs / time, forward FLOPs = 2·B·T·G·H·(D+H), G = 1 (RNN), 3 (GRU), 4 (LSTM); the head is not counted.';

export function writeResults(r: BenchResults, out: string): { md: string; json: string } {
  const p = outPaths(out);
  mkdirSync(path.dirname(p.md), { recursive: true });
  const inference = r.inference ? `\n${inferenceMarkdown(r.inference, { date: r.meta.date, quick: r.options.quick, cpu: r.meta.machine.cpu, cores: r.meta.machine.cores }, 2)}` : '';
  writeFileSync(p.md, renderMarkdown(r.meta, r.rows, r.bars, r.gemm, FLOPS_NOTE) + inference);
  writeFileSync(p.json, JSON.stringify(r, null, 2) + '\n');
  return p;
}

async function main(): Promise<void> {
  let o: BenchOptions | null;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n\n${HELP}\n`);
    process.exit(2);
  }
  if (!o) return void console.log(HELP);
  const command = ['npx tsx bench/run.ts', ...process.argv.slice(2)].join(' ');
  const results = await runBench(o, command);
  const p = writeResults(results, o.out);
  process.stderr.write(`wrote ${path.relative(process.cwd(), p.md)} and ${path.relative(process.cwd(), p.json)}\n`);
  for (const b of results.bars) process.stderr.write(`  [${b.result}] ${b.cell} ${b.config} ${b.bar}: ${b.measured}\n`);
  if (o.json) console.log(JSON.stringify(results, null, 2));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();

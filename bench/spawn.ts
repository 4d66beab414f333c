/**
 * Runs one measurement in a child process and turns whatever happens into a Row: a result, a peer
 * that is not there, a crash, or a timeout. Children run one at a time so they never share cores.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LR, findConfig, stepFlops, type Cell, type Protocol } from './configs.js';
import type { PeerInfo } from './peers/peer.js';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const PYTHON = '/usr/bin/python3';

export interface Row {
  peer: string;
  label: string;
  cell: Cell;
  config: string;
  status: 'ok' | 'unavailable' | 'failed';
  reason?: string;
  medianMs?: number;
  n?: number;
  unitsPerStep?: number;
  seqPerSec?: number;
  gflops?: number;
  peakRssMiB?: number;
  firstLoss?: number;
  lastLoss?: number;
  note?: string;
  /** This peer's ms/step over rnnlab (wasm)'s, filled in once both are known. */
  speedup?: number;
}

export interface ChildOutput {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Spawns a command, kills it (its own pid only) after `timeoutS`, and collects its output. */
export function runChild(cmd: string, args: string[], timeoutS: number, env: NodeJS.ProcessEnv = {}): Promise<ChildOutput> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', timedOut = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutS * 1000);
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: -1, stdout, stderr: stderr + String(err), timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}

/** The JSON after the child's `BENCH_RESULT ` line, or null. */
export function parseResult<T>(stdout: string): T | null {
  const line = stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
  return line ? (JSON.parse(line.slice('BENCH_RESULT '.length)) as T) : null;
}

/** The last meaningful line of a failed child's stderr: the error, without the stack. */
function lastError(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('at ') && !/^[=\s]*$/.test(l));
  const err = lines.filter((l) => /error|exception|not |cannot|fail/i.test(l));
  return (err[0] ?? lines[lines.length - 1] ?? 'no output').slice(0, 300);
}

/** What bench/peers/torch_probe.py reports of the PyTorch it finds. */
export interface TorchInfo {
  version: string;
  /** BLAS_INFO of torch.__config__.show(): what it was built against ('generic' on Debian). */
  buildBlas: string;
  /** The BLAS libraries mapped into the process after a matrix product: what it really runs on. */
  loadedBlas: string[];
  /** Single-thread float32 GEMM, 512³, best of ~1 s: GFLOP/s. */
  gemmGflops: number;
}

/** Whether /usr/bin/python3 has torch: what it runs on, or why not. */
export async function probeTorch(): Promise<TorchInfo | { reason: string }> {
  const out = await runChild(PYTHON, [path.join(ROOT, 'bench/peers/torch_probe.py')], 120, { OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' });
  const r = out.code === 0 ? parseResult<TorchInfo>(out.stdout) : null;
  if (r) return r;
  return { reason: out.code === -1 ? `${PYTHON} not found` : `${PYTHON} has no torch (${lastError(out.stderr)})` };
}

/** What a child prints after BENCH_RESULT: bench/measure.ts's Timing plus memory, or why it is absent. */
export interface ChildResult {
  medianMs: number;
  n: number;
  unitsPerStep: number;
  firstLoss: number;
  lastLoss: number;
  peakRssMiB: number;
  note?: string;
  unavailable?: string;
}

export async function measure(peer: PeerInfo, cell: Cell, configName: string, protocol: Protocol): Promise<Row> {
  const c = findConfig(configName);
  const base: Row = { peer: peer.id, label: peer.label, cell, config: c.name, status: 'failed' };
  // Room for setup, a first step and a timed step that each may run far past the cap (TF.js cpu on L).
  const timeoutS = 6 * protocol.capSeconds + 120;
  const out = peer.kind === 'torch'
    ? await runChild(PYTHON, [path.join(ROOT, 'bench/peers/torch.py'), JSON.stringify({ cell, ...c, threads: peer.threads, lr: LR, protocol })], timeoutS,
      // OpenBLAS and OpenMP read these at load: without them "1 thread" could still fan out.
      { OMP_NUM_THREADS: String(peer.threads), OPENBLAS_NUM_THREADS: String(peer.threads) })
    : await runChild(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/child.ts'), JSON.stringify({ peer: peer.id, cell, config: c.name, protocol })], timeoutS);
  if (out.timedOut) return { ...base, reason: `timed out after ${timeoutS} s` };
  const r = parseResult<ChildResult>(out.stdout);
  if (!r) return { ...base, reason: lastError(out.stderr) };
  if (r.unavailable) return { ...base, status: 'unavailable', reason: r.unavailable };
  const s = r.medianMs / 1000;
  return {
    ...base, status: 'ok', medianMs: r.medianMs, n: r.n, unitsPerStep: r.unitsPerStep, seqPerSec: c.B / s,
    gflops: stepFlops(cell, c) / s / 1e9, peakRssMiB: r.peakRssMiB, firstLoss: r.firstLoss, lastLoss: r.lastLoss, note: r.note,
  };
}

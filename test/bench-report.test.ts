/**
 * The benchmark's arithmetic on made-up rows: speedups, each bar's met/missed, and the options parser.
 * No process is spawned and nothing is timed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forwardFlops, makeData, toBatchMajor, findConfig } from '../bench/configs.js';
import { addSpeedups, blasKind, checkBars, renderMarkdown, simdFlags, type Meta, type TorchBlas } from '../bench/report.js';
import { parseOptions } from '../bench/run.js';
import { inferenceMarkdown } from '../bench/inference.js';
import type { Row } from '../bench/spawn.js';

const row = (peer: string, config: string, medianMs: number, peakRssMiB = 100): Row =>
  ({ peer, label: peer, cell: 'lstm', config, status: 'ok', medianMs, peakRssMiB, gflops: 1 });

test('forward FLOPs are 2·B·T·G·H·(D+H)', () => {
  assert.equal(forwardFlops('lstm', findConfig('S')), 2 * 1 * 100 * 4 * 32 * 40);
  assert.equal(forwardFlops('rnn', findConfig('L')), 2 * 64 * 100 * 1 * 256 * 384);
});

test('data are seeded, in [-1, 1), and transposed to batch-major exactly', () => {
  const c = { name: 't', B: 2, T: 3, D: 2, H: 1 };
  const a = makeData(c), b = makeData(c);
  assert.deepEqual(a.x, b.x);
  assert.notDeepEqual(a.x, a.y);
  assert.ok(a.x.every((v) => v >= -1 && v < 1));
  const bm = toBatchMajor(a.x, c); // [t][b][d] → [b][t][d]
  assert.equal(bm[(1 * c.T + 2) * c.D + 1], a.x[(2 * c.B + 1) * c.D + 1]);
});

test('speedups and bars: met and missed with their numbers', () => {
  const rows = [
    row('rnnlab', 'S', 1), row('tfjs-cpu', 'S', 9), row('tfjs-wasm', 'S', 4), row('brainjs', 'S', 20),
    row('torch1', 'S', 0.5), row('torch2', 'S', 3),
    row('rnnlab', 'L', 10, 150), row('torch1', 'L', 8, 200), row('torch2', 'L', 9, 140),
  ];
  addSpeedups(rows);
  assert.equal(rows[1].speedup, 9);
  const bars = checkBars(rows, { js: { size: 256, bestGflops: 1.5, medianGflops: 1, reps: 5 }, wasm: null, wasmThreaded: null, ceilingGflops: 1.5, source: 'js' });
  const find = (cfg: string, s: string) => bars.find((b) => b.config === cfg && b.bar.includes(s))!;
  assert.equal(find('S', 'TF.js').result, 'missed'); // 4× against the faster TF.js (wasm)
  assert.match(find('S', 'TF.js').measured, /4\.00× \(vs tfjs-wasm\)/);
  assert.equal(find('S', 'brain.js').result, 'met');
  assert.equal(find('S', 'PyTorch').result, 'missed'); // 0.5×: the faster (1-thread) PyTorch counts
  assert.equal(find('L', 'PyTorch').result, 'met'); // 0.8× ≥ 0.7×
  assert.equal(find('L', 'GEMM').result, 'missed'); // 1 of 1.5 GFLOP/s: 67% < 70%
  assert.equal(find('L', 'RSS').result, 'missed'); // 150 MiB > 140 MiB
  assert.equal(bars.filter((b) => b.config === 'S' && /GEMM|RSS/.test(b.bar)).length, 0, 'L-only bars only on L');
});

test("issue 18's bars: M against PyTorch on one thread (RNN 0.8×, LSTM and GRU 1×), L's share of the GEMM ceiling (70%, RNN 55%)", () => {
  const gemm = { js: { size: 256, bestGflops: 1, medianGflops: 1, reps: 5 }, wasm: null, wasmThreaded: null, ceilingGflops: 10, source: 'js' as const };
  const rows = (cell: 'lstm' | 'rnn', gflops: number): Row[] => [
    { ...row('rnnlab', 'M', 9), cell }, { ...row('torch1', 'M', 8), cell }, { ...row('torch2', 'M', 20), cell },
    { ...row('rnnlab', 'L', 1), cell, gflops },
  ];
  const lstm = checkBars(rows('lstm', 6), gemm), rnn = checkBars(rows('rnn', 6), gemm);
  const find = (bars: ReturnType<typeof checkBars>, cfg: string, s: string) => bars.find((b) => b.config === cfg && b.bar.includes(s))!;
  assert.equal(find(lstm, 'M', 'PyTorch 1 thread').result, 'missed'); // 0.89× < 1×: the slow 2-thread run does not count
  assert.equal(find(rnn, 'M', 'PyTorch 1 thread').result, 'met'); // 0.89× ≥ 0.8×
  assert.equal(find(lstm, 'L', 'GEMM').bar, 'GFLOP/s ≥ 70% of GEMM peak');
  assert.equal(find(lstm, 'L', 'GEMM').result, 'missed'); // 60%
  assert.equal(find(rnn, 'L', 'GEMM').result, 'met'); // 60% ≥ 55%
});

test('a missing rnnlab row leaves the bars n/a', () => {
  const rows: Row[] = [{ peer: 'rnnlab', label: 'rnnlab', cell: 'lstm', config: 'M', status: 'failed', reason: 'boom' }, row('tfjs-cpu', 'M', 9)];
  addSpeedups(rows);
  assert.equal(rows[1].speedup, undefined);
  assert.deepEqual(checkBars(rows, null).map((b) => b.result), ['n/a']);
});

test('options: defaults, lists, --quick, and bad names named', () => {
  const full = parseOptions([])!;
  assert.deepEqual(full.configs, ['S', 'M', 'L']);
  assert.equal(full.peers.length, 7);
  assert.equal(full.inference, true);
  assert.equal(parseOptions(['--no-inference'])!.inference, false);
  const q = parseOptions(['--quick', '--only', 'lstm,gru', '--peers', 'rnnlab,torch2'])!;
  assert.deepEqual(q.configs, ['S', 'M']);
  assert.deepEqual(q.cells, ['lstm', 'gru']);
  assert.deepEqual(q.peers.map((p) => p.id), ['rnnlab', 'torch2']);
  assert.throws(() => parseOptions(['--only', 'tcn']), /--only: expected cells from lstm, gru, rnn, got "tcn"/);
  assert.throws(() => parseOptions(['--configs', 'XL']), /config: expected one of S, M, L/);
  assert.throws(() => parseOptions(['--peers', 'keras']), /peer: expected one of/);
  assert.equal(parseOptions(['--help']), null);
});

const blas = (kind: 'reference' | 'openblas'): TorchBlas => ({
  kind, build: 'generic', gemmGflops: kind === 'reference' ? 6 : 187,
  libraries: [kind === 'reference' ? '/usr/lib/x86_64-linux-gnu/blas/libblas.so.3' : '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so'],
});

test('the BLAS PyTorch runs on is read from the libraries it loaded: Debian’s reference and OpenBLAS share a name, not a folder', () => {
  assert.equal(blasKind(['/usr/lib/x86_64-linux-gnu/blas/libblas.so.3']), 'reference');
  assert.equal(blasKind(['/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3', '/usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblasp-r0.3.21.so']), 'openblas');
  assert.equal(blasKind(['/opt/intel/lib/libmkl_rt.so']), 'mkl');
  assert.equal(blasKind([]), 'unknown');
});

test('on the reference BLAS the PyTorch bars are withheld, saying why and how to install OpenBLAS', () => {
  const rows = [row('rnnlab', 'L', 10, 150), row('torch1', 'L', 80, 200), row('torch2', 'L', 90, 140)];
  addSpeedups(rows);
  const withheld = checkBars(rows, null, blas('reference')).filter((b) => /PyTorch/.test(b.bar));
  assert.ok(withheld.length >= 2);
  for (const b of withheld) {
    assert.equal(b.result, 'n/a');
    assert.match(b.measured, /not stated: PyTorch runs on the reference BLAS .*6\.0 GFLOP\/s.*libopenblas0-pthread/);
  }
  const stated = checkBars(rows, null, blas('openblas')).find((b) => b.bar.includes('× PyTorch'))!;
  assert.equal(stated.result, 'met'); // 8× PyTorch: stated, since PyTorch runs on OpenBLAS
});

test('the SIMD extensions that matter for GEMM are named from /proc/cpuinfo', () => {
  assert.equal(simdFlags('processor : 0\nflags\t\t: fpu sse4_2 avx avx2 fma avx512f\n'), 'SSE4.2, AVX, AVX2, FMA, AVX-512F');
  assert.equal(simdFlags('no flags here'), 'unknown');
});

test('results.md names PyTorch’s BLAS and gives rnnlab’s share of the GEMM ceiling per config', () => {
  const rows = [row('rnnlab', 'L', 10), row('torch1', 'L', 8)];
  addSpeedups(rows);
  const gemm = { js: { size: 256, bestGflops: 1, medianGflops: 1, reps: 5 }, wasm: { size: 256, bestGflops: 4, medianGflops: 4, reps: 5 }, wasmThreaded: null, ceilingGflops: 4, source: 'wasm' as const };
  const meta: Meta = {
    date: 'd', command: 'c', protocol: 'p', load: { start: [0, 0, 0], end: [0, 0, 0] },
    machine: { cpu: 'CPU', cores: 2, os: 'Linux', node: 'v20', torch: '1.13', simd: 'AVX2, FMA', torchBlas: blas('reference') },
  };
  const md = renderMarkdown(meta, rows, checkBars(rows, gemm, blas('reference')), gemm, 'note');
  assert.match(md, /SIMD: AVX2, FMA/);
  assert.match(md, /PyTorch's BLAS: reference .*6\.0 GFLOP\/s.*PyTorch bars withheld/);
  assert.match(md, /\| L \| rnnlab \| 10\.0 \| .* \| 25% \|/); // 1 GFLOP/s of a 4 GFLOP/s ceiling
});

test('the inference table: ratios to the faster onnxruntime-web thread count and to onnxruntime-node, with each bar', () => {
  const md = inferenceMarkdown([
    { cell: 'lstm', case: { mode: 'forward', label: 'forward S', B: 1, T: 100, D: 8, H: 32 }, rnnlab: 1, ort1: 2, ort2: 1.6, ortNode: 0.4 },
    { cell: 'lstm', case: { mode: 'forward', label: 'forward M', B: 32, T: 50, D: 64, H: 128 }, rnnlab: 10, ort1: 12, ort2: 9, ortNode: 4 },
    { cell: 'lstm', case: { mode: 'stream', label: 'stream H=128', B: 1, T: 1, D: 64, H: 128 }, rnnlab: 0.2, ort1: 0.08, ort2: null, ortNode: null },
  ], { date: 'd', quick: false, cpu: 'CPU', cores: 2 });
  // S has no onnxruntime-node bar; M misses the web bar (0.90×) and misses node's (0.40× < 0.5×).
  assert.match(md, /\| forward S \|.*\| 0\.400 \| 1\.60× \| 0\.40× \| web ≥ 1\.5× \*\*met\*\* \|/);
  assert.match(md, /\| forward M \|.*\| 0\.90× \| 0\.40× \| web ≥ 1\.5× missed; node ≥ 0\.5× missed \|/);
  assert.match(md, /\| stream H=128 \|.*\| failed \| failed \| 0\.40× \|  \| web ≥ 3× missed \|/);
});

/**
 * From measured rows to what the issue asks for: speedups of rnnlab (wasm) over every peer, the bars
 * checked as met/missed with their numbers, and results.md.
 */
import type { Cell } from './configs.js';
import type { GemmPeak } from './gemm-peak.js';
import type { Row } from './spawn.js';

export interface Bar {
  bar: string;
  cell: Cell;
  config: string;
  needed: string;
  measured: string;
  result: 'met' | 'missed' | 'n/a';
}

/** Which BLAS PyTorch really runs on, from the libraries it has loaded. */
export type BlasKind = 'openblas' | 'mkl' | 'blis' | 'reference' | 'unknown';

/**
 * Debian installs the reference BLAS as /usr/lib/<arch>/blas/libblas.so.3 and OpenBLAS as
 * …/openblas-pthread/libblas.so.3 (the same name, chosen by update-alternatives): the directory tells.
 */
export function blasKind(loaded: readonly string[]): BlasKind {
  const all = loaded.join(' ').toLowerCase();
  if (all.includes('openblas')) return 'openblas';
  if (all.includes('mkl')) return 'mkl';
  if (all.includes('blis')) return 'blis';
  if (/\/blas\/libblas|refblas|netlib/.test(all)) return 'reference';
  return 'unknown';
}

/** What the report says of the PyTorch peer's BLAS; `reference` turns its bars off. */
export interface TorchBlas {
  kind: BlasKind;
  libraries: string[];
  build: string;
  gemmGflops: number;
}

/** The SIMD extensions that matter for GEMM, from /proc/cpuinfo's flags line (Linux), in words. */
export function simdFlags(cpuinfo: string): string {
  const line = cpuinfo.split('\n').find((l) => /^flags\s*:/.test(l));
  if (!line) return 'unknown';
  const flags = new Set(line.split(':')[1].trim().split(/\s+/));
  const named: [string, string][] = [['sse4_2', 'SSE4.2'], ['avx', 'AVX'], ['avx2', 'AVX2'], ['fma', 'FMA'], ['avx512f', 'AVX-512F'], ['avx512_vnni', 'AVX-512 VNNI'], ['amx_tile', 'AMX']];
  const have = named.filter(([f]) => flags.has(f)).map(([, n]) => n);
  return have.length ? have.join(', ') : 'none of SSE4.2/AVX/AVX2/FMA/AVX-512';
}

export interface Meta {
  date: string;
  machine: { cpu: string; cores: number; os: string; node: string; torch: string; simd?: string; torchBlas?: TorchBlas | null };
  command: string;
  protocol: string;
  /** os.loadavg() (1, 5, 15 min) at the start and end: other work on the machine skews every number. */
  load: { start: number[]; end: number[] };
}

const ok = (r: Row | undefined): r is Row & { medianMs: number } => r?.status === 'ok' && r.medianMs !== undefined;

/** speedup = peer ms/step ÷ rnnlab (wasm) ms/step, within each cell and config. */
export function addSpeedups(rows: Row[]): void {
  for (const r of rows) {
    const me = rows.find((k) => k.peer === 'rnnlab' && k.cell === r.cell && k.config === r.config);
    if (ok(r) && ok(me)) r.speedup = r.medianMs / me.medianMs;
  }
}

const x = (v: number) => `${v.toFixed(2)}×`;

/** Why PyTorch's bars are not stated, when they are not: its BLAS is the reference one. */
export function torchBarsWithheld(blas: TorchBlas | null | undefined): string | null {
  if (!blas || blas.kind !== 'reference') return null;
  return `not stated: PyTorch runs on the reference BLAS (${blas.libraries.join(', ') || 'libblas3'}, ${blas.gemmGflops.toFixed(1)} GFLOP/s single-thread GEMM), so a ratio would say nothing about PyTorch; install OpenBLAS (apt-get install libopenblas0-pthread) and rerun`;
}

export function checkBars(rows: Row[], gemm: GemmPeak | null, torchBlas: TorchBlas | null = null): Bar[] {
  const withheld = torchBarsWithheld(torchBlas);
  const bars: Bar[] = [];
  const pairs = [...new Set(rows.map((r) => `${r.cell}/${r.config}`))].map((k) => k.split('/') as [Cell, string]);
  for (const [cell, config] of pairs) {
    const get = (peer: string) => rows.find((r) => r.peer === peer && r.cell === cell && r.config === config);
    const me = get('rnnlab');
    const add = (bar: string, needed: string, measured: string | null, met: boolean) =>
      bars.push({ bar, cell, config, needed, measured: measured ?? 'not measured', result: measured === null ? 'n/a' : met ? 'met' : 'missed' });
    const ratio = (peer: string) => {
      const r = get(peer);
      return ok(me) && ok(r) ? r.medianMs / me.medianMs : null;
    };
    if (!ok(me)) {
      add('rnnlab measured', 'a result', null, false);
      continue;
    }
    const tf = ['tfjs-cpu', 'tfjs-wasm'].map((p) => ({ p, s: ratio(p) })).filter((t) => t.s !== null) as { p: string; s: number }[];
    if (get('tfjs-cpu') || get('tfjs-wasm')) {
      const best = tf.sort((a, b) => a.s - b.s)[0];
      add('≥ 5× the best TF.js backend', '5×', best ? `${x(best.s)} (vs ${best.p})` : null, !!best && best.s >= 5);
    }
    if (get('brainjs')) {
      const s = ratio('brainjs');
      add('≥ 10× brain.js', '10×', s === null ? null : x(s), s !== null && s >= 10);
    }
    if (config === 'M' && get('torch1')) {
      // Issue 18's bar on M: against PyTorch on one thread, RNN ≥ 0.8×, LSTM and GRU ≥ 1×.
      const need = cell === 'rnn' ? 0.8 : 1;
      const s1 = ratio('torch1');
      add(`≥ ${need}× PyTorch 1 thread`, x(need), withheld ?? (s1 === null ? null : x(s1)), !withheld && s1 !== null && s1 >= need);
      if (withheld) bars[bars.length - 1].result = 'n/a';
    }
    if (config !== 'M' && (get('torch2') || get('torch1'))) {
      // Against the faster of 1 and 2 threads: on a loaded 2-core machine 2 threads can be far slower,
      // and a bar met against a handicapped PyTorch would mean nothing.
      const need = config === 'S' ? 1 : 0.7;
      const s2 = ratio('torch2'), s1 = ratio('torch1');
      const both = [s1, s2].filter((s): s is number => s !== null);
      const best = both.length ? Math.min(...both) : null;
      const shown = best === null ? null : `${x(best)} (2 threads: ${s2 === null ? 'not measured' : x(s2)}; 1 thread: ${s1 === null ? 'not measured' : x(s1)})`;
      if (withheld) add(`≥ ${need}× PyTorch (faster of 1, 2 threads)`, x(need), null, false);
      else add(`≥ ${need}× PyTorch (faster of 1, 2 threads)`, x(need), shown, best !== null && best >= need);
      if (withheld) bars[bars.length - 1].measured = withheld;
    }
    if (config === 'L') {
      if (gemm) {
        // Issue 18's bar: the LSTM and GRU at ≥ 70% of the ceiling, the RNN (least work per step) at ≥ 55%.
        const share = cell === 'rnn' ? 0.55 : 0.7;
        const frac = me.gflops! / gemm.ceilingGflops;
        const src = gemm.source === 'wasm' ? `WASM GEMM${gemm.wasmThreaded ? `, ${gemm.wasmThreaded.threads} threads` : ''}` : 'JS GEMM (WASM GEMM not available)';
        add(`GFLOP/s ≥ ${Math.round(share * 100)}% of GEMM peak`, `${(gemm.ceilingGflops * share).toFixed(2)} GFLOP/s`, `${me.gflops!.toFixed(2)} GFLOP/s = ${(frac * 100).toFixed(0)}% of ${gemm.ceilingGflops.toFixed(2)} (${src})`, frac >= share);
      }
      const t1 = get('torch1'), t2 = get('torch2');
      if (t1 || t2) {
        // The smaller of the two PyTorch peaks (they differ by a thread stack or two).
        const torch = [t1, t2].filter(ok).map((t) => t.peakRssMiB!);
        const mine = me.peakRssMiB!, theirs = torch.length ? Math.min(...torch) : null;
        const shown = (t: Row | undefined) => (ok(t) ? `${t.peakRssMiB!.toFixed(0)} MiB` : 'not measured');
        const mem = theirs === null ? null : `${mine.toFixed(0)} MiB (PyTorch 1 thread: ${shown(t1)}, 2 threads: ${shown(t2)})`;
        add('peak RSS ≤ PyTorch', `≤ ${theirs === null ? '?' : theirs.toFixed(0)} MiB`, mem, theirs !== null && mine <= theirs);
        if (withheld) { bars[bars.length - 1].result = 'n/a'; bars[bars.length - 1].measured = withheld; }
      }
    }
  }
  return bars;
}

const f = (v: number | undefined, d: number) => (v === undefined ? '' : v.toFixed(d));
const num = (v: number | undefined) => (v === undefined ? '' : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2));

export function renderMarkdown(meta: Meta, rows: Row[], bars: Bar[], gemm: GemmPeak | null, flopsNote: string): string {
  const m = meta.machine;
  const out = [
    '# rnnlab training-step benchmark',
    '',
    `- Date: ${meta.date}`,
    `- Machine: ${m.cpu}, ${m.cores} cores (SIMD: ${m.simd ?? 'unknown'}), ${m.os}; Node ${m.node}; PyTorch ${m.torch}`,
    m.torchBlas
      ? `- PyTorch's BLAS: ${m.torchBlas.kind} (loaded: ${m.torchBlas.libraries.join(', ') || 'none found'}; built with BLAS_INFO=${m.torchBlas.build}); its single-thread float32 GEMM (512³): ${m.torchBlas.gemmGflops.toFixed(1)} GFLOP/s${gemm ? `, against rnnlab's WASM ${gemm.wasm ? gemm.wasm.bestGflops.toFixed(1) : '—'} GFLOP/s on one core` : ''}${torchBarsWithheld(m.torchBlas) ? '. **PyTorch bars withheld: reference BLAS.**' : ''}`
      : '- PyTorch\'s BLAS: not probed',
    `- Command: \`${meta.command}\``,
    `- Protocol: ${meta.protocol}`,
    `- Load average (1/5/15 min) at start ${meta.load.start.map((l) => l.toFixed(2)).join(' / ')}, at end ${meta.load.end.map((l) => l.toFixed(2)).join(' / ')}; each measurement runs alone, but other work on the machine is not controlled.`,
    gemm
      ? `- GEMM ceiling (256³ float32, best run): JS sgemm ${gemm.js.bestGflops.toFixed(2)} GFLOP/s (one core); WASM SIMD sgemm ${gemm.wasm ? gemm.wasm.bestGflops.toFixed(2) + ' GFLOP/s on one core' : 'not available'}${gemm.wasmThreaded ? `, ${gemm.wasmThreaded.bestGflops.toFixed(2)} GFLOP/s on ${gemm.wasmThreaded.threads} threads` : ''}; the L bar uses ${gemm.source === 'wasm' ? (gemm.wasmThreaded ? `WASM on ${gemm.wasmThreaded.threads} threads, as rnnlab trains` : 'WASM on one core') : 'JS'}`
      : '- GEMM ceiling: not measured',
    `- ${flopsNote}`,
    '- Speedup = the row\'s ms/step ÷ rnnlab (wasm)\'s: above 1× rnnlab is faster. Peak RSS is the whole process (runtime, library, data).',
    '',
  ];
  for (const cell of [...new Set(rows.map((r) => r.cell))]) {
    out.push(`## ${cell.toUpperCase()}`, '', '| config | library | ms/step (median) | n | seq/s | GFLOP/s | share of GEMM ceiling | peak RSS MiB | rnnlab speedup |', '|---|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const r of rows.filter((k) => k.cell === cell)) {
      if (r.status !== 'ok') {
        out.push(`| ${r.config} | ${r.label} | ${r.status === 'unavailable' ? 'not available' : 'failed'}: ${(r.reason ?? '').replace(/\|/g, '\\|')} | | | | | | |`);
        continue;
      }
      const n = r.unitsPerStep && r.unitsPerStep > 1 ? `${r.n} seq` : `${r.n}`;
      // rnnlab's own rows against the ceiling it can reach (the WASM GEMM on as many threads as it trains on).
      const share = r.peer === 'rnnlab' && gemm && r.gflops !== undefined ? `${((r.gflops / gemm.ceilingGflops) * 100).toFixed(0)}%` : '';
      out.push(`| ${r.config} | ${r.label} | ${num(r.medianMs)} | ${n} | ${num(r.seqPerSec)} | ${f(r.gflops, 3)} | ${share} | ${f(r.peakRssMiB, 0)} | ${r.speedup === undefined ? '' : x(r.speedup)} |`);
    }
    out.push('');
  }
  out.push('## Bars', '', '| bar | cell | config | needed | measured | result |', '|---|---|---|---|---|---|');
  for (const b of bars) out.push(`| ${b.bar} | ${b.cell} | ${b.config} | ${b.needed} | ${b.measured} | ${b.result === 'met' ? '**met**' : b.result} |`);
  const notes = [...new Set(rows.filter((r) => r.note).map((r) => `${r.label}: ${r.note}`))];
  if (notes.length) out.push('', '## Notes', '', ...notes.map((n) => `- ${n}`));
  return out.join('\n') + '\n';
}

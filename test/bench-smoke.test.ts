/**
 * The benchmark harness end to end: `bench/run.ts --quick` on config S, one cell, rnnlab and TF.js cpu,
 * into a temp folder, then the shape of results.json and results.md. Timings are not checked, only that
 * they are real numbers.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

test('bench/run.ts --quick writes results.json and results.md for rnnlab and tfjs-cpu', { timeout: 90_000 }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rnnlab-bench-'));
  try {
    const args = ['--import', 'tsx', 'bench/run.ts', '--quick', '--only', 'gru', '--configs', 'S', '--peers', 'rnnlab,tfjs-cpu', '--out', dir];
    execFileSync(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    const r = JSON.parse(readFileSync(path.join(dir, 'results.json'), 'utf8'));
    assert.equal(r.options.quick, true);
    assert.deepEqual(r.options.peers, ['rnnlab', 'tfjs-cpu']);
    assert.equal(typeof r.meta.machine.cpu, 'string');
    assert.ok(r.gemm.js.bestGflops > 0, 'the GEMM ceiling is measured');
    assert.equal(r.rows.length, 2);
    for (const row of r.rows) {
      assert.equal(row.status, 'ok', `${row.peer}: ${row.reason}`);
      assert.equal(row.cell, 'gru');
      assert.equal(row.config, 'S');
      for (const k of ['medianMs', 'n', 'seqPerSec', 'gflops', 'peakRssMiB', 'speedup']) {
        assert.ok(Number.isFinite(row[k]) && row[k] > 0, `${row.peer}.${k} = ${row[k]}`);
      }
      assert.ok(Number.isFinite(row.firstLoss) && Number.isFinite(row.lastLoss));
    }
    const me = r.rows.find((k: { peer: string }) => k.peer === 'rnnlab');
    assert.equal(me.speedup, 1);
    // seq/s and GFLOP/s follow from ms/step: B = 1, 3 · 2·B·T·G·H·(D+H) = 3 · 2·1·100·3·32·40.
    assert.ok(Math.abs(me.seqPerSec - 1000 / me.medianMs) < 1e-9);
    assert.ok(Math.abs(me.gflops - (3 * 2 * 100 * 3 * 32 * 40) / (me.medianMs / 1000) / 1e9) < 1e-9);
    assert.ok(r.bars.some((b: { bar: string }) => b.bar.includes('TF.js')));
    const md = readFileSync(path.join(dir, 'results.md'), 'utf8');
    assert.match(md, /^# rnnlab training-step benchmark/);
    assert.match(md, /## GRU\n\n\| config \| library \| ms\/step \(median\) \|/);
    assert.match(md, /\| S \| rnnlab \(wasm\) \| [\d.]+ \|/);
    assert.match(md, /\| S \| tfjs cpu \| [\d.]+ \|/);
    assert.match(md, /## Bars/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

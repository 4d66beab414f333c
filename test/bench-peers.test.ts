/**
 * What the benchmark times is real training: for a tiny config, 20 steps of each peer's step (the
 * same factory the timed runs use) lower its loss. PyTorch runs only where /usr/bin/python3 has torch.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Cell, Config } from '../bench/configs.js';
import { loadFactory, type PeerId } from '../bench/peers/peer.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tiny: Config = { name: 'tiny', B: 2, T: 6, D: 3, H: 8 };
const STEPS = 20;

async function losses(peer: PeerId, cell: Cell): Promise<number[]> {
  const trainer = await (await loadFactory(peer))(cell, tiny);
  const out: number[] = [];
  // brain.js steps one sequence at a time: 20 steps of B sequences each.
  for (let i = 0; i <= STEPS * trainer.unitsPerStep; i++) out.push(await trainer.step());
  return out;
}

function assertDecreases(ls: number[], what: string, every = 1): void {
  assert.ok(ls.every(Number.isFinite), `${what}: finite losses`);
  // Compare the same sequence for per-sequence peers (brain.js cycles through B of them).
  const first = ls[0], last = ls[STEPS * every];
  assert.ok(last < first, `${what}: loss ${first} → ${last} after ${STEPS} steps`);
}

for (const peer of ['rnnlab-ref', 'rnnlab', 'tfjs-cpu', 'tfjs-wasm', 'brainjs'] as const) {
  for (const cell of ['lstm', 'gru', 'rnn'] as const) {
    test(`bench peer ${peer} ${cell}: ${STEPS} steps lower the loss`, { timeout: 60_000 }, async () => {
      assertDecreases(await losses(peer, cell), `${peer} ${cell}`, peer === 'brainjs' ? tiny.B : 1);
    });
  }
}

function torchVersion(): string | null {
  try {
    return execFileSync('/usr/bin/python3', ['-c', 'import torch; print(torch.__version__)'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return null;
  }
}

const torch = torchVersion();
for (const cell of ['lstm', 'gru', 'rnn'] as const) {
  const skip = torch === null ? '/usr/bin/python3 with torch is not installed' : false;
  test(`bench peer torch ${cell}: ${STEPS} steps lower the loss`, { skip, timeout: 60_000 }, () => {
    const args = JSON.stringify({ cell, ...tiny, threads: 1, lr: 1e-3, losses: STEPS + 1 });
    const out = execFileSync('/usr/bin/python3', [path.join(root, 'bench/peers/torch.py'), args], { env: { ...process.env, OMP_NUM_THREADS: '1' } }).toString();
    const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
    assert.ok(line, `torch.py printed: ${out}`);
    assertDecreases(JSON.parse(line.slice('BENCH_RESULT '.length)).losses, `torch ${cell}`);
  });
}

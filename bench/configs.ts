/**
 * What the benchmark measures: the configs (issue 5), the cells, the FLOP count, the timing protocol
 * and the seeded data every peer trains on. Everything else in bench/ reads these, so a change here
 * changes every library's measurement the same way.
 */

export type Cell = 'rnn' | 'gru' | 'lstm';
export const CELLS: readonly Cell[] = ['lstm', 'gru', 'rnn'];

/** Gates per cell: how many H-wide blocks the input and recurrent matrices have. */
export const GATES: Record<Cell, number> = { rnn: 1, gru: 3, lstm: 4 };

export interface Config {
  name: string;
  /** Batch, sequence length, input (= output) width, hidden width. */
  B: number;
  T: number;
  D: number;
  H: number;
}

export const CONFIGS: readonly Config[] = [
  { name: 'S', B: 1, T: 100, D: 8, H: 32 },
  { name: 'M', B: 32, T: 50, D: 64, H: 128 },
  { name: 'L', B: 64, T: 100, D: 128, H: 256 },
];

export function findConfig(name: string): Config {
  const c = CONFIGS.find((k) => k.name === name);
  if (!c) throw new RangeError(`config: expected one of ${CONFIGS.map((k) => k.name).join(', ')}, got ${JSON.stringify(name)}`);
  return c;
}

/**
 * Forward FLOPs of the recurrent layer, as the issue defines them: every step multiplies [B, D+H] by
 * [D+H, G·H] (a multiply and an add each), 2·B·T·G·H·(D+H). The head and the elementwise gate math are
 * left out on purpose so the number is comparable with a GEMM ceiling.
 */
export function forwardFlops(cell: Cell, c: Config): number {
  return 2 * c.B * c.T * GATES[cell] * c.H * (c.D + c.H);
}

/** A training step (forward + BPTT + update) is taken as 3× forward: backward does two GEMMs per one. */
export function stepFlops(cell: Cell, c: Config): number {
  return 3 * forwardFlops(cell, c);
}

/** The timing protocol: warm-up, then timed steps until both minimums are met or the cap is hit. */
export interface Protocol {
  /** Warm-up steps (untimed); stops early once warm-up has used half the cap. */
  warmup: number;
  /** Timed steps wanted at least... */
  minSteps: number;
  /** ...and timed seconds wanted at least. */
  minSeconds: number;
  /** No new timed step starts after this many seconds (at least one timed step always runs). */
  capSeconds: number;
}

export const FULL_PROTOCOL: Protocol = { warmup: 2, minSteps: 5, minSeconds: 2, capSeconds: 20 };
export const QUICK_PROTOCOL: Protocol = { warmup: 1, minSteps: 2, minSeconds: 0.2, capSeconds: 3 };

/** The Adam learning rate of every peer's update. */
export const LR = 1e-3;

/**
 * Seeded uniform data in [-1, 1), time-major [T, B, D]; x and y are independent streams. mulberry32 is
 * used instead of rnnlab's Rng so that the data do not depend on the library under test.
 */
export function makeData(c: Config, seed = 1): { x: Float32Array; y: Float32Array } {
  const n = c.T * c.B * c.D;
  return { x: uniform(n, seed), y: uniform(n, seed + 1000) };
}

function uniform(n: number, seed: number): Float32Array {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** [T, B, D] → [B, T, D], for the batch-major libraries (TF.js) and per-sequence ones (brain.js). */
export function toBatchMajor(a: Float32Array, c: Config): Float32Array {
  const out = new Float32Array(a.length);
  for (let t = 0; t < c.T; t++) {
    for (let b = 0; b < c.B; b++) {
      out.set(a.subarray((t * c.B + b) * c.D, (t * c.B + b + 1) * c.D), (b * c.T + t) * c.D);
    }
  }
  return out;
}

/**
 * The timing loop every peer goes through (torch.py repeats it in Python), and what one measurement
 * reports. Only step() is inside the clock; building the model, the data and the loss check are not.
 */
import { performance } from 'node:perf_hooks';
import type { Protocol } from './configs.js';
import type { Trainer } from './peers/peer.js';

export interface Timing {
  /** Median milliseconds per training step (per unit × units per step). */
  medianMs: number;
  /** Timed units. */
  n: number;
  unitsPerStep: number;
  /** Loss of the first (warm-up) step and of the last timed one. */
  firstLoss: number;
  lastLoss: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The protocol's timed part: `step` again and again, each call on the clock, until at least
 * minSteps·units calls and minSeconds have passed, or capSeconds. Returns every call's milliseconds and
 * the last call's value.
 */
export async function timedSteps<T>(step: () => T | Promise<T>, p: Protocol, units = 1): Promise<{ times: number[]; last: T }> {
  const times: number[] = [];
  const t0 = performance.now();
  for (;;) {
    const s = performance.now();
    const last = await step();
    const now = performance.now();
    times.push(now - s);
    const elapsed = now - t0;
    if (elapsed >= p.capSeconds * 1000 || (times.length >= p.minSteps * units && elapsed >= p.minSeconds * 1000)) return { times, last };
  }
}

export async function timeTrainer(trainer: Trainer, p: Protocol): Promise<Timing> {
  // The first step also checks that the step trains something: a non-finite loss fails the measurement.
  const capMs = p.capSeconds * 1000;
  const t0 = performance.now();
  const firstLoss = await trainer.step();
  if (!Number.isFinite(firstLoss)) throw new Error(`loss is not finite after one step: ${firstLoss}`);
  // Units stand in for steps in the counts, so a per-sequence peer warms up and times as many steps.
  const u = trainer.unitsPerStep;
  for (let i = 1; i < p.warmup * u && performance.now() - t0 < capMs / 2; i++) await trainer.step();
  const { times, last: lastLoss } = await timedSteps(() => trainer.step(), p, u);
  if (!Number.isFinite(lastLoss)) throw new Error(`loss is not finite after ${times.length} timed steps: ${lastLoss}`);
  return { medianMs: median(times) * u, n: times.length, unitsPerStep: u, firstLoss, lastLoss };
}

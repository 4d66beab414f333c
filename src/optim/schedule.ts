/**
 * Learning-rate schedules, in closed form, with PyTorch's meaning of each (t = number of step() calls
 * so far, lr₀ = the optimizer's lr when the schedule is made):
 *
 *   step:    lr(t) = lr₀ · γ^⌊t / stepSize⌋                                   (torch StepLR)
 *   cosine:  lr(t) = lrMin + (lr₀ − lrMin) · (1 + cos(π · min(t, T) / T)) / 2  (torch CosineAnnealingLR, t ≤ T)
 *   linear:  lr(t) = lr₀ · (s + (e − s) · min(t, n) / n)                      (torch LinearLR: warm-up when s < e)
 *   warmup-cosine: linear from lr₀·s to lr₀ over n steps, then cosine from lr₀ to lrMin over the rest
 *
 * Closed forms rather than torch's chained multiplicative updates: the same numbers (to rounding), and a
 * resumed run only needs t, so the state dict is one integer. One deliberate difference: after T the
 * cosine stays at lrMin, where torch's CosineAnnealingLR keeps going round a period-2T cosine and rises.
 */
import { checkFiniteNumber, checkPositiveInt, describeValue } from '../tensor/check.js';
import { checkLr } from './optimizer.js';

export type ScheduleSpec =
  | { kind: 'constant' }
  | { kind: 'step'; stepSize: number; gamma?: number }
  | { kind: 'cosine'; totalSteps: number; lrMin?: number }
  | { kind: 'linear'; startFactor?: number; endFactor?: number; totalSteps: number }
  | { kind: 'warmup-cosine'; warmupSteps: number; totalSteps: number; startFactor?: number; lrMin?: number };

/** Anything with a settable lr: every rnnlab optimizer. */
export interface HasLr {
  lr: number;
}

export class LRSchedule {
  readonly spec: ScheduleSpec;
  readonly baseLr: number;
  private t = 0;
  private readonly opt: HasLr;

  constructor(optimizer: HasLr, spec: ScheduleSpec) {
    if (!optimizer || typeof optimizer !== 'object' || !('lr' in optimizer)) throw new TypeError('optimizer: expected an optimizer with an lr');
    this.opt = optimizer;
    this.spec = checkSpec(spec);
    this.baseLr = checkLr(optimizer.lr, 'optimizer.lr');
  }

  /** The lr after t calls of step(). */
  lrAt(t: number): number {
    const s = this.spec, lr0 = this.baseLr;
    switch (s.kind) {
      case 'constant':
        return lr0;
      case 'step':
        return lr0 * (s.gamma ?? 0.1) ** Math.floor(t / s.stepSize);
      case 'cosine':
        return cosine(lr0, s.lrMin ?? 0, Math.min(t, s.totalSteps), s.totalSteps);
      case 'linear': {
        const a = s.startFactor ?? 1 / 3, b = s.endFactor ?? 1;
        return lr0 * (a + ((b - a) * Math.min(t, s.totalSteps)) / s.totalSteps);
      }
      case 'warmup-cosine': {
        const a = s.startFactor ?? 0;
        if (t < s.warmupSteps) return lr0 * (a + ((1 - a) * t) / s.warmupSteps);
        const rest = s.totalSteps - s.warmupSteps;
        return cosine(lr0, s.lrMin ?? 0, Math.min(t - s.warmupSteps, rest), rest);
      }
    }
  }

  /** Call after optimizer.step(): advances t and sets the optimizer's lr. */
  step(): number {
    this.t++;
    this.opt.lr = this.lrAt(this.t);
    return this.opt.lr;
  }

  get stepCount(): number {
    return this.t;
  }

  stateDict(): { t: number } {
    return { t: this.t };
  }

  loadStateDict(state: { t: number }): void {
    if (!state || typeof state.t !== 'number' || !Number.isSafeInteger(state.t) || state.t < 0) {
      throw new RangeError(`schedule state: expected { t: integer >= 0 }, got ${describeValue(state)}`);
    }
    this.t = state.t;
    this.opt.lr = this.lrAt(this.t);
  }
}

function cosine(lr0: number, lrMin: number, t: number, T: number): number {
  return lrMin + ((lr0 - lrMin) * (1 + Math.cos((Math.PI * t) / T))) / 2;
}

function checkSpec(s: ScheduleSpec): ScheduleSpec {
  if (!s || typeof s !== 'object') throw new TypeError(`schedule: expected an object with a kind, got ${describeValue(s)}`);
  switch (s.kind) {
    case 'constant':
      break;
    case 'step':
      checkPositiveInt('schedule.stepSize', s.stepSize);
      if (s.gamma !== undefined) checkFiniteNumber('schedule.gamma', s.gamma, { positive: true });
      break;
    case 'cosine':
      checkPositiveInt('schedule.totalSteps', s.totalSteps);
      if (s.lrMin !== undefined) checkLr(s.lrMin, 'schedule.lrMin');
      break;
    case 'linear':
      checkPositiveInt('schedule.totalSteps', s.totalSteps);
      if (s.startFactor !== undefined) checkFiniteNumber('schedule.startFactor', s.startFactor, { min: 0 });
      if (s.endFactor !== undefined) checkFiniteNumber('schedule.endFactor', s.endFactor, { min: 0 });
      break;
    case 'warmup-cosine':
      checkPositiveInt('schedule.warmupSteps', s.warmupSteps);
      checkPositiveInt('schedule.totalSteps', s.totalSteps);
      if (s.totalSteps <= s.warmupSteps) {
        throw new RangeError(`schedule.totalSteps: expected more than warmupSteps (${s.warmupSteps}), got ${s.totalSteps}`);
      }
      if (s.startFactor !== undefined) checkFiniteNumber('schedule.startFactor', s.startFactor, { min: 0 });
      if (s.lrMin !== undefined) checkLr(s.lrMin, 'schedule.lrMin');
      break;
    default:
      throw new RangeError(`schedule.kind: expected one of 'constant', 'step', 'cosine', 'linear', 'warmup-cosine', got ${describeValue((s as { kind: unknown }).kind)}`);
  }
  return s;
}

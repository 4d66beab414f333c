/**
 * A small seeded random number generator. Every random thing in rnnlab takes one of these (or a seed
 * that makes one), so the same seed always gives the same numbers, in Node and in the browser.
 *
 * Algorithm: sfc32 (Chris Doty-Humphrey's "small fast chaotic" generator, 128-bit state, passes
 * PractRand); seeded through splitmix32 so that nearby seeds give unrelated streams.
 */
import { describeValue } from './check.js';
export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  /** A spare normal deviate from the last Box–Muller pair. */
  private spare: number | null = null;

  constructor(seed = 0) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new RangeError(`seed: expected a finite number, got ${describeValue(seed)}`);
    }
    let s = seed >>> 0;
    const next = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
      z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
      return (z ^ (z >>> 15)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1), 53 bits. */
  random(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform on [low, high): by default [0, 1), as torch.nn.init.uniform_. */
  uniform(low = 0, high = 1): number {
    if (typeof low !== 'number' || typeof high !== 'number' || !Number.isFinite(low) || !Number.isFinite(high)) {
      throw new RangeError(`uniform: expected finite bounds low and high, got ${describeValue(low)} and ${describeValue(high)}`);
    }
    return low + (high - low) * this.random();
  }

  /** Standard normal (Box–Muller). */
  normal(mean = 0, std = 1): number {
    if (this.spare !== null) {
      const z = this.spare;
      this.spare = null;
      return mean + std * z;
    }
    let u = 0;
    while (u === 0) u = this.random();
    const v = this.random();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return mean + std * r * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.random() * n);
  }

  /** The full state, to save in a checkpoint and restore with `setState`. */
  getState(): number[] {
    return [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0, this.spare ?? Number.NaN];
  }

  setState(state: readonly number[]): void {
    if (!Array.isArray(state) || state.length !== 5) {
      throw new RangeError(`rng state: expected 5 numbers, got ${describeValue(state)}`);
    }
    [this.a, this.b, this.c, this.d] = state.slice(0, 4).map((x) => x | 0);
    this.spare = Number.isNaN(state[4]) ? null : state[4];
  }
}

export function fillUniform(out: { length: number; [i: number]: number }, rng: Rng, low: number, high: number): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(low, high);
}

export function fillNormal(out: { length: number; [i: number]: number }, rng: Rng, mean: number, std: number): void {
  for (let i = 0; i < out.length; i++) out[i] = rng.normal(mean, std);
}

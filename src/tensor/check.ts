/**
 * Argument checks. Every message names the argument, what was expected and what was given, because
 * a shape error deep inside BPTT is useless to the person who passed the wrong array.
 */
import { Tensor, type DType, type FloatArray } from './tensor.js';

/**
 * A value as an error message shows it: numbers as written (NaN, Infinity, not JSON's null), strings
 * quoted (so "0.1" is not mistaken for 0.1), arrays and objects abbreviated, tensors and typed arrays
 * by what they are.
 */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (v === null) return 'null';
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'boolean' || typeof v === 'symbol') return String(v);
  if (typeof v === 'function') return 'a function';
  if (v instanceof Tensor) return `a Tensor ${fmtShape(v.shape)}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} of ${(v as unknown as ArrayLike<unknown>).length ?? v.byteLength}`;
  if (Array.isArray(v)) {
    const shown = v.slice(0, 8).map(describeValue).join(',');
    return `[${shown}${v.length > 8 ? `,… (${v.length} items)` : ''}]`;
  }
  let text: string;
  try {
    text = JSON.stringify(v, (_k, x: unknown) => (typeof x === 'number' && !Number.isFinite(x) ? String(x) : x)) ?? String(v);
  } catch {
    text = Object.prototype.toString.call(v);
  }
  const name = (v as object).constructor?.name;
  const prefix = name && name !== 'Object' ? `a ${name} ` : '';
  return prefix + (text.length > 80 ? `${text.slice(0, 80)}…` : text);
}

/**
 * The one options check: `o` is an object whose keys are all in `known`. An unknown key is refused by
 * name with the known ones listed, so a typo (`numLayer`, `betaz`, `momentun`) is an error, never a
 * silently ignored setting.
 */
export function checkOptions(name: string, o: unknown, known: readonly string[]): Record<string, unknown> {
  if (o === null || typeof o !== 'object' || Array.isArray(o)) throw new TypeError(`${name}: expected an object of options, got ${describeValue(o)}`);
  const unknown = Object.keys(o).filter((k) => !known.includes(k));
  if (unknown.length) {
    throw new RangeError(`${name}: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${known.join(', ')})`);
  }
  return o as Record<string, unknown>;
}

/** A dtype option: 'float32' (the default, when absent) or 'float64'. */
export function checkDTypeOption(name: string, v: unknown): DType {
  if (v === undefined) return 'float32';
  if (v !== 'float32' && v !== 'float64') throw new TypeError(`${name}: expected 'float32' or 'float64', got ${describeValue(v)}`);
  return v;
}

/** An optional boolean option: true, false or absent; anything else (`'no'`, `0`) is refused by name. */
export function checkOptionalBoolean(name: string, v: unknown): boolean | undefined {
  if (v !== undefined && typeof v !== 'boolean') throw new TypeError(`${name}: expected true or false, got ${describeValue(v)}`);
  return v;
}

export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

export function checkTensor(name: string, t: unknown): asserts t is Tensor {
  if (!(t instanceof Tensor)) {
    const given = t === null ? 'null' : Array.isArray(t) ? 'an array' : typeof t;
    throw new TypeError(`${name}: expected a Tensor, got ${given}`);
  }
}

/** `expected` may hold -1 for "any size". */
export function checkShape(name: string, t: Tensor, expected: readonly number[], meaning?: string): void {
  const ok = t.shape.length === expected.length && expected.every((d, i) => d === -1 || d === t.shape[i]);
  if (!ok) {
    const exp = fmtShape(expected).replace(/-1/g, '*');
    throw new RangeError(
      `${name}: expected shape ${exp}${meaning ? ` (${meaning})` : ''}, got ${fmtShape(t.shape)}`,
    );
  }
}

export function checkDType(name: string, t: Tensor, dtype: DType): void {
  if (t.dtype !== dtype) {
    throw new TypeError(`${name}: expected dtype ${dtype} (the model's), got ${t.dtype}; convert with .to('${dtype}')`);
  }
}

export function checkFinite(name: string, t: Tensor): void {
  if (allFinite(t.data)) return;
  const d = t.data;
  const i = d.findIndex((v) => !Number.isFinite(v));
  throw new RangeError(`${name}: expected finite numbers, got ${d[i]} at flat index ${i}`);
}

/**
 * Whether every value is finite. v − v is 0 for a finite v and NaN for ±∞ and NaN, so the sum of them
 * is 0 exactly when all are finite: one subtraction and one add per value and no branch, in four
 * independent sums (a single one would wait on each add), about twice as fast as Number.isFinite per value.
 */
export function allFinite(d: FloatArray): boolean {
  let a0 = 0, a1 = 0, a2 = 0, a3 = 0, i = 0;
  const n = d.length;
  for (; i + 4 <= n; i += 4) {
    a0 += d[i] - d[i];
    a1 += d[i + 1] - d[i + 1];
    a2 += d[i + 2] - d[i + 2];
    a3 += d[i + 3] - d[i + 3];
  }
  for (; i < n; i++) a0 += d[i] - d[i];
  return a0 + a1 + a2 + a3 === 0;
}

export function checkPositiveInt(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new RangeError(`${name}: expected a positive integer, got ${describeValue(v)}`);
  }
  return v;
}

export function checkFiniteNumber(name: string, v: unknown, opts: { min?: number; positive?: boolean } = {}): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new RangeError(`${name}: expected a finite number, got ${describeValue(v)}`);
  }
  if (opts.positive && !(v > 0)) throw new RangeError(`${name}: expected a number > 0, got ${v}`);
  if (opts.min !== undefined && v < opts.min) throw new RangeError(`${name}: expected a number >= ${opts.min}, got ${v}`);
  return v;
}

export function checkOneOf<T extends string>(name: string, v: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(v as T)) {
    throw new RangeError(`${name}: expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describeValue(v)}`);
  }
  return v as T;
}

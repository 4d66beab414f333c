/**
 * Meeting the learner's code at arm's length: every call into it, every property read and write, and
 * every value it returns goes through here, so that a throw, a wrong type, a wrong shape or a NaN
 * becomes a message for a failed check instead of an exception out of the grader.
 */
import type { Check, ModuleExports, ModuleLoader } from './types.js';
import { copyArr, fmtShape, type Arr, type Mat, type Shape, type Vec } from './arrays.js';

export type Result<T> = { ok: true; value: T } | { ok: false; error: string };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T>(error: string): Result<T> {
  return { ok: false, error };
}

export function check(name: string, passed: boolean, message: string): Check {
  return { name, passed, message };
}

/** What a thrown value says, without trusting it: its toString could itself throw. */
export function errorText(e: unknown): string {
  try {
    if (e instanceof Error) return `${e.name}: ${e.message}`;
    return `${describe(e)} (thrown, not an Error)`;
  } catch {
    return 'threw something that cannot be printed';
  }
}

/** Runs the learner's code; a throw becomes the error text. */
export function attempt<T>(f: () => T): Result<T> {
  try {
    return ok(f());
  } catch (e) {
    return fail(errorText(e));
  }
}

/** A value in a few words, for "expected ..., got ..." messages. */
export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  if (typeof v === 'function') return 'a function';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name} (expected a plain array)`;
  if (typeof v === 'object') {
    const keys = Object.keys(v).slice(0, 6);
    return keys.length ? `an object with keys ${keys.join(', ')}` : 'an empty object';
  }
  return `a ${typeof v}`;
}

/** A vector of n finite numbers, copied. */
export function readVec(v: unknown, n: number, name: string): Result<Vec> {
  if (!Array.isArray(v)) return fail(`${name}: expected an array of ${n} numbers, got ${describe(v)}`);
  if (v.length !== n) return fail(`${name}: expected ${n} numbers, got an array of length ${v.length}`);
  for (let i = 0; i < n; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number') return fail(`${name}[${i}]: expected a number, got ${describe(x)}`);
    if (!Number.isFinite(x)) return fail(`${name}[${i}] is ${x} (expected a finite number)`);
  }
  return ok((v as number[]).slice());
}

/** A [rows][cols] matrix of finite numbers (an array of rows), copied. */
export function readMat(v: unknown, rows: number, cols: number, name: string): Result<Mat> {
  const want = `an array of ${rows} rows of ${cols} numbers, ${fmtShape([rows, cols])}`;
  if (!Array.isArray(v)) return fail(`${name}: expected ${want}, got ${describe(v)}`);
  if (v.length !== rows) return fail(`${name}: expected ${want}, got ${v.length} rows`);
  const out: Mat = [];
  for (let i = 0; i < rows; i++) {
    const row = readVec(v[i], cols, `${name}[${i}]`);
    if (!row.ok) return row;
    out.push(row.value);
  }
  return ok(out);
}

export function readArr(v: unknown, shape: Shape, name: string): Result<Arr> {
  return shape.length === 1 ? readVec(v, shape[0], name) : readMat(v, shape[0], shape[1], name);
}

/** The value of `obj[key]`; a throwing getter is an error. */
export function getProp(obj: unknown, key: string): Result<unknown> {
  if (obj === null || (typeof obj !== 'object' && typeof obj !== 'function')) return fail(`expected an object with ${key}, got ${describe(obj)}`);
  return attempt(() => (obj as Record<string, unknown>)[key]);
}

/** obj[key] = value (the grader setting a weight); a frozen object or a throwing setter is an error. */
export function setProp(obj: object, key: string, value: unknown): Result<void> {
  return attempt(() => {
    (obj as Record<string, unknown>)[key] = value;
  });
}

/** obj.method(...args), the learner's method called as the learner would call it. */
export function callMethod(obj: object, method: string, args: unknown[]): Result<unknown> {
  const f = getProp(obj, method);
  if (!f.ok) return f;
  if (typeof f.value !== 'function') return fail(`${method}: expected a method, got ${describe(f.value)}`);
  const fn = f.value;
  return attempt(() => Reflect.apply(fn, obj, args) as unknown);
}

export function callFunction(fn: Function, args: unknown[]): Result<unknown> {
  return attempt(() => Reflect.apply(fn, undefined, args) as unknown);
}

export function construct(ctor: Function, args: unknown[], label: string): Result<object> {
  const r = attempt(() => Reflect.construct(ctor, args) as unknown);
  if (!r.ok) return fail(`${label} threw: ${r.error}`);
  if (r.value === null || typeof r.value !== 'object') return fail(`${label} gave ${describe(r.value)}, expected an object`);
  return ok(r.value);
}

/**
 * One export of a workbook file, which must be a function (a class is one). Loading can fail (no
 * file, a syntax error, a throw at the top level): the loader's message says which.
 */
export function findExport(load: ModuleLoader, file: string, name: string, kind: 'class' | 'function'): Result<Function> {
  const mod = attempt<ModuleExports>(() => load(file));
  if (!mod.ok) return fail(`could not load ${file}: ${mod.error.replace(/^Error: /, '')}`);
  const exports = mod.value;
  if (exports === null || typeof exports !== 'object') return fail(`${file}: loading gave ${describe(exports)}, not a module`);
  const v = attempt(() => exports[name]);
  if (!v.ok) return fail(`${file}: reading the export ${name}: ${v.error}`);
  if (v.value === undefined) {
    const names = Object.keys(exports);
    return fail(`${file} has no export named ${name}${names.length ? ` (it exports ${names.join(', ')})` : ' (it exports nothing)'}: write \`export ${kind} ${name}\``);
  }
  if (typeof v.value !== 'function') return fail(`${file}: the export ${name} is ${describe(v.value)}, expected a ${kind}`);
  return ok(v.value as Function);
}

/**
 * The grader's weights into the learner's object, by plain assignment (obj.W_xh = ...), each a fresh
 * copy so the learner's code cannot change the grader's own arrays.
 */
export function setWeights(obj: object, weights: Readonly<Record<string, Arr>>): Result<void> {
  for (const [key, value] of Object.entries(weights)) {
    const r = setProp(obj, key, copyArr(value));
    if (!r.ok) return fail(`the grader sets the weights by assignment (obj.${key} = [...]), and that threw: ${r.error}`);
  }
  return ok(undefined);
}

/** The weights as the learner's object holds them, checked against the shapes they should have. */
export function readWeights(obj: object, shapes: Readonly<Record<string, Shape>>, owner: string): Result<Record<string, Arr>> {
  const out: Record<string, Arr> = {};
  for (const [key, shape] of Object.entries(shapes)) {
    const v = getProp(obj, key);
    if (!v.ok) return fail(`${owner}.${key}: reading it threw: ${v.error}`);
    if (v.value === undefined) return fail(`${owner}.${key} is missing: the constructor should create it, ${fmtShape(shape)}`);
    const a = readArr(v.value, shape, `${owner}.${key}`);
    if (!a.ok) return a;
    out[key] = a.value;
  }
  return ok(out);
}

/**
 * The message for a gradient missing from what backward returned, noticing the usual slip of naming
 * it dW_xh where the interface names it as its weight, W_xh.
 */
export function missingGradient(holder: unknown, key: string, where: string): string {
  const prefixed = getProp(holder, `d${key}`);
  const named = prefixed.ok && prefixed.value !== undefined ? `; it has d${key}: the interface names each gradient as its weight, ${key}` : '';
  return `${where} has no ${key} (the gradient dL/d${key})${named}`;
}

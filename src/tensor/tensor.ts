/**
 * The one data type of rnnlab: a dense, row-major array of float32 or float64 numbers with a shape.
 *
 * There is no autodiff graph here on purpose: every backward pass in this library is written by hand
 * next to its forward pass, so a Tensor is only storage plus a shape.
 */

import { checkArraySize } from './limits.js';
import { describeValue } from './check.js';

export type DType = 'float32' | 'float64';
export type FloatArray = Float32Array | Float64Array;

export class Tensor {
  readonly shape: readonly number[];
  readonly data: FloatArray;
  readonly dtype: DType;

  constructor(data: FloatArray, shape: readonly number[]) {
    if (!(data instanceof Float32Array || data instanceof Float64Array)) {
      // tensor() copies any numbers in; the constructor keeps its storage, which must be one of the two.
      throw new TypeError(`Tensor: data: expected a Float32Array or Float64Array (tensor() converts other arrays), got ${kindOf(data)}`);
    }
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw new RangeError(`Tensor: data has ${data.length} values but shape [${shape.join(', ')}] needs ${size}`);
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = data instanceof Float64Array ? 'float64' : 'float32';
  }

  get size(): number {
    return this.data.length;
  }

  /** A deep copy (new storage). */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /**
   * A copy. There is no autograd graph to cut in rnnlab (states passed between forward() calls are
   * already constants); this exists so truncated-BPTT code ported from PyTorch reads the same.
   */
  detach(): Tensor {
    return this.clone();
  }

  /** Same storage, new shape of the same size. */
  reshape(shape: readonly number[]): Tensor {
    return new Tensor(this.data, shape);
  }

  /** A copy in the given dtype. */
  to(dtype: DType): Tensor {
    return new Tensor(dtype === 'float64' ? Float64Array.from(this.data) : Float32Array.from(this.data), this.shape);
  }

  /** Nested JS arrays, for printing and JSON. */
  toArray(): number[] | NestedArray {
    return nest(Array.from(this.data), this.shape);
  }

  toString(): string {
    return `Tensor(${this.dtype}, [${this.shape.join(', ')}])`;
  }
}

export type NestedArray = (number | NestedArray)[];

function nest(flat: number[], shape: readonly number[]): NestedArray {
  if (shape.length <= 1) return flat;
  const [n, ...rest] = shape;
  const step = shapeSize(rest);
  const out: NestedArray = [];
  for (let i = 0; i < n; i++) out.push(nest(flat.slice(i * step, (i + 1) * step), rest));
  return out;
}

export function shapeSize(shape: readonly number[]): number {
  if (!Array.isArray(shape)) throw new TypeError(`shape: expected an array of sizes, got ${shape === null ? 'null' : typeof shape}`);
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`shape: expected non-negative integers, got [${shape.join(', ')}]`);
    n *= d;
  }
  return n;
}

/** The size of `shape`, refused (naming `name`) when one array of it would be too large (limits.ts). */
export function checkedSize(name: string, shape: readonly number[], dtype: DType): number {
  const n = shapeSize(shape);
  checkArraySize(name, n, dtype, `[${shape.join(', ')}]`);
  return n;
}

/** A zeroed array; the last guard of the resource policy (callers check sizes with names first). */
export function allocate(dtype: DType, size: number): FloatArray {
  checkArraySize('size', size, dtype, `an array of ${size} values`);
  return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
}

/**
 * Make a tensor from values (a flat number[] or typed array, copied) and a shape.
 * The dtype defaults to the typed array's own, or float32 for a plain array.
 */
export function tensor(values: ArrayLike<number> | NestedArray, shape?: readonly number[], dtype?: DType): Tensor {
  if (values === null || typeof values !== 'object' || typeof (values as ArrayLike<number>).length !== 'number') {
    throw new TypeError(`tensor: values: expected an array of numbers, a nested array or a typed array, got ${kindOf(values)}`);
  }
  let flat: ArrayLike<number>;
  let inferred: number[];
  if (Array.isArray(values)) {
    inferred = [];
    let v: unknown = values;
    while (Array.isArray(v)) {
      inferred.push(v.length);
      v = v[0];
    }
    checkRectangular(values, inferred, 0, '');
    flat = (values as unknown[]).flat(Infinity) as number[];
  } else {
    flat = values;
    inferred = [values.length];
  }
  const dt: DType = dtype ?? (values instanceof Float64Array ? 'float64' : 'float32');
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') {
    throw new TypeError(`tensor: dtype must be 'float32' or 'float64', got ${describeValue(dtype)}`);
  }
  const s = shape ?? inferred;
  const size = checkedSize('shape', s, dt);
  if (flat.length !== size) {
    throw new RangeError(`tensor: ${flat.length} values do not fill shape [${s.join(', ')}] (needs ${size})`);
  }
  const data = allocate(dt, size);
  for (let i = 0; i < size; i++) {
    const x = flat[i];
    if (typeof x !== 'number') throw new TypeError(`tensor: value ${i} is not a number (got ${typeof x})`);
    data[i] = x;
  }
  return new Tensor(data, s);
}

/** A nested array is a box: every level as long as the first at that depth, numbers only at the bottom. */
function checkRectangular(v: unknown, shape: number[], depth: number, at: string): void {
  if (depth === shape.length) {
    if (Array.isArray(v)) throw new RangeError(`tensor: values${at}: expected a number at depth ${depth} (the shape is [${shape.join(', ')}]), got an array`);
    return;
  }
  if (!Array.isArray(v) || v.length !== shape[depth]) {
    throw new RangeError(`tensor: values${at}: expected an array of ${shape[depth]} (a ragged nested array has no shape; [${shape.join(', ')}] from the first entries), got ${Array.isArray(v) ? `${v.length} entries` : kindOf(v)}`);
  }
  for (let i = 0; i < v.length; i++) checkRectangular(v[i], shape, depth + 1, `${at}[${i}]`);
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an Array';
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  return typeof v;
}

export function zeros(shape: readonly number[], dtype: DType = 'float32'): Tensor {
  return new Tensor(allocate(dtype, checkedSize('shape', shape, dtype)), shape);
}

export function full(shape: readonly number[], value: number, dtype: DType = 'float32'): Tensor {
  const t = zeros(shape, dtype);
  t.data.fill(value);
  return t;
}

export function zerosLike(t: Tensor): Tensor {
  return zeros(t.shape, t.dtype);
}

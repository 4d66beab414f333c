/** Reads the PyTorch fixtures written by scripts/torch-fixtures.py. */
import { readFileSync } from 'node:fs';
import { tensor, type DType, type Tensor } from '../../src/index.js';

export interface JsonTensor {
  shape: number[];
  data: number[];
}

export function loadFixture<T = Record<string, unknown>>(name: string): T {
  const url = new URL(`../fixtures/${name}.json`, import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as T;
}

export function toTensor(j: JsonTensor, dtype: DType = 'float64'): Tensor {
  return tensor(j.data, j.shape, dtype);
}

export function toTensors(r: Record<string, JsonTensor>, dtype: DType = 'float64'): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [k, v] of Object.entries(r)) out[k] = toTensor(v, dtype);
  return out;
}

/**
 * max |a − b| / max|b| over the whole tensor: the error relative to the reference tensor's scale, so that
 * entries that are ~0 in the reference do not turn rounding noise into huge ratios.
 */
export function maxRelError(a: Tensor | ArrayLike<number>, b: Tensor | JsonTensor | ArrayLike<number>): number {
  const x = 'data' in a ? a.data : a;
  const y = 'data' in b ? b.data : b;
  if (x.length !== y.length) throw new RangeError(`maxRelError: lengths differ, ${x.length} vs ${y.length}`);
  let scale = 0, err = 0;
  for (let i = 0; i < y.length; i++) scale = Math.max(scale, Math.abs(y[i]));
  for (let i = 0; i < y.length; i++) err = Math.max(err, Math.abs(x[i] - y[i]));
  return scale === 0 ? err : err / scale;
}

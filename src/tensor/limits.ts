/**
 * The resource policy, in one place: how large anything rnnlab allocates may be, checked before the
 * allocation, with a message that names the argument and the bytes it would take. Without it a typo
 * (`hiddenSize: 1e9`, `--seq-len 100000000`) or a hostile file (a checkpoint claiming a million layers)
 * ends in V8's `Invalid typed array length`, an out-of-memory abort, or minutes of swapping.
 *
 * The bounds are far above any model or batch this library is meant to train (a 2-core, 24 GB machine
 * trains H = 256 in seconds per step) and below what makes the process fall over.
 */
import type { DType } from './tensor.js';

/** One array (a tensor, a weight, a batch, a layer's cache): at most 2 GiB. */
export const MAX_ARRAY_BYTES = 2 ** 31;
/** All the parameters of one model, with their gradients: at most 4 GiB. */
export const MAX_MODEL_BYTES = 2 ** 32;
/** Stacked layers: each is eight arrays and its own loop, and BPTT through thousands of them is not training. */
export const MAX_LAYERS = 1024;
/** Time steps of one sequence. */
export const MAX_SEQUENCE_LENGTH = 1_000_000;

export function bytesPerValue(dtype: DType): number {
  return dtype === 'float64' ? 8 : 4;
}

/** '1.5 GB', '320 MB', '12 kB', '8 bytes'. */
export function fmtBytes(n: number): string {
  if (n >= 1e12) return `${(n / 1e12).toFixed(1)} TB`;
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} bytes`;
}

/**
 * Refuses an array of `values` numbers of `dtype` over MAX_ARRAY_BYTES; `name` is the argument that
 * asked for it and `what` says what it is ('shape [1e10]', '32 sequences of 100000000 steps').
 */
export function checkArraySize(name: string, values: number, dtype: DType, what: string): void {
  const bytes = values * bytesPerValue(dtype);
  if (!(bytes <= MAX_ARRAY_BYTES)) {
    throw new RangeError(`${name}: ${what} needs ${values.toExponential(3)} ${dtype} values (${fmtBytes(bytes)}), more than the ${fmtBytes(MAX_ARRAY_BYTES)} one array may take`);
  }
}

/** Refuses an integer size argument above `max`, saying what the bound protects. */
export function checkAtMost(name: string, v: number, max: number, why: string): number {
  if (v > max) throw new RangeError(`${name}: expected at most ${max}, got ${v} (${why})`);
  return v;
}

/**
 * Refuses a recurrent model whose parameters (with gradients) would take more than MAX_MODEL_BYTES, or
 * one of whose weights alone would take more than MAX_ARRAY_BYTES; `gates` is G (1, 3 or 4).
 */
export function checkModelSize(
  o: { inputSize: number; hiddenSize: number; numLayers: number; outputSize?: number | null; gates: number; dtype: DType },
): void {
  const { inputSize: D, hiddenSize: H, numLayers: L, gates: G } = o;
  checkAtMost('numLayers', L, MAX_LAYERS, `every layer is eight arrays of weights and gradients; ${L} layers would be ${8 * L} arrays`);
  const per = bytesPerValue(o.dtype);
  checkArraySize('hiddenSize', G * H * Math.max(D, H), o.dtype, `weight_hh of ${G}·${H} × ${Math.max(D, H)}`);
  const O = o.outputSize ?? 0;
  const params = G * H * (D + H + 2) + (L - 1) * G * H * (2 * H + 2) + O * (H + 1);
  const bytes = 2 * params * per;
  if (!(bytes <= MAX_MODEL_BYTES)) {
    throw new RangeError(`hiddenSize: ${L} layer(s) of hiddenSize ${H} on inputSize ${D} are ${params.toExponential(3)} parameters, ` +
      `${fmtBytes(bytes)} with their gradients, more than the ${fmtBytes(MAX_MODEL_BYTES)} a model may take`);
  }
}

/**
 * Byte sizes. WebAssembly memory is addressed in bytes and our arrays in elements, so every pointer
 * step is a count of float32s turned into bytes here, by name, rather than a bare `4 *`.
 */

/** Bytes of one float32 and of one int32. */
export const F32_BYTES = 4;
export const I32_BYTES = 4;

/** Bytes of `n` float32 values: the byte distance from float element i to element i + n. */
export function f32Bytes(n: number): number {
  return n * F32_BYTES;
}

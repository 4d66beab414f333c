/**
 * Gradient checks on plain arrays, for the workbook's solutions (number[] and row-major number[][]):
 * central differences of a loss, and the error between two gradients relative to their size.
 */

/** mulberry32: seeded uniform numbers in [0, 1), so a failing check can be rerun as it was. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** rows × cols standard normal numbers (Box–Muller). */
export function gaussianMatrix(rows: number, cols: number, rand: () => number): number[][] {
  const g = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  return Array.from({ length: rows }, () => Array.from({ length: cols }, g));
}

/**
 * dloss/dparam by central differences, (loss(p + ε) − loss(p − ε)) / 2ε per entry, flattened row by row.
 * `param` is changed in place and restored, so `loss` sees it as the model or the input it belongs to.
 * ε = 1e-6 in float64: the truncation error (ε²) and the rounding error (1e-16/ε) are both near 1e-10.
 */
export function centralDifferences(param: number[] | number[][], loss: () => number, eps = 1e-6): number[] {
  const rows: number[][] = param.length > 0 && Array.isArray(param[0]) ? (param as number[][]) : [param as number[]];
  const out: number[] = [];
  for (const row of rows) {
    for (let j = 0; j < row.length; j++) {
      const keep = row[j];
      row[j] = keep + eps;
      const up = loss();
      row[j] = keep - eps;
      const down = loss();
      row[j] = keep;
      out.push((up - down) / (2 * eps));
    }
  }
  return out;
}

/** ‖a − b‖ / max(‖a‖, ‖b‖): relative to the gradient's size, so entries near 0 do not turn noise into huge ratios. */
export function relError(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new Error(`relError: ${a.length} against ${b.length} entries`);
  const diff = Math.hypot(...a.map((v, k) => v - b[k]));
  const scale = Math.max(Math.hypot(...a), Math.hypot(...b));
  return scale === 0 ? diff : diff / scale;
}

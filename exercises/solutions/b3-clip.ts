/**
 * rnnlab's answer to Exercise B3, **Implement gradient clipping**, in the workbook's form (the same
 * function as exercises/stubs/b3-clip.ts): clipping by the global norm, as torch.nn.utils.clip_grad_norm_
 * does. One norm over all the arrays together, so that clipping shrinks the whole step and keeps its
 * direction; clipping each array by its own norm would turn it.
 */

/** A gradient array: a bias's vector or a weight's matrix (row-major). */
export type Gradient = number[] | number[][];

function isMatrix(g: Gradient): g is number[][] {
  return g.length > 0 && Array.isArray(g[0]);
}

// ‖grads‖ = √(Σ over every array of Σ g²)
// if ‖grads‖ > maxNorm: g ← g · maxNorm / ‖grads‖ for every array; else every g stays as it is
export function clipGradients(grads: Gradient[], maxNorm: number): Gradient[] {
  let sumOfSquares = 0;
  for (const g of grads) {
    for (const v of isMatrix(g) ? g.flat() : g) sumOfSquares += v * v;
  }
  const norm = Math.sqrt(sumOfSquares);
  // New arrays either way: the caller's gradients stay as they were, clipped or not.
  if (!(norm > maxNorm)) return grads.map((g) => (isMatrix(g) ? g.map((row) => row.slice()) : g.slice()));
  const scale = maxNorm / norm;
  return grads.map((g) => (isMatrix(g) ? g.map((row) => row.map((v) => v * scale)) : g.map((v) => v * scale)));
}

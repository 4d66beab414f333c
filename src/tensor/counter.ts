/**
 * A multiplication counter that the forward kernels bump while they run, so that the closed-form
 * counts of src/analysis/counts.ts can be checked against what the code really does (theory A2).
 *
 * Convention (the same as counts.ts): one scalar multiplication per term of a matrix product
 * (x Wᵀ with x [B, In], W [Out, In] is B·In·Out) and one per element of an explicit elementwise
 * product (f ⊙ c_{t-1} is B·H). Multiplications hidden inside tanh, σ, exp are not counted; additions
 * (biases, 1 − z) are not counted. Only the FORWARD pass is instrumented: backward is not, so
 * countOps around a backward() call says nothing about backward's cost.
 *
 * Cost: the kernels add to the counter once per call (one branch, outside every loop), never per
 * element, so leaving it disabled costs nothing measurable.
 */

export interface OpCounter {
  /** Counting happens only while this is true. */
  enabled: boolean;
  /** Scalar multiplications counted since the last reset. */
  mul: number;
}

/** The one process-wide counter. Prefer countOps() to touching it directly. */
export const opCounter: OpCounter = { enabled: false, mul: 0 };

/**
 * Runs fn with counting on and returns its result and the multiplications it performed. Nests: an
 * outer countOps still sees everything an inner one counted.
 */
export function countOps<T>(fn: () => T): { result: T; mul: number } {
  if (typeof fn !== 'function') throw new TypeError(`fn: expected a function to run, got ${typeof fn}`);
  const wasEnabled = opCounter.enabled;
  const before = opCounter.mul;
  opCounter.enabled = true;
  try {
    const result = fn();
    return { result, mul: opCounter.mul - before };
  } finally {
    opCounter.enabled = wasEnabled;
    // The outermost call leaves the counter at zero so that a long-running process cannot lose
    // precision by growing it past 2^53.
    if (!wasEnabled) opCounter.mul = 0;
  }
}

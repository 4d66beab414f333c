/**
 * The checkpoint errors: one class for every damaged, truncated, foreign or mismatched checkpoint,
 * archive or safetensors file, and the helper every check throws it with.
 */

/** The one error a damaged, truncated, foreign or mismatched checkpoint (or safetensors file) gives. */
export class CheckpointError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CheckpointError';
  }
}

/** Throws a CheckpointError naming the file, as every checkpoint check does. */
export function bad(path: string, msg: string, cause?: unknown): never {
  throw new CheckpointError(`${path}: ${msg}`, cause === undefined ? undefined : { cause });
}

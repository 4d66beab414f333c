/**
 * ### Exercise B3 🟡 (Medium)
 * **Implement gradient clipping**
 *
 * From "Tutorial 13: Recurrent Neural Networks - Exercises", Part B, in TypeScript (the exercise's
 * Python docstring, quoted):
 *
 *   clip_gradients(grads, max_norm):
 *     "Clip gradients by global norm.
 *
 *      If ||grads|| > max_norm, scale all gradients by max_norm / ||grads||
 *
 *      Args:
 *        grads: List of gradient arrays
 *        max_norm: Maximum allowed norm
 *      Returns:
 *        Clipped gradients"
 *
 * ||grads|| is one norm over all the arrays together: the square root of the sum of the squares of
 * every entry. Each array is a vector (number[]) or a matrix (number[][], row-major). Return new
 * arrays and leave the caller's untouched.
 *
 * Check it:  rnnlab check <dir> B3   (from this folder: rnnlab check . B3)
 * When you are done, rnnlab's own answer: rnnlab exercises solution B3
 */

export function clipGradients(grads: (number[] | number[][])[], maxNorm: number): (number[] | number[][])[] {
  // YOUR CODE HERE
  throw new Error('B3: not implemented yet');
}

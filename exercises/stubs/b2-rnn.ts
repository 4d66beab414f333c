/**
 * ### Exercise B2 🟡 (Medium)
 * **Implement BPTT**
 *
 * From "Tutorial 13: Recurrent Neural Networks - Exercises", Part B, in TypeScript (the exercise's
 * Python docstrings, quoted):
 *
 *   class RNN, __init__(input_size, hidden_size, output_size):
 *     "Full RNN with output layer."
 *
 *   forward(xs):
 *     "Process sequence and return outputs at each timestep.
 *      Store all hidden states for backward pass."
 *
 *   backward(douts):
 *     "Backpropagation through time.
 *      Args:
 *        douts: Upstream gradients at each timestep
 *      Returns:
 *        Gradients for all weights"
 *
 * The model, with D = inputSize, H = hiddenSize, O = outputSize:
 *   h_0 = 0
 *   h_t = tanh(W_xh x_t + W_hh h_{t−1} + b_h)
 *   y_t = W_hy h_t + b_y            (an output at every step)
 * xs[t] and the returned ys[t] are step t + 1. douts[t] is dL/dy at step t + 1, for whatever loss L the
 * caller has; backward returns dL/dW for every weight, each of the weight's shape. Vectors are
 * number[], matrices number[][] with W[i][j] in row i, column j.
 *
 * Check it:  rnnlab check <dir> B2   (from this folder: rnnlab check . B2)
 * When you are done, rnnlab's own answer: rnnlab exercises solution B2
 */

export class RNN {
  /** Input-to-hidden weights, [H][D]. */
  W_xh: number[][];
  /** Hidden-to-hidden weights, [H][H]. */
  W_hh: number[][];
  /** Hidden bias, [H]. */
  b_h: number[];
  /** Hidden-to-output weights, [O][H]. */
  W_hy: number[][];
  /** Output bias, [O]. */
  b_y: number[];

  constructor(inputSize: number, hiddenSize: number, outputSize: number) {
    // YOUR CODE HERE
    throw new Error('B2: not implemented yet');
  }

  /** xs: T inputs of [D]; returns the T outputs y_t, each [O]. */
  forward(xs: number[][]): number[][] {
    // YOUR CODE HERE
    throw new Error('B2: not implemented yet');
  }

  /** douts: T gradients dL/dy_t, each [O], for the last forward; returns dL/d(each weight). */
  backward(douts: number[][]): { W_xh: number[][]; W_hh: number[][]; b_h: number[]; W_hy: number[][]; b_y: number[] } {
    // YOUR CODE HERE
    throw new Error('B2: not implemented yet');
  }
}

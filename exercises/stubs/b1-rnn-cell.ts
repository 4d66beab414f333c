/**
 * ### Exercise B1 🟢 (Easy)
 * **Implement vanilla RNN cell**
 *
 * From "Tutorial 13: Recurrent Neural Networks - Exercises", Part B, in TypeScript (the exercise's
 * Python docstrings, quoted):
 *
 *   class RNNCell, __init__(input_size, hidden_size):
 *     "Initialize RNN cell with random weights.
 *      Args:
 *        input_size: Dimension of input
 *        hidden_size: Dimension of hidden state"
 *
 *   forward(x, h_prev):
 *     "Single step forward.
 *      Args:
 *        x: Input at current timestep (input_size,)
 *        h_prev: Previous hidden state (hidden_size,)
 *      Returns:
 *        h: New hidden state (hidden_size,)"
 *
 * The step is h = tanh(W_hh h_prev + W_xh x + b_h). Vectors are number[], matrices number[][] with
 * W[i][j] in row i, column j; D = inputSize, H = hiddenSize. Small random weights, e.g. uniform in
 * (−1/√H, 1/√H), are a good start (Math.random is fine).
 *
 * Check it:  rnnlab check <dir> B1   (from this folder: rnnlab check . B1)
 * When you are done, rnnlab's own answer: rnnlab exercises solution B1
 */

export class RNNCell {
  /** Input-to-hidden weights, [H][D]: W_xh[i][j] carries x[j] into h[i]. */
  W_xh: number[][];
  /** Hidden-to-hidden weights, [H][H]: W_hh[i][j] carries hPrev[j] into h[i]. */
  W_hh: number[][];
  /** Hidden bias, [H]. */
  b_h: number[];

  constructor(inputSize: number, hiddenSize: number) {
    // YOUR CODE HERE
    throw new Error('B1: not implemented yet');
  }

  /** x: [D], hPrev: [H]; returns the new hidden state h, [H]. */
  forward(x: number[], hPrev: number[]): number[] {
    // YOUR CODE HERE
    throw new Error('B1: not implemented yet');
  }
}

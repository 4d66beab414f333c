/**
 * ### Exercise B4 🔴 (Hard)
 * **Implement LSTM cell**
 *
 * From "Tutorial 13: Recurrent Neural Networks - Exercises", Part B, in TypeScript (the exercise's
 * Python docstrings, quoted):
 *
 *   class LSTMCell, __init__(input_size, hidden_size):
 *     "LSTM cell with forget, input, and output gates.
 *
 *      Equations:
 *      f_t = σ(W_f [h_{t-1}, x_t] + b_f)
 *      i_t = σ(W_i [h_{t-1}, x_t] + b_i)
 *      c̃_t = tanh(W_c [h_{t-1}, x_t] + b_c)
 *      c_t = f_t ⊙ c_{t-1} + i_t ⊙ c̃_t
 *      o_t = σ(W_o [h_{t-1}, x_t] + b_o)
 *      h_t = o_t ⊙ tanh(c_t)"
 *
 *   forward(x, h_prev, c_prev):
 *     "Single LSTM step.
 *      Returns:
 *        h: New hidden state
 *        c: New cell state
 *        cache: Values for backward pass"
 *
 *   backward(dh, dc, cache):
 *     "Backward pass through LSTM cell.
 *      Returns:
 *        Gradients for all weights and dx, dh_prev, dc_prev"
 *
 * With D = inputSize, H = hiddenSize: [h_{t-1}, x_t] is hPrev followed by x, H + D numbers, so each
 * W_* is [H][H + D] and its first H columns act on hPrev. σ is the logistic sigmoid, ⊙ the product
 * entry by entry. dh and dc are dL/dh_t and dL/dc_t from above; backward returns dL/d(each weight),
 * each of the weight's shape, and dx = dL/dx_t, dhPrev = dL/dh_{t-1}, dcPrev = dL/dc_{t-1}.
 * What the cache holds is yours to choose: replace LSTMCache below with an interface of it.
 *
 * Check it:  rnnlab check <dir> B4   (from this folder: rnnlab check . B4)
 * When you are done, rnnlab's own answer: rnnlab exercises solution B4
 */

/** What backward needs from forward. YOUR CODE HERE: say what it holds. */
export type LSTMCache = unknown;

export class LSTMCell {
  /** Forget gate weights, [H][H + D], acting on [hPrev, x]. */
  W_f: number[][];
  /** Input gate weights, [H][H + D]. */
  W_i: number[][];
  /** Candidate cell weights (for c̃), [H][H + D]. */
  W_c: number[][];
  /** Output gate weights, [H][H + D]. */
  W_o: number[][];
  /** Gate biases, [H] each. */
  b_f: number[];
  b_i: number[];
  b_c: number[];
  b_o: number[];

  constructor(inputSize: number, hiddenSize: number) {
    // YOUR CODE HERE
    throw new Error('B4: not implemented yet');
  }

  /** x: [D], hPrev and cPrev: [H]; returns h and c, [H] each, and what backward needs. */
  forward(x: number[], hPrev: number[], cPrev: number[]): { h: number[]; c: number[]; cache: LSTMCache } {
    // YOUR CODE HERE
    throw new Error('B4: not implemented yet');
  }

  /** dh = dL/dh_t and dc = dL/dc_t, [H] each, and the cache of that step's forward. */
  backward(
    dh: number[],
    dc: number[],
    cache: LSTMCache,
  ): {
    grads: { W_f: number[][]; W_i: number[][]; W_c: number[][]; W_o: number[][]; b_f: number[]; b_i: number[]; b_c: number[]; b_o: number[] };
    dx: number[];
    dhPrev: number[];
    dcPrev: number[];
  } {
    // YOUR CODE HERE
    throw new Error('B4: not implemented yet');
  }
}

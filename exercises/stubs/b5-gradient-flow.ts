/**
 * ### Exercise B5 🔴 (Hard)
 * **Compare gradient flow: RNN vs LSTM**
 *
 * From "Tutorial 13: Recurrent Neural Networks - Exercises", Part B, in TypeScript (the exercise's
 * Python docstring, quoted):
 *
 *   analyze_gradient_flow(sequence_length, hidden_size):
 *     "Compare how gradients flow through RNN and LSTM.
 *
 *      1. Create random sequences
 *      2. Compute loss at final timestep
 *      3. Measure gradient magnitude at each timestep
 *      4. Plot gradient magnitude vs timestep for both architectures
 *      5. Quantify the vanishing gradient effect
 *
 *      Returns:
 *        Dictionary with gradient magnitudes for RNN and LSTM"
 *
 * Use your own B2 and B4 (imported below). With T = sequenceLength and H = hiddenSize:
 * - The loss at the final step is L = (1/√H) Σ_j h_T[j], so dL/dh_T = (1, …, 1)/√H, a unit vector,
 *   and dL/dc_T = 0 for the LSTM.
 * - Return { rnn, lstm }, each T numbers: index t − 1 holds ‖dL/dh_t‖ for t = 1 … T (so both end at 1).
 * - For the RNN, dL/dh_t is the gradient of the hidden state, not through the output layer: go back
 *   through the recurrence h_t = tanh(W_xh x_t + W_hh h_{t−1} + b_h) yourself, with the model's weights
 *   (your B2's backward returns only weight gradients).
 * - For the LSTM, run your LSTMCell step by step from h_0 = c_0 = 0, then go back with its
 *   backward(dh, dc, cache) from the last step to the first, taking ‖dh‖ at each step.
 * - When options gives rnn, lstm or xs, use them (the checker passes its own); otherwise make random
 *   ones. The input size then comes from what is given.
 * Steps 4 and 5 are for you to do with the result: plot both against t on a log axis, and compare the
 * rate per step, (‖dL/dh_1‖ / ‖dL/dh_T‖)^(1/(T−1)).
 *
 * Check it:  rnnlab check <dir> B5   (from this folder: rnnlab check . B5)
 * When you are done, rnnlab's own answer: rnnlab exercises solution B5
 */
import { RNN } from './b2-rnn';
import { LSTMCell } from './b4-lstm-cell';

export function analyzeGradientFlow(
  sequenceLength: number,
  hiddenSize: number,
  options?: { rnn?: RNN; lstm?: LSTMCell; xs?: number[][] },
): { rnn: number[]; lstm: number[] } {
  // YOUR CODE HERE
  throw new Error('B5: not implemented yet');
}

/**
 * The gates' activation (Keras' and TF.js' `recurrentActivation`): what squashes the LSTM's i, f, o and
 * the GRU's r, z into [0, 1]. Two are offered:
 *
 *   sigmoid       σ(x) = 1 / (1 + e^{−x})                σ'(x) = y (1 − y)           PyTorch's, rnnlab's default
 *   hardSigmoid   hs(x) = clip(0.2 x + 0.5, 0, 1)        hs'(x) = 0.2 where 0 < y < 1, 0 where clipped
 *
 * hardSigmoid is TF.js's definition (tfjs-layers' K.hardSigmoid, and Keras 2's `hard_sigmoid`), the
 * default recurrentActivation of TF.js's LSTM and GRU. Keras 3 redefined `hard_sigmoid` as
 * relu6(x + 3) / 6 (slope 1/6): that is not this function. Both derivatives are written with the output
 * y, which is all the cells keep for backward, and applied to the gradient arriving at the gate
 * (`backprop`), so that σ's is multiplied in the order the standard cells always wrote, g·y·(1 − y). hs has no derivative at the two kinks x = ±2.5; there
 * 0 is used (y is exactly 0 or 1 and cannot tell a kink from a clipped value).
 */
import { sigmoid } from '../tensor/kernels.js';

export type RecurrentActivation = 'sigmoid' | 'hardSigmoid';
export const RECURRENT_ACTIVATIONS: readonly RecurrentActivation[] = ['sigmoid', 'hardSigmoid'];

export interface GateActivation {
  readonly name: RecurrentActivation;
  /** y = act(x). */
  apply(x: number): number;
  /** g · dy/dx: the gradient g arriving at y = act(x) taken back through act, written with y. */
  backprop(g: number, y: number): number;
}

export const SIGMOID_GATE: GateActivation = {
  name: 'sigmoid',
  apply: sigmoid,
  backprop: (g, y) => g * y * (1 - y),
};

/** hs(x) = clip(0.2 x + 0.5, 0, 1). */
export function hardSigmoid(x: number): number {
  const y = 0.2 * x + 0.5;
  return y <= 0 ? 0 : y >= 1 ? 1 : y;
}

export const HARD_SIGMOID_GATE: GateActivation = {
  name: 'hardSigmoid',
  apply: hardSigmoid,
  // Inside the ramp the slope is 0.2; where the value was clipped to 0 or 1 it is flat.
  backprop: (g, y) => g * (y > 0 && y < 1 ? 0.2 : 0),
};

export function gateActivation(name: RecurrentActivation): GateActivation {
  return name === 'hardSigmoid' ? HARD_SIGMOID_GATE : SIGMOID_GATE;
}

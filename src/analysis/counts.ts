/**
 * Exact cost of the unrolled network (theory A1 and A2): parameters, and the scalar multiplications
 * of one FORWARD pass over T steps. Unrolling copies the cell T times but not its weights, so the
 * parameter count does not depend on T while the multiplication count is T times one step's.
 *
 * Convention (what is a "multiplication"), the same as the instrumented counter in
 * src/tensor/counter.ts, which checks these formulas against a real forward:
 *   - a matrix product x Wᵀ with x [B, In], W [Out, In] is B·In·Out multiplications;
 *   - an explicit elementwise product a ⊙ b of two [B, H] arrays is B·H;
 *   - NOT counted: multiplications inside tanh, σ, exp (library calls), additions and subtractions
 *     (biases, 1 − z), and the backward pass.
 *
 * Per step and per layer, with G gate blocks and D_l the layer's input width (D, then H):
 *   input      G·H·D_l     W_ih x_t           (G = 1 RNN, 4 LSTM, 3 GRU)
 *   recurrent  G·H·H       W_hh h_{t-1}
 *   elementwise  0 RNN;  3H LSTM: f⊙c_{t-1}, i⊙g, o⊙tanh(c_t);  3H GRU: r⊙(W_hn h+b_hn), (1−z)⊙n, z⊙h_{t-1}
 * plus, with a head, O·H for W_hy h_t at the top. Everything times B (the batch) and T:
 *   RNN   T·B·(H·D + H·H + O·H)
 *   LSTM  T·B·(4H·D + 4H·H + 3H + O·H)
 *   GRU   T·B·(3H·D + 3H·H + 3H + O·H)
 * and each layer after the first adds T·B·(G·H·H + G·H·H + E·H) (E = 0 RNN, 3 LSTM/GRU).
 *
 * Parameters per layer: G·H·D_l + G·H·H (+ 2·G·H with bias: PyTorch keeps b_ih and b_hh apart), plus
 * O·H + O for the head. The vanilla RNN with one layer and a head: H·D + H·H + 2H + O·H + O.
 */
import { CELL_KINDS, GATES, type CellKind } from '../cells/ops.js';
import { checkOneOf, checkPositiveInt, describeValue } from '../tensor/check.js';

export type { CellKind } from '../cells/ops.js';

const CELLS = CELL_KINDS;

/** Gate blocks stacked in W_ih / W_hh (GATES), and elementwise products per hidden unit in one forward step. */
const SHAPE: Record<CellKind, { G: number; E: number }> = {
  rnn: { G: GATES.rnn, E: 0 },
  lstm: { G: GATES.lstm, E: 3 },
  gru: { G: GATES.gru, E: 3 },
};

export const MULTIPLICATION_CONVENTION =
  'forward pass only; scalar multiplications in matrix products (x Wᵀ: B·In·Out) and in explicit ' +
  'elementwise products (B·H each); not counted: tanh/σ/exp internals, additions, subtractions, backward';

export interface CountMultiplicationsOptions {
  cell: CellKind;
  /** Time steps. */
  T: number;
  /** Input width. */
  D: number;
  /** Hidden width. */
  H: number;
  /** Output width of the linear head; omitted: no head. */
  O?: number;
  /** Batch size (default 1). */
  B?: number;
  /** Stacked layers (default 1). */
  numLayers?: number;
}

export interface MultiplicationCount {
  /** Multiplications of the whole forward pass. */
  total: number;
  /** One time step's (all layers and the head): total = T · perStep, every step costs the same. */
  perStep: number;
  /** total split by where it happens: input (W_ih x), recurrent (W_hh h), elementwise (gates), head (W_hy h). */
  breakdown: Record<'input' | 'recurrent' | 'elementwise' | 'head', number>;
  /** The closed form in T, B, D, H, O (L = numLayers), for reading next to the numbers. */
  formula: string;
  /** What was counted: see MULTIPLICATION_CONVENTION. */
  convention: string;
}

export function countMultiplications(opts: CountMultiplicationsOptions): MultiplicationCount {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`options: expected an object, got ${describeValue(opts)}`);
  const cell = checkOneOf('cell', opts.cell, CELLS);
  const T = checkPositiveInt('T', opts.T);
  const D = checkPositiveInt('D', opts.D);
  const H = checkPositiveInt('H', opts.H);
  const O = opts.O === undefined ? 0 : checkPositiveInt('O', opts.O);
  const B = checkPositiveInt('B', opts.B ?? 1);
  const L = checkPositiveInt('numLayers', opts.numLayers ?? 1);
  const { G, E } = SHAPE[cell];

  // One step, one sequence (B = 1): the first layer reads x (width D), the others read h (width H).
  const input = G * H * D + (L - 1) * G * H * H;
  const recurrent = L * G * H * H;
  const elementwise = L * E * H;
  const head = O * H;
  const perSequenceStep = input + recurrent + elementwise + head;
  const scale = T * B;
  const breakdown = { input: scale * input, recurrent: scale * recurrent, elementwise: scale * elementwise, head: scale * head };
  return {
    total: scale * perSequenceStep,
    perStep: B * perSequenceStep,
    breakdown,
    formula: formula(cell, opts.O !== undefined, L),
    convention: MULTIPLICATION_CONVENTION,
  };
}

function formula(cell: CellKind, withHead: boolean, L: number): string {
  const { G, E } = SHAPE[cell];
  const g = G === 1 ? '' : `${G}`;
  const terms = [`${g}H·D`, `${g}H·H`];
  if (E) terms.push(`${E}H`);
  if (L > 1) terms.push(`(L−1)·(${g}H·H + ${g}H·H${E ? ` + ${E}H` : ''})`);
  if (withHead) terms.push('O·H');
  return `T·B·(${terms.join(' + ')})`;
}

export interface CountParametersOptions {
  cell: CellKind;
  D: number;
  H: number;
  /** Output width of the linear head (head.weight [O, H], head.bias [O]); omitted: no head. */
  O?: number;
  numLayers?: number;
  /** false: no bias_ih / bias_hh, as the layers' `bias: false` (the head keeps its bias). Default true. */
  bias?: boolean;
}

export interface ParameterCount {
  /** Equals model.numParameters() for the same configuration. */
  total: number;
  /** Per parameter, keyed by the model's own names (weight_ih_l0, …, head.weight, head.bias). */
  breakdown: Record<string, number>;
  formula: string;
}

export function countParameters(opts: CountParametersOptions): ParameterCount {
  if (opts === null || typeof opts !== 'object') throw new TypeError(`options: expected an object, got ${describeValue(opts)}`);
  const cell = checkOneOf('cell', opts.cell, CELLS);
  const D = checkPositiveInt('D', opts.D);
  const H = checkPositiveInt('H', opts.H);
  const O = opts.O === undefined ? null : checkPositiveInt('O', opts.O);
  const L = checkPositiveInt('numLayers', opts.numLayers ?? 1);
  if (opts.bias !== undefined && typeof opts.bias !== 'boolean') {
    throw new TypeError(`bias: expected true or false, got ${describeValue(opts.bias)}`);
  }
  const bias = opts.bias ?? true;
  const { G } = SHAPE[cell];
  const breakdown: Record<string, number> = {};
  for (let l = 0; l < L; l++) {
    breakdown[`weight_ih_l${l}`] = G * H * (l === 0 ? D : H);
    breakdown[`weight_hh_l${l}`] = G * H * H;
    if (bias) {
      breakdown[`bias_ih_l${l}`] = G * H;
      breakdown[`bias_hh_l${l}`] = G * H;
    }
  }
  if (O !== null) {
    breakdown['head.weight'] = O * H;
    breakdown['head.bias'] = O;
  }
  let total = 0;
  for (const n of Object.values(breakdown)) total += n;
  const g = G === 1 ? '' : `${G}`;
  const terms = [`${g}H·D`, `${g}H·H`];
  if (bias) terms.push(`${2 * G}H`);
  if (L > 1) terms.push(`(L−1)·(${g}H·H + ${g}H·H${bias ? ` + ${2 * G}H` : ''})`);
  if (O !== null) terms.push('O·H + O');
  return { total, breakdown, formula: terms.join(' + ') };
}

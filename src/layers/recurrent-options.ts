/**
 * The public shapes of a sequence layer (recurrent.ts): its options, and what forward, step and
 * backward take and give back. Kept apart from the class so that the class reads as the machinery.
 */
import type { CellKind } from '../cells/ops.js';
import type { DType, Tensor } from '../tensor/tensor.js';
import type { InitOptions } from './init.js';
import type { BackendChoice } from './backend/choose.js';

/** The keys of RecurrentOptions; each cell adds its own (CELL_OPTIONS). */
export const RECURRENT_OPTIONS: readonly string[] = ['inputSize', 'hiddenSize', 'numLayers', 'bias', 'batchFirst', 'dtype', 'seed', 'outputSize', 'init', 'backend', 'bidirectional', 'dropout'];
/** The options only one cell has: the RNN's nonlinearity, the LSTM's and GRU's Keras variants (models.ts). */
export const CELL_OPTIONS: Readonly<Record<CellKind, readonly string[]>> = {
  rnn: ['nonlinearity'],
  lstm: ['recurrentActivation', 'projSize'],
  gru: ['recurrentActivation', 'resetAfter'],
};

export interface RecurrentOptions {
  inputSize: number;
  hiddenSize: number;
  numLayers?: number;
  /** false: no bias_ih / bias_hh (as PyTorch's bias=False). The head always has a bias. */
  bias?: boolean;
  /** Input and output as [B, T, ·] instead of [T, B, ·]. States stay [numLayers, B, H], as in PyTorch. */
  batchFirst?: boolean;
  dtype?: DType;
  /** Seed for the weight initialization (default 0). */
  seed?: number;
  /** Adds a linear head [O, H] applied to the top layer's h_t at every step. */
  outputSize?: number;
  init?: InitOptions;
  /**
   * Which code runs forward and backward: 'reference' (plain TypeScript, any dtype), 'wasm' (WebAssembly
   * SIMD, float32 only) or 'auto' (default: wasm for float32 where WebAssembly SIMD is available).
   * Both give the same numbers to float32 rounding.
   */
  backend?: BackendChoice;
  /**
   * Run every layer in both directions, as PyTorch's bidirectional=True: each layer's output is
   * [T, B, 2H] (forward then reverse), the reverse direction's parameters end in `_reverse`, and the
   * states are [numLayers·2, B, H], layer-major, forward then reverse.
   */
  bidirectional?: boolean;
  /** Dropout on the output of every layer but the last, in training mode only (PyTorch's dropout); in [0, 1). */
  dropout?: number;
  /**
   * LSTM only: project each layer's output to this size, h_t = W_hr (o_t ⊙ tanh c_t) with weight_hr_l{k}
   * [P, H] (PyTorch's proj_size; src/layers/backend/lstmp.ts). h is then [·, B, P], c stays [·, B, H].
   * Runs on the reference loops.
   */
  projSize?: number;
}

export interface ForwardOptions {
  /**
   * Each sequence's length (B integers in [1, T], any order): the batch is run exactly as PyTorch runs
   * pack_padded_sequence(x, lengths, enforce_sorted=False) → layer → pad_packed_sequence: outputs at
   * padded steps are 0, each final state is taken at its sequence's own last step, and the reverse
   * direction starts there (src/layers/sequence.ts says why this is exact).
   */
  lengths?: readonly number[] | Int32Array;
  /**
   * false: inference. The same arithmetic (so the same numbers), but nothing is kept for backward: the
   * states and gates of every step are let go as soon as the output is computed. Default true.
   */
  cache?: boolean;
}

export interface RecurrentState {
  /** [numLayers·directions, B, H] (or [numLayers·directions, H] for unbatched input). */
  h?: Tensor;
  /** LSTM only, same shape as h. */
  c?: Tensor;
}

export interface RecurrentOutput {
  /** [T, B, H] (or [T, B, O] with a head); [B, T, ·] with batchFirst; [T, ·] unbatched. */
  output: Tensor;
  h: Tensor;
  c?: Tensor;
}

export interface RecurrentGradients {
  /** dL/dx, shaped as the input. */
  dx: Tensor;
  /** dL/dh_0 for every layer, shaped as the initial state. */
  dh: Tensor;
  /** LSTM only: dL/dc_0. */
  dc?: Tensor;
  /** The accumulated parameter gradients (live buffers), as gradients(). */
  grads: Record<string, Tensor>;
  /** With `{ keepStepGradients: true }`: the gradient at every step, for looking at gradient flow. */
  steps?: StepGradients;
}

export interface BackwardOptions {
  /** Also return dL/dh_t (and dL/dc_t) at every step of every layer. */
  keepStepGradients?: boolean;
}

export interface StepGradients {
  /**
   * Per layer, [T, B, H] (B = 1 for unbatched input): dL/dh_t, the whole gradient reaching the state
   * h_t produced at step t (from the output or layer above at t, and from step t+1).
   */
  dh: Tensor[];
  /** LSTM only, per layer [T, B, H]: dL/dc_t, including the path through h_t = o ⊙ tanh(c_t). */
  dc?: Tensor[];
}

/**
 * `rnnlab/tutorial`: the exercise set's API (part B of ../shared/exercise-set.md), for a learner
 * following it: `new RNN(inputSize, hiddenSize, outputSize)` (B2), `RNNCell.forward(x, hPrev) → h`
 * (B1), `LSTMCell.forward(x, hPrev, cPrev)` and `backward(dh, dc, cache)` (B4), `clipGradients` (B3),
 * and the gradient-flow tools of B5. The same cells and layers as `rnnlab`, whose classes take
 * PyTorch's call shapes instead (src/layers/tutorial.ts says where they differ). Browser-safe.
 */
export { RNNCell, LSTMCell, GRUCell, RNN } from './layers/tutorial.js';
export type { CellBackward, CellCache, CellOptions, CellStep, LSTMCellBackward, LSTMCellStep, RNNCellOptions } from './layers/cells.js';
export { clipGradients, type ClipResult } from './optim/clip.js';
export { analyzeGradientFlow, type AnalyzeOptions, type GradientFlowReport } from './analysis/analyze.js';
export { gradientFlow, type GradientFlow } from './analysis/gradflow.js';
export { stepJacobian } from './analysis/jacobian.js';
export { gradCheck } from './analysis/gradcheck.js';
export { Tensor, tensor, zeros, type DType } from './tensor/tensor.js';
export { Rng } from './tensor/random.js';

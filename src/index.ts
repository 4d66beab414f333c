/**
 * `rnnlab`: the library, browser-safe. Nothing reachable from this file imports a `node:` module or a
 * native binary (test/entries.test.ts bundles it for the browser to check), so it runs unchanged in
 * Node, a page, a Web Worker or a bundler. What needs Node (files, checkpoint directories, the trainer's
 * loop with its logs, corpora and CSVs, PNG plots) is `rnnlab/node` (src/node.ts).
 */
export { Tensor, tensor, zeros, full, zerosLike, type DType, type FloatArray, type NestedArray } from './tensor/tensor.js';
export { Rng, fillNormal, fillUniform } from './tensor/random.js';
export { setWasmThreads } from './tensor/wasm/arena.js';
export { spectralRadius, largestSingularValue, singularValues } from './tensor/linalg.js';
export { countOps, opCounter, type OpCounter } from './tensor/counter.js';

// Cells, layers and models.
export { RNNCell, LSTMCell, GRUCell, type RNNCellOptions, type LSTMCellStep, type LSTMCellBackward } from './layers/cells.js';
export { Cell, type CellOptions, type CellCache, type CellStep, type CellBackward } from './layers/cells.js';
export type { Nonlinearity } from './cells/rnn.js';
export { RNN, LSTM, GRU, type RNNOptions, type LSTMOptions, type GRUOptions, type LSTMOutput, type LSTMGradients } from './layers/models.js';
export type { RecurrentActivation } from './cells/gate-activation.js';
export { createModel, createCell, cellKindOf, type Model, type ModelSpec } from './layers/factory.js';
export { CELL_KINDS, type CellKind } from './cells/ops.js';
export {
  Recurrent, type RecurrentOptions, type RecurrentState, type RecurrentOutput, type RecurrentGradients, type BackwardOptions, type StepGradients,
} from './layers/recurrent.js';
export { Module, type NamedParameter, type LoadStateDictOptions, type LoadStateDictResult } from './layers/module.js';
export { Embedding, type EmbeddingOptions } from './layers/embedding.js';
export { Linear, type LinearOptions } from './layers/linear.js';
export type { InitOptions, InputInit, RecurrentInit } from './layers/init.js';
export { CausalSelfAttention, type AttentionOptions, type AttentionGradients } from './layers/attention.js';
export { TanhMLP, type TanhMLPCache, type TanhMLPGradients } from './layers/feedforward.js';
export { mseLoss, crossEntropyLoss, softmax, type LossResult } from './layers/loss.js';

// Optimization.
export { clipGradients, clipGradNorm, clipGradValue, type ClipResult, type GradTarget } from './optim/clip.js';
export { Optimizer, type ParamRef, type ParamsInput, type OptimizerStateDict } from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamWOptions } from './optim/adam.js';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';
export { Adagrad, type AdagradOptions } from './optim/adagrad.js';
export { LRSchedule, type ScheduleSpec, type HasLr } from './optim/schedule.js';
export { makeOptimizer, optimizerKindOf, OPTIMIZER_KINDS, type OptimizerSpec, type OptimizerKind } from './optim/factory.js';
export { Trainer, type TrainerState, type TrainerSnapshot } from './train/core.js';
export {
  EVAL_SEED_OFFSET, TRAINER_METRICS, type TrainerOptions, type TrainOptions, type TrainSummary, type TrainStepInfo,
} from './train/options.js';

// Analysis.
export { gradCheck, type GradCheckOptions, type GradCheckResult, type GradCheckEntry } from './analysis/gradcheck.js';
export { gradientFlow, type GradientFlow } from './analysis/gradflow.js';
export { stepJacobian, type StepJacobianOptions } from './analysis/jacobian.js';
export {
  analyzeGradientFlow, fitDecay,
  type AnalyzeOptions, type CellFlowReport, type GradientFlowReport, type RnnBound, type WeightSpectrum,
} from './analysis/analyze.js';
export {
  countMultiplications, countParameters, MULTIPLICATION_CONVENTION,
  type CountMultiplicationsOptions, type CountParametersOptions, type MultiplicationCount, type ParameterCount,
} from './analysis/counts.js';
export {
  unrolledGraph, MAX_UNROLL_STEPS,
  type UnrolledGraph, type UnrolledGraphOptions, type UnrolledNode, type UnrolledEdge, type UnrolledNodeKind, type UnrolledEdgeKind,
} from './analysis/unrolled.js';
export { compareGradientFlow, type VariantOptions, type VariantRow } from './experiments/variants.js';
export { experiments, findExperiment } from './experiments/registry.js';
export { formatTable, type Experiment, type ExperimentResult, type ExperimentOptions, type Table } from './experiments/experiment.js';

// Plots as Vega-Lite specs (rendering them to SVG/PNG is rnnlab/node's renderVegaLite).
export { gradientFlowSpec, LOG_FLOOR, type GradflowSpecOptions } from './plot/gradflow-plot.js';
export { chartFrame } from './plot/frame.js';
export { lossCurveSpec, type LossPoint, type LossPlotOptions } from './plot/loss-plot.js';
export type { VegaLiteSpec } from './plot/frame.js';

// Tasks that need no file.
export { type Task, type TaskBatch, type TaskEvaluation, type TaskLoss, type TaskLossAt, type TaskOptionsBase, type TaskSpec } from './tasks/task.js';
export { sineBatch, repeatLastBaseline, type SineOptions, type SequenceBatch } from './tasks/sine.js';
export { AddingTask, ADDING_TOLERANCE, type AddingOptions, type AddingBatch } from './tasks/adding.js';
export { CopyMemoryTask, COPY_BLANK, COPY_DELIMITER, COPY_SYMBOLS, COPY_LENGTH, type CopyMemoryOptions, type CopyMemoryBatch } from './tasks/copy-memory.js';
export { TemporalOrderTask, TEMPORAL_ORDER_ALPHABET, TEMPORAL_ORDER_CLASSES, type TemporalOrderOptions, type TemporalOrderBatch } from './tasks/temporal-order.js';
export {
  CharLMTask, charLMFromSpecWith, referenceCrossEntropies, type CharLMOptions, type CharLMBatch, type CharLMSpec, type CharLMTextSource,
} from './tasks/char-lm-task.js';
export { textCorpus, MOBY_DICK_SOURCE, MOBY_DICK_LICENCE, type Corpus } from './tasks/corpus-text.js';
export { bitsPerChar, sampleText, type BitsPerCharOptions, type BitsPerCharResult, type SampleOptions } from './tasks/char-lm-eval.js';
export { Vocabulary, describeChar } from './tasks/vocab.js';

// Checkpoints, safetensors and archives in memory; ONNX export; Keras import.
export { CheckpointError } from './io/checkpoint-error.js';
export { encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export {
  CHECKPOINT_FORMAT, CHECKPOINT_VERSION, MANIFEST as CHECKPOINT_MANIFEST, WEIGHTS as CHECKPOINT_WEIGHTS, manifestChecksum,
  type CheckpointContents, type CheckpointManifest, type LoadedCheckpoint, type ModelConfig, type ModelKind, type SaveOptions,
} from './io/checkpoint-format.js';
export { modelConfig, encodeCheckpoint, decodeCheckpoint, type EncodedCheckpoint, type CheckpointNames } from './io/checkpoint-codec.js';
export { encodeCheckpointArchive, decodeCheckpointArchive, ARCHIVE_EXTENSION, type CheckpointArchive } from './io/checkpoint-archive.js';
export { exportOnnx, ONNX_OPSET, type OnnxExportOptions } from './io/onnx.js';
export {
  importKerasWeights, type KerasKind, type KerasWeights, type KerasWeight, type KerasArray, type KerasTensorLike, type KerasImportOptions,
} from './io/keras.js';
export { importKerasModel, KerasModel, type KerasModelOptions, type KerasModelLayer, type KerasModelInput } from './io/keras-model.js';
export type { KerasWeightData } from './io/keras-weight-data.js';
export type { DenseActivation } from './io/keras-topology.js';

/**
 * rnnlab's one public entry. Everything a user imports comes from here.
 */
export { Tensor, tensor, zeros, full, zerosLike, type DType, type FloatArray, type NestedArray } from './tensor/tensor.js';
export { Rng } from './tensor/random.js';
export { setWasmThreads } from './tensor/wasm/arena.js';

export { RNNCell, LSTMCell, GRUCell, type RNNCellOptions, type LSTMCellStep, type LSTMCellBackward } from './cells/cells.js';
export { Cell, type CellOptions, type CellCache, type CellStep, type CellBackward } from './cells/cell.js';
export type { Nonlinearity } from './cells/rnn.js';

export { RNN, LSTM, GRU, type RNNOptions, type LSTMOutput, type LSTMGradients } from './layers/models.js';
export { Recurrent, type RecurrentOptions, type RecurrentState, type RecurrentOutput, type RecurrentGradients } from './layers/recurrent.js';
export { Module, type NamedParameter } from './layers/module.js';
export type { InitOptions, InputInit, RecurrentInit } from './layers/init.js';

export { gradCheck, type GradCheckOptions, type GradCheckResult, type GradCheckEntry } from './analysis/gradcheck.js';

export { mseLoss, crossEntropyLoss, softmax, type LossResult } from './layers/loss.js';
export { clipGradients, clipGradNorm, clipGradValue, type ClipResult, type GradTarget } from './optim/clip.js';
export { Optimizer, type ParamRef, type ParamsInput, type OptimizerStateDict } from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions, type AdamWOptions } from './optim/adam.js';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';
export { Adagrad, type AdagradOptions } from './optim/adagrad.js';

export type { BackwardOptions, StepGradients } from './layers/recurrent.js';
export { sineBatch, repeatLastBaseline, type SineOptions, type SequenceBatch } from './tasks/sine.js';

export { gradientFlow, type GradientFlow } from './analysis/gradflow.js';
export { stepJacobian, type StepJacobianOptions } from './analysis/jacobian.js';
export {
  analyzeGradientFlow, fitDecay,
  type AnalyzeOptions, type CellFlowReport, type GradientFlowReport, type RnnBound, type WeightSpectrum,
} from './analysis/analyze.js';
export { countMultiplications, countParameters, MULTIPLICATION_CONVENTION, type CellKind, type CountMultiplicationsOptions, type CountParametersOptions, type MultiplicationCount, type ParameterCount } from './analysis/counts.js';
export { countOps, opCounter, type OpCounter } from './tensor/counter.js';
export { unrolledGraph, MAX_UNROLL_STEPS, type UnrolledGraph, type UnrolledGraphOptions, type UnrolledNode, type UnrolledEdge, type UnrolledNodeKind, type UnrolledEdgeKind } from './analysis/unrolled.js';
export { spectralRadius, largestSingularValue, singularValues } from './tensor/linalg.js';
export { renderVegaLite, type RenderOptions } from './plot/render.js';
export { gradientFlowSpec, type GradflowSpecOptions } from './plot/gradflow-plot.js';
export { runGradflow, gradflowDefaults, type GradflowOptions, type GradflowResult } from './cli/gradflow.js';
export { writeFileAtomic } from './io/atomic.js';
export { experiments, findExperiment } from './experiments/registry.js';
export { formatTable, type Experiment, type ExperimentResult, type ExperimentOptions, type Table } from './experiments/experiment.js';
export { CausalSelfAttention, type AttentionOptions, type AttentionGradients } from './layers/attention.js';
export { TanhMLP, type TanhMLPCache, type TanhMLPGradients } from './layers/feedforward.js';
export { compareGradientFlow, type VariantOptions, type VariantRow } from './analysis/variants.js';
export { type Task, type TaskBatch, type TaskEvaluation, type TaskLoss, type TaskLossAt, type TaskOptionsBase, type TaskSpec } from './tasks/task.js';
export { taskFromSpec, TASK_SPEC_KINDS, type TaskSpecOverrides } from './tasks/registry.js';
export { loadCorpus, MOBY_DICK_SOURCE, MOBY_DICK_LICENCE, type Corpus, type CorpusSource } from './tasks/corpus.js';
export { Vocabulary, describeChar } from './tasks/vocab.js';
export { CharLMTask, charLMFromSpec, referenceCrossEntropies, type CharLMOptions, type CharLMBatch, type CharLMSpec } from './tasks/char-lm.js';
export { bitsPerChar, sampleText, type BitsPerCharOptions, type BitsPerCharResult, type SampleOptions } from './tasks/char-lm-eval.js';
export { ForecastTask, forecastFromSpec, fitAr, skill, type ForecastOptions, type ForecastSeries, type ForecastBatch, type ArFit } from './tasks/forecast.js';
export { evaluateForecast, type Forecaster, type ForecastEvaluation } from './tasks/forecast-eval.js';
export { readSeriesCsv, builtinSeries, builtinSeriesPath, BUILTIN_SERIES, type SeriesData, type SeriesCsvOptions, type BuiltinSeriesName } from './tasks/series-csv.js';
export { AddingTask, ADDING_TOLERANCE, type AddingOptions, type AddingBatch } from './tasks/adding.js';
export { CopyMemoryTask, COPY_BLANK, COPY_DELIMITER, COPY_SYMBOLS, COPY_LENGTH, type CopyMemoryOptions, type CopyMemoryBatch } from './tasks/copy-memory.js';
export { TemporalOrderTask, TEMPORAL_ORDER_ALPHABET, TEMPORAL_ORDER_CLASSES, type TemporalOrderOptions, type TemporalOrderBatch } from './tasks/temporal-order.js';
export { CheckpointError, encodeSafetensors, decodeSafetensors } from './io/safetensors.js';
export { encodeCheckpoint, decodeCheckpoint, encodeCheckpointArchive, decodeCheckpointArchive, ARCHIVE_EXTENSION, type EncodedCheckpoint, type CheckpointNames, type CheckpointArchive } from './io/checkpoint.js';
export { saveCheckpoint, loadCheckpoint, latestCheckpoint, bestCheckpoint, checkpointDirName, modelConfig, manifestChecksum, CHECKPOINT_FORMAT, CHECKPOINT_VERSION, type CheckpointContents, type SaveOptions, type LoadedCheckpoint, type CheckpointManifest, type ModelConfig, type ModelKind } from './io/checkpoint.js';
export { LRSchedule, type ScheduleSpec, type HasLr } from './optim/schedule.js';
export { train, makeOptimizer, type TrainOptions, type TrainSummary, type TrainStepInfo, type OptimizerSpec, type OptimizerKind } from './train/trainer.js';
export { registerTrain, runTrain, loadTrainConfig, trainDefaults, type TrainCliOptions, type TrainCliResult } from './cli/train.js';
export { lossCurveSpec, type LossPoint, type LossPlotOptions } from './plot/loss-plot.js';
export { exportOnnx, ONNX_OPSET, type OnnxExportOptions } from './io/onnx.js';
export { importKerasWeights, type KerasKind, type KerasWeights, type KerasWeight, type KerasArray, type KerasTensorLike, type KerasImportOptions } from './io/keras.js';
export { registerExport, runExport, type ExportCliOptions, type ExportResult } from './cli/export.js';

/**
 * `rnnlab/node`: everything in `rnnlab`, and what needs Node: checkpoint directories, the trainer's loop
 * (`train`, with its JSONL log, checkpoints and resume), corpora and CSV files, the task registry that
 * rebuilds a task from a checkpoint's spec, the reproductions table, and plots rendered to SVG/PNG
 * (through vega, vega-lite and @resvg/resvg-js, optional peer dependencies loaded when first used).
 */
export * from './index.js';

export { saveCheckpoint, loadCheckpoint, latestCheckpoint, bestCheckpoint, checkpointDirName } from './io/checkpoint.js';
export { train } from './train/trainer.js';
export { verdict, VERDICT_SEQUENCES, VERDICT_SEED, VERDICT_BATCH, type Verdict } from './train/verdict.js';
export { loadCorpus, type CorpusSource } from './tasks/corpus.js';
export { charLMFromSpec } from './tasks/char-lm.js';
export { ForecastTask, forecastFromSpec, fitAr, skill, type ForecastOptions, type ForecastSeries, type ForecastBatch, type ArFit } from './tasks/forecast.js';
export { evaluateForecast, type Forecaster, type ForecastEvaluation } from './tasks/forecast-eval.js';
export {
  readSeriesCsv, builtinSeries, builtinSeriesPath, BUILTIN_SERIES, type SeriesData, type SeriesCsvOptions, type BuiltinSeriesName,
} from './tasks/series-csv.js';
export { taskFromSpec, TASK_SPEC_KINDS, type TaskSpecOverrides } from './tasks/registry.js';
export { renderVegaLite, PlotDependencyError, PLOT_PACKAGES, type RenderOptions } from './plot/render.js';

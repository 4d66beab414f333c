/**
 * `rnnlab train`'s options: the flags, their defaults, the JSON config file (same names, camelCase),
 * validation (every error names the flag or the config key), and building the task, model and schedule
 * they describe.
 */
import { InvalidArgumentError } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Nonlinearity } from '../cells/rnn.js';
import type { InitOptions, RecurrentInit } from '../layers/init.js';
import { createModel, type Model } from '../layers/factory.js';
import type { ScheduleSpec } from '../optim/schedule.js';
import { AddingTask } from '../tasks/adding.js';
import { CharLMTask } from '../tasks/char-lm.js';
import { loadCorpus } from '../tasks/corpus.js';
import { CopyMemoryTask } from '../tasks/copy-memory.js';
import { ForecastTask } from '../tasks/forecast.js';
import { builtinSeries, readSeriesCsv } from '../tasks/series-csv.js';
import type { Task } from '../tasks/task.js';
import { TemporalOrderTask } from '../tasks/temporal-order.js';
import { OPTIMIZER_KINDS, type OptimizerKind } from '../optim/factory.js';
import type { TrainSummary } from '../train/trainer.js';
import type { Verdict } from '../train/verdict.js';
import { finiteNumber, nonNegativeInt, oneOf, positiveInt, positiveNumber } from './args.js';
import { describeValue } from '../tensor/check.js';


export type TaskKind = 'adding' | 'copy' | 'temporal-order' | 'char-lm' | 'forecast';
export type TrainCell = 'rnn' | 'lstm' | 'gru';
export type ScheduleKind = 'constant' | 'step' | 'cosine' | 'warmup-cosine';

export const TASK_KINDS: readonly TaskKind[] = ['adding', 'copy', 'temporal-order', 'char-lm', 'forecast'];
export const TRAIN_CELLS: readonly TrainCell[] = ['rnn', 'lstm', 'gru'];
export const OPTIMIZERS: readonly OptimizerKind[] = OPTIMIZER_KINDS;
export const SCHEDULES: readonly ScheduleKind[] = ['constant', 'step', 'cosine', 'warmup-cosine'];
export const TRAIN_INITS: readonly RecurrentInit[] = ['default', 'orthogonal', 'identity', 'xavier'];
export const NONLINEARITIES: readonly Nonlinearity[] = ['tanh', 'relu'];

export interface TrainCliOptions {
  task: TaskKind;
  /** Sequence length T (adding, temporal-order, char-lm), the copy delay (copy) or the window (forecast); default: the task's own. */
  seqLen?: number;
  /** char-lm: a UTF-8 text file to train on (default: the built-in Moby-Dick). */
  text?: string;
  /** forecast: a CSV file with a header row (default: the built-in yearly sunspot numbers). */
  csv?: string;
  /** forecast: the CSV column to forecast (name or 0-based index; default the last column). */
  column?: string;
  cell: TrainCell;
  hidden: number;
  layers: number;
  nonlinearity?: Nonlinearity;
  forgetBias?: number;
  init?: RecurrentInit;
  steps: number;
  batch: number;
  optimizer: OptimizerKind;
  lr: number;
  schedule: ScheduleKind;
  /** warmup-cosine only (default 5% of the steps). */
  warmup?: number;
  /** 0 turns clipping by norm off. */
  clipNorm?: number;
  clipValue?: number;
  /** step schedule: steps between lr drops (default steps / 3). */
  stepSize?: number;
  /** step schedule: the factor of each drop (default 0.1). */
  gamma?: number;
  tbptt?: { window: number; stride?: number };
  /** Default: steps / 20. */
  evalEvery?: number;
  patience?: number;
  seed: number;
  out: string;
  /** Default: steps / 10. */
  checkpointEvery?: number;
  keep: number;
  resume: boolean;
  json: boolean;
}

export const trainDefaults: TrainCliOptions = {
  task: 'adding',
  cell: 'lstm',
  hidden: 32,
  layers: 1,
  steps: 1000,
  batch: 32,
  optimizer: 'adam',
  lr: 0.01,
  schedule: 'constant',
  clipNorm: 1,
  seed: 0,
  out: 'out/train',
  keep: 3,
  resume: false,
  json: false,
};

/** The flag of each option (for error messages and the --config keys). */
export const TRAIN_FLAGS: Record<keyof TrainCliOptions, string> = {
  task: '--task', seqLen: '--seq-len', text: '--text', csv: '--csv', column: '--column', cell: '--cell', hidden: '--hidden', layers: '--layers', nonlinearity: '--nonlinearity',
  forgetBias: '--forget-bias', init: '--init', steps: '--steps', batch: '--batch', optimizer: '--optimizer', lr: '--lr',
  schedule: '--schedule', warmup: '--warmup', clipNorm: '--clip-norm', clipValue: '--clip-value', stepSize: '--step-size', gamma: '--gamma', tbptt: '--tbptt',
  evalEvery: '--eval-every', patience: '--patience', seed: '--seed', out: '--out', checkpointEvery: '--checkpoint-every',
  keep: '--keep', resume: '--resume', json: '--json',
};

export interface TrainFiles {
  dir: string;
  jsonl: string;
  checkpoints: string;
  svg: string;
  png: string;
  summary: string;
}

export interface TrainCliResult {
  /** Absent when interrupted. */
  summary?: TrainSummary;
  /** The result as `rnnlab eval` judges it (src/train/verdict.ts); absent when interrupted. */
  verdict?: Verdict;
  interrupted: boolean;
  /** The signal that interrupted the run (the command exits 128 + its number: 130, 143). */
  signal?: 'SIGINT' | 'SIGTERM';
  /** The step reached. */
  steps: number;
  /** The last checkpoint written (the interrupted step's, on Ctrl-C). */
  checkpoint: string | null;
  files: TrainFiles;
  /** The --json object (also printed last with --json). */
  json?: Record<string, unknown>;
}

// ---------------------------------------------------------------------------------------------------
// Parsers.

export function tbpttArg(value: string): { window: number; stride?: number } {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.length > 2) throw new InvalidArgumentError(`expected window[,stride], got "${value}"`);
  const window = positiveInt(parts[0]);
  if (parts.length === 1) return { window };
  const stride = positiveInt(parts[1]);
  if (stride > window) throw new InvalidArgumentError(`the stride (${stride}) must not exceed the window (${window}), got "${value}"`);
  return { window, stride };
}

/** A positive number, or 0 / 'off' for no clipping by norm. */
export function clipNormArg(value: string): number {
  if (value.trim() === 'off' || Number(value) === 0) return 0;
  return positiveNumber(value);
}

/** The step schedule's decay factor, in (0, 1]. */
export function gammaArg(value: string): number {
  const x = Number(value);
  if (value.trim() === '' || !(x > 0 && x <= 1)) throw new InvalidArgumentError(`expected a number in (0, 1], got "${value}"`);
  return x;
}

export const PARSERS: Record<keyof TrainCliOptions, ((v: string) => unknown) | 'boolean' | 'string'> = {
  task: oneOf(TASK_KINDS), seqLen: positiveInt, text: 'string', csv: 'string', column: 'string', cell: oneOf(TRAIN_CELLS), hidden: positiveInt, layers: positiveInt,
  nonlinearity: oneOf(NONLINEARITIES), forgetBias: finiteNumber, init: oneOf(TRAIN_INITS), steps: positiveInt,
  batch: positiveInt, optimizer: oneOf(OPTIMIZERS), lr: positiveNumber, schedule: oneOf(SCHEDULES), warmup: positiveInt,
  clipNorm: clipNormArg, clipValue: positiveNumber, stepSize: positiveInt, gamma: gammaArg, tbptt: tbpttArg, evalEvery: positiveInt, patience: positiveInt,
  seed: nonNegativeInt, out: 'string', checkpointEvery: positiveInt, keep: positiveInt, resume: 'boolean', json: 'boolean',
};

/**
 * Reads options from a JSON file whose keys are the flags in camelCase ({"seqLen": 50, "clipNorm": 1}).
 * Unknown keys and bad values are errors naming the key and the file.
 */
export function loadTrainConfig(file: string): Partial<TrainCliOptions> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RangeError(`--config ${file}: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new RangeError(`--config ${file}: expected a JSON object of options`);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(raw as Record<string, unknown>)) {
    if (!(key in PARSERS)) {
      throw new RangeError(`--config ${file}: unknown key "${key}" (known: ${Object.keys(PARSERS).join(', ')})`);
    }
    const p = PARSERS[key as keyof TrainCliOptions];
    const where = `--config ${file}: key "${key}" (${TRAIN_FLAGS[key as keyof TrainCliOptions]})`;
    if (p === 'boolean') {
      if (typeof v !== 'boolean') throw new RangeError(`${where}: expected true or false, got ${describeValue(v)}`);
      out[key] = v;
    } else if (p === 'string') {
      if (typeof v !== 'string' || v.trim() === '') throw new RangeError(`${where}: expected a non-empty string, got ${describeValue(v)}`);
      out[key] = v;
    } else if (key === 'tbptt' && v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const t = v as { window?: unknown; stride?: unknown };
      try {
        out[key] = tbpttArg(t.stride === undefined ? String(t.window) : `${String(t.window)},${String(t.stride)}`);
      } catch (e) {
        throw new RangeError(`${where}: ${(e as Error).message}`);
      }
    } else {
      if (typeof v !== 'string' && typeof v !== 'number') throw new RangeError(`${where}: expected a number or string, got ${describeValue(v)}`);
      try {
        out[key] = p(String(v));
      } catch (e) {
        throw new RangeError(`${where}: ${(e as Error).message}`);
      }
    }
  }
  return out as Partial<TrainCliOptions>;
}

// ---------------------------------------------------------------------------------------------------
// Validation of an options object given from code (the flag parsers already did it on the CLI).

export function validate(o: TrainCliOptions): void {
  const fail = (key: keyof TrainCliOptions, msg: string): never => {
    throw new RangeError(`${TRAIN_FLAGS[key]}: ${msg}`);
  };
  const check = (key: keyof TrainCliOptions): void => {
    const v = o[key];
    if (v === undefined) return;
    const p = PARSERS[key];
    if (p === 'boolean') {
      if (typeof v !== 'boolean') fail(key, `expected true or false, got ${describeValue(v)}`);
    } else if (p === 'string') {
      if (typeof v !== 'string' || v.trim() === '') fail(key, `expected a non-empty string, got ${describeValue(v)}`);
    } else if (key === 'tbptt') {
      const t = v as { window?: unknown; stride?: unknown };
      if (t === null || typeof t !== 'object') fail(key, `expected {window, stride?}, got ${describeValue(v)}`);
      try {
        tbpttArg(t.stride === undefined ? String(t.window) : `${String(t.window)},${String(t.stride)}`);
      } catch (e) {
        fail(key, (e as Error).message);
      }
    } else {
      if (typeof v !== 'string' && typeof v !== 'number') fail(key, `expected a value, got ${describeValue(v)}`);
      try {
        p(String(v));
      } catch (e) {
        fail(key, (e as Error).message);
      }
    }
  };
  for (const key of Object.keys(PARSERS) as (keyof TrainCliOptions)[]) check(key);
  for (const key of Object.keys(o)) if (!(key in PARSERS)) throw new RangeError(`unknown option "${key}" (known: ${Object.keys(PARSERS).join(', ')})`);
  if (o.forgetBias !== undefined && o.cell !== 'lstm') fail('forgetBias', `only the LSTM has a forget gate, and --cell is ${o.cell}`);
  if (o.nonlinearity !== undefined && o.cell !== 'rnn') fail('nonlinearity', `only the vanilla RNN takes a nonlinearity, and --cell is ${o.cell}`);
  if (o.text !== undefined && o.task !== 'char-lm') fail('text', `only with --task char-lm, and --task is ${o.task}`);
  if (o.csv !== undefined && o.task !== 'forecast') fail('csv', `only with --task forecast, and --task is ${o.task}`);
  if (o.column !== undefined && o.task !== 'forecast') fail('column', `only with --task forecast, and --task is ${o.task}`);
  if (o.column !== undefined && o.csv === undefined) fail('column', 'only with --csv (the built-in series has one column to forecast)');
  for (const k of ['stepSize', 'gamma'] as const) {
    if (o[k] !== undefined && o.schedule !== 'step') fail(k, `only with --schedule step, and --schedule is ${o.schedule}`);
  }
  if (o.warmup !== undefined) {
    if (o.schedule !== 'warmup-cosine') fail('warmup', `only with --schedule warmup-cosine, and --schedule is ${o.schedule}`);
    if (o.warmup >= o.steps) fail('warmup', `expected fewer warmup steps than --steps (${o.steps}), got ${o.warmup}`);
  }
}

// ---------------------------------------------------------------------------------------------------
// Building the task, the model and the trainer's options (in the worker, or in-process).

export function makeTask(o: TrainCliOptions): Task {
  try {
    switch (o.task) {
      case 'adding': return new AddingTask({ seqLen: o.seqLen });
      case 'copy': return new CopyMemoryTask({ delay: o.seqLen });
      case 'temporal-order': return new TemporalOrderTask({ seqLen: o.seqLen });
      case 'char-lm': return new CharLMTask({ corpus: loadCorpus(o.text === undefined ? 'moby-dick' : { file: o.text }), seqLen: o.seqLen });
      case 'forecast': {
        // A digit string stays a string: readSeriesCsv matches a header of that name first, then an index.
        const series = o.csv === undefined ? builtinSeries('sunspots') : readSeriesCsv(o.csv, { column: o.column });
        return new ForecastTask({ series, seqLen: o.seqLen });
      }
    }
  } catch (e) {
    // Data errors already name their file (and line); option errors get the flag.
    if (o.text !== undefined || o.csv !== undefined || o.task === 'char-lm' || o.task === 'forecast') throw e;
    throw new RangeError(`--seq-len: ${(e as Error).message.replace(/^[^:]*:\s*/, '')} (task ${o.task})`);
  }
  throw new RangeError(`--task: expected one of ${TASK_KINDS.join(', ')}, got ${describeValue(o.task)}`);
}

export function makeModel(o: TrainCliOptions, task: Task): Model {
  const init: InitOptions = {};
  if (o.init !== undefined) init.weightHh = o.init;
  if (o.forgetBias !== undefined) init.forgetBias = o.forgetBias;
  return createModel({
    cell: o.cell, inputSize: task.inputSize, hiddenSize: o.hidden, numLayers: o.layers, outputSize: task.outputSize, dtype: task.dtype, seed: o.seed, init,
    nonlinearity: o.cell === 'rnn' ? o.nonlinearity ?? 'tanh' : undefined,
  });
}

export function makeSchedule(o: TrainCliOptions): ScheduleSpec | undefined {
  switch (o.schedule) {
    case 'constant': return undefined;
    case 'step': return { kind: 'step', stepSize: o.stepSize ?? Math.max(1, Math.floor(o.steps / 3)), gamma: o.gamma ?? 0.1 };
    case 'cosine': return { kind: 'cosine', totalSteps: o.steps };
    case 'warmup-cosine': {
      const warmupSteps = o.warmup ?? Math.max(1, Math.round(o.steps * 0.05));
      return { kind: 'warmup-cosine', warmupSteps, totalSteps: Math.max(o.steps, warmupSteps + 1) };
    }
  }
}

export function trainFiles(out: string): TrainFiles {
  const dir = resolve(out);
  return {
    dir, jsonl: join(dir, 'train.jsonl'), checkpoints: join(dir, 'checkpoints'),
    svg: join(dir, 'loss.svg'), png: join(dir, 'loss.png'), summary: join(dir, 'summary.json'),
  };
}

export const evalEveryOf = (o: TrainCliOptions) => o.evalEvery ?? Math.max(1, Math.round(o.steps / 20));
export const checkpointEveryOf = (o: TrainCliOptions) => o.checkpointEvery ?? Math.max(1, Math.round(o.steps / 10));


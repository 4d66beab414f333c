/**
 * Checkpoints. One checkpoint is a directory, `step-000000123/`, holding
 *
 *   model.safetensors   the weights under PyTorch's state_dict names (`weight_ih_l0`, ..., `head.weight`),
 *                       so `torch.nn.LSTM(...).load_state_dict(safetensors.torch.load_file(path))` works
 *                       (a model with a head needs a module whose linear is called `head`)
 *   checkpoint.json     {format: 'rnnlab-checkpoint', version: 1, model: {kind, options}, optimizer, rng,
 *                        step, metrics, task?, files: {'model.safetensors': sha256}, checksum}
 *
 * `task` (optional) is the TaskSpec the model was trained on ({kind, ...options}; for a character model
 * it holds the vocabulary), so `rnnlab eval` and `rnnlab sample` can rebuild it without flags.
 *
 * A directory rather than one file because a PyTorch user can open model.safetensors directly with no
 * rnnlab code, and the JSON is readable in any editor. `checksum` is the sha256 of checkpoint.json's own
 * content (keys sorted, `checksum` left out), so a flipped byte anywhere is caught.
 *
 * Saving is atomic, and checkpoint.ts says how; `best.json` names the best checkpoint by a chosen metric.
 *
 * Loading checks everything (format, version, checksums, config against tensors, finiteness) and reports
 * any problem as a CheckpointError, never another exception. The checks and the encoding are pure
 * functions of bytes (checkpoint-codec.ts), shared by the file system side (checkpoint.ts saves,
 * checkpoint-load.ts loads) and the browser lab; checkpoint-archive.ts packs one checkpoint directory
 * into a single tar file, the form the browser downloads and `loadCheckpoint` also reads.
 *
 * This file is browser-safe: no node: imports.
 */
import type { Model, ModelClass } from '../layers/factory.js';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.js';
import type { Rng } from '../tensor/random.js';
import type { TaskSpec } from './task-spec.js';
import { sha256 } from './sha256.js';

export { CheckpointError, bad } from './checkpoint-error.js';

export { sha256 } from './sha256.js';

export const CHECKPOINT_FORMAT = 'rnnlab-checkpoint';
export const CHECKPOINT_VERSION = 1;
export const WEIGHTS = 'model.safetensors';
export const MANIFEST = 'checkpoint.json';
export const LATEST = 'latest';
export const BEST = 'best.json';
export const STEP_DIR = /^step-(\d{9,})$/;

/** The model's class as the checkpoint file names it ('LSTM', as torch.nn.LSTM); in code a model's cell is a CellKind. */
export type ModelKind = ModelClass;

/** What is needed to rebuild the model before loading the weights (init options and seed are not). */
export interface ModelConfig {
  kind: ModelKind;
  options: {
    inputSize: number;
    hiddenSize: number;
    numLayers: number;
    bias: boolean;
    batchFirst: boolean;
    dtype: 'float32' | 'float64';
    outputSize?: number;
    nonlinearity?: 'tanh' | 'relu';
    bidirectional?: boolean;
    dropout?: number;
    /** LSTM and GRU, only when not 'sigmoid'. */
    recurrentActivation?: 'sigmoid' | 'hardSigmoid';
    /** GRU, only when false (the reset-before GRU). */
    resetAfter?: boolean;
    /** LSTM only, when it has a projection. */
    projSize?: number;
  };
}

/** checkpoint.json. */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  model: ModelConfig;
  optimizer: OptimizerStateDict | null;
  /** Rng.getState() with NaN (no spare normal) written as null. */
  rng: (number | null)[] | null;
  step: number;
  metrics: Record<string, number>;
  /** The task trained on, as `Task.spec()` gave it. */
  task?: TaskSpec;
  /** The settings of the run that wrote it (JSON; `rnnlab train` keeps its options here, so --resume continues that run). */
  run?: Record<string, unknown>;
  files: Record<string, string>;
  checksum?: string;
}

export interface CheckpointContents {
  model: Model;
  optimizer?: Optimizer<{ lr: number }>;
  rng?: Rng;
  step: number;
  metrics?: Record<string, number>;
  /** The task's spec (`task.spec()`), stored so that eval and sample can rebuild the task. */
  task?: TaskSpec;
  /** The run's settings, any JSON object (see CheckpointManifest.run). */
  run?: Record<string, unknown>;
}

export interface SaveOptions {
  /** Keep only the K most recent checkpoints (by step), plus the best and the latest. Default: keep all. */
  keepLast?: number;
  /** Track the best checkpoint by `metrics[metric]`, lower ('min') or higher ('max') being better. */
  best?: { metric: string; mode: 'min' | 'max' };
  /** Replace an existing checkpoint of the same step (default false: refuse). */
  overwrite?: boolean;
}

export interface LoadedCheckpoint {
  /** Rebuilt from the saved config, with the saved weights. */
  model: Model;
  config: ModelConfig;
  /** For `optimizer.loadStateDict` on an optimizer built over `model`; null if none was saved. */
  optimizerState: OptimizerStateDict | null;
  /** For `rng.setState`; null if none was saved. */
  rngState: number[] | null;
  step: number;
  metrics: Record<string, number>;
  /** The task's spec, or null when the checkpoint holds none. */
  task: TaskSpec | null;
  /** The run's settings, or null when the checkpoint holds none. */
  run: Record<string, unknown> | null;
  /** The checkpoint directory that was read (or the .tar file holding it). */
  path: string;
}

export function checkpointDirName(step: number): string {
  return `step-${String(step).padStart(9, '0')}`;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** The checksum field of a manifest: sha256 of its canonical JSON (sorted keys) without `checksum`. */
export function manifestChecksum(manifest: object): string {
  const { checksum: _ignored, ...rest } = manifest as Record<string, unknown>;
  void _ignored;
  return sha256(canonical(rest));
}

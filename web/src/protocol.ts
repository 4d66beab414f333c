/** The messages between the training page (train-view.ts) and the training worker (worker.ts). */
import type { CellKind, ScheduleSpec } from 'rnnlab';

export type TaskChoice =
  | { kind: 'adding'; seqLen: number }
  | { kind: 'copy'; delay: number }
  | { kind: 'char-lm'; corpus: 'moby-dick' | { text: string }; seqLen: number };

export interface TrainConfig {
  task: TaskChoice;
  cell: CellKind;
  hidden: number;
  /** LSTM only; null: PyTorch's default. */
  forgetBias: number | null;
  lr: number;
  batchSize: number;
  /** Global gradient-norm clipping; null: none. */
  clipNorm: number | null;
  /** Clipping of each gradient entry to ±clipValue (applied before the norm); absent or null: none. */
  clipValue?: number | null;
  /** A learning-rate schedule (the trainer's ScheduleSpec); absent or null: a constant lr. */
  schedule?: ScheduleSpec | null;
  /** Truncated BPTT (the trainer's tbptt option); absent or null: through the whole sequence. */
  tbptt?: { window: number; stride?: number } | null;
  /** Held-out evaluation (and, for a character model, a sample) every this many steps. */
  evalEvery: number;
  seed: number;
}

/** What the page shows about the model being trained. */
export interface SessionInfo {
  /** e.g. 'LSTM, H = 32, 4 513 parameters'. */
  model: string;
  /** e.g. 'adding problem, T = 30'. */
  task: string;
  taskKind: string;
  step: number;
  baseline: number;
  solvedBelow: number;
  metricName: string;
  /** Sampling is possible (a character model). */
  canSample: boolean;
  /** Training is possible (the task's data is available in the page). */
  canTrain: boolean;
  /** Why not, when canTrain is false. */
  note: string | null;
}

/** Training steps whose median duration the progress messages report. */
export const STEP_WINDOW = 50;

export interface LossPointMsg {
  step: number;
  loss: number;
  evalLoss?: number;
}

export type ToWorker =
  /** A new model on a new task; then train up to `steps` steps. */
  | { type: 'start'; config: TrainConfig; steps: number }
  | { type: 'stop' }
  /** Continue the current model up to step `until`. */
  | { type: 'resume'; until: number; config: TrainConfig }
  | { type: 'sample'; prime: string; temperature: number; length: number }
  | { type: 'save' }
  /** One .tar archive, or a checkpoint.json and a model.safetensors. */
  | { type: 'load'; files: { name: string; bytes: ArrayBuffer }[]; config: TrainConfig };

export type WorkerError = { type: 'error'; during: 'start' | 'train' | 'sample' | 'save' | 'load'; message: string };

export type FromWorker =
  | { type: 'ready'; info: SessionInfo; reason: 'start' | 'load'; fileName?: string }
  | {
    type: 'progress'; points: LossPointMsg[]; step: number; stepsPerSecond: number; metric: number; evalMetric?: number;
    /** The backend the model runs on, and the threads its large GEMMs use (1 on 'reference'). */
    backend: 'reference' | 'wasm'; threads: number;
    /** Median milliseconds of one training step (the step alone) over the latest ones, at most STEP_WINDOW. */
    stepMs: number;
  }
  | { type: 'stopped'; step: number; reason: 'stopped' | 'done' }
  | { type: 'sample'; prime: string; text: string; auto: boolean }
  | { type: 'checkpoint'; fileName: string; bytes: ArrayBuffer }
  | WorkerError;

/**
 * `train()`: a whole training run in Node. The steps are the trainer core's (core.ts, where every
 * convention of a run is written down); this wrapper adds what needs files: the JSONL log of every
 * step, checkpoints written to a directory every `checkpoint.every` steps and at the end (keeping the
 * last K and the best by held-out loss), resuming from such a directory, and `shouldStop`, which ends
 * the run after a step with a checkpoint of it (the command line's Ctrl-C, from its worker thread).
 */
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from '../io/checkpoint.js';
import type { Task } from '../tasks/task.js';
import { Trainer } from './core.js';
import { TRAIN_OPTION_KEYS, resolveOptions, type Model, type TrainOptions, type TrainSummary } from './options.js';

export { makeOptimizer, type OptimizerKind, type OptimizerSpec, type TrainOptions, type TrainStepInfo, type TrainSummary } from './options.js';

/** Trains `model` in place on `task`; see core.ts for every convention of the run. */
export function train(model: Model, task: Task, options: TrainOptions): TrainSummary {
  const t0 = performance.now();
  resolveOptions(model, task, options, TRAIN_OPTION_KEYS);
  const { logJsonl, checkpoint, resume, shouldStop, onStep, ...core } = options;
  if (logJsonl !== undefined) mkdirSync(dirname(logJsonl), { recursive: true });
  const trainer = new Trainer(model, task, core);
  if (resume !== undefined) trainer.resume(loadCheckpoint(resume));

  let lastCheckpoint: string | undefined;
  let lastSaved = resume !== undefined ? trainer.currentStep : -1; // a resume that runs no step has nothing new to save
  const save = (): void => {
    const c = checkpoint!;
    const contents = trainer.checkpoint();
    lastCheckpoint = saveCheckpoint(c.dir, contents, {
      keepLast: c.keepLast, best: 'evalLoss' in contents.metrics! ? { metric: 'evalLoss', mode: 'min' } : undefined,
    });
    lastSaved = trainer.currentStep;
  };
  while (!trainer.done) {
    const info = trainer.step();
    if (logJsonl !== undefined) appendFileSync(logJsonl, `${JSON.stringify(info)}\n`);
    onStep?.(info);
    if (checkpoint !== undefined && info.step % checkpoint.every === 0) save();
    if (shouldStop?.()) trainer.stop();
  }
  if (checkpoint !== undefined && lastSaved !== trainer.currentStep) save();
  return trainer.summary((performance.now() - t0) / 1000, lastCheckpoint);
}

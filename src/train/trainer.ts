/**
 * `train()`: a whole training run in Node. The steps are the trainer core's (core.ts, where every
 * convention of a run is written down); this wrapper adds what needs files: the JSONL log of every
 * step, checkpoints written to a directory every `checkpoint.every` steps and at the end (keeping the
 * last K and the best by held-out loss), resuming from such a directory, and `shouldStop`, which ends
 * the run after a step with a checkpoint of it (the command line's Ctrl-C, from its worker thread).
 *
 * The checkpoint directory is the run's: it is locked while the run trains (src/io/lock.ts), what an
 * earlier killed save left there is removed first, and a step directory the run writes again (the
 * same step, after a resume) is replaced. A line of the log is written whole or not at all: a failed
 * append (a full disk) is cut back and reported naming the file.
 */
import { dirname } from 'node:path';
import { loadCheckpoint, removeLeftovers, saveCheckpoint } from '../io/checkpoint.js';
import { ensureDir } from '../io/files.js';
import { lineAppender } from '../io/jsonl.js';
import { lockRun, type RunLock } from '../io/lock.js';
import type { Task } from '../tasks/task.js';
import { Trainer } from './core.js';
import { TRAIN_OPTION_KEYS, resolveOptions, type Model, type TrainOptions, type TrainSummary } from './options.js';

export { makeOptimizer, type OptimizerKind, type OptimizerSpec, type TrainOptions, type TrainStepInfo, type TrainSummary } from './options.js';

/** Trains `model` in place on `task`; see core.ts for every convention of the run. */
export function train(model: Model, task: Task, options: TrainOptions): TrainSummary {
  const t0 = performance.now();
  resolveOptions(model, task, options, TRAIN_OPTION_KEYS);
  const { logJsonl, checkpoint, resume, shouldStop, onStep, ...core } = options;
  const trainer = new Trainer(model, task, core);
  let lock: RunLock | null = null;
  try {
    if (checkpoint !== undefined) {
      lock = lockRun(checkpoint.dir, 'options.checkpoint.dir');
      removeLeftovers(checkpoint.dir);
    }
    let log: ((line: string) => void) | null = null;
    if (logJsonl !== undefined) {
      ensureDir(dirname(logJsonl), 'options.logJsonl');
      log = lineAppender(logJsonl, 'options.logJsonl');
    }
    if (resume !== undefined) trainer.resume(loadCheckpoint(resume));

    let lastCheckpoint: string | undefined;
    let lastSaved = resume !== undefined ? trainer.currentStep : -1; // a resume that runs no step has nothing new to save
    const save = (): void => {
      const c = checkpoint!;
      const contents = { ...trainer.checkpoint(), ...(c.run !== undefined ? { run: c.run } : {}) };
      lastCheckpoint = saveCheckpoint(c.dir, contents, {
        keepLast: c.keepLast, best: 'evalLoss' in contents.metrics! ? { metric: 'evalLoss', mode: 'min' } : undefined, overwrite: true,
      });
      lastSaved = trainer.currentStep;
    };
    while (!trainer.done) {
      const info = trainer.step();
      log?.(`${JSON.stringify(info)}\n`);
      onStep?.(info);
      if (checkpoint !== undefined && info.step % checkpoint.every === 0) save();
      if (shouldStop?.()) trainer.stop();
    }
    if (checkpoint !== undefined && lastSaved !== trainer.currentStep) save();
    return trainer.summary((performance.now() - t0) / 1000, lastCheckpoint);
  } finally {
    lock?.release();
  }
}

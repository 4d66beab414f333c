/**
 * Whether a model solves its task: one rule, on one held-out set, for `rnnlab train`'s result and for
 * `rnnlab eval`, so the two never disagree about the same weights.
 * - A character model: bits per character over the whole held-out text (bitsPerChar).
 * - A forecaster: the MSE of one-step forecasts over the whole held-out series (evaluateForecast).
 * - A synthetic task: VERDICT_SEQUENCES fresh held-out sequences from Rng(VERDICT_SEED), in batches of
 *   VERDICT_BATCH. 4096 sequences put the memoryless predictor's empirical loss within 2 % of the
 *   analytic baseline (test/verdict.test.ts checks it for the adding problem, whose baseline 1/6 has the
 *   widest spread); 128, as the trainer's default held-out batches give, are off by 15 %.
 * Solved means loss < task.solvedBelow.
 */
import { CharLMTask } from '../tasks/char-lm-task.js';
import { bitsPerChar, type BitsPerCharResult } from '../tasks/char-lm-eval.js';
import { evaluateForecast, type ForecastEvaluation } from '../tasks/forecast-eval.js';
import { ForecastTask } from '../tasks/forecast.js';
import type { Task } from '../tasks/task.js';
import { Rng } from '../tensor/random.js';
import { evaluateOn } from './loss-and-grad.js';
import type { Model } from './options.js';

export const VERDICT_SEQUENCES = 4096;
export const VERDICT_BATCH = 256;
export const VERDICT_SEED = 20_261_201;

export interface Verdict {
  loss: number;
  metric: number;
  metricName: string;
  solved: boolean;
  solvedBelow: number;
  baseline: number;
  /** What was scored, in words: '4096 held-out sequences', 'the held-out text (12 345 characters)', ... */
  on: string;
  /** A character model's bits per character, or a forecaster's errors against its references. */
  charLM?: BitsPerCharResult;
  forecast?: ForecastEvaluation;
}

export function verdict(model: Model, task: Task): Verdict {
  const base = { metricName: task.metricName, solvedBelow: task.solvedBelow, baseline: task.baseline() };
  if (task instanceof CharLMTask) {
    const r = bitsPerChar(model, task);
    const loss = r.bpc * Math.LN2;
    return { ...base, loss, metric: r.accuracy, solved: loss < task.solvedBelow, on: `the held-out text (${r.chars} characters)`, charLM: r };
  }
  if (task instanceof ForecastTask) {
    const f = evaluateForecast(model, task);
    return { ...base, loss: f.mse, metric: f.skill, solved: f.mse < task.solvedBelow, on: `the held-out series (${f.targets} targets)`, forecast: f };
  }
  const rng = new Rng(VERDICT_SEED);
  const draw = task.heldOutBatch?.bind(task) ?? task.batch.bind(task);
  let loss = 0, metric = 0;
  const batches = VERDICT_SEQUENCES / VERDICT_BATCH;
  for (let i = 0; i < batches; i++) {
    // One batch at a time keeps the memory to one batch's forward pass.
    const ev = evaluateOn(model, task, [draw(rng, VERDICT_BATCH)]);
    loss += ev.loss / batches;
    metric += ev.metric / batches;
  }
  return { ...base, loss, metric, solved: loss < task.solvedBelow, on: `${VERDICT_SEQUENCES} held-out sequences` };
}

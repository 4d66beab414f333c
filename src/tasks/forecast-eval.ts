/**
 * Deterministic held-out evaluation of a forecaster on a `ForecastTask`: every held-out target
 * i ∈ [N₀, N) is scored exactly once (no sampling), and the persistence and AR(p) forecasts are scored
 * on the same targets, so the three MSEs compare like with like.
 *
 * MSEs are given in standardised units (as the task's loss) and in the series' own units
 * (× σ², σ the training split's standard deviation). skill = 1 − MSE / MSE_persistence and
 * skillVsAr = 1 − MSE / MSE_AR (0 = as good as the reference, 1 = perfect, < 0 = worse).
 */
import { checkPositiveInt, describeValue } from '../tensor/check.js';
import type { Tensor } from '../tensor/tensor.js';
import { skill, type ForecastTask } from './forecast.js';
import { lastStep } from './task.js';

/** Anything with a forward pass over `[T, B, 1]` giving `[T, B, 1]` (or `[B, 1]`): RNN, LSTM, GRU, or a hand-made forecaster. */
export interface Forecaster {
  forward(x: Tensor): { output: Tensor };
}

export interface ForecastEvaluation {
  /** H: held-out targets scored. */
  targets: number;
  /** The model's MSE, standardised units / series units. */
  mse: number;
  mseSeriesUnits: number;
  persistenceMse: number;
  persistenceMseSeriesUnits: number;
  arMse: number;
  arMseSeriesUnits: number;
  /** 1 − mse / persistenceMse. */
  skill: number;
  /** 1 − mse / arMse. */
  skillVsAr: number;
  /** [H]: the model's forecasts in the series' units, in time order (target i = firstHeldOut + k). */
  forecasts: Float64Array;
}

/** Scores `model` on every held-out target of `task`, in chunks of `batchSize` windows (default 256). */
export function evaluateForecast(model: Forecaster, task: ForecastTask, opts: { batchSize?: number } = {}): ForecastEvaluation {
  if (model === null || typeof model !== 'object' || typeof model.forward !== 'function') {
    throw new TypeError(`model: expected a model with forward(x) (RNN, LSTM, GRU), got ${describeValue(model)}`);
  }
  const chunk = checkPositiveInt('batchSize', opts.batchSize ?? 256);
  const N0 = task.firstHeldOut, N = task.length, H = N - N0, T = task.seqLen;
  const forecasts = new Float64Array(H);
  let se = 0;
  for (let s = N0; s < N; s += chunk) {
    const idx = Int32Array.from({ length: Math.min(chunk, N - s) }, (_, k) => s + k);
    const batch = task.batchAt(idx);
    const { last } = lastStep(model.forward(batch.x).output, T, idx.length, 1);
    for (let b = 0; b < idx.length; b++) {
      const i = idx[b], yhat = last.data[b];
      // Against the float64 series, not the dtype-rounded batch target, so dtypes compare alike.
      se += (yhat - task.z[i]) ** 2;
      forecasts[i - N0] = yhat * task.std + task.mean;
    }
  }
  const mse = se / H, persistenceMse = task.baseline(), arMse = task.solvedBelow, v = task.std ** 2;
  return {
    targets: H,
    mse, mseSeriesUnits: mse * v,
    persistenceMse, persistenceMseSeriesUnits: persistenceMse * v,
    arMse, arMseSeriesUnits: arMse * v,
    skill: skill(mse, persistenceMse),
    skillVsAr: skill(mse, arMse),
    forecasts,
  };
}

/**
 * One-step-ahead forecasting of a real univariate series v_0 … v_{N−1} (e.g. the yearly sunspot
 * numbers, `builtinSeries('sunspots')`, or a column of a user's CSV, `readSeriesCsv`).
 *
 * Split: the last H = round(heldOutFraction · N) points are held out; the first N₀ = N − H are the
 * training split. Standardisation: z_i = (v_i − μ) / σ with μ, σ the mean and (population) standard
 * deviation of the training split only, so nothing about the held-out values leaks into the inputs.
 *
 * Window and target: for a target index i (seqLen ≤ i < N) the input is the window
 * x = z_{i−T} … z_{i−1} (T = seqLen, time-major `[T, B, 1]`) and the target is z_i (`[B, 1]`), scored
 * at the last step with MSE, in standardised units. `batch()` draws i uniformly from the training
 * targets [T, N₀); `heldOutBatch()` from the held-out targets [N₀, N). A held-out window may reach back
 * into the training split: at forecast time that history is known, and only the target is new.
 *
 * Baseline (persistence, "tomorrow is like today"): ẑ_i = z_{i−1}; `baseline()` is its MSE over ALL H
 * held-out targets, mean_i (z_i − z_{i−1})². Solved: an AR(p) model with intercept,
 * ẑ_i = c + Σ_{k=1..p} φ_k z_{i−k}, fitted by least squares on every training target i ∈ [p, N₀);
 * `solvedBelow` is its MSE on the same H held-out targets. A network "solves" the task when it matches
 * the classical linear forecaster. p = arOrder ≤ T, so the AR model sees no more history than the network.
 *
 * Metric: skill against persistence on the batch scored, 1 − MSE / MSE_persistence (higher is better;
 * 0 = as good as persistence, 1 = perfect). For the whole held-out split at once, see `evaluateForecast`.
 */
import { resolve } from 'node:path';
import { Matrix, solve } from 'ml-matrix';
import { checkOneOf, describeValue } from '../tensor/check.js';
import { Rng } from '../tensor/random.js';
import { Tensor, allocate, type DType } from '../tensor/tensor.js';
import { builtinSeries, builtinSeriesPath, readSeriesCsv } from './series-csv.js';
import {
  checkBatchArgs, checkBatchX, checkDTypeOption, checkIntOption, checkSeqLenOption, lastStep, mseOf,
  type Task, type TaskBatch, type TaskEvaluation, type TaskOptionsBase, type TaskSpec,
} from './task.js';

/** A series to forecast: what `readSeriesCsv` / `builtinSeries` return, or values given in memory. */
export interface ForecastSeries {
  name: string;
  /** [N] in time order. */
  values: ArrayLike<number>;
  /** The CSV it came from (kept in the spec); absent for a series given in memory. */
  file?: string;
  column?: string;
}

export interface ForecastOptions extends TaskOptionsBase {
  series: ForecastSeries;
  /** The window T (default 20). */
  seqLen?: number;
  /** Fraction of the points held out at the end, in (0, 1) (default 0.2). */
  heldOutFraction?: number;
  /** Order p of the AR baseline, 1 ≤ p ≤ seqLen (default min(10, seqLen)). */
  arOrder?: number;
}

export interface ForecastBatch extends TaskBatch {
  /** [T, B, 1]: the standardised windows. */
  x: Tensor;
  /** [B, 1]: the standardised next values. */
  target: Tensor;
  /** [B]: the index i in the series of each target. */
  index: Int32Array;
}

/** The least-squares AR(p) fit, in standardised units: ẑ_i = intercept + Σ_k phi[k] · z_{i−1−k}. */
export interface ArFit {
  intercept: number;
  /** [p]: phi[k] multiplies the value k + 1 steps back. */
  phi: Float64Array;
}

export class ForecastTask implements Task<ForecastBatch> {
  readonly name: string;
  readonly seqLen: number;
  readonly inputSize = 1;
  readonly outputSize = 1;
  readonly loss = 'mse' as const;
  readonly lossAt = 'last' as const;
  readonly dtype: DType;
  readonly heldOutFraction: number;
  readonly arOrder: number;
  readonly series: Readonly<ForecastSeries>;
  /** [N]: the series standardised with the training split's mean and std. */
  readonly z: Float64Array;
  /** Mean and standard deviation of the training split, in the series' units. */
  readonly mean: number;
  readonly std: number;
  /** N₀: the first held-out index (training split = [0, N₀), held-out split = [N₀, N)). */
  readonly firstHeldOut: number;
  readonly ar: ArFit;
  readonly solvedBelow: number;
  readonly metricName = 'skill vs persistence';
  private readonly persistence: number;

  constructor(opts: ForecastOptions) {
    if (opts === null || typeof opts !== 'object') throw new TypeError(`opts: expected { series, ... }, got ${describeValue(opts)}`);
    const s = opts.series;
    if (s === null || typeof s !== 'object' || typeof s.name !== 'string' || s.values === null || typeof s.values !== 'object' || typeof s.values.length !== 'number') {
      throw new TypeError(`series: expected { name, values } (readSeriesCsv or builtinSeries), got ${describeValue(s)}`);
    }
    this.series = s;
    this.name = `forecast(${s.name})`;
    this.seqLen = checkSeqLenOption('seqLen', opts.seqLen, 20, 1, 'a window holds at least one value');
    this.dtype = checkDTypeOption(opts.dtype);
    this.heldOutFraction = checkFraction('heldOutFraction', opts.heldOutFraction);
    this.arOrder = checkIntOption('arOrder', opts.arOrder, Math.min(10, this.seqLen), 1, 'at least one lag');
    if (this.arOrder > this.seqLen) {
      throw new RangeError(`arOrder: expected at most seqLen = ${this.seqLen} (the AR baseline sees no more history than the network), got ${this.arOrder}`);
    }
    const v = Float64Array.from(s.values), N = v.length;
    for (let i = 0; i < N; i++) {
      if (!Number.isFinite(v[i])) throw new RangeError(`series ${s.name}: expected finite values, got ${v[i]} at index ${i}`);
    }
    const need = minLength(this.seqLen, this.arOrder, this.heldOutFraction);
    if (N < need) {
      throw new RangeError(
        `series ${s.name}: seqLen ${this.seqLen}, arOrder ${this.arOrder} and heldOutFraction ${this.heldOutFraction} need at least ${need} points ` +
        `(a training target after a full window, ${this.arOrder + 1} AR fitting rows, one held-out target), got ${N}`,
      );
    }
    const N0 = N - heldOutCount(N, this.heldOutFraction);
    this.firstHeldOut = N0;
    let m = 0;
    for (let i = 0; i < N0; i++) m += v[i];
    m /= N0;
    let ss = 0;
    for (let i = 0; i < N0; i++) ss += (v[i] - m) ** 2;
    const sd = Math.sqrt(ss / N0);
    if (!(sd > 0)) throw new RangeError(`series ${s.name}: the training split (the first ${N0} points) is constant (${m}), so it cannot be standardised`);
    this.mean = m;
    this.std = sd;
    this.z = v.map((x) => (x - m) / sd);
    this.ar = fitAr(this.z, N0, this.arOrder);
    let pe = 0, ae = 0;
    for (let i = N0; i < N; i++) {
      pe += (this.z[i] - this.z[i - 1]) ** 2;
      ae += (this.z[i] - this.arPredict(i)) ** 2;
    }
    this.persistence = pe / (N - N0);
    this.solvedBelow = ae / (N - N0);
  }

  /** N: the series' length. */
  get length(): number {
    return this.z.length;
  }

  /** The AR forecast of z_i from z_{i−p} … z_{i−1}, standardised. */
  arPredict(i: number): number {
    const { intercept, phi } = this.ar;
    let y = intercept;
    for (let k = 0; k < phi.length; k++) y += phi[k] * this.z[i - 1 - k];
    return y;
  }

  /** The batch whose targets are the given series indices, each in [seqLen, N). */
  batchAt(indices: ArrayLike<number>): ForecastBatch {
    const T = this.seqLen, B = indices.length, N = this.z.length;
    if (B === 0) throw new RangeError('indices: expected at least one target index, got none');
    const x = allocate(this.dtype, T * B), y = allocate(this.dtype, B), index = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      const i = indices[b];
      if (!Number.isInteger(i) || i < T || i >= N) throw new RangeError(`indices[${b}]: expected an integer in [${T}, ${N}) (a target after a full window), got ${i}`);
      for (let t = 0; t < T; t++) x[t * B + b] = this.z[i - T + t];
      y[b] = this.z[i];
      index[b] = i;
    }
    return { x: new Tensor(x, [T, B, 1]), target: new Tensor(y, [B, 1]), index };
  }

  /** Windows whose target lies in the training split, i uniform in [seqLen, N₀). */
  batch(rng: Rng, batchSize: number): ForecastBatch {
    const B = checkBatchArgs(rng, batchSize), lo = this.seqLen, n = this.firstHeldOut - lo;
    return this.batchAt(Int32Array.from({ length: B }, () => lo + rng.int(n)));
  }

  /** Windows whose target lies in the held-out split, i uniform in [N₀, N); the window may start in the training split. */
  heldOutBatch(rng: Rng, batchSize: number): ForecastBatch {
    const B = checkBatchArgs(rng, batchSize), lo = this.firstHeldOut, n = this.z.length - lo;
    return this.batchAt(Int32Array.from({ length: B }, () => lo + rng.int(n)));
  }

  /** MSE of persistence over every held-out target, standardised units. */
  baseline(): number {
    return this.persistence;
  }

  evaluate(output: Tensor, batch: ForecastBatch): TaskEvaluation {
    const B = checkBatchX(this, batch), T = this.seqLen;
    const { last, expand } = lastStep(output, T, B, 1);
    const { loss, grad } = mseOf(last, batch.target);
    let pe = 0;
    for (let b = 0; b < B; b++) pe += (batch.x.data[(T - 1) * B + b] - batch.target.data[b]) ** 2;
    pe /= B;
    return { loss, metric: skill(loss, pe), metricName: this.metricName, grad: expand(grad) };
  }

  /**
   * `{ kind: 'forecast', source, column, seqLen, heldOutFraction, arOrder, dtype }`; source is
   * 'sunspots' for the built-in series, the CSV's absolute path, or 'inline' (then `name` and `values`
   * carry a series given in memory).
   */
  spec(): TaskSpec {
    const s = this.series;
    const common = { seqLen: this.seqLen, heldOutFraction: this.heldOutFraction, arOrder: this.arOrder, dtype: this.dtype };
    if (s.file === undefined) return { kind: 'forecast', source: 'inline', name: s.name, values: Array.from(s.values), ...common };
    const file = resolve(s.file);
    const source = s.name === 'sunspots' && file === builtinSeriesPath('sunspots') ? 'sunspots' : file;
    return { kind: 'forecast', source, column: s.column, ...common };
  }
}

/** 1 − mse / mseRef; when the reference is exact (mseRef = 0) the limit: 0 if mse is 0 too, else −∞. */
export function skill(mse: number, mseRef: number): number {
  if (mseRef > 0) return 1 - mse / mseRef;
  return mse === 0 ? 0 : -Infinity;
}

/** Rebuilds a `ForecastTask` from its `spec()`; `overrides` replace spec fields (e.g. dtype). */
export function forecastFromSpec(spec: TaskSpec, overrides: Omit<Partial<ForecastOptions>, 'series'> = {}): ForecastTask {
  if (spec === null || typeof spec !== 'object') throw new TypeError(`spec: expected a task spec object, got ${describeValue(spec)}`);
  if (spec.kind !== 'forecast') throw new RangeError(`spec.kind: expected 'forecast', got ${describeValue(spec.kind)}`);
  const seqLen = checkSeqLenOption('spec.seqLen', spec.seqLen, 20, 1, 'a window holds at least one value');
  const heldOutFraction = checkFraction('spec.heldOutFraction', spec.heldOutFraction);
  const arOrder = checkIntOption('spec.arOrder', spec.arOrder, Math.min(10, seqLen), 1, 'at least one lag');
  const dtype = checkOneOf('spec.dtype', spec.dtype ?? 'float32', ['float32', 'float64'] as const);
  let series: ForecastSeries;
  if (spec.source === 'sunspots') {
    series = builtinSeries('sunspots');
  } else if (spec.source === 'inline') {
    if (typeof spec.name !== 'string') throw new TypeError(`spec.name: expected the inline series' name, got ${describeValue(spec.name)}`);
    if (!Array.isArray(spec.values) || !spec.values.every((x) => typeof x === 'number')) {
      throw new TypeError(`spec.values: expected an array of numbers for source 'inline', got ${typeof spec.values}`);
    }
    series = { name: spec.name, values: spec.values as number[] };
  } else if (typeof spec.source === 'string' && spec.source !== '') {
    if (spec.column !== undefined && typeof spec.column !== 'string' && typeof spec.column !== 'number') {
      throw new TypeError(`spec.column: expected a column name or index, got ${describeValue(spec.column)}`);
    }
    series = readSeriesCsv(spec.source, { column: spec.column });
  } else {
    throw new TypeError(`spec.source: expected 'sunspots', 'inline' or the path of a CSV file, got ${describeValue(spec.source)}`);
  }
  return new ForecastTask({ series, seqLen, heldOutFraction, arOrder, dtype, ...overrides });
}

function checkFraction(name: string, v: unknown): number {
  const f = v ?? 0.2;
  if (typeof f !== 'number' || !(f > 0 && f < 1)) throw new RangeError(`${name}: expected a number in (0, 1) (the held-out fraction), got ${describeValue(v)}`);
  return f;
}

/** H: how many points are held out of N. */
function heldOutCount(N: number, f: number): number {
  return Math.round(N * f);
}

/** The smallest N with ≥ 1 held-out target, ≥ 1 training target after a full window, ≥ p + 1 AR rows. */
function minLength(T: number, p: number, f: number): number {
  for (let n = 1; ; n++) {
    const N0 = n - heldOutCount(n, f);
    if (n - N0 >= 1 && N0 - T >= 1 && N0 - p >= p + 1) return n;
  }
}

/**
 * Least squares for the AR(p) with intercept on training targets i ∈ [p, N₀), through the normal
 * equations (a (p+1)² system, whatever N) solved by SVD so a rank-deficient fit (e.g. an exactly
 * periodic series) still gives the minimum-norm solution instead of failing.
 */
export function fitAr(z: Float64Array, N0: number, p: number): ArFit {
  const d = p + 1, xtx = new Float64Array(d * d), xty = new Float64Array(d), row = new Float64Array(d);
  row[0] = 1;
  for (let i = p; i < N0; i++) {
    for (let k = 0; k < p; k++) row[k + 1] = z[i - 1 - k];
    for (let a = 0; a < d; a++) {
      xty[a] += row[a] * z[i];
      for (let c = 0; c < d; c++) xtx[a * d + c] += row[a] * row[c];
    }
  }
  const A = new Matrix(d, d), y = new Matrix(d, 1);
  for (let a = 0; a < d; a++) {
    y.set(a, 0, xty[a]);
    for (let c = 0; c < d; c++) A.set(a, c, xtx[a * d + c]);
  }
  const w = solve(A, y, true);
  return { intercept: w.get(0, 0), phi: Float64Array.from({ length: p }, (_, k) => w.get(k + 1, 0)) };
}

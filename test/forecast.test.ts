import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { GRU } from '../src/layers/models.js';
import { Rng } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { evaluateForecast, type Forecaster } from '../src/tasks/forecast-eval.js';
import { ForecastTask, forecastFromSpec, type ForecastBatch } from '../src/tasks/forecast.js';
import { builtinSeries, builtinSeriesPath, readSeriesCsv } from '../src/tasks/series-csv.js';
import { train } from '../src/train/trainer.js';

const FIX = fileURLToPath(new URL('./fixtures/csv/', import.meta.url));
const fx = (name: string): string => join(FIX, name);

/** Asserts that fn throws a message containing every fragment. */
function throwsWith(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: Error) => {
    for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" lacks "${f}"`);
    return true;
  });
}

/** A forecaster whose output at every step is its input: at the last step, persistence. */
const persistenceModel: Forecaster = { forward: (x: Tensor) => ({ output: x }) };

/** A forecaster giving the task's own AR(p) forecast at the last step, `[B, 1]`. */
function arModel(task: ForecastTask): Forecaster {
  return {
    forward: (x: Tensor) => {
      const [T, B] = x.shape, { intercept, phi } = task.ar, out = new Float64Array(B);
      for (let b = 0; b < B; b++) {
        out[b] = intercept;
        for (let k = 0; k < phi.length; k++) out[b] += phi[k] * x.data[(T - 1 - k) * B + b];
      }
      return { output: new Tensor(out, [B, 1]) };
    },
  };
}

const ramp = (n: number, f: (i: number) => number = (i) => i): { name: string; values: Float64Array } =>
  ({ name: 'ramp', values: Float64Array.from({ length: n }, (_, i) => f(i)) });

// ---------------------------------------------------------------- CSV

test('readSeriesCsv reads the last column by default, skipping blank lines, and reports its name and first data line', () => {
  const s = readSeriesCsv(fx('good.csv'));
  assert.deepEqual(Array.from(s.values), [1.5, 2, -30]);
  assert.equal(s.column, 'value');
  assert.equal(s.file, fx('good.csv'));
  assert.equal(s.firstLine, 2);
});

test('readSeriesCsv selects a column by name or by 0-based index', () => {
  assert.deepEqual(Array.from(readSeriesCsv(fx('good.csv'), { column: 'date' }).values), [2000, 2001, 2002]);
  assert.deepEqual(Array.from(readSeriesCsv(fx('good.csv'), { column: 0 }).values), [2000, 2001, 2002]);
});

test('a missing file is an error naming the file', () => {
  throwsWith(() => readSeriesCsv(fx('nope.csv')), fx('nope.csv'), 'no such file');
});

test('an empty file is an error naming the file and line 1', () => {
  throwsWith(() => readSeriesCsv(fx('empty.csv')), `${fx('empty.csv')}: line 1`, 'empty file');
});

test('a header without data rows is an error naming the file and line 2', () => {
  throwsWith(() => readSeriesCsv(fx('header-only.csv')), `${fx('header-only.csv')}: line 2`, 'expected data rows');
});

test('an unknown column is an error naming the file, the header line and the columns there are', () => {
  throwsWith(() => readSeriesCsv(fx('good.csv'), { column: 'price' }), 'column:', `${fx('good.csv')}: line 1`, '"price"', '0: "date"', '1: "value"');
  throwsWith(() => readSeriesCsv(fx('good.csv'), { column: 2 }), 'column:', 'got 2', `${fx('good.csv')}: line 1`);
});

test('a row with the wrong number of columns is an error naming the file and its line', () => {
  throwsWith(() => readSeriesCsv(fx('wrong-columns.csv')), `${fx('wrong-columns.csv')}: line 3`, 'expected 3 columns', 'got 2');
});

test('a non-numeric cell is an error naming the file, the line, the column and the text', () => {
  throwsWith(() => readSeriesCsv(fx('non-numeric.csv')), `${fx('non-numeric.csv')}: line 4`, 'column "y"', '"abc"');
});

test('an empty cell is an error naming the file and the line, not a silent 0', () => {
  throwsWith(() => readSeriesCsv(fx('empty-cell.csv')), `${fx('empty-cell.csv')}: line 3`, 'empty cell');
});

test('a non-finite number is an error naming the file and the line', () => {
  throwsWith(() => readSeriesCsv(fx('non-finite.csv')), `${fx('non-finite.csv')}: line 3`, 'finite', '"Infinity"');
});

test('builtinSeries("sunspots") is the 309 yearly values 1700-2008', () => {
  const s = builtinSeries('sunspots');
  assert.equal(s.name, 'sunspots');
  assert.equal(s.column, 'SUNACTIVITY');
  assert.equal(s.values.length, 309);
  assert.deepEqual([s.values[0], s.values[308]], [5, 2.9]);
});

// ---------------------------------------------------------------- task

test('a series too short for the window and split is an error naming the series and the lengths needed and given', () => {
  const s = readSeriesCsv(fx('good.csv'));
  throwsWith(() => new ForecastTask({ series: s, seqLen: 5, arOrder: 1 }), `series ${fx('good.csv')}`, 'need at least 7 points', 'got 3');
});

test('training batches only ever target the training split, held-out batches only the held-out split', () => {
  const task = new ForecastTask({ series: ramp(100), seqLen: 7, heldOutFraction: 0.25, dtype: 'float64' });
  assert.equal(task.firstHeldOut, 75);
  const tr = task.batch(new Rng(1), 2000), ho = task.heldOutBatch(new Rng(1), 2000);
  const trIdx = new Set(tr.index), hoIdx = new Set(ho.index);
  assert.ok([...trIdx].every((i) => i >= 7 && i < 75));
  assert.ok([...hoIdx].every((i) => i >= 75 && i < 100));
  assert.equal(trIdx.size, 68, 'every training target is drawn');
  assert.equal(hoIdx.size, 25, 'every held-out target is drawn');
});

test('a window is the seqLen standardised values just before its target', () => {
  const task = new ForecastTask({ series: ramp(60, (i) => i * i), seqLen: 5, dtype: 'float64' });
  const b: ForecastBatch = task.heldOutBatch(new Rng(3), 16), B = 16;
  for (let k = 0; k < B; k++) {
    const i = b.index[k];
    assert.equal(b.target.data[k], task.z[i]);
    for (let t = 0; t < 5; t++) assert.equal(b.x.data[t * B + k], task.z[i - 5 + t]);
  }
});

test('standardisation uses the mean and std of the training split only', () => {
  const a = new ForecastTask({ series: ramp(50), seqLen: 4, heldOutFraction: 0.2 });
  const b = new ForecastTask({ series: ramp(50, (i) => (i < 40 ? i : 1000 * i)), seqLen: 4, heldOutFraction: 0.2 });
  // training split 0..39: mean 19.5, population variance (40² − 1) / 12
  assert.equal(a.mean, 19.5);
  assert.ok(Math.abs(a.std - Math.sqrt((40 * 40 - 1) / 12)) < 1e-12);
  assert.equal(b.mean, a.mean);
  assert.equal(b.std, a.std);
  assert.deepEqual(Array.from(b.batch(new Rng(0), 8).x.data), Array.from(a.batch(new Rng(0), 8).x.data));
});

test('baseline() is the persistence MSE over every held-out target, by hand on a tiny series', () => {
  // 11 points, round(3.3) = 3 held out (indices 8, 9, 10); training mean 3, population std 2.
  const v = [1, 5, 1, 5, 1, 5, 1, 5, 9, 0, 4];
  const task = new ForecastTask({ series: { name: 'tiny', values: v }, seqLen: 2, heldOutFraction: 0.3, arOrder: 1 });
  assert.equal(task.mean, 3);
  assert.equal(task.std, 2);
  const byHand = ((9 - 5) ** 2 + (0 - 9) ** 2 + (4 - 0) ** 2) / 3 / 4;
  assert.ok(Math.abs(task.baseline() - byHand) < 1e-12, `${task.baseline()} vs ${byHand}`);
});

test('the least-squares AR fit recovers the coefficients of a synthetic AR(2) series', () => {
  const rng = new Rng(7), n = 6000, v = new Float64Array(n);
  for (let i = 2; i < n; i++) v[i] = 0.6 * v[i - 1] - 0.3 * v[i - 2] + rng.normal();
  const task = new ForecastTask({ series: { name: 'ar2', values: v }, seqLen: 4, arOrder: 2 });
  // Lag coefficients do not change under standardisation; their standard error here is about 0.014.
  assert.ok(Math.abs(task.ar.phi[0] - 0.6) < 0.05, `phi1 = ${task.ar.phi[0]}`);
  assert.ok(Math.abs(task.ar.phi[1] + 0.3) < 0.05, `phi2 = ${task.ar.phi[1]}`);
  assert.ok(task.solvedBelow < task.baseline(), 'AR(2) forecasts an AR(2) series better than persistence');
});

test('evaluate scores the last step with MSE and reports skill vs persistence (0 for persistence itself)', () => {
  const task = new ForecastTask({ series: builtinSeries('sunspots'), seqLen: 6, dtype: 'float64' });
  const b = task.heldOutBatch(new Rng(2), 32);
  const ev = task.evaluate(persistenceModel.forward(b.x).output, b);
  let mse = 0;
  for (let k = 0; k < 32; k++) mse += (b.x.data[5 * 32 + k] - b.target.data[k]) ** 2;
  assert.ok(Math.abs(ev.loss - mse / 32) < 1e-12);
  assert.equal(ev.metricName, 'skill vs persistence');
  assert.ok(Math.abs(ev.metric) < 1e-12, `skill ${ev.metric}`);
  const perfect = task.evaluate(b.target, b);
  assert.equal(perfect.metric, 1);
});

test('spec() round-trips through forecastFromSpec to the same batches (built-in and CSV sources)', () => {
  const sun = new ForecastTask({ series: builtinSeries('sunspots'), seqLen: 12, heldOutFraction: 0.15, arOrder: 3 });
  const csv = new ForecastTask({ series: readSeriesCsv(builtinSeriesPath('sunspots'), { column: 1 }), seqLen: 1, heldOutFraction: 0.3, arOrder: 1, dtype: 'float64' });
  const specs = [sun.spec(), csv.spec()];
  assert.equal(specs[0].source, 'sunspots');
  assert.equal(specs[1].source, builtinSeriesPath('sunspots'));
  assert.equal(specs[1].column, 'SUNACTIVITY');
  const json = JSON.parse(JSON.stringify(specs)) as typeof specs;
  [sun, csv].forEach((task, k) => {
    const back = forecastFromSpec(json[k]);
    assert.deepEqual(back.spec(), task.spec());
    assert.deepEqual(Array.from(back.batch(new Rng(5), 9).x.data), Array.from(task.batch(new Rng(5), 9).x.data));
    assert.deepEqual(Array.from(back.heldOutBatch(new Rng(5), 9).target.data), Array.from(task.heldOutBatch(new Rng(5), 9).target.data));
  });
});

test('forecastFromSpec errors name the spec field, what was expected and what was given', () => {
  throwsWith(() => forecastFromSpec({ kind: 'adding' }), 'spec.kind', "'forecast'", '"adding"');
  throwsWith(() => forecastFromSpec({ kind: 'forecast', source: 'sunspots', seqLen: 0 }), 'spec.seqLen', '>= 1', 'got 0');
  throwsWith(() => forecastFromSpec({ kind: 'forecast', source: 'sunspots', heldOutFraction: 1 }), 'spec.heldOutFraction', '(0, 1)', 'got 1');
  throwsWith(() => forecastFromSpec({ kind: 'forecast', source: 42 }), 'spec.source', 'got 42');
});

test('evaluateForecast of a persistence forecaster equals baseline() on every held-out target, skill 0', () => {
  const task = new ForecastTask({ series: builtinSeries('sunspots'), dtype: 'float64' });
  const ev = evaluateForecast(persistenceModel, task, { batchSize: 25 });
  assert.equal(ev.targets, 62);
  assert.ok(Math.abs(ev.mse - task.baseline()) < 1e-12);
  assert.ok(Math.abs(ev.mseSeriesUnits - ev.persistenceMseSeriesUnits) < 1e-8);
  assert.ok(Math.abs(ev.skill) < 1e-12);
  assert.ok(Math.abs(ev.forecasts[0] - 92.6) < 1e-9, 'the forecast for 1947 is the 1946 value, in sunspot units');
});

test('evaluateForecast of the fitted AR model equals solvedBelow (the AR MSE)', () => {
  const task = new ForecastTask({ series: builtinSeries('sunspots'), dtype: 'float64' });
  const ev = evaluateForecast(arModel(task), task);
  assert.ok(Math.abs(ev.mse - task.solvedBelow) < 1e-12, `${ev.mse} vs ${task.solvedBelow}`);
  assert.ok(Math.abs(ev.skillVsAr) < 1e-12);
});

test('a small GRU trained 300 steps on sunspots beats persistence on the held-out split', () => {
  const task = new ForecastTask({ series: builtinSeries('sunspots') });
  const model = new GRU({ inputSize: 1, hiddenSize: 16, outputSize: 1, seed: 0 });
  train(model, task, { steps: 300, batchSize: 32, seed: 0, optimizer: { kind: 'adam', lr: 0.01 } });
  const ev = evaluateForecast(model, task);
  // Measured: held-out MSE 0.335 against persistence 0.954 and AR(10) 0.329 (standardised units).
  assert.ok(ev.mse < ev.persistenceMse, `GRU ${ev.mse} vs persistence ${ev.persistenceMse}`);
});

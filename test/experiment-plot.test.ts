/**
 * Experiments that draw a figure (`rnnlab experiment <name> --plot <file.svg>`): theory A5's path
 * decomposition (src/plot/lstm-paths.ts) as a spec, and the command line that writes it.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { compile, type TopLevelSpec } from 'vega-lite';
import { lstmPathsSpec, PATH_SERIES, type LstmPathsFigureRow } from '../src/plot/lstm-paths.js';
import { runRnnlab } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'rnnlab-experiment-plot-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]) => runRnnlab(args);

const settings = { hiddenSize: 4, inputSize: 2, steps: 10, trials: 2, seed: 0 };
// The experiment's shape: per network and lag the three norms; one step back nothing leaves c without c → c.
const rows: LstmPathsFigureRow[] = [
  { cell: 'LSTM', forgetBias: 1, lag: 1, direct: 0.7, full: 0.7, withoutCellPath: 0 },
  { cell: 'LSTM', forgetBias: 1, lag: 10, direct: 1e-3, full: 1e-2, withoutCellPath: 1e-9 },
  { cell: 'GRU', forgetBias: Number.NaN, lag: 1, direct: 0.5, full: 0.6, withoutCellPath: 0.1 },
  { cell: 'GRU', forgetBias: null, lag: 10, direct: 1e-4, full: 1e-3, withoutCellPath: 1e-12 },
];

interface Spec {
  data: { values: { panel: string; path: string; lag: number; norm: number }[] };
  encoding: { y: { scale: { type: string } }; color: { scale: { domain: string[] } } };
  title: { subtitle: string[] };
}

describe('the lstm-paths figure', () => {
  const spec = lstmPathsSpec(rows, settings) as unknown as Spec;

  it('compiles as a Vega-Lite spec without a warning', () => {
    const warnings: unknown[][] = [];
    // vega-lite reports what it repairs or ignores (an unknown channel, a bad scale) as warnings, not errors.
    const logger = {
      level: () => 2,
      error(...a: unknown[]) { warnings.push(a); return this; },
      warn(...a: unknown[]) { warnings.push(a); return this; },
      info() { return this; },
      debug() { return this; },
    };
    compile(spec as unknown as TopLevelSpec, { logger });
    assert.deepEqual(warnings, []);
  });

  it('has one series per path, in the legend and in the data', () => {
    const labels = PATH_SERIES.map((p) => p.label);
    assert.deepEqual(spec.encoding.color.scale.domain, labels);
    assert.deepEqual([...new Set(spec.data.values.map((v) => v.path))].sort(), [...labels].sort());
  });

  it('puts the gradient norm on a log y scale', () => {
    assert.equal(spec.encoding.y.scale.type, 'log');
  });

  it('has one panel per network, the GRU one whether its forget bias is NaN or null', () => {
    assert.deepEqual([...new Set(spec.data.values.map((v) => v.panel))], ['LSTM, forget bias 1', 'GRU (z-shortcut as the direct path)']);
  });

  it('leaves exact zeros off the log axis and says how many', () => {
    assert.ok(spec.data.values.every((v) => v.norm > 0));
    assert.equal(spec.data.values.length, rows.length * PATH_SERIES.length - 1);
    assert.ok(spec.title.subtitle.some((l) => /1 exact zero left out/.test(l)), spec.title.subtitle.join(' / '));
  });
});

describe('rnnlab experiment --plot', () => {
  it('writes the SVG and a PNG beside it for lstm-paths in quick mode', () => {
    const svg = join(tmp, 'figs', 'lstm-paths.svg');
    const r = cli('experiment', 'lstm-paths', '--quick', '--plot', svg);
    assert.equal(r.status, 0, r.stderr);
    assert.match(readFileSync(svg, 'utf8'), /^<svg[\s\S]*LSTM, forget bias 3[\s\S]*<\/svg>\s*$/);
    assert.ok(existsSync(join(tmp, 'figs', 'lstm-paths.png')));
    assert.match(r.stdout, /direct path only/); // the table is still printed
  });

  it('on an experiment without a figure is an error naming --plot, before the run', () => {
    const svg = join(tmp, 'none.svg');
    const r = cli('experiment', 'tied-weights', '--plot', svg);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--plot: experiment 'tied-weights' has no figure; the ones with a figure: 'lstm-paths'/);
    assert.equal(r.stdout, '');
    assert.ok(!existsSync(svg));
  });

  it('with a file name not ending in .svg is an error naming --plot', () => {
    const r = cli('experiment', 'lstm-paths', '--quick', '--plot', join(tmp, 'figure.png'));
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--plot: expected a file name ending in \.svg/);
  });
});

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Command } from 'commander';
import { finiteNumber, nonNegativeNumber, oneOf } from '../src/cli/args.js';
import { cellList, registerGradflow, runGradflow, RECURRENT_INITS } from '../src/cli/gradflow.js';
import { writeFileAtomic } from '../src/io/atomic.js';
import { gradientFlowSpec } from '../src/plot/gradflow-plot.js';
import { renderVegaLite } from '../src/plot/render.js';
import { analyzeGradientFlow } from '../src/analysis/analyze.js';
import { runRnnlab } from './helpers/cli.js';

const tmp = mkdtempSync(join(tmpdir(), 'rnnlab-gradflow-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const small = { seqLen: 20, hidden: 8, input: 3, trials: 2 };
const quiet = () => {};

describe('rnnlab gradflow: runGradflow', () => {
  it('writes report.json, gradflow.svg, gradflow.png and report.md', async () => {
    const lines: string[] = [];
    const out = join(tmp, 'basic');
    const r = await runGradflow({ ...small, out, json: true }, (l) => lines.push(l));
    for (const f of [r.files.json, r.files.svg, r.files.png, r.files.md]) assert.ok(existsSync(f), f);
    assert.deepEqual(readdirSync(out).sort(), ['gradflow.png', 'gradflow.svg', 'report.json', 'report.md'], 'no temp files left behind');
    assert.ok(readFileSync(r.files.png).subarray(0, 8).equals(PNG_SIGNATURE));
    assert.match(readFileSync(r.files.svg, 'utf8'), /<svg/);
    const json = JSON.parse(readFileSync(r.files.json, 'utf8'));
    assert.equal(json.options.sequenceLength, 20);
    for (const c of ['rnn', 'lstm', 'gru']) {
      assert.equal(json[c].dhGeoMean.length, 20, c);
      assert.equal(json[c].dhTrials.length, 2, c);
    }
    const md = readFileSync(r.files.md, 'utf8');
    assert.match(md, /!\[.*\]\(gradflow\.png\)/);
    assert.match(md, /\| RNN \(tanh\) \| 104 \|/); // H·D + H·H + 2H = 24 + 64 + 16
    assert.match(md, /keeps the most gradient/);
    // The table and the JSON summary line, last.
    const text = lines.join('\n');
    assert.match(text, /cell\s+params\s+‖dL\/dh_0‖\/‖dL\/dh_T‖\s+decay\/step\s+horizon\s+ρ\(W_hh\)\s+σ_max\(W_hh\)/);
    const last = JSON.parse(lines[lines.length - 1]);
    assert.deepEqual(last.cells.map((c: { cell: string }) => c.cell), ['rnn', 'lstm', 'gru']);
    assert.equal(last.cells[0].bound.holds, true);
    assert.equal(last.cells[1].bound, null);
  });

  it('the same seed gives the same report; overwriting in place works', async () => {
    const out = join(tmp, 'repeat');
    const a = await runGradflow({ ...small, cells: ['rnn'], out }, quiet);
    const b = await runGradflow({ ...small, cells: ['rnn'], out }, quiet);
    assert.deepEqual(a.report.rnn!.dhGeoMean, b.report.rnn!.dhGeoMean);
    assert.deepEqual(a.summary, b.summary);
    assert.equal(readdirSync(out).length, 4);
  });

  it('a gradient that is exactly zero (W_hh = 0) does not break the log plot', async () => {
    const r = await runGradflow({ ...small, cells: ['rnn', 'gru'], maxSingularValue: 0, out: join(tmp, 'zero') }, quiet);
    assert.equal(r.report.rnn!.dhGeoMean[0], 0);
    assert.ok(readFileSync(r.files.png).subarray(0, 8).equals(PNG_SIGNATURE));
    assert.match(r.table, /RNN \(tanh\)/);
  });

  it('bad option values are errors naming the flag', async () => {
    const out = join(tmp, 'bad');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ seqLen: 0 }, /--seq-len: expected a positive integer, got 0/],
      [{ hidden: 2.5 }, /--hidden: expected a positive integer/],
      [{ trials: -1 }, /--trials: expected a positive integer/],
      [{ seed: -3 }, /--seed: expected an integer >= 0/],
      [{ cells: [] }, /--cells: expected a non-empty list/],
      [{ cells: ['rnn', 'transformer'] }, /--cells: unknown cell "transformer"/],
      [{ cells: ['rnn', 'rnn'] }, /--cells: a cell is listed twice/],
      [{ init: 'he' }, /--init: expected one of default, xavier, orthogonal, identity, got "he"/],
      [{ nonlinearity: 'sigmoid' }, /--nonlinearity: expected one of tanh, relu/],
      [{ inputScale: Number.NaN }, /--input-scale: expected a number >= 0/],
      [{ spectralRadius: -1 }, /--spectral-radius: expected a number >= 0/],
      [{ spectralRadius: 1, maxSingularValue: 1 }, /not both/],
      [{ forgetBias: 1, cells: ['rnn', 'gru'] }, /--forget-bias: only the LSTM has a forget gate/],
    ];
    for (const [opts, re] of cases) {
      await assert.rejects(runGradflow({ ...small, out, ...(opts as object) }, quiet), re, JSON.stringify(opts));
    }
    assert.ok(!existsSync(out), 'nothing written for invalid options');
  });
});

describe('rnnlab gradflow: option parsers', () => {
  it('--cells', () => {
    assert.deepEqual(cellList('rnn,lstm,gru'), ['rnn', 'lstm', 'gru']);
    assert.deepEqual(cellList(' LSTM , gru'), ['lstm', 'gru']);
    assert.throws(() => cellList('rnn,cnn'), /unknown cell "cnn"/);
    assert.throws(() => cellList('rnn,,gru'), /comma-separated list/);
    assert.throws(() => cellList(''), /comma-separated list/);
    assert.throws(() => cellList('gru,gru'), /listed twice/);
  });
  it('numbers and choices', () => {
    assert.equal(nonNegativeNumber('0'), 0);
    assert.equal(nonNegativeNumber('1.5'), 1.5);
    assert.throws(() => nonNegativeNumber('-0.1'), /expected a number >= 0, got "-0.1"/);
    assert.throws(() => nonNegativeNumber('abc'), /expected a number >= 0/);
    assert.throws(() => nonNegativeNumber(''), /expected a number >= 0/);
    assert.equal(finiteNumber('-2'), -2);
    assert.throws(() => finiteNumber('Infinity'), /expected a number, got "Infinity"/);
    assert.equal(oneOf(RECURRENT_INITS)('orthogonal'), 'orthogonal');
    assert.throws(() => oneOf(RECURRENT_INITS)('ortho'), /expected one of default, xavier, orthogonal, identity, got "ortho"/);
  });
});

describe('rnnlab gradflow: commander wiring (in process)', () => {
  function program() {
    let err = '';
    const p = new Command().name('rnnlab').exitOverride().configureOutput({ writeErr: (s) => (err += s), writeOut: () => {} });
    registerGradflow(p);
    return { p, err: () => err };
  }

  it('parses every flag into runGradflow options', async () => {
    const out = join(tmp, 'flags');
    const { p } = program();
    const log = console.log;
    const lines: string[] = [];
    console.log = (s: string) => lines.push(s);
    try {
      await p.parseAsync(['gradflow', '--seq-len', '12', '--hidden', '6', '--input', '2', '--cells', 'rnn,lstm', '--trials', '1', '--seed', '4',
        '--init', 'orthogonal', '--spectral-radius', '0.9', '--forget-bias', '-1', '--nonlinearity', 'relu', '--input-scale', '0.5',
        '--out', out, '--json'], { from: 'user' });
    } finally {
      console.log = log;
    }
    const j = JSON.parse(lines[lines.length - 1]);
    assert.equal(j.settings.sequenceLength, 12);
    assert.equal(j.settings.hiddenSize, 6);
    assert.equal(j.settings.inputSize, 2);
    assert.deepEqual(j.settings.cells, ['rnn', 'lstm']);
    assert.equal(j.settings.trials, 1);
    assert.equal(j.settings.seed, 4);
    assert.deepEqual(j.settings.init, { weightHh: 'orthogonal', spectralRadius: 0.9, forgetBias: -1 });
    assert.equal(j.settings.nonlinearity, 'relu');
    assert.equal(j.settings.inputScale, 0.5);
    assert.ok(Math.abs(j.cells[0].spectralRadius - 0.9) < 1e-9);
    assert.ok(existsSync(join(out, 'gradflow.png')));
  });

  it('a bad flag value names the flag and the value', async () => {
    const { p, err } = program();
    await assert.rejects(p.parseAsync(['gradflow', '--cells', 'rnn,foo'], { from: 'user' }));
    assert.match(err(), /--cells <list>.*unknown cell "foo"/);
    const q = program();
    await assert.rejects(q.p.parseAsync(['gradflow', '--init', 'he'], { from: 'user' }));
    assert.match(q.err(), /--init <kind>.*expected one of default, xavier, orthogonal, identity, got "he"/);
  });

  it('help lists the options and examples', () => {
    const p = new Command().name('rnnlab');
    const cmd = registerGradflow(p);
    let help = '';
    cmd.configureOutput({ writeOut: (s) => (help += s) });
    cmd.outputHelp();
    for (const flag of ['--seq-len', '--hidden', '--input', '--cells', '--trials', '--seed', '--init', '--spectral-radius',
      '--max-singular-value', '--forget-bias', '--nonlinearity', '--input-scale', '--out', '--json']) {
      assert.ok(help.includes(flag), flag);
    }
    assert.match(help, /Examples:\n\s+rnnlab gradflow/);
  });
});

describe('rnnlab gradflow: the command', () => {
  const cli = (...args: string[]) => runRnnlab(args);

  it('runs, prints the table and the JSON line, exits 0', () => {
    const out = join(tmp, 'cli');
    const r = cli('gradflow', '--seq-len', '15', '--hidden', '6', '--trials', '2', '--out', out, '--json');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /cell\s+params/);
    const last = r.stdout.trim().split('\n').pop()!;
    assert.equal(JSON.parse(last).settings.sequenceLength, 15);
    assert.ok(existsSync(join(out, 'report.md')));
  });

  it('rejects a bad value with the flag named', () => {
    const r = cli('gradflow', '--trials', '0');
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--trials <n>.*expected a positive integer, got "0"/);
  });
});

describe('plot and atomic write helpers', () => {
  it('gradientFlowSpec drops non-positive values and renders', async () => {
    const report = analyzeGradientFlow({ sequenceLength: 10, hiddenSize: 4, inputSize: 2, trials: 1, cells: ['rnn'] });
    report.rnn!.dhGeoMean[0] = 0;
    report.rnn!.dhMin[1] = 0;
    report.rnn!.dhMax[2] = Number.NaN;
    const spec = gradientFlowSpec(report) as unknown as { layer: { data: { values: Record<string, number>[] } }[]; title: { text: string } };
    for (const layer of spec.layer) {
      for (const row of layer.data.values) for (const [k, v] of Object.entries(row)) if (k !== 'cell' && k !== 'k') assert.ok(v > 0 && Number.isFinite(v), `${k}=${v}`);
    }
    assert.equal(spec.layer[1].data.values.length, 9);
    assert.match(spec.title.text, /T = 10, H = 4/);
    const { svg, png } = await renderVegaLite(gradientFlowSpec(report));
    assert.match(svg, /<svg/);
    assert.ok(Buffer.from(png.subarray(0, 8)).equals(PNG_SIGNATURE));
  });

  it('writeFileAtomic replaces the file whole and creates the directory', () => {
    const f = join(tmp, 'atomic', 'nested', 'a.txt');
    writeFileAtomic(f, 'first');
    writeFileAtomic(f, Buffer.from('second'));
    assert.equal(readFileSync(f, 'utf8'), 'second');
    assert.deepEqual(readdirSync(join(tmp, 'atomic', 'nested')), ['a.txt']);
  });
});

describe('rnnlab gradflow --variants', () => {
  it('measures the remedies and trained models the same way, and the forget bias raises the LSTM’s gradient at h_0', async () => {
    const dir = join(tmp, 'variants');
    const r = await runGradflow({ seqLen: 20, hidden: 8, trials: 2, variants: true, trainSteps: 20, out: dir }, () => {});
    const rows = r.variants!;
    const labels = rows.map((v) => `${v.label}/${v.cell}`);
    for (const l of ['PyTorch default/lstm', 'forget bias 3/lstm', 'orthogonal W_hh/rnn', 'identity W_hh/rnn', 'after 20 steps on long-lag T=20/lstm']) {
      assert.ok(labels.includes(l), l);
    }
    const ratio = (label: string) => rows.find((v) => v.label === label && v.cell === 'lstm')!.initialRatio;
    assert.ok(ratio('forget bias 3') > ratio('forget bias 1') && ratio('forget bias 1') > ratio('PyTorch default'));
    assert.ok(rows.filter((v) => v.trainedLoss !== undefined).every((v) => Number.isFinite(v.trainedLoss)));
    assert.match(readFileSync(join(dir, 'report.md'), 'utf8'), /## What changes it/);
    assert.equal(JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8')).variants.length, rows.length);
  });
});

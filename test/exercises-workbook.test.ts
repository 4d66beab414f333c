import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from 'sucrase';
import ts from 'typescript';
import { exercisesDir, initWorkbook, solutionSource } from '../src/cli/exercises.js';
import { packageRoot } from '../src/cli/package-root.js';
import { EXERCISE_FILES, EXERCISE_IDS } from '../src/exercises/types.js';
import { WORKBOOK, workbookReadme } from '../src/exercises/workbook.js';
import { RNNCell } from '../exercises/solutions/b1-rnn-cell.js';
import { RNN } from '../exercises/solutions/b2-rnn.js';
import { clipGradients } from '../exercises/solutions/b3-clip.js';
import { LSTMCell } from '../exercises/solutions/b4-lstm-cell.js';
import { centralDifferences, gaussianMatrix, relError, seeded } from './helpers/finite-differences.js';
import { runRnnlab } from './helpers/cli.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const stubsDir = join(root, 'exercises', 'stubs');
const solutionsDir = join(root, 'exercises', 'solutions');
const tmp = mkdtempSync(join(tmpdir(), 'rnnlab-workbook-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const cli = (...args: string[]) => runRnnlab(args);

const stubFiles = EXERCISE_IDS.map((id) => `${EXERCISE_FILES[id]}.ts`);

describe('rnnlab exercises init', () => {
  it('writes the five stubs, as the package has them, and a README into a folder it creates', () => {
    const dir = join(tmp, 'fresh', 'nested');
    const r = initWorkbook(dir);
    assert.deepEqual(r.written, [...stubFiles, 'README.md'].map((f) => join(dir, f)));
    for (const f of stubFiles) assert.equal(readFileSync(join(dir, f), 'utf8'), readFileSync(join(stubsDir, f), 'utf8'), f);
    assert.equal(readFileSync(join(dir, 'README.md'), 'utf8'), workbookReadme(dir));
  });

  it('the README says how to check the whole folder and one exercise', () => {
    const text = workbookReadme('my-rnn');
    assert.match(text, /^rnnlab check my-rnn$/m);
    assert.match(text, /^rnnlab check my-rnn B2$/m);
  });

  it('refuses to overwrite a file that is there, names it, and writes nothing', () => {
    const dir = join(tmp, 'taken');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b3-clip.ts'), 'my work');
    assert.throws(() => initWorkbook(dir), (e: Error) => e.message.includes(join(dir, 'b3-clip.ts')) && /--force/.test(e.message));
    assert.equal(readFileSync(join(dir, 'b3-clip.ts'), 'utf8'), 'my work');
    assert.equal(existsSync(join(dir, 'b1-rnn-cell.ts')), false);
  });

  it('refuses to write a stub beside a learner\'s .js of the same exercise, naming it', () => {
    const dir = join(tmp, 'js');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b2-rnn.js'), 'my work');
    assert.throws(() => initWorkbook(dir), (e: Error) => e.message.includes(join(dir, 'b2-rnn.js')));
    assert.equal(existsSync(join(dir, 'b2-rnn.ts')), false);
  });

  it('with force, overwrites the files that are there', () => {
    const dir = join(tmp, 'forced');
    mkdirSync(dir);
    writeFileSync(join(dir, 'b3-clip.ts'), 'my work');
    initWorkbook(dir, true);
    assert.equal(readFileSync(join(dir, 'b3-clip.ts'), 'utf8'), readFileSync(join(stubsDir, 'b3-clip.ts'), 'utf8'));
  });

  it('the command writes the workbook and exits 0; again without --force it fails naming a file', () => {
    const dir = join(tmp, 'by-cli');
    const first = cli('exercises', 'init', dir);
    assert.equal(first.status, 0, first.stderr);
    for (const f of [...stubFiles, 'README.md']) assert.ok(existsSync(join(dir, f)), f);
    const second = cli('exercises', 'init', dir);
    assert.equal(second.status, 1);
    assert.match(second.stderr, /b1-rnn-cell\.ts.*--force/);
    assert.equal(cli('exercises', 'init', dir, '--force').status, 0);
  });
});

describe('rnnlab exercises solution and list', () => {
  it('solution B4 prints the solution file', () => {
    const r = cli('exercises', 'solution', 'B4');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, readFileSync(join(solutionsDir, 'b4-lstm-cell.ts'), 'utf8'));
  });

  it('an unknown exercise is an error listing B1 to B5', () => {
    assert.throws(() => solutionSource('B6'), /unknown exercise 'B6': expected one of B1, B2, B3, B4, B5/);
    const r = cli('exercises', 'solution', 'B6');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /B1, B2, B3, B4, B5/);
  });

  it('list prints each exercise\'s id, file and title', () => {
    const r = cli('exercises', 'list');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(lines.length, 5);
    WORKBOOK.forEach((e, k) => assert.match(lines[k], new RegExp(`^${e.id}\\s+${e.file.replace('.', '\\.')}\\s+${e.title}`)));
  });

  it('the exercises folder is found from the package root, a package.json of another name skipped', () => {
    assert.equal(exercisesDir(), join(root, 'exercises'));
    const pkg = join(tmp, 'installed', 'node_modules', 'rnnlab');
    mkdirSync(join(pkg, 'dist', 'cli'), { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: 'rnnlab' }));
    writeFileSync(join(pkg, 'dist', 'package.json'), JSON.stringify({ name: 'something-else' }));
    assert.equal(packageRoot(pathToFileURL(join(pkg, 'dist', 'cli', 'exercises.js'))), pkg);
  });
});

/** Each stub compiled by sucrase and evaluated as CommonJS, its sibling imports served the same way. */
function loadStubs(): Record<string, Record<string, unknown>> {
  const loaded: Record<string, { exports: Record<string, unknown> }> = {};
  const load = (name: string): Record<string, unknown> => {
    if (loaded[name]) return loaded[name].exports;
    const file = join(stubsDir, `${name}.ts`);
    const code = transform(readFileSync(file, 'utf8'), { transforms: ['typescript', 'imports'], filePath: file }).code;
    const module = { exports: {} as Record<string, unknown> };
    loaded[name] = module;
    new Function('exports', 'require', 'module', code)(module.exports, (spec: string) => load(spec.replace(/^\.\//, '')), module);
    return module.exports;
  };
  return Object.fromEntries(EXERCISE_IDS.map((id) => [id, load(EXERCISE_FILES[id])]));
}

type Ctor = new (...args: number[]) => object;
type Fn = (...args: unknown[]) => unknown;

describe('the stubs', () => {
  it('each compiles with sucrase and loads, B5 with its imports of B2 and B4', () => {
    const m = loadStubs();
    assert.equal(typeof m.B1.RNNCell, 'function');
    assert.equal(typeof m.B2.RNN, 'function');
    assert.equal(typeof m.B3.clipGradients, 'function');
    assert.equal(typeof m.B4.LSTMCell, 'function');
    assert.equal(typeof m.B5.analyzeGradientFlow, 'function');
  });

  it('each constructor, method and function throws "Bn: not implemented yet"', () => {
    const m = loadStubs();
    const calls: [string, () => unknown][] = [
      ['B1', () => new (m.B1.RNNCell as Ctor)(2, 3)],
      ['B1', () => ((m.B1.RNNCell as Ctor).prototype.forward as Fn).call({}, [0, 0], [0, 0, 0])],
      ['B2', () => new (m.B2.RNN as Ctor)(2, 3, 1)],
      ['B2', () => ((m.B2.RNN as Ctor).prototype.forward as Fn).call({}, [[0, 0]])],
      ['B2', () => ((m.B2.RNN as Ctor).prototype.backward as Fn).call({}, [[0]])],
      ['B3', () => (m.B3.clipGradients as Fn)([[1]], 1)],
      ['B4', () => new (m.B4.LSTMCell as Ctor)(2, 3)],
      ['B4', () => ((m.B4.LSTMCell as Ctor).prototype.forward as Fn).call({}, [0, 0], [0, 0, 0], [0, 0, 0])],
      ['B4', () => ((m.B4.LSTMCell as Ctor).prototype.backward as Fn).call({}, [0, 0, 0], [0, 0, 0], null)],
      ['B5', () => (m.B5.analyzeGradientFlow as Fn)(3, 2)],
    ];
    for (const [id, call] of calls) assert.throws(call, (e: Error) => e.message === `${id}: not implemented yet`, `${id}: ${call}`);
  });

  it('the stubs and the solutions type-check under tsc --strict, with their sibling imports', () => {
    const files = [...stubFiles.map((f) => join(stubsDir, f)), ...stubFiles.map((f) => join(solutionsDir, f))];
    const program = ts.createProgram(files, {
      strict: true, noEmit: true, noUnusedLocals: true, target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ['lib.es2022.d.ts'], types: [],
    });
    const errors = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n') + (d.file ? ` (${d.file.fileName})` : ''));
    assert.deepEqual(errors, []);
  });

  const setPath = join(root, '..', 'shared', 'exercise-set.md');
  it('each quotes its exercise\'s heading, bold title and docstring lines from the exercise set', (t) => {
    if (!existsSync(setPath)) return t.skip(`${setPath} is not there to compare with`);
    const set = readFileSync(setPath, 'utf8');
    for (const id of EXERCISE_IDS) {
      const section = set.split(/^### /m).find((s) => s.startsWith(`Exercise ${id} `));
      assert.ok(section, `no section for ${id} in the exercise set`);
      const comment = readFileSync(join(stubsDir, `${EXERCISE_FILES[id]}.ts`), 'utf8').split('*/')[0];
      const [heading, title] = section.split('\n');
      assert.ok(comment.includes(`### ${heading.trim()}`), `${id}: heading '${heading.trim()}'`);
      assert.match(title, /^\*\*.+\*\*$/);
      assert.ok(comment.includes(title), `${id}: title ${title}`);
      const docstrings = [...section.matchAll(/"""([\s\S]*?)"""/g)].flatMap((m) => m[1].split('\n').map((l) => l.trim()).filter((l) => l !== ''));
      assert.ok(docstrings.length > 0, id);
      for (const line of docstrings) assert.ok(comment.includes(line), `${id}: docstring line '${line}'`);
    }
  });
});

describe('the solutions', () => {
  it('B1: forward is tanh(W_hh h + W_xh x + b_h), against hand-set weights', () => {
    const cell = new RNNCell(2, 3);
    cell.W_xh = [[0.5, -1], [0.25, 0], [1, 1]];
    cell.W_hh = [[0.1, 0.2, 0.3], [0, -0.5, 0], [0.4, 0, -0.2]];
    cell.b_h = [0.1, -0.1, 0];
    const x = [1, 2], h = [0.5, -0.5, 1];
    const expected = [
      Math.tanh(0.1 * 0.5 + 0.2 * -0.5 + 0.3 * 1 + 0.5 * 1 - 1 * 2 + 0.1),
      Math.tanh(-0.5 * -0.5 + 0.25 * 1 - 0.1),
      Math.tanh(0.4 * 0.5 - 0.2 * 1 + 1 * 1 + 1 * 2),
    ];
    const got = cell.forward(x, h);
    got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-15, `h[${i}] = ${v}, expected ${expected[i]}`));
  });

  it('B2: every weight gradient matches central differences of L = Σ_t douts[t]·y_t', () => {
    const rand = seeded(7);
    const rnn = new RNN(3, 4, 2);
    const xs = gaussianMatrix(5, 3, rand), douts = gaussianMatrix(5, 2, rand);
    const loss = () => rnn.forward(xs).reduce((s, y, t) => s + y.reduce((a, v, k) => a + v * douts[t][k], 0), 0);
    rnn.forward(xs);
    const grads = rnn.backward(douts);
    for (const key of ['W_xh', 'W_hh', 'b_h', 'W_hy', 'b_y'] as const) {
      const err = relError(grads[key].flat(), centralDifferences(rnn[key], loss));
      assert.ok(err < 1e-6, `${key}: relative error ${err}`);
    }
  });

  it('B3: gradients at or under the limit come back unscaled, in new arrays', () => {
    for (const maxNorm of [5, 10]) {
      const grads = [[3], [[4]]]; // ‖grads‖ = 5
      const out = clipGradients(grads, maxNorm);
      assert.deepEqual(out, [[3], [[4]]], `maxNorm ${maxNorm}`);
      assert.notEqual(out[0], grads[0]);
      assert.notEqual((out[1] as number[][])[0], (grads[1] as number[][])[0]);
    }
  });

  it('B3: gradients above the limit are scaled together to norm maxNorm', () => {
    const out = clipGradients([[3, 0], [[0], [4]]], 1); // ‖grads‖ = 5
    const flat = [...(out[0] as number[]), ...(out[1] as number[][]).flat()];
    [0.6, 0, 0, 0.8].forEach((v, k) => assert.ok(Math.abs(flat[k] - v) < 1e-15, `entry ${k}: ${flat[k]}, expected ${v}`));
  });

  it('B3: the input is left untouched when it clips', () => {
    const grads = [[3, 0], [[0], [4]]];
    clipGradients(grads, 1);
    assert.deepEqual(grads, [[3, 0], [[0], [4]]]);
  });

  it('B4: every weight gradient, dx, dhPrev and dcPrev match central differences of L = dh·h + dc·c', () => {
    const rand = seeded(11);
    const cell = new LSTMCell(3, 4);
    const [x, hPrev, cPrev, dh, dc] = [3, 4, 4, 4, 4].map((n) => gaussianMatrix(1, n, rand)[0]);
    const loss = () => {
      const { h, c } = cell.forward(x, hPrev, cPrev);
      return h.reduce((s, v, k) => s + v * dh[k] + c[k] * dc[k], 0);
    };
    const back = cell.backward(dh, dc, cell.forward(x, hPrev, cPrev).cache);
    const checks: [string, number[], number[] | number[][]][] = [
      ...(['W_f', 'W_i', 'W_c', 'W_o', 'b_f', 'b_i', 'b_c', 'b_o'] as const).map((k): [string, number[], number[] | number[][]] => [k, back.grads[k].flat(), cell[k]]),
      ['dx', back.dx, x], ['dhPrev', back.dhPrev, hPrev], ['dcPrev', back.dcPrev, cPrev],
    ];
    for (const [name, analytic, param] of checks) {
      const err = relError(analytic, centralDifferences(param, loss));
      assert.ok(err < 1e-6, `${name}: relative error ${err}`);
    }
  });
});

interface GradientFlowModule {
  analyzeGradientFlow(T: number, H: number, options?: { rnn?: RNN; lstm?: LSTMCell; xs?: number[][] }): { rnn: number[]; lstm: number[] };
}

// Loaded by its path rather than imported: its './b2-rnn' imports are the workbook's form, extensionless,
// which tsx resolves and this repo's NodeNext type check does not.
const loadB5 = async () => (await import(pathToFileURL(join(solutionsDir, 'b5-gradient-flow.ts')).href)) as GradientFlowModule;

describe('the solutions: B5', () => {
  it('gives two arrays of T finite, positive norms', async () => {
    const r = (await loadB5()).analyzeGradientFlow(12, 6);
    for (const k of ['rnn', 'lstm'] as const) {
      assert.equal(r[k].length, 12, k);
      for (const v of r[k]) assert.ok(Number.isFinite(v) && v > 0, `${k}: ${v}`);
    }
  });

  it('both end at 1, the norm of the unit gradient at h_T', async () => {
    const r = (await loadB5()).analyzeGradientFlow(8, 5);
    assert.ok(Math.abs(r.rnn[7] - 1) < 1e-12, `rnn ${r.rnn[7]}`);
    assert.ok(Math.abs(r.lstm[7] - 1) < 1e-12, `lstm ${r.lstm[7]}`);
  });

  it('builds its random models for the input size of the given xs', async () => {
    const xs = gaussianMatrix(4, 2, seeded(3));
    const r = (await loadB5()).analyzeGradientFlow(4, 3, { xs });
    assert.equal(r.rnn.length, 4);
  });

  it('with the models and xs given, each norm is ‖dL/dh_t‖ by central differences of L = Σ h_T / √H', async () => {
    const T = 5, H = 3, D = 2, rand = seeded(5);
    const rnn = new RNN(D, H, 1), lstm = new LSTMCell(D, H), xs = gaussianMatrix(T, D, rand);
    const r = (await loadB5()).analyzeGradientFlow(T, H, { rnn, lstm, xs });
    const L = (h: number[]) => h.reduce((s, v) => s + v, 0) / Math.sqrt(H);
    // The RNN's recurrence, written out here; from h_t it runs steps t + 1 … T.
    const step = (x: number[], h: number[]) => rnn.b_h.map((b, i) => Math.tanh(b + h.reduce((s, v, j) => s + rnn.W_hh[i][j] * v, 0) + x.reduce((s, v, j) => s + rnn.W_xh[i][j] * v, 0)));
    const hs = [new Array<number>(H).fill(0)];
    for (const x of xs) hs.push(step(x, hs[hs.length - 1]));
    // The LSTM's states from its (finite-difference-checked) forward.
    const states = [{ h: new Array<number>(H).fill(0), c: new Array<number>(H).fill(0) }];
    for (const x of xs) states.push(lstm.forward(x, states[states.length - 1].h, states[states.length - 1].c));
    for (let t = 1; t <= T; t++) {
      const h = hs[t].slice();
      const dRnn = centralDifferences(h, () => L(xs.slice(t).reduce((hh, x) => step(x, hh), h)));
      const hl = states[t].h.slice(), cl = states[t].c;
      const dLstm = centralDifferences(hl, () => L(xs.slice(t).reduce((s, x) => lstm.forward(x, s.h, s.c), { h: hl, c: cl }).h));
      const norm = (v: number[]) => Math.hypot(...v);
      assert.ok(Math.abs(r.rnn[t - 1] / norm(dRnn) - 1) < 1e-6, `rnn t = ${t}: ${r.rnn[t - 1]} vs ${norm(dRnn)}`);
      assert.ok(Math.abs(r.lstm[t - 1] / norm(dLstm) - 1) < 1e-6, `lstm t = ${t}: ${r.lstm[t - 1]} vs ${norm(dLstm)}`);
    }
  });
});

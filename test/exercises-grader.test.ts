/**
 * The workbook's grader (src/exercises/grade.ts): rnnlab's solutions (exercises/solutions) pass every
 * check; each known mistake, a small named edit of a solution (test/helpers/exercise-mistakes.ts), fails
 * naming the right checks with the right hint; whatever the learner's code does, gradeExercise reports it
 * and never throws. The workbooks are built in memory and compiled by esbuild, so these tests stand apart
 * from the sucrase of `rnnlab check` (test/check-cli.test.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Rng } from '../src/tensor/random.js';
import { gradeExercise } from '../src/exercises/grade.js';
import { EXERCISE_FILES, EXERCISE_IDS, type ExerciseId, type ExerciseReport, type ModuleExports, type ModuleLoader } from '../src/exercises/types.js';
import { randomMat, randomVec } from '../src/exercises/arrays.js';
import { relError } from '../src/exercises/compare.js';
import { randomLstmWeights } from '../src/exercises/check-b4.js';
import { CLIP_HINTS, CLIP_MISTAKES, clip } from '../src/exercises/mistakes-clip.js';
import { FLOW_HINTS, lstmFlow, rnnFlow } from '../src/exercises/mistakes-flow.js';
import { LSTM_HINTS, lstmStep, lstmStepBackward } from '../src/exercises/mistakes-lstm.js';
import { RNN_HINTS, bptt } from '../src/exercises/mistakes-rnn.js';
import { referenceClip, referenceGradientFlow, referenceLstmCell, referenceRnn, type RnnWeights } from '../src/exercises/reference.js';
import { MISTAKE_EDITS, SOLUTIONS_DIR, applyEdits, findMistake, loadWorkbook, mistakenWorkbook, solutionWorkbook } from './helpers/exercise-mistakes.js';

/** rnnlab's solutions imported as ES modules through tsx, as a loader. */
async function importedSolutions(): Promise<ModuleLoader> {
  const mods = new Map<string, ModuleExports>();
  for (const file of Object.values(EXERCISE_FILES)) mods.set(file, (await import(new URL(`${file}.ts`, SOLUTIONS_DIR).href)) as ModuleExports);
  return (name) => {
    const m = mods.get(name);
    if (m === undefined) throw new Error(`no file ${name}.ts in the workbook`);
    return m;
  };
}

const solutions = solutionWorkbook();
/** The workbook of rnnlab's solutions, loaded afresh. */
const correct = (): ModuleLoader => loadWorkbook(solutions);

/** The solutions with one known mistake made in `file`, loaded. */
function brokenLoader(name: string, file: string): ModuleLoader {
  assert.equal(findMistake(name).file, `${file}.ts`, name);
  return loadWorkbook(mistakenWorkbook(name, solutions));
}

const failing = (r: ExerciseReport): string[] => r.checks.filter((c) => !c.passed).map((c) => c.name);
const messageOf = (r: ExerciseReport, name: string): string => {
  const c = r.checks.find((x) => x.name === name);
  assert.ok(c, `no check named ${name} in ${r.checks.map((x) => x.name).join(' | ')}`);
  return c.message;
};

describe('correct solutions', () => {
  for (const id of EXERCISE_IDS) {
    test(`rnnlab's ${id} solution passes every check`, () => {
      const r = gradeExercise(id, correct());
      assert.deepEqual(failing(r), []);
      assert.equal(r.passed, true);
      assert.ok(r.checks.length >= 4);
    });
  }

  test('the solutions imported as ES modules through tsx, not the workbook\'s loader, pass every check too', async () => {
    const imported = await importedSolutions();
    for (const id of EXERCISE_IDS) assert.deepEqual(failing(gradeExercise(id, imported)), [], id);
  });

  test('another seed gives other cases, and a correct solution still passes them all', () => {
    for (const id of EXERCISE_IDS) assert.equal(gradeExercise(id, correct(), { seed: 12345 }).passed, true, id);
  });

  test('the same seed gives the same report', () => {
    assert.deepEqual(gradeExercise('B2', correct(), { seed: 7 }), gradeExercise('B2', correct(), { seed: 7 }));
  });

  test('the report has exactly the fixed JSON form: { id, passed, checks: [{ name, passed, message }] }', () => {
    const r = gradeExercise('B4', correct());
    assert.deepEqual(Object.keys(r).sort(), ['checks', 'id', 'passed']);
    for (const c of r.checks) {
      assert.deepEqual(Object.keys(c).sort(), ['message', 'name', 'passed']);
      assert.ok(c.name.length > 0 && c.message.length > 0);
    }
    assert.deepEqual(JSON.parse(JSON.stringify(r)), r);
  });

  test('a passing gradient check states both comparisons and their thresholds', () => {
    const m = messageOf(gradeExercise('B2', correct()), 'gradient dW_hh');
    assert.match(m, /rnnlab's BPTT: relative error \S+ \(pass < 1e-7\)/);
    assert.match(m, /finite differences of your forward: relative error \S+ \(pass < 1e-6\)/);
    assert.match(m, /max\|a−b\| \/ max\(\|a\|\+\|b\|\)/);
  });
});

const B2_TANH = ['gradient dW_xh', 'gradient dW_hh', 'gradient db_h'];
const B4_DC = ['gradient dW_f', 'gradient dW_i', 'gradient dW_c', 'gradient db_f', 'gradient db_i', 'gradient db_c', 'gradient dx', 'gradient dhPrev', 'gradient dcPrev'];
const B4_C = 'forward matches rnnlab: c = f ⊙ c_prev + i ⊙ c̃', B4_H = 'forward matches rnnlab: h = o ⊙ tanh(c)';

/** Each known mistake (its edit in test/helpers/exercise-mistakes.ts): the exercise, exactly the checks that fail, and the hint each gives. */
const MISTAKES: { mistake: string; id: ExerciseId; fails: string[]; hint: string }[] = [
  { mistake: 'no-accumulation', id: 'B2', fails: ['gradient dW_hh'], hint: RNN_HINTS.oneStep },
  { mistake: 'h-instead-of-hprev', id: 'B2', fails: ['gradient dW_hh'], hint: RNN_HINTS.hInsteadOfHPrev },
  { mistake: 'tanh-prime-of-preactivation', id: 'B2', fails: B2_TANH, hint: RNN_HINTS.tanhPrimeOfPreactivation },
  { mistake: 'no-carry', id: 'B2', fails: B2_TANH, hint: RNN_HINTS.noCarry },
  { mistake: 'clip-per-array', id: 'B3', fails: ['over maxNorm: every gradient is scaled by maxNorm/‖g‖ (one global norm)'], hint: CLIP_HINTS.perArray },
  { mistake: 'clip-mutates', id: 'B3', fails: ['clipGradients leaves its input unchanged', 'clipGradients returns new arrays'], hint: '' },
  {
    mistake: 'clip-always-scales', id: 'B3',
    fails: ['clipGradients returns arrays shaped as its input, finite numbers', 'at or under maxNorm: the gradients come back unchanged', 'all-zero gradients come back as zeros'], hint: '',
  },
  { mistake: 'dcprev-missing-f', id: 'B4', fails: ['gradient dcPrev'], hint: LSTM_HINTS.dcPrevNoF },
  { mistake: 'dc-missing-h-path', id: 'B4', fails: B4_DC, hint: LSTM_HINTS.dcNoHPath },
  { mistake: 'tanh-prime-of-c', id: 'B4', fails: B4_DC, hint: LSTM_HINTS.tanhPrimeOfC },
  { mistake: 'gates-swapped-backward', id: 'B4', fails: ['gradient dW_f', 'gradient dW_i', 'gradient db_f', 'gradient db_i'], hint: LSTM_HINTS.swapGateGradients },
  { mistake: 'lstm-no-dc-carry', id: 'B5', fails: ["lstm: ‖dL/dh_t‖ matches rnnlab's gradientFlow at your LSTMCell's weights"], hint: FLOW_HINTS.lstmNoDcCarry },
];

/** The mistakes graded by a test of their own, below, rather than through MISTAKES. */
const GRADED_APART = ['gates-swapped-forward', 'throws-at-load', 'method-throws', 'returns-nan', 'wrong-type', 'missing-export', 'lstm-cell-renamed'];

describe('the mistakes are edits of the solutions that still apply', () => {
  test('every mistake is made in its solution file and changes it, the other files staying the solutions', () => {
    for (const m of MISTAKE_EDITS) {
      const w = mistakenWorkbook(m.name, solutions);
      assert.deepEqual(Object.keys(w).sort(), Object.keys(solutions).sort(), m.name);
      for (const f of Object.keys(w)) assert.equal(w[f] === solutions[f], f !== m.file, `${m.name}: ${f}`);
    }
  });

  test('every mistake is graded by a test here', () => {
    assert.deepEqual(MISTAKE_EDITS.map((m) => m.name).sort(), [...MISTAKES.map((m) => m.mistake), ...GRADED_APART].sort());
  });

  test('an edit whose text the file does not hold exactly once, or that changes nothing, throws naming the mistake', () => {
    assert.equal(applyEdits('a b c', [{ from: 'b', to: 'B' }, { from: 'B c', to: 'x' }], 'ok'), 'a x');
    assert.throws(() => applyEdits('a b c', [{ from: 'd', to: 'D' }], 'no-d'), /no-d, edit 1: its text occurs 0 times, not once: "d"/);
    assert.throws(() => applyEdits('a b b', [{ from: 'a', to: 'A' }, { from: 'b', to: 'B' }], 'two-b'), /two-b, edit 2: its text occurs 2 times/);
    assert.throws(() => applyEdits('a b c', [{ from: 'b', to: 'b' }], 'same'), /same, edit 1: changes nothing/);
  });
});

describe('known mistakes', () => {
  for (const { mistake, id, fails, hint } of MISTAKES.filter((m) => m.hint !== '')) {
    test(`${mistake}: ${id} fails exactly ${fails.length === 1 ? fails[0] : `${fails.length} checks`}, each with the hint "${hint.slice(0, 40)}…"`, () => {
      const r = gradeExercise(id, brokenLoader(mistake, EXERCISE_FILES[id]));
      assert.equal(r.passed, false);
      assert.deepEqual(failing(r).sort(), [...fails].sort());
      for (const name of fails) assert.ok(messageOf(r, name).includes(`Hint: ${hint}`), `${name}: ${messageOf(r, name)}`);
    });
  }

  test('a wrong backward under a right forward is named as such: "your forward is right, your dW_hh is wrong"', () => {
    const r = gradeExercise('B2', brokenLoader('h-instead-of-hprev', 'b2-rnn'));
    const m = messageOf(r, 'gradient dW_hh');
    assert.match(m, /^Your forward is right, your dW_hh is wrong: against rnnlab's BPTT: relative error/);
    assert.match(m, /against finite differences of your forward: relative error/);
  });

  test('gates swapped in the forward fail the forward checks with that hint, and gradients true to that forward are told to fix the forward first', () => {
    const r = gradeExercise('B4', brokenLoader('gates-swapped-forward', 'b4-lstm-cell'));
    for (const name of [B4_C, B4_H]) assert.ok(messageOf(r, name).includes(`Hint: ${LSTM_HINTS.swapGates}`), messageOf(r, name));
    // dW_c does not involve the swap: the backward differentiates this (wrong) forward exactly.
    assert.match(messageOf(r, 'gradient dW_c'), /^Your backward agrees with finite differences of your forward .*but your forward is wrong/);
  });

  test('clipping that changes its input fails the no-mutation check with that hint', () => {
    const r = gradeExercise('B3', brokenLoader('clip-mutates', 'b3-clip'));
    assert.ok(messageOf(r, 'clipGradients leaves its input unchanged').includes(`Hint: ${CLIP_HINTS.mutates}`));
  });

  test('clipping that scales under the limit fails the under-the-limit check with that hint, and its NaN on zeros is named', () => {
    const r = gradeExercise('B3', brokenLoader('clip-always-scales', 'b3-clip'));
    assert.ok(messageOf(r, 'at or under maxNorm: the gradients come back unchanged').includes(`Hint: ${CLIP_HINTS.alwaysScale}`));
    assert.ok(messageOf(r, 'all-zero gradients come back as zeros').includes(`Hint: ${CLIP_HINTS.zeroNorm}`));
  });

  test('the other mistakes fail exactly the checks listed', () => {
    for (const { mistake, id, fails } of MISTAKES.filter((m) => m.hint === '')) {
      assert.deepEqual(failing(gradeExercise(id, brokenLoader(mistake, EXERCISE_FILES[id]))).sort(), [...fails].sort(), mistake);
    }
  });

  test('a B1 without tanh fails the forward check with the hint to apply tanh', () => {
    class RNNCell {
      W_xh: number[][]; W_hh: number[][]; b_h: number[];
      constructor(D: number, H: number) {
        this.W_xh = randomMat(new Rng(1), H, D, 1);
        this.W_hh = randomMat(new Rng(2), H, H, 1);
        this.b_h = randomVec(new Rng(3), H, 1);
      }
      forward(x: number[], h: number[]): number[] {
        return this.b_h.map((b, i) => b + this.W_xh[i].reduce((s, w, j) => s + w * x[j], 0) + this.W_hh[i].reduce((s, w, j) => s + w * h[j], 0));
      }
    }
    const r = gradeExercise('B1', () => ({ RNNCell }));
    assert.deepEqual(failing(r), ['forward matches rnnlab: h = tanh(W_hh h_prev + W_xh x + b_h)']);
    assert.ok(r.checks.at(-1)!.message.includes(`Hint: ${RNN_HINTS.noTanh}`));
  });
});

describe('whatever the learner\'s code does, a failed check with a message', () => {
  test('a file that throws when loaded fails B1 with the loader\'s message', () => {
    const r = gradeExercise('B1', brokenLoader('throws-at-load', 'b1-rnn-cell'));
    assert.equal(r.passed, false);
    assert.equal(r.checks.length, 1);
    assert.match(r.checks[0].message, /could not load b1-rnn-cell: .*the workbook file is not finished/);
  });

  test('a method that throws fails the output check with its error', () => {
    const r = gradeExercise('B1', brokenLoader('method-throws', 'b1-rnn-cell'));
    assert.match(messageOf(r, 'forward(x, hPrev) returns h, H finite numbers'), /forward\(x, hPrev\) threw: RangeError: forward is not written yet/);
  });

  test('a method returning NaN fails the output check naming the entry', () => {
    const r = gradeExercise('B1', brokenLoader('returns-nan', 'b1-rnn-cell'));
    assert.match(messageOf(r, 'forward(x, hPrev) returns h, H finite numbers'), /forward\(x, hPrev\)\[0\] is NaN/);
  });

  test('a forward returning a tuple instead of { h, c, cache } fails the output check saying so, and nothing after it is compared', () => {
    const r = gradeExercise('B4', brokenLoader('wrong-type', 'b4-lstm-cell'));
    assert.match(messageOf(r, 'forward(x, hPrev, cPrev) returns { h, c, cache } with h and c H finite numbers'), /not a tuple/);
    assert.ok(!r.checks.some((c) => c.name.startsWith('gradient')));
  });

  test('a missing export fails naming the export and what the file does export', () => {
    const r = gradeExercise('B3', brokenLoader('missing-export', 'b3-clip'));
    assert.deepEqual(failing(r), ['b3-clip exports the function clipGradients']);
    assert.match(r.checks[0].message, /no export named clipGradients \(it exports clip\)/);
  });

  test('a missing file fails its exercise, and B5, which imports it, fails naming it', () => {
    const { 'b4-lstm-cell.ts': _, ...withoutB4 } = solutions;
    const b4 = gradeExercise('B4', loadWorkbook(withoutB4)), b5 = gradeExercise('B5', loadWorkbook(withoutB4));
    assert.match(b4.checks[0].message, /could not load b4-lstm-cell: b4-lstm-cell: no such file in the workbook \(looked for b4-lstm-cell\.ts and b4-lstm-cell\.js\)/);
    assert.match(messageOf(b5, 'b5-gradient-flow exports the function analyzeGradientFlow'), /could not load b5-gradient-flow: .*b4-lstm-cell: no such file in the workbook/);
  });

  test('a B4 without its LSTMCell fails B5 too, saying B5 needs B2 and B4', () => {
    const build = 'B5 runs on your B2 RNN and B4 LSTMCell, with weights the grader sets';
    const b5 = gradeExercise('B5', brokenLoader('lstm-cell-renamed', 'b4-lstm-cell'));
    assert.deepEqual(failing(b5), [build]);
    assert.match(messageOf(b5, build), /b4-lstm-cell.*B5 is graded on your own B2 and B4 classes/);
  });

  test('gradients named dW_xh instead of W_xh fail the backward check, saying the interface names them as the weights', () => {
    const Base = correct()('b2-rnn').RNN as new (D: number, H: number, O: number) => { backward(d: number[][]): Record<string, unknown> };
    class RNN extends Base {
      override backward(douts: number[][]): Record<string, unknown> {
        return Object.fromEntries(Object.entries(super.backward(douts)).map(([k, v]) => [`d${k}`, v]));
      }
    }
    const r = gradeExercise('B2', () => ({ RNN }));
    assert.match(messageOf(r, 'backward(douts) returns { W_xh, W_hh, b_h, W_hy, b_y }'), /has no W_xh .*it has dW_xh: the interface names each gradient as its weight, W_xh/);
  });

  test('an unknown exercise id is a failed report, not a throw', () => {
    const r = gradeExercise('B9' as ExerciseId, correct());
    assert.equal(r.passed, false);
    assert.match(r.checks[0].message, /no exercise B9/);
  });

  test('hostile code (thrown non-Errors, throwing getters, Proxies, frozen objects, null modules) never makes gradeExercise throw', () => {
    const trap = new Proxy({}, { get() { throw 'no'; } });
    class Throws { constructor() { throw 42; } }
    class ProxyCell { constructor() { return trap; } }
    class Getter { get W_xh(): number[][] { throw new Error('getter'); } forward(): unknown { return trap; } backward(): unknown { return trap; } }
    class Frozen { constructor() { Object.freeze(this); } }
    const loaders: ModuleLoader[] = [
      () => { throw 'a string'; },
      () => null as unknown as ModuleExports,
      () => trap as ModuleExports,
      () => ({ RNNCell: Throws, RNN: Throws, LSTMCell: Throws, clipGradients: () => { throw Symbol('s'); }, analyzeGradientFlow: () => trap }),
      () => ({ RNNCell: ProxyCell, RNN: ProxyCell, LSTMCell: ProxyCell, clipGradients: () => [trap], analyzeGradientFlow: () => ({ rnn: trap, lstm: [] }) }),
      () => ({ RNNCell: Getter, RNN: Getter, LSTMCell: Getter, clipGradients: () => 'clipped', analyzeGradientFlow: () => null }),
      () => ({ RNNCell: Frozen, RNN: Frozen, LSTMCell: Frozen, clipGradients: 3, analyzeGradientFlow: class {} }),
    ];
    for (const [k, load] of loaders.entries()) {
      for (const id of EXERCISE_IDS) {
        const r = gradeExercise(id, load);
        assert.equal(r.passed, false, `loader ${k}, ${id}`);
        assert.ok(r.checks.every((c) => typeof c.message === 'string' && c.message.length > 0), `loader ${k}, ${id}`);
        assert.ok(!r.checks.some((c) => c.message.includes('the grader itself failed')), `loader ${k}, ${id}: ${JSON.stringify(r.checks)}`);
      }
    }
  });
});

describe('the mistake models are the right computation with every switch off', () => {
  const rng = new Rng(3);
  const D = 3, H = 4, O = 2, T = 5;
  const w: RnnWeights = { W_xh: randomMat(rng, H, D, 0.6), W_hh: randomMat(rng, H, H, 0.6), b_h: randomVec(rng, H, 0.4), W_hy: randomMat(rng, O, H, 0.8), b_y: randomVec(rng, O, 0.5) };
  const xs = randomMat(rng, T, D, 1), douts = randomMat(rng, T, O, 1);
  const wl = randomLstmWeights(rng, D, H);

  test('bptt() equals rnnlab\'s BPTT', () => {
    const ref = referenceRnn(w, xs, douts).grads, mine = bptt(w, xs, douts);
    for (const k of ['W_xh', 'W_hh', 'b_h', 'W_hy', 'b_y'] as const) assert.ok(relError(mine[k].flat(), ref[k].flat()) < 1e-13, k);
  });

  test('lstmStep() and lstmStepBackward() equal rnnlab\'s LSTMCell', () => {
    const x = randomVec(rng, D, 1), h = randomVec(rng, H, 1), c = randomVec(rng, H, 1), dh = randomVec(rng, H, 1), dc = randomVec(rng, H, 1);
    const ref = referenceLstmCell(wl, x, h, c, dh, dc), s = lstmStep(wl, x, h, c), b = lstmStepBackward(wl, s.cache, dh, dc);
    assert.ok(relError([...s.h, ...s.c], [...ref.h, ...ref.c]) < 1e-13);
    for (const k of ['W_f', 'W_i', 'W_c', 'W_o', 'b_f', 'b_i', 'b_c', 'b_o'] as const) assert.ok(relError(b.grads[k].flat(), ref.back.grads[k].flat()) < 1e-13, k);
    assert.ok(relError([...b.dx, ...b.dhPrev, ...b.dcPrev], [...ref.back.dx, ...ref.back.dhPrev, ...ref.back.dcPrev]) < 1e-13);
  });

  test('clip() equals rnnlab\'s clipGradients, and every clipping mistake differs from it over the limit or under it', () => {
    const g = [randomMat(rng, 3, 4, 2), randomVec(rng, 3, 0.1)];
    for (const maxNorm of [0.5, 100]) assert.ok(relError(clip(g, maxNorm).flatMap((a) => a.flat()), referenceClip(g, maxNorm).flatMap((a) => a.flat())) < 1e-15);
    for (const m of CLIP_MISTAKES) {
      const differs = [0.5, 100].some((maxNorm) => relError(clip(g, maxNorm, m.variant).flatMap((a) => a.flat()), clip(g, maxNorm).flatMap((a) => a.flat())) > 1e-3);
      assert.ok(differs, m.id);
    }
  });

  test('rnnFlow() and lstmFlow() equal rnnlab\'s gradientFlow', () => {
    const ref = referenceGradientFlow(w, wl, xs);
    assert.ok(relError(rnnFlow(w, xs), ref.rnn) < 1e-13);
    assert.ok(relError(lstmFlow(wl, xs), ref.lstm) < 1e-13);
  });
});

test('relError is max|a−b| / max(1e-8, max(|a|+|b|)): zeros agree, a NaN or a length mismatch is infinitely far', () => {
  assert.equal(relError([1, 2], [1, 4]), 2 / 6);
  assert.equal(relError([0, 0], [0, 0]), 0);
  assert.equal(relError([1, NaN], [1, 2]), Infinity);
  assert.equal(relError([1], [1, 2]), Infinity);
});

test('the grader imports nothing from node: (it also runs in a Web Worker), all the way down', () => {
  const seen = new Set<string>(), nodeImports: string[] = [];
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const src = readFileSync(file, 'utf8');
    for (const [, spec] of src.matchAll(/(?:import|export)\s[^'"]*?from\s+'([^']+)'/g)) {
      if (spec.startsWith('node:')) nodeImports.push(`${file}: ${spec}`);
      else if (spec.startsWith('.')) visit(fileURLToPath(new URL(spec.replace(/\.js$/, '.ts'), pathToFileURL(file))));
    }
  };
  visit(fileURLToPath(new URL('../src/exercises/grade.ts', import.meta.url)));
  assert.ok(seen.size > 15);
  assert.deepEqual(nodeImports, []);
});

/**
 * The workbooks the grader's tests grade (test/exercises-grader.test.ts): rnnlab's own solutions
 * (exercises/solutions/*.ts) and, for each known mistake, the same workbook with one file changed by a
 * small named edit of its solution. Each edit's `from` must occur exactly once where it applies, so a
 * change to the solutions cannot silently leave a mistake unmade (and its test grading a correct file):
 * the edit throws instead, naming the mistake and the text it no longer finds.
 *
 * The workbooks are built in memory and loaded by the workbook's own loader (src/exercises/load.ts),
 * compiled by esbuild rather than by the sucrase of `rnnlab check`, which test/check-cli.test.ts covers.
 */
import { readFileSync } from 'node:fs';
import { transformSync } from 'esbuild';
import { createLoader, type Transpile } from '../../src/exercises/load.js';
import { EXERCISE_FILES, type ModuleLoader } from '../../src/exercises/types.js';

export const SOLUTIONS_DIR = new URL('../../exercises/solutions/', import.meta.url);

/** A workbook: file name ('b2-rnn.ts') → source. */
export type Workbook = Record<string, string>;

/** rnnlab's solutions, every workbook file. */
export function solutionWorkbook(): Workbook {
  return Object.fromEntries(Object.values(EXERCISE_FILES).map((f) => [`${f}.ts`, readFileSync(new URL(`${f}.ts`, SOLUTIONS_DIR), 'utf8')]));
}

export interface Edit {
  /** Text of the file, found exactly once. */
  from: string;
  /** What replaces it. */
  to: string;
}

export interface Mistake {
  name: string;
  /** The workbook file it changes. */
  file: string;
  /** Edits of the solution, applied in order. */
  edits?: Edit[];
  /** A whole file instead, for a mistake that is no edit of a solution. */
  source?: string;
}

const countOf = (text: string, part: string): number => text.split(part).length - 1;

/** `source` with each edit made; an edit whose `from` is missing, repeated or equal to `to` throws. */
export function applyEdits(source: string, edits: readonly Edit[], label: string): string {
  return edits.reduce((text, { from, to }, k) => {
    const n = countOf(text, from);
    if (n !== 1 || from === to) {
      throw new Error(`${label}, edit ${k + 1}: ${from === to ? 'changes nothing' : `its text occurs ${n} times, not once`}: ${JSON.stringify(from)}`);
    }
    return text.replace(from, () => to);
  }, source);
}

/** The known mistakes, each as the learner would make it in rnnlab's solution. */
export const MISTAKE_EDITS: readonly Mistake[] = [
  // B1 (b1-rnn-cell.ts): not finished, or finished badly.
  { name: 'throws-at-load', file: 'b1-rnn-cell.ts', source: "throw new Error('the workbook file is not finished');\n" },
  {
    name: 'method-throws', file: 'b1-rnn-cell.ts',
    edits: [{ from: '    const h = new Array<number>(H);\n', to: "    throw new RangeError('forward is not written yet');\n" }],
  },
  { name: 'returns-nan', file: 'b1-rnn-cell.ts', edits: [{ from: 'h[i] = Math.tanh(a);', to: 'h[i] = Math.tanh(a) + Math.sqrt(-1);' }] },

  // B2 (b2-rnn.ts): BPTT.
  // dW_hh assigned at every step instead of summed: only the t = 1 term is left.
  { name: 'no-accumulation', file: 'b2-rnn.ts', edits: [{ from: '      addOuter(dW_hh, da, hPrev);\n', to: '      for (const row of dW_hh) row.fill(0);\n      addOuter(dW_hh, da, hPrev);\n' }] },
  // dW_hh from h_t where h_{t−1} belongs.
  { name: 'h-instead-of-hprev', file: 'b2-rnn.ts', edits: [{ from: 'addOuter(dW_hh, da, hPrev);', to: 'addOuter(dW_hh, da, h);' }] },
  // tanh′ taken of the pre-activation, 1 − a² instead of 1 − h², a = atanh(h).
  { name: 'tanh-prime-of-preactivation', file: 'b2-rnn.ts', edits: [{ from: '(1 - h[i] * h[i]) * g', to: '(1 - Math.atanh(h[i]) ** 2) * g' }] },
  // dh_t leaves out what step t + 1 sends back.
  { name: 'no-carry', file: 'b2-rnn.ts', edits: [{ from: 'const dh = dhNext.slice();', to: 'const dh = new Array<number>(H).fill(0);' }] },

  // B3 (b3-clip.ts): clipping.
  // Each array clipped by its own norm, not by the one global norm.
  {
    name: 'clip-per-array', file: 'b3-clip.ts',
    edits: [{
      from: '  const scale = maxNorm / norm;\n  return grads.map((g) => (isMatrix(g) ? g.map((row) => row.map((v) => v * scale)) : g.map((v) => v * scale)));\n',
      to: [
        '  return grads.map((g) => {',
        '    const own = Math.sqrt((isMatrix(g) ? g.flat() : g).reduce((s, v) => s + v * v, 0));',
        '    const scale = own > maxNorm ? maxNorm / own : 1;',
        '    return isMatrix(g) ? g.map((row) => row.map((v) => v * scale)) : g.map((v) => v * scale);',
        '  });\n',
      ].join('\n'),
    }],
  },
  // Scales the caller's arrays in place and returns them.
  {
    name: 'clip-mutates', file: 'b3-clip.ts',
    edits: [{
      from: 'return grads.map((g) => (isMatrix(g) ? g.map((row) => row.slice()) : g.slice()));',
      to: 'return grads;',
    }, {
      from: 'return grads.map((g) => (isMatrix(g) ? g.map((row) => row.map((v) => v * scale)) : g.map((v) => v * scale)));',
      to: 'for (const g of grads) for (const row of isMatrix(g) ? g : [g]) row.forEach((v, j) => (row[j] = v * scale));\n  return grads;',
    }],
  },
  // Scales even when the norm is under the limit (and divides 0 by 0 on zeros).
  {
    name: 'clip-always-scales', file: 'b3-clip.ts',
    edits: [{ from: '  if (!(norm > maxNorm)) return grads.map((g) => (isMatrix(g) ? g.map((row) => row.slice()) : g.slice()));\n', to: '' }],
  },
  { name: 'missing-export', file: 'b3-clip.ts', edits: [{ from: 'export function clipGradients(', to: 'export function clip(' }] },

  // B4 (b4-lstm-cell.ts): the LSTM cell.
  // The cell path back misses ⊙ f.
  { name: 'dcprev-missing-f', file: 'b4-lstm-cell.ts', edits: [{ from: 'const dcPrev = dcTotal.map((g, k) => g * f[k]);', to: 'const dcPrev = dcTotal.slice();' }] },
  // The gradient reaching c_t misses dh ⊙ o ⊙ (1 − tanh²(c)).
  { name: 'dc-missing-h-path', file: 'b4-lstm-cell.ts', edits: [{ from: 'const dcTotal = dc.map((g, k) => g + dh[k] * o[k] * (1 - tanhC[k] * tanhC[k]));', to: 'const dcTotal = dc.slice();' }] },
  // tanh′(c) taken as 1 − c², c recomputed from the cache.
  { name: 'tanh-prime-of-c', file: 'b4-lstm-cell.ts', edits: [{ from: '(1 - tanhC[k] * tanhC[k])', to: '(1 - (f[k] * cPrev[k] + i[k] * cTilde[k]) ** 2)' }] },
  // The backward hands the forget gate's gradients to the input gate's weights, and back.
  {
    name: 'gates-swapped-backward', file: 'b4-lstm-cell.ts',
    edits: [
      { from: '[da_f, this.W_f, grads.W_f, grads.b_f],', to: '[da_f, this.W_f, grads.W_i, grads.b_i],' },
      { from: '[da_i, this.W_i, grads.W_i, grads.b_i],', to: '[da_i, this.W_i, grads.W_f, grads.b_f],' },
    ],
  },
  // The forward swaps the forget and input gates.
  {
    name: 'gates-swapped-forward', file: 'b4-lstm-cell.ts',
    edits: [
      { from: 'const f = affine(this.W_f, z, this.b_f).map(sigmoid);', to: 'const f = affine(this.W_i, z, this.b_i).map(sigmoid);' },
      { from: 'const i = affine(this.W_i, z, this.b_i).map(sigmoid);', to: 'const i = affine(this.W_f, z, this.b_f).map(sigmoid);' },
    ],
  },
  // forward returns a tuple [h, c, cache] instead of { h, c, cache }.
  {
    name: 'wrong-type', file: 'b4-lstm-cell.ts',
    edits: [
      { from: '): { h: number[]; c: number[]; cache: LSTMCache } {', to: '): [number[], number[], LSTMCache] {' },
      { from: 'return { h, c, cache: { z, cPrev: cPrev.slice(), f, i, cTilde, o, tanhC } };', to: 'return [h, c, { z, cPrev: cPrev.slice(), f, i, cTilde, o, tanhC }];' },
    ],
  },

  // The class exported under another name (B5, which builds on it, fails as well).
  { name: 'lstm-cell-renamed', file: 'b4-lstm-cell.ts', edits: [{ from: 'export class LSTMCell {', to: 'export class LstmCell {' }] },

  // B5 (b5-gradient-flow.ts): every step's backward gets dc = 0, not the next step's dcPrev.
  { name: 'lstm-no-dc-carry', file: 'b5-gradient-flow.ts', edits: [{ from: 'dc = back.dcPrev;', to: 'dc = new Array<number>(H).fill(0);' }] },
];

export function findMistake(name: string): Mistake {
  const m = MISTAKE_EDITS.find((x) => x.name === name);
  if (m === undefined) throw new Error(`no mistake named ${name}`);
  return m;
}

/** The solution workbook with the mistake made in its file. */
export function mistakenWorkbook(name: string, solutions: Readonly<Workbook> = solutionWorkbook()): Workbook {
  const m = findMistake(name);
  if (!Object.hasOwn(solutions, m.file)) throw new Error(`${name}: no ${m.file} in the workbook`);
  const changed = m.source ?? applyEdits(solutions[m.file], m.edits ?? [], name);
  return { ...solutions, [m.file]: changed };
}

/** TypeScript to CommonJS by esbuild, for the workbook's loader. */
export const esbuildTranspile: Transpile = (source, file) =>
  transformSync(source, { loader: file.endsWith('.ts') ? 'ts' : 'js', format: 'cjs', sourcefile: file }).code;

/** The workbook's loader over a workbook in memory. */
export function loadWorkbook(workbook: Readonly<Workbook>): ModuleLoader {
  return createLoader(workbook, esbuildTranspile);
}

/**
 * B1, the vanilla RNN cell:  h = tanh(W_hh h_prev + W_xh x + b_h).
 *
 * The contract (an exported class, weights of the right shapes, forward returning H finite numbers and
 * leaving its inputs alone), then forward at the grader's weights against rnnlab's RNNCell on random
 * cases of different sizes (so a size written into the code shows).
 */
import type { Rng } from '../tensor/random.js';
import type { Check, ModuleLoader } from './types.js';
import { randomMat, randomVec, sameValues } from './arrays.js';
import { callMethod, check, construct, findExport, readVec, readWeights, setWeights } from './contract.js';
import { CELL_FORWARD_MISTAKES, rnnStep } from './mistakes-rnn.js';
import { referenceRnnCell, type RnnCellWeights } from './reference.js';
import { Comparison, valueCheck } from './verdict.js';

/** [inputSize D, hiddenSize H] of each case. */
const SIZES = [[3, 4], [5, 2], [1, 3]] as const;

export function checkB1(load: ModuleLoader, rng: Rng): Check[] {
  const checks: Check[] = [];
  const Cell = findExport(load, 'b1-rnn-cell', 'RNNCell', 'class');
  checks.push(check('b1-rnn-cell exports the class RNNCell', Cell.ok, Cell.ok ? 'RNNCell is exported.' : Cell.error));
  if (!Cell.ok) return checks;

  // Every case's cell, built first, so the constructor's check covers every size.
  const cells: object[] = [];
  let shapeProblem: string | null = null;
  for (const [D, H] of SIZES) {
    const cell = construct(Cell.value, [D, H], `new RNNCell(${D}, ${H})`);
    if (!cell.ok) {
      checks.push(check('the constructor creates W_xh [H][D], W_hh [H][H], b_h [H]', false, cell.error));
      return checks;
    }
    const w = readWeights(cell.value, { W_xh: [H, D], W_hh: [H, H], b_h: [H] }, `new RNNCell(${D}, ${H})`);
    if (!w.ok) shapeProblem ??= w.error;
    cells.push(cell.value);
  }
  const sizes = SIZES.map(([D, H]) => `(${D}, ${H})`).join(', ');
  checks.push(check('the constructor creates W_xh [H][D], W_hh [H][H], b_h [H]', shapeProblem === null,
    shapeProblem ?? `new RNNCell(D, H) for (D, H) = ${sizes} creates weights of those shapes, all finite numbers.`));

  const values = new Comparison();
  let outputProblem: string | null = null, mutation: string | null = null;
  for (let k = 0; k < SIZES.length; k++) {
    const [D, H] = SIZES[k];
    const w: RnnCellWeights = { W_xh: randomMat(rng, H, D, 0.6), W_hh: randomMat(rng, H, H, 0.6), b_h: randomVec(rng, H, 0.5) };
    const x = randomVec(rng, D, 1), hPrev = randomVec(rng, H, 0.8);
    const set = setWeights(cells[k], { ...w });
    if (!set.ok) {
      checks.push(check('forward(x, hPrev) returns h, H finite numbers', false, set.error));
      return checks;
    }
    const xIn = x.slice(), hIn = hPrev.slice();
    const out = callMethod(cells[k], 'forward', [xIn, hIn]);
    const h = out.ok ? readVec(out.value, H, 'forward(x, hPrev)') : out;
    if (!sameValues(xIn, x) || !sameValues(hIn, hPrev)) mutation ??= `forward changed its ${sameValues(xIn, x) ? 'hPrev' : 'x'} argument (case ${k + 1}): compute h in a new array and leave the inputs as they were.`;
    if (!h.ok) {
      outputProblem ??= out.ok ? h.error : `forward(x, hPrev) threw: ${h.error}`;
      values.skip();
      continue;
    }
    values.add(h.value, referenceRnnCell(w, x, hPrev), CELL_FORWARD_MISTAKES.map((m) => ({ id: m.id, hint: m.hint, value: rnnStep(w, x, hPrev, m.variant).h })));
  }
  checks.push(check('forward(x, hPrev) returns h, H finite numbers', outputProblem === null, outputProblem ?? 'forward returns an array of H finite numbers in every case.'));
  checks.push(check('forward leaves x and hPrev unchanged', mutation === null, mutation ?? 'x and hPrev are unchanged after forward.'));
  if (!values.skipped) checks.push(valueCheck('forward matches rnnlab: h = tanh(W_hh h_prev + W_xh x + b_h)', 'h', values));
  return checks;
}

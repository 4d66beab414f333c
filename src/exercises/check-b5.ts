/**
 * B5, gradient flow: analyzeGradientFlow(T, H, { rnn, lstm, xs }) returns ‖dL/dh_t‖ for t = 1..T
 * (index t − 1) of L = (1/√H) Σ_j h_T[j] through an RNN and an LSTM.
 *
 * The grader builds the learner's own B2 RNN and B4 LSTMCell, sets their weights, passes them with
 * the inputs, and compares with rnnlab's gradientFlow at those weights. When the numbers are off, it
 * says whether the learner's B2/B4 forward is what differs, and, for the LSTM, whether the numbers
 * agree with finite differences run through the learner's own cell: the second witness, as in B2 and
 * B4. (The RNN has none: B2's interface runs whole sequences from h_0 = 0, so h_t cannot be moved.)
 */
import type { Rng } from '../tensor/random.js';
import type { Check, ModuleLoader } from './types.js';
import { copyMat, norm, randomMat, randomVec, sameValues, zerosVec, type Mat, type Shape, type Vec } from './arrays.js';
import { FD_PASS, FD_STEP, PASS, fmtRel, relError } from './compare.js';
import { callFunction, callMethod, check, construct, describe, fail, findExport, getProp, ok, readMat, readVec, readWeights, setWeights, type Result } from './contract.js';
import { randomLstmWeights, stepOf } from './check-b4.js';
import { FLOW_MISTAKES, lstmFlow, rnnFlow } from './mistakes-flow.js';
import { lstmStep } from './mistakes-lstm.js';
import { referenceGradientFlow, referenceRnn, type LstmWeights, type RnnWeights } from './reference.js';
import { Comparison, valueCheck } from './verdict.js';

/** [T, H, D] of each case; the RNN's output size is O. */
const SIZES = [[8, 4, 3], [5, 3, 2]] as const;
const O = 2;
const CALL = 'analyzeGradientFlow(T, H, { rnn, lstm, xs })';

function rnnShapes(D: number, H: number): Record<keyof RnnWeights, Shape> {
  return { W_xh: [H, D], W_hh: [H, H], b_h: [H], W_hy: [O, H], b_y: [O] };
}
function lstmShapes(D: number, H: number): Record<keyof LstmWeights, Shape> {
  const W: Shape = [H, H + D], b: Shape = [H];
  return { W_f: W, W_i: W, W_c: W, W_o: W, b_f: b, b_i: b, b_c: b, b_o: b };
}

/** ‖dL/dh_t‖ by central differences through the learner's own cell: h_t moved, steps t+1..T rerun. */
function lstmFlowByDifferences(cell: object, xs: Mat, H: number): Result<number[]> {
  const T = xs.length, hs: Mat = [zerosVec(H)], cs: Mat = [zerosVec(H)];
  for (const x of xs) {
    const s = stepOf(cell, x, hs[hs.length - 1], cs[cs.length - 1]);
    if (!s.ok) return s;
    hs.push(s.value.h);
    cs.push(s.value.c);
  }
  const lossFrom = (t: number, h: Vec): Result<number> => {
    let hh = h, cc = cs[t];
    for (let u = t + 1; u <= T; u++) {
      const s = stepOf(cell, xs[u - 1], hh, cc);
      if (!s.ok) return s;
      ({ h: hh, c: cc } = s.value);
    }
    return ok(hh.reduce((s, v) => s + v, 0) / Math.sqrt(H));
  };
  const norms = new Array<number>(T).fill(1); // dL/dh_T = (1,…,1)/√H exactly
  for (let t = 1; t < T; t++) {
    const g: number[] = [];
    for (let j = 0; j < H; j++) {
      const up = hs[t].slice(), down = hs[t].slice();
      up[j] += FD_STEP;
      down[j] -= FD_STEP;
      const a = lossFrom(t, up), b = lossFrom(t, down);
      if (!a.ok) return a;
      if (!b.ok) return b;
      g.push((a.value - b.value) / (2 * FD_STEP));
    }
    norms[t - 1] = norm(g);
  }
  return ok(norms);
}

/** The learner's B2 outputs at these weights against rnnlab's: what a B5 built on them inherits. */
function rnnForwardNote(rnn: object, w: RnnWeights, xs: Mat): string {
  const out = callMethod(rnn, 'forward', [copyMat(xs)]);
  const ys = out.ok ? readMat(out.value, xs.length, O, 'forward(xs)') : fail<Mat>(out.error);
  if (!ys.ok) return ` Your B2 RNN's forward fails at these weights (${ys.error}): fix B2 first.`;
  const rel = relError(ys.value.flat(), referenceRnn(w, xs, xs.map(() => zerosVec(O))).ys.flat());
  return rel < PASS ? ' Your B2 RNN\'s forward is right at these weights, so the backward pass through time is what is off.' : ` Your B2 RNN's forward is wrong at these weights (relative error ${fmtRel(rel)}): fix B2 first.`;
}

function lstmNote(cell: object, w: LstmWeights, xs: Mat, learner: number[]): string {
  const H = w.b_f.length;
  let h = zerosVec(H), c = zerosVec(H), worst = 0;
  for (const x of xs) {
    const s = stepOf(cell, x, h, c), r = lstmStep(w, x, h, c);
    if (!s.ok) return ` Your B4 LSTMCell's forward fails at these weights (${s.error}): fix B4 first.`;
    worst = Math.max(worst, relError([...s.value.h, ...s.value.c], [...r.h, ...r.c]));
    ({ h, c } = r);
  }
  const fd = lstmFlowByDifferences(cell, xs, H);
  const fdNote = fd.ok
    ? ` Finite differences through your own cell's forward ${relError(learner, fd.value) < FD_PASS ? 'agree with' : 'also differ from'} your numbers (relative error ${fmtRel(relError(learner, fd.value))}).`
    : ` Finite differences through your own cell could not be taken: ${fd.error}.`;
  return worst < PASS
    ? ` Your B4 LSTMCell's forward is right at these weights, so the backward pass through time (or B4's backward) is what is off.${fdNote}`
    : ` Your B4 LSTMCell's forward is wrong at these weights (relative error ${fmtRel(worst)}): fix B4 first.${fdNote}`;
}

export function checkB5(load: ModuleLoader, rng: Rng): Check[] {
  const checks: Check[] = [];
  const fn = findExport(load, 'b5-gradient-flow', 'analyzeGradientFlow', 'function');
  checks.push(check('b5-gradient-flow exports the function analyzeGradientFlow', fn.ok, fn.ok ? 'analyzeGradientFlow is exported.' : fn.error));
  if (!fn.ok) return checks;
  const Rnn = findExport(load, 'b2-rnn', 'RNN', 'class'), Cell = findExport(load, 'b4-lstm-cell', 'LSTMCell', 'class');
  const BUILD = 'B5 runs on your B2 RNN and B4 LSTMCell, with weights the grader sets';
  if (!Rnn.ok || !Cell.ok) {
    checks.push(check(BUILD, false, `${!Rnn.ok ? Rnn.error : Cell.ok ? '' : Cell.error}: B5 is graded on your own B2 and B4 classes.`.replace(/^: /, '')));
    return checks;
  }

  const rnnValues = new Comparison(), lstmValues = new Comparison();
  const notes = { rnn: '', lstm: '' };
  let outputProblem: string | null = null, mutation: string | null = null;
  for (let n = 0; n < SIZES.length; n++) {
    const [T, H, D] = SIZES[n];
    const rnn = construct(Rnn.value, [D, H, O], `new RNN(${D}, ${H}, ${O})`), cell = construct(Cell.value, [D, H], `new LSTMCell(${D}, ${H})`);
    if (!rnn.ok || !cell.ok) {
      checks.push(check(BUILD, false, !rnn.ok ? rnn.error : cell.ok ? '' : cell.error));
      return checks;
    }
    const wr: RnnWeights = { W_xh: randomMat(rng, H, D, 0.6), W_hh: randomMat(rng, H, H, 0.6), b_h: randomVec(rng, H, 0.3), W_hy: randomMat(rng, O, H, 0.8), b_y: randomVec(rng, O, 0.5) };
    const wl = randomLstmWeights(rng, D, H);
    const xs = randomMat(rng, T, D, 1);
    const set = setWeights(rnn.value, { ...wr });
    const setL = set.ok ? setWeights(cell.value, { ...wl }) : set;
    if (!setL.ok) {
      checks.push(check(BUILD, false, setL.error));
      return checks;
    }
    const xsIn = copyMat(xs);
    const out = callFunction(fn.value, [T, H, { rnn: rnn.value, lstm: cell.value, xs: xsIn }]);
    const wrAfter = readWeights(rnn.value, rnnShapes(D, H), 'rnn'), wlAfter = readWeights(cell.value, lstmShapes(D, H), 'lstm');
    const changed = [...Object.entries(wr).filter(([k, v]) => !(wrAfter.ok && sameValues(wrAfter.value[k], v))).map(([k]) => `rnn.${k}`),
      ...Object.entries(wl).filter(([k, v]) => !(wlAfter.ok && sameValues(wlAfter.value[k], v))).map(([k]) => `lstm.${k}`)];
    if (!sameValues(xsIn, xs)) changed.unshift('xs');
    if (!wrAfter.ok || !wlAfter.ok) mutation ??= `after ${CALL}, ${!wrAfter.ok ? wrAfter.error : wlAfter.ok ? '' : wlAfter.error}`;
    else if (changed.length) mutation ??= `${CALL} changed ${changed.join(', ')} (case ${n + 1}): measuring the gradient should leave the inputs and the weights as they were.`;
    const res = out.ok ? readFlow(out.value, T) : fail<{ rnn: Vec; lstm: Vec }>(`${CALL} threw: ${out.error}`);
    if (!res.ok) {
      outputProblem ??= res.error;
      rnnValues.skip();
      lstmValues.skip();
      continue;
    }
    const ref = referenceGradientFlow(wr, wl, xs);
    rnnValues.add(res.value.rnn, ref.rnn, FLOW_MISTAKES.map((m) => ({ id: m.id, hint: m.hint, value: rnnFlow(wr, xs, m.variant) })));
    lstmValues.add(res.value.lstm, ref.lstm, FLOW_MISTAKES.map((m) => ({ id: m.id, hint: m.hint, value: lstmFlow(wl, xs, m.variant) })));
    // The notes say where a wrong answer comes from; the first case that is off gets them.
    if (!notes.rnn && relError(res.value.rnn, ref.rnn) >= PASS) notes.rnn = rnnForwardNote(rnn.value, wr, xs);
    if (!notes.lstm && relError(res.value.lstm, ref.lstm) >= PASS) notes.lstm = lstmNote(cell.value, wl, xs, res.value.lstm);
  }
  checks.push(check(BUILD, true, 'new RNN(D, H, 2) and new LSTMCell(D, H) are built, their weights set, and passed in.'));
  checks.push(check(`${CALL} returns { rnn, lstm }, T finite numbers each`, outputProblem === null, outputProblem ?? 'Both lists have T finite numbers in every case.'));
  checks.push(check(`${CALL} leaves xs and the weights unchanged`, mutation === null, mutation ?? 'xs and every weight of rnn and lstm are unchanged after the call.'));
  const withNote = (c: Check, note: string): Check => (c.passed ? c : { ...c, message: c.message + note });
  if (!rnnValues.skipped) checks.push(withNote(valueCheck('rnn: ‖dL/dh_t‖ matches rnnlab\'s gradientFlow at your RNN\'s weights', 'rnn list', rnnValues), notes.rnn));
  if (!lstmValues.skipped) checks.push(withNote(valueCheck('lstm: ‖dL/dh_t‖ matches rnnlab\'s gradientFlow at your LSTMCell\'s weights', 'lstm list', lstmValues), notes.lstm));
  return checks;
}

function readFlow(v: unknown, T: number): Result<{ rnn: Vec; lstm: Vec }> {
  if (v === null || typeof v !== 'object') return fail(`${CALL} returned ${describe(v)}, expected { rnn: number[], lstm: number[] }`);
  const r = getProp(v, 'rnn'), l = getProp(v, 'lstm');
  const rv = readVec(r.ok ? r.value : undefined, T, `${CALL}.rnn`);
  if (!rv.ok) return rv;
  const lv = readVec(l.ok ? l.value : undefined, T, `${CALL}.lstm`);
  if (!lv.ok) return lv;
  return ok({ rnn: rv.value, lstm: lv.value });
}

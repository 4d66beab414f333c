/**
 * B4, the LSTM cell in the concatenated form, each W_k [H][H + D] acting on [h_{t−1}, x_t]:
 *   f = σ(W_f[h,x]+b_f), i = σ(W_i[h,x]+b_i), c̃ = tanh(W_c[h,x]+b_c), o = σ(W_o[h,x]+b_o)
 *   c = f⊙c_prev + i⊙c̃,  h = o⊙tanh(c)
 * and backward(dh, dc, cache): the gradients of L = dh·h + dc·c for the eight weights and x, h_prev,
 * c_prev.
 *
 * The contract, c and h against rnnlab's LSTMCell at the grader's weights, then the eleven gradients
 * two ways (rnnlab's backward, finite differences of the learner's forward).
 */
import type { Rng } from '../tensor/random.js';
import type { Check, ModuleLoader } from './types.js';
import { dot, flat, randomMat, randomVec, sameValues, type Arr, type Mat, type Shape, type Vec } from './arrays.js';
import { callMethod, check, construct, describe, fail, findExport, getProp, missingGradient, ok, readArr, readVec, readWeights, setProp, setWeights, type Result } from './contract.js';
import { entryAt, finiteDifferences, sampleEntries } from './fd.js';
import { LSTM_BACKWARD_MISTAKES, LSTM_FORWARD_MISTAKES, lstmStep, lstmStepBackward } from './mistakes-lstm.js';
import { referenceLstmCell, type LstmStepGradients, type LstmWeights } from './reference.js';
import { Comparison, GradientComparison, gradientCheck, valueCheck } from './verdict.js';

/** [D, H] of each case. */
const SIZES = [[3, 4], [2, 3], [1, 2]] as const;
const WEIGHTS = ['W_f', 'W_i', 'W_c', 'W_o', 'b_f', 'b_i', 'b_c', 'b_o'] as const;
type Weight = (typeof WEIGHTS)[number];
const INPUTS = ['dx', 'dhPrev', 'dcPrev'] as const;
type Input = (typeof INPUTS)[number];
type Grad = Weight | Input;

function weightShapes(D: number, H: number): Record<Weight, Shape> {
  const W: Shape = [H, H + D], b: Shape = [H];
  return { W_f: W, W_i: W, W_c: W, W_o: W, b_f: b, b_i: b, b_c: b, b_o: b };
}

const SHAPES_TEXT = 'W_f, W_i, W_c, W_o [H][H + D] and b_f, b_i, b_c, b_o [H]';
const OUTPUT = 'forward(x, hPrev, cPrev) returns { h, c, cache } with h and c H finite numbers';
const BACKWARD = 'backward(dh, dc, cache) returns { grads: { W_f, …, b_o }, dx, dhPrev, dcPrev }';

/** The learner's step on copies of the inputs: h and c read, or why not (B5 runs cells through it too). */
export function stepOf(cell: object, x: Vec, hPrev: Vec, cPrev: Vec): Result<{ h: Vec; c: Vec; cache: unknown }> {
  const out = callMethod(cell, 'forward', [x.slice(), hPrev.slice(), cPrev.slice()]);
  return out.ok ? stepOfValue(out.value, hPrev.length) : fail(`forward(x, hPrev, cPrev) threw: ${out.error}`);
}

/** The learner's backward result read into the exercise's names, or why not. */
function readBackward(v: unknown, D: number, H: number): Record<Grad, Arr | string> {
  const out = {} as Record<Grad, Arr | string>;
  const grads = getProp(v, 'grads');
  const shapes = weightShapes(D, H);
  for (const k of WEIGHTS) {
    if (!grads.ok || grads.value === null || typeof grads.value !== 'object') {
      out[k] = `backward(...).grads: expected an object { W_f, …, b_o }, got ${grads.ok ? describe(grads.value) : grads.error}`;
      continue;
    }
    const g = getProp(grads.value, k);
    const a = !g.ok ? g : g.value === undefined ? fail<Arr>(missingGradient(grads.value, k, 'backward(...).grads')) : readArr(g.value, shapes[k], `backward(...).grads.${k}`);
    out[k] = a.ok ? a.value : a.error;
  }
  for (const [k, n] of [['dx', D], ['dhPrev', H], ['dcPrev', H]] as const) {
    const g = getProp(v, k);
    const a = !g.ok ? fail<Arr>(`backward(...): ${g.error}`) : readVec(g.value, n, `backward(...).${k}`);
    out[k] = a.ok ? a.value : a.error;
  }
  return out;
}

/** Gate weights N(0, 0.6²), biases N(0, 0.5²): gates between about 0.2 and 0.8, no saturation to hide a term. */
export function randomLstmWeights(rng: Rng, D: number, H: number): LstmWeights {
  const W = (): Mat => randomMat(rng, H, H + D, 0.6), b = (): Vec => randomVec(rng, H, 0.5);
  return { W_f: W(), W_i: W(), W_c: W(), W_o: W(), b_f: b(), b_i: b(), b_c: b(), b_o: b() };
}

function gradOf(b: LstmStepGradients, k: Grad): Arr {
  return k === 'dx' || k === 'dhPrev' || k === 'dcPrev' ? b[k] : b.grads[k];
}

export function checkB4(load: ModuleLoader, rng: Rng): Check[] {
  const checks: Check[] = [];
  const Cell = findExport(load, 'b4-lstm-cell', 'LSTMCell', 'class');
  checks.push(check('b4-lstm-cell exports the class LSTMCell', Cell.ok, Cell.ok ? 'LSTMCell is exported.' : Cell.error));
  if (!Cell.ok) return checks;

  const cells: object[] = [];
  let shapeProblem: string | null = null;
  for (const [D, H] of SIZES) {
    const cell = construct(Cell.value, [D, H], `new LSTMCell(${D}, ${H})`);
    if (!cell.ok) {
      checks.push(check(`the constructor creates ${SHAPES_TEXT}`, false, cell.error));
      return checks;
    }
    const w = readWeights(cell.value, weightShapes(D, H), `new LSTMCell(${D}, ${H})`);
    if (!w.ok) shapeProblem ??= w.error;
    cells.push(cell.value);
  }
  checks.push(check(`the constructor creates ${SHAPES_TEXT}`, shapeProblem === null,
    shapeProblem ?? `new LSTMCell(D, H) for (D, H) = ${SIZES.map(([D, H]) => `(${D}, ${H})`).join(', ')} creates weights of those shapes, all finite numbers.`));

  const cs = new Comparison(), hs = new Comparison();
  const grads = Object.fromEntries([...WEIGHTS, ...INPUTS].map((k) => [k, new GradientComparison()])) as Record<Grad, GradientComparison>;
  let outputProblem: string | null = null, backwardProblem: string | null = null, mutation: string | null = null;
  for (let n = 0; n < SIZES.length; n++) {
    const [D, H] = SIZES[n], cell = cells[n];
    const w = randomLstmWeights(rng, D, H);
    const x = randomVec(rng, D, 1), hPrev = randomVec(rng, H, 0.8), cPrev = randomVec(rng, H, 1);
    const dh = randomVec(rng, H, 1), dc = randomVec(rng, H, 1);
    const set = setWeights(cell, { ...w });
    if (!set.ok) {
      checks.push(check(OUTPUT, false, set.error));
      return checks;
    }
    const args = [x.slice(), hPrev.slice(), cPrev.slice()];
    const out = callMethod(cell, 'forward', args);
    if (!sameValues(args[0], x) || !sameValues(args[1], hPrev) || !sameValues(args[2], cPrev)) {
      mutation ??= `forward changed one of x, hPrev, cPrev (case ${n + 1}): keep the inputs as they were.`;
    }
    const step = out.ok ? stepOfValue(out.value, H) : fail<{ h: Vec; c: Vec; cache: unknown }>(`forward(x, hPrev, cPrev) threw: ${out.error}`);
    if (!step.ok) {
      outputProblem ??= step.error;
      cs.skip();
      hs.skip();
      for (const k of [...WEIGHTS, ...INPUTS]) grads[k].skip();
      continue;
    }
    const ref = referenceLstmCell(w, x, hPrev, cPrev, dh, dc);
    const fwd = LSTM_FORWARD_MISTAKES.map((m) => ({ m, s: lstmStep(w, x, hPrev, cPrev, m.variant) }));
    cs.add(step.value.c, ref.c, fwd.map(({ m, s }) => ({ id: m.id, hint: m.hint, value: s.c })));
    hs.add(step.value.h, ref.h, fwd.map(({ m, s }) => ({ id: m.id, hint: m.hint, value: s.h })));

    const dIn = [dh.slice(), dc.slice()];
    const back = callMethod(cell, 'backward', [dIn[0], dIn[1], step.value.cache]);
    if (!sameValues(dIn[0], dh) || !sameValues(dIn[1], dc)) mutation ??= `backward changed dh or dc (case ${n + 1}): keep the inputs as they were.`;
    if (!back.ok || back.value === null || typeof back.value !== 'object') {
      backwardProblem ??= back.ok ? `backward(dh, dc, cache) returned ${back.value === null ? 'null' : typeof back.value}, expected an object { grads, dx, dhPrev, dcPrev }` : `backward(dh, dc, cache) threw: ${back.error}`;
      for (const k of [...WEIGHTS, ...INPUTS]) grads[k].skip();
      continue;
    }
    // Copied now: the finite differences below run forward again.
    const learner = readBackward(back.value, D, H);
    const cache = lstmStep(w, x, hPrev, cPrev).cache;
    const mistaken = LSTM_BACKWARD_MISTAKES.map((m) => ({ m, b: lstmStepBackward(w, cache, dh, dc, m.variant) }));
    for (const k of [...WEIGHTS, ...INPUTS]) {
      const lk = learner[k];
      if (typeof lk === 'string') backwardProblem ??= lk;
      grads[k].add(lk, gradOf(ref.back, k), mistaken.map(({ m, b }) => ({ id: m.id, hint: m.hint, value: gradOf(b, k) })));
    }
    const loss = (xv: Vec, hv: Vec, cv: Vec): Result<number> => {
      const s = stepOf(cell, xv, hv, cv);
      return s.ok ? ok(dot(dh, s.value.h) + dot(dc, s.value.c)) : s;
    };
    for (const k of [...WEIGHTS, ...INPUTS]) {
      const lk = learner[k];
      if (typeof lk === 'string') continue;
      const at: Arr = k === 'dx' ? x : k === 'dhPrev' ? hPrev : k === 'dcPrev' ? cPrev : w[k];
      const entries = sampleEntries(rng, flat(at).length);
      const fd = finiteDifferences(at, entries, (moved) => {
        if (k === 'dx') return loss(moved as Vec, hPrev, cPrev);
        if (k === 'dhPrev') return loss(x, moved as Vec, cPrev);
        if (k === 'dcPrev') return loss(x, hPrev, moved as Vec);
        const s = setProp(cell, k, moved);
        return s.ok ? loss(x, hPrev, cPrev) : fail(s.error);
      });
      if (k !== 'dx' && k !== 'dhPrev' && k !== 'dcPrev') setProp(cell, k, w[k]);
      grads[k].addFiniteDifferences(entries.map((e) => entryAt(lk, e)), fd.ok ? fd.value : fd.error);
    }
  }
  checks.push(check(OUTPUT, outputProblem === null, outputProblem ?? 'forward returns h and c of H finite numbers in every case.'));
  checks.push(check('forward and backward leave their inputs unchanged', mutation === null, mutation ?? 'x, hPrev, cPrev, dh and dc are unchanged after forward and backward.'));
  if (!cs.skipped) checks.push(valueCheck('forward matches rnnlab: c = f ⊙ c_prev + i ⊙ c̃', 'c', cs));
  if (!hs.skipped) checks.push(valueCheck('forward matches rnnlab: h = o ⊙ tanh(c)', 'h', hs));
  checks.push(check(BACKWARD, backwardProblem === null, backwardProblem ?? 'backward returns the eight weight gradients and dx, dhPrev, dcPrev, shaped as they should be, all finite.'));
  const forwardRight = cs.right && hs.right;
  for (const k of [...WEIGHTS, ...INPUTS]) if (!grads[k].skipped) checks.push(gradientCheck(k.startsWith('d') ? k : `d${k}`, grads[k], forwardRight, "rnnlab's LSTMCell backward"));
  return checks;
}

/** forward's result read: h and c of H finite numbers, and the cache as it is. */
function stepOfValue(v: unknown, H: number): Result<{ h: Vec; c: Vec; cache: unknown }> {
  if (Array.isArray(v)) return fail(`forward(x, hPrev, cPrev) returned an array of length ${v.length}: return an object { h, c, cache } (not a tuple [h, c, cache])`);
  if (v === null || typeof v !== 'object') return fail(`forward(x, hPrev, cPrev) returned ${describe(v)}, expected an object { h, c, cache }`);
  const h = getProp(v, 'h'), c = getProp(v, 'c'), cache = getProp(v, 'cache');
  const hv = readVec(h.ok ? h.value : undefined, H, 'forward(...).h');
  if (!hv.ok) return hv;
  const cv = readVec(c.ok ? c.value : undefined, H, 'forward(...).c');
  if (!cv.ok) return cv;
  return ok({ h: hv.value, c: cv.value, cache: cache.ok ? cache.value : undefined });
}

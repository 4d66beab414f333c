/**
 * B2, BPTT: an RNN with an output layer,
 *   h_0 = 0,  h_t = tanh(W_hh h_{t−1} + W_xh x_t + b_h),  y_t = W_hy h_t + b_y,
 * whose backward(douts) returns the gradients of L = Σ_t douts[t]·y_t.
 *
 * The contract, the forward against rnnlab's RNN at the grader's weights, then each of the five
 * gradients two ways (rnnlab's BPTT, finite differences of the learner's forward), on random cases of
 * different sizes, one of them a single step.
 */
import type { Rng } from '../tensor/random.js';
import type { Check, ModuleLoader } from './types.js';
import { copyMat, dot, flat, randomMat, randomVec, sameValues, type Arr, type Mat, type Shape } from './arrays.js';
import { callMethod, check, construct, fail, findExport, getProp, missingGradient, ok, readArr, readMat, readWeights, setProp, setWeights, type Result } from './contract.js';
import { entryAt, finiteDifferences, sampleEntries } from './fd.js';
import { BPTT_MISTAKES, RNN_FORWARD_MISTAKES, bptt, rnnForward } from './mistakes-rnn.js';
import { referenceRnn, type RnnWeights } from './reference.js';
import { Comparison, GradientComparison, gradientCheck, valueCheck } from './verdict.js';

/** [D, H, O, T] of each case. */
const SIZES = [[3, 4, 2, 5], [2, 3, 3, 4], [1, 2, 1, 1]] as const;
const KEYS = ['W_xh', 'W_hh', 'b_h', 'W_hy', 'b_y'] as const;
type Key = (typeof KEYS)[number];

function shapes(D: number, H: number, O: number): Record<Key, Shape> {
  return { W_xh: [H, D], W_hh: [H, H], b_h: [H], W_hy: [O, H], b_y: [O] };
}

const SHAPES_TEXT = 'W_xh [H][D], W_hh [H][H], b_h [H], W_hy [O][H], b_y [O]';
const OUTPUT = 'forward(xs) returns one y_t of O finite numbers per step';
const BACKWARD = 'backward(douts) returns { W_xh, W_hh, b_h, W_hy, b_y }';

/** Σ_t douts[t]·y_t of the learner's forward: the loss whose gradients backward returns. */
function lossOf(rnn: object, xs: Mat, douts: Mat, O: number): Result<number> {
  const out = callMethod(rnn, 'forward', [copyMat(xs)]);
  if (!out.ok) return fail(`forward threw: ${out.error}`);
  const ys = readMat(out.value, xs.length, O, 'forward(xs)');
  if (!ys.ok) return ys;
  return ok(ys.value.reduce((s, y, t) => s + dot(y, douts[t]), 0));
}

export function checkB2(load: ModuleLoader, rng: Rng): Check[] {
  const checks: Check[] = [];
  const Rnn = findExport(load, 'b2-rnn', 'RNN', 'class');
  checks.push(check('b2-rnn exports the class RNN', Rnn.ok, Rnn.ok ? 'RNN is exported.' : Rnn.error));
  if (!Rnn.ok) return checks;

  const rnns: object[] = [];
  let shapeProblem: string | null = null;
  for (const [D, H, O] of SIZES) {
    const r = construct(Rnn.value, [D, H, O], `new RNN(${D}, ${H}, ${O})`);
    if (!r.ok) {
      checks.push(check(`the constructor creates ${SHAPES_TEXT}`, false, r.error));
      return checks;
    }
    const w = readWeights(r.value, shapes(D, H, O), `new RNN(${D}, ${H}, ${O})`);
    if (!w.ok) shapeProblem ??= w.error;
    rnns.push(r.value);
  }
  checks.push(check(`the constructor creates ${SHAPES_TEXT}`, shapeProblem === null,
    shapeProblem ?? `new RNN(D, H, O) for (D, H, O) = ${SIZES.map(([D, H, O]) => `(${D}, ${H}, ${O})`).join(', ')} creates weights of those shapes, all finite numbers.`));

  const forward = new Comparison();
  const grads = Object.fromEntries(KEYS.map((k) => [k, new GradientComparison()])) as Record<Key, GradientComparison>;
  let outputProblem: string | null = null, backwardProblem: string | null = null, mutation: string | null = null;
  for (let c = 0; c < SIZES.length; c++) {
    const [D, H, O, T] = SIZES[c], rnn = rnns[c];
    const w: RnnWeights = {
      W_xh: randomMat(rng, H, D, 0.6), W_hh: randomMat(rng, H, H, 0.5), b_h: randomVec(rng, H, 0.4),
      W_hy: randomMat(rng, O, H, 0.8), b_y: randomVec(rng, O, 0.5),
    };
    const xs = randomMat(rng, T, D, 1), douts = randomMat(rng, T, O, 1);
    const set = setWeights(rnn, { ...w });
    if (!set.ok) {
      checks.push(check(OUTPUT, false, set.error));
      return checks;
    }
    const xsIn = copyMat(xs);
    const out = callMethod(rnn, 'forward', [xsIn]);
    if (!sameValues(xsIn, xs)) mutation ??= `forward changed its xs argument (case ${c + 1}): keep the inputs as they were.`;
    const ys = out.ok ? readMat(out.value, T, O, 'forward(xs)') : fail<Mat>(`forward(xs) threw: ${out.error}`);
    if (!ys.ok) {
      outputProblem ??= ys.error;
      forward.skip();
      for (const k of KEYS) grads[k].skip();
      continue;
    }
    const ref = referenceRnn(w, xs, douts);
    forward.add(ys.value, ref.ys, RNN_FORWARD_MISTAKES.map((m) => ({ id: m.id, hint: m.hint, value: rnnForward(w, xs, m.variant).ys })));

    const doutsIn = copyMat(douts);
    const back = callMethod(rnn, 'backward', [doutsIn]);
    if (!sameValues(doutsIn, douts)) mutation ??= `backward changed its douts argument (case ${c + 1}): keep the inputs as they were.`;
    if (!back.ok || back.value === null || typeof back.value !== 'object') {
      backwardProblem ??= back.ok ? `backward(douts) returned ${back.value === null ? 'null' : typeof back.value}, expected an object { W_xh, W_hh, b_h, W_hy, b_y }` : `backward(douts) threw: ${back.error}`;
      for (const k of KEYS) grads[k].skip();
      continue;
    }
    // The learner's gradients are copied now: the finite differences below run forward again.
    const learner = {} as Record<Key, Arr | string>;
    const mistaken = BPTT_MISTAKES.map((m) => ({ m, g: bptt(w, xs, douts, m.variant) }));
    for (const k of KEYS) {
      const v = getProp(back.value, k);
      const a = !v.ok ? v : v.value === undefined ? fail<Arr>(missingGradient(back.value, k, 'backward(douts)')) : readArr(v.value, shapes(D, H, O)[k], `backward(douts).${k}`);
      learner[k] = a.ok ? a.value : a.error;
      if (!a.ok) backwardProblem ??= a.error;
      grads[k].add(learner[k], ref.grads[k], mistaken.map(({ m, g }) => ({ id: m.id, hint: m.hint, value: g[k] })));
    }
    for (const k of KEYS) {
      const lk = learner[k];
      if (typeof lk === 'string') continue;
      const entries = sampleEntries(rng, flat(w[k]).length);
      const fd = finiteDifferences(w[k], entries, (moved) => {
        const s = setProp(rnn, k, moved);
        return s.ok ? lossOf(rnn, xs, douts, O) : fail(s.error);
      });
      setProp(rnn, k, w[k]);
      grads[k].addFiniteDifferences(entries.map((e) => entryAt(lk, e)), fd.ok ? fd.value : fd.error);
    }
  }
  checks.push(check(OUTPUT, outputProblem === null, outputProblem ?? 'forward returns T outputs of O finite numbers in every case.'));
  checks.push(check('forward and backward leave xs and douts unchanged', mutation === null, mutation ?? 'xs and douts are unchanged after forward and backward.'));
  if (!forward.skipped) checks.push(valueCheck('forward matches rnnlab: y_t = W_hy h_t + b_y, h_t = tanh(W_hh h_{t−1} + W_xh x_t + b_h)', 'y_t', forward));
  checks.push(check(BACKWARD, backwardProblem === null, backwardProblem ?? 'backward returns the five gradients, shaped as the weights, all finite.'));
  for (const k of KEYS) if (!grads[k].skipped) checks.push(gradientCheck(`d${k}`, grads[k], forward.right, "rnnlab's BPTT"));
  return checks;
}

/**
 * B3, clipping by the global norm:  ‖g‖ = sqrt(Σ over every array and entry of g²);
 * g ← g · maxNorm/‖g‖ when ‖g‖ > maxNorm, else unchanged; new arrays, the input untouched.
 *
 * Cases over the limit (one array far larger than the others, so clipping each array alone gives other
 * numbers), under it, exactly at it, and all zeros, each against rnnlab's clipGradients.
 */
import type { Rng } from '../tensor/random.js';
import type { Check, ModuleLoader } from './types.js';
import { copyArr, flat, isMat, norm, randomMat, randomVec, sameValues, type Arr } from './arrays.js';
import { callFunction, check, describe, fail, findExport, ok, readArr, type Result } from './contract.js';
import { CLIP_HINTS, CLIP_MISTAKES, clip } from './mistakes-clip.js';
import { referenceClip } from './reference.js';
import { Comparison, valueCheck } from './verdict.js';

interface ClipCase {
  grads: Arr[];
  maxNorm: number;
}

const globalNorm = (grads: Arr[]): number => norm(grads.flatMap(flat));

/** Mixed vectors and matrices: a large matrix, a small one, a small vector. */
function randomGrads(rng: Rng): Arr[] {
  return [randomMat(rng, 3, 4, 2), randomMat(rng, 2, 2, 0.1), randomVec(rng, 3, 0.1)];
}

function cases(rng: Rng): { over: ClipCase[]; under: ClipCase[]; zero: ClipCase } {
  const a = randomGrads(rng), b = randomGrads(rng), c = randomGrads(rng), d = randomGrads(rng);
  return {
    // Below the large array's own norm too, and well above the small ones', so per-array clipping differs.
    over: [{ grads: a, maxNorm: 0.3 * globalNorm(a) }, { grads: b, maxNorm: 0.7 * globalNorm(b) }],
    // Under the limit, and exactly at it (not clipped: the rule is ‖g‖ > maxNorm).
    under: [{ grads: c, maxNorm: 2 * globalNorm(c) }, { grads: d, maxNorm: globalNorm(d) }],
    zero: { grads: [[[0, 0], [0, 0]], [0, 0, 0]], maxNorm: 1 },
  };
}

const shapeOf = (g: Arr): readonly [number] | readonly [number, number] => (isMat(g) ? [g.length, g[0].length] : [g.length]);

/** The learner's result read as arrays shaped as the input's. */
function readResult(v: unknown, like: Arr[]): Result<Arr[]> {
  if (!Array.isArray(v)) return fail(`clipGradients returned ${describe(v)}, expected an array of ${like.length} gradients shaped as its input`);
  if (v.length !== like.length) return fail(`clipGradients returned ${v.length} gradients for an input of ${like.length}`);
  const out: Arr[] = [];
  for (let k = 0; k < like.length; k++) {
    const a = readArr(v[k], shapeOf(like[k]), `clipGradients(...)[${k}]`);
    if (!a.ok) return a;
    out.push(a.value);
  }
  return ok(out);
}

/** Whether the result hands back any of the input's own arrays (rows included). */
function aliases(v: unknown, input: Arr[]): boolean {
  if (!Array.isArray(v)) return false;
  const mine = new Set<unknown>(input.flatMap((g) => (isMat(g) ? [g, ...g] : [g])));
  return v.some((r: unknown) => mine.has(r) || (Array.isArray(r) && r.some((row: unknown) => mine.has(row))));
}

export function checkB3(load: ModuleLoader, rng: Rng): Check[] {
  const checks: Check[] = [];
  const fn = findExport(load, 'b3-clip', 'clipGradients', 'function');
  checks.push(check('b3-clip exports the function clipGradients', fn.ok, fn.ok ? 'clipGradients is exported.' : fn.error));
  if (!fn.ok) return checks;

  let shapeProblem: string | null = null, mutation: string | null = null, aliasing: string | null = null;
  /** Calls the learner's function on a copy and records what it did to that copy. */
  const run = (c: ClipCase, label: string): Result<Arr[]> => {
    const input = c.grads.map((g) => copyArr(g));
    const out = callFunction(fn.value, [input, c.maxNorm]);
    if (!c.grads.every((g, k) => sameValues(input[k], g))) mutation ??= `clipGradients changed its input (${label}). Hint: ${CLIP_HINTS.mutates}`;
    if (out.ok && aliases(out.value, input)) aliasing ??= `clipGradients returned arrays of its input (${label}). Hint: ${CLIP_HINTS.aliases}`;
    const r = out.ok ? readResult(out.value, c.grads) : fail<Arr[]>(`clipGradients threw: ${out.error}`);
    if (!r.ok) shapeProblem ??= `${r.error} (${label})`;
    return r;
  };
  const mistakes = (c: ClipCase): { id: string; hint: string; value: number[] }[] =>
    CLIP_MISTAKES.map((m) => ({ id: m.id, hint: m.hint, value: clip(c.grads, c.maxNorm, m.variant).flatMap(flat) }));
  const compare = (into: Comparison, c: ClipCase, label: string): void => {
    const got = run(c, label);
    if (!got.ok) into.skip();
    else into.add(got.value.flatMap(flat), referenceClip(c.grads, c.maxNorm).flatMap(flat), mistakes(c));
  };

  const { over, under, zero } = cases(rng);
  const scaled = new Comparison(), unchanged = new Comparison();
  over.forEach((c, k) => compare(scaled, c, `over the limit, case ${k + 1}`));
  under.forEach((c, k) => compare(unchanged, c, k === 0 ? 'under the limit' : 'norm exactly maxNorm'));
  const z = run(zero, 'all-zero gradients');
  let zeroProblem: string | null = null;
  // Unreadable for another reason than a NaN: the shape check above already says why.
  if (!z.ok) zeroProblem = z.error.includes('NaN') ? `${z.error}. Hint: ${CLIP_HINTS.zeroNorm}` : null;
  else if (!z.value.every((g) => flat(g).every((v) => v === 0))) zeroProblem = 'all-zero gradients came back non-zero.';

  checks.push(check('clipGradients returns arrays shaped as its input, finite numbers', shapeProblem === null, shapeProblem ?? 'Every result is an array of gradients shaped as the input, all finite.'));
  checks.push(check('clipGradients leaves its input unchanged', mutation === null, mutation ?? 'The input gradients are unchanged after every call.'));
  checks.push(check('clipGradients returns new arrays', aliasing === null, aliasing ?? 'No result array is one of the input\'s.'));
  if (!scaled.skipped) checks.push(valueCheck('over maxNorm: every gradient is scaled by maxNorm/‖g‖ (one global norm)', 'result', scaled));
  if (!unchanged.skipped) checks.push(valueCheck('at or under maxNorm: the gradients come back unchanged', 'result', unchanged));
  if (z.ok || zeroProblem !== null) checks.push(check('all-zero gradients come back as zeros', zeroProblem === null, zeroProblem ?? 'A zero norm is under the limit: zeros come back, no NaN.'));
  return checks;
}

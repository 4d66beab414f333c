/**
 * Turning comparisons into checks a learner can act on. A forward check compares with rnnlab's numbers
 * at the grader's weights; a gradient check compares two ways, with rnnlab's analytic gradient and with
 * finite differences of the learner's own forward, so the message can say which half is wrong:
 *
 *   rnnlab's  FD of yours  your forward   the message
 *   agree     —            —              right
 *   differ    agree        wrong          the backward is consistent; the forward is what is wrong
 *   differ    differ       right          the forward is right; this gradient is wrong
 *   differ    differ       wrong          both are wrong
 *
 * and, when the learner's numbers match a known mistake's, a hint naming it.
 */
import type { Check } from './types.js';
import { FD_PASS, MEASURE_NOTE, PASS, describeError, fmtRel, relError } from './compare.js';
import { check } from './contract.js';
import { flat, type Arr } from './arrays.js';
import { MistakeLedger, matchMistake } from './mistakes.js';

/** The learner's numbers against rnnlab's over all cases, with the mistakes' numbers alongside. */
export class Comparison {
  readonly learner: number[] = [];
  readonly reference: number[] = [];
  readonly mistakes = new MistakeLedger();
  /** The first case whose value could not be read (a shape, a type, a NaN, a throw), if any. */
  problem: string | null = null;
  /**
   * A case could not be run at all (its forward or backward failed the contract): the contract's
   * check says why, and this comparison is left out of the report rather than repeating it.
   */
  skipped = false;
  cases = 0;

  skip(): void {
    this.skipped = true;
  }

  /** One case: the learner's value (or why there is none), rnnlab's, and each mistake's. */
  add(learner: Arr | string, reference: Arr, mistakes: readonly { id: string; hint: string; value: Arr }[] = []): void {
    this.cases++;
    if (this.problem !== null) return;
    if (typeof learner === 'string') {
      this.problem = learner;
      return;
    }
    this.learner.push(...flat(learner));
    this.reference.push(...flat(reference));
    for (const m of mistakes) this.mistakes.add(m.id, m.hint, flat(m.value));
  }

  get rel(): number {
    return this.problem === null ? relError(this.learner, this.reference) : Infinity;
  }

  get right(): boolean {
    return this.problem === null && this.cases > 0 && this.rel < PASS;
  }

  hint(): string | null {
    return this.problem === null ? matchMistake(this.learner, this.reference, this.mistakes.entries()) : null;
  }
}

const cases = (n: number): string => (n === 1 ? 'one random case' : `${n} random cases`);

/** A forward pass (or any returned value) against rnnlab's: `what` names it in the message ("h", "y_t", "c"). */
export function valueCheck(name: string, what: string, c: Comparison): Check {
  if (c.problem !== null) return check(name, false, c.problem);
  const hint = c.hint();
  const rel = c.rel;
  if (c.right) return check(name, true, `Your ${what} matches rnnlab's over ${cases(c.cases)}: ${describeError(rel, PASS)} ${MEASURE_NOTE}.`);
  return check(name, false, `Your ${what} differs from rnnlab's at the same weights and inputs, over ${cases(c.cases)}: ${describeError(rel, PASS)} ${MEASURE_NOTE}.${hint ? ` Hint: ${hint}` : ''}`);
}

/** One gradient's two witnesses, gathered case by case. */
export class GradientComparison extends Comparison {
  readonly sampled: number[] = [];
  readonly fd: number[] = [];
  fdProblem: string | null = null;

  /** The learner's entries at the differenced indices and the differences there (or why there are none). */
  addFiniteDifferences(learnerAtEntries: readonly number[], fd: readonly number[] | string): void {
    if (this.fdProblem !== null) return;
    if (typeof fd === 'string') {
      this.fdProblem = fd;
      return;
    }
    this.sampled.push(...learnerAtEntries);
    this.fd.push(...fd);
  }

  get fdRel(): number {
    return this.fdProblem === null && this.fd.length > 0 ? relError(this.sampled, this.fd) : Infinity;
  }
}

/**
 * The check of one gradient, `name` as the learner knows it (dW_hh, dx, dcPrev). `forwardRight`: the
 * learner's forward agreed with rnnlab's; `against` names rnnlab's computation ("rnnlab's BPTT").
 */
export function gradientCheck(name: string, g: GradientComparison, forwardRight: boolean, against: string): Check {
  const title = `gradient ${name}`;
  if (g.problem !== null) return check(title, false, g.problem);
  const refRel = g.rel, fdRel = g.fdRel;
  const fdKnown = g.fdProblem === null && g.fd.length > 0;
  const fdAgrees = fdKnown && fdRel < FD_PASS;
  const refText = `${against}: ${describeError(refRel, PASS)}`;
  // "…; against finite differences of your forward: relative error …", or why there are none.
  const andFd = (word: string): string => (fdKnown
    ? `; ${word} finite differences of your forward: ${describeError(fdRel, FD_PASS)}`
    : ` (finite differences of your forward could not be taken: ${g.fdProblem ?? 'no entries'})`);
  const over = ` Over ${cases(g.cases)} ${MEASURE_NOTE}.`;
  if (g.right) {
    const note = fdKnown && !fdAgrees ? ' It does not match finite differences of your forward, so your forward is what is off: see the forward check.' : '';
    return check(title, true, `${name} agrees with ${refText}${andFd('with')}.${over}${note}`);
  }
  const hint = g.hint();
  const hintText = hint ? ` Hint: ${hint}` : '';
  let verdict: string;
  if (fdAgrees && !forwardRight) {
    verdict = `Your backward agrees with finite differences of your forward (relative error ${fmtRel(fdRel)}), but your forward is wrong (see the forward check): ${name} is the right gradient of the wrong function. Fix the forward first.`;
  } else if (fdAgrees) {
    verdict = `${name} agrees with finite differences of your forward (${fmtRel(fdRel)}) but not with ${refText}.`;
  } else if (forwardRight) {
    verdict = `Your forward is right, your ${name} is wrong: against ${refText}${andFd('against')}.`;
  } else {
    verdict = `Both halves are off: your ${name} disagrees with ${refText}${andFd('and with')}; your forward is wrong too (see the forward check).`;
  }
  return check(title, false, `${verdict}${over}${hintText}`);
}

/**
 * Known mistakes, told by their numbers: the grader computes what a mistaken version of the exercise
 * would return at the same weights and inputs, and when the learner's numbers match it (and not the
 * right ones) it names the mistake. This file holds what every exercise's mistakes share; the mistaken
 * computations themselves are in mistakes-rnn.ts, mistakes-lstm.ts, mistakes-clip.ts and
 * mistakes-flow.ts, each written as the correct computation with switches.
 */
import { MISTAKE_MATCH, relError } from './compare.js';

/** One known mistake: a switch of a mistaken computation, and what to tell a learner who made it. */
export interface Mistake<V> {
  id: string;
  hint: string;
  variant: V;
}

/** A mistake's numbers for one compared quantity, all random cases' entries in one flat array. */
export interface MistakeValues {
  hint: string;
  values: number[];
}

/** Collects each mistake's numbers case by case, as the learner's are collected. */
export class MistakeLedger {
  private readonly byId = new Map<string, MistakeValues>();

  /** `id` tells apart two variants that share a hint (a sum left at its first or its last step). */
  add(id: string, hint: string, values: readonly number[]): void {
    const m = this.byId.get(id) ?? { hint, values: [] };
    m.values.push(...values);
    this.byId.set(id, m);
  }

  entries(): MistakeValues[] {
    return [...this.byId.values()];
  }
}

/**
 * The hint of the first mistake whose numbers the learner's match, or null. A mistake whose numbers
 * equal the right ones on these cases tells nothing, so it is never named for a learner who is right.
 */
export function matchMistake(learner: readonly number[], right: readonly number[], mistakes: readonly MistakeValues[]): string | null {
  for (const m of mistakes) {
    if (m.values.length !== learner.length) continue;
    if (relError(m.values, right) < MISTAKE_MATCH) continue;
    if (relError(learner, m.values) < MISTAKE_MATCH) return m.hint;
  }
  return null;
}

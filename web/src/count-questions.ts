/**
 * The two counting questions of the exercise set (theory A1: how many parameters; A2.3: how many
 * multiplications), answered as a formula and checked against rnnlab's own counters, countParameters and
 * countMultiplications (src/analysis/counts.ts), at several random sizes with exact integer equality.
 * Two polynomials that differ agree at a handful of random points only by a rare accident, so passing
 * at all of them is passing; a wrong answer is shown at the first size where it is off.
 *
 * Each question states its convention (PyTorch's two biases, no output layer, what a multiplication
 * is): the count is a number only once that is fixed, and the counters fix it the way stated here.
 */
import { countMultiplications, countParameters, MULTIPLICATION_CONVENTION } from 'rnnlab';
import { evaluateFormula, FormulaError, formatRational, parseFormula, type Formula, type FormulaVariable } from './formula.js';

export type CountQuestionId = 'A1' | 'A2';
export type Sizes = Record<FormulaVariable, number>;

export interface CountQuestion {
  id: CountQuestionId;
  /** Where the question comes from, with the exercise set's words quoted. */
  source: string;
  /** The question as the page asks it: what exactly is counted. */
  question: string;
  /** The sizes the answer may use. */
  variables: readonly FormulaVariable[];
  /** Why a size the answer must not use is wrong to use. */
  notHere: Partial<Record<FormulaVariable, string>>;
  /** rnnlab's count at these sizes. */
  count(s: Sizes): number;
  /** Answers people often give, each with what it misses; compared at the same sizes. */
  misconceptions: readonly { formula: string; hint: string }[];
}

export const COUNT_QUESTIONS: readonly CountQuestion[] = [
  {
    id: 'A1',
    source: 'A1 asks, for a vanilla RNN, “How many weight matrices are needed?” Here: how many numbers the matrices and the biases hold.',
    question:
      'How many parameters does a vanilla RNN have, for input size D and hidden size H? Count as PyTorch’s ' +
      'nn.RNN and rnnlab’s countParameters do: one layer, tanh, with both bias vectors b_ih and b_hh (PyTorch ' +
      'keeps them apart, so each counts), and no output layer.',
    variables: ['H', 'D'],
    notHere: {
      T: 'the parameter count does not depend on the sequence length T: the unrolled network uses the same weights at every step (A2.2)',
      O: 'this question has no output layer, so the answer has no O',
    },
    count: (s) => countParameters({ cell: 'rnn', D: s.D, H: s.H }).total,
    misconceptions: [
      { formula: 'H*D + H*H + H', hint: 'that counts one bias vector; PyTorch and rnnlab keep b_ih and b_hh apart, H entries each' },
      { formula: 'H*D + H*H', hint: 'that counts the two weight matrices; the two bias vectors are parameters too' },
      { formula: '2*H*D + 2*H', hint: 'W_hh maps h_{t−1} (H entries) to H entries: it is H × H, not H × D' },
    ],
  },
  {
    id: 'A2',
    source: 'A2: “For a sequence of length T: … What is the total number of multiplications (in terms of hidden size H and input size D)?”',
    question:
      'How many multiplications does one forward pass of a vanilla RNN take over T steps, in H, D and T? One layer, ' +
      'one sequence (batch size B = 1), no output layer. Counted as rnnlab’s countMultiplications counts them: ' +
      `${MULTIPLICATION_CONVENTION}.`,
    variables: ['H', 'D', 'T'],
    notHere: { O: 'this question has no output layer, so the answer has no O' },
    count: (s) => countMultiplications({ cell: 'rnn', T: s.T, D: s.D, H: s.H }).total,
    misconceptions: [
      { formula: 'H*D + H*H', hint: 'that is one step’s count; the forward pass runs T steps, each with the same cost' },
      { formula: 'T*(H*D + H*H + H)', hint: 'adding the bias is an addition, not a multiplication, and tanh’s insides are not counted' },
      { formula: 'T*(H*D + H*H) + H', hint: 'each of the T steps costs the same; nothing is done once outside them' },
      { formula: 'T*(2*H*D)', hint: 'W_hh h_{t−1} multiplies an H × H matrix by H entries: H·H, not H·D' },
    ],
  },
];

export function countQuestion(id: CountQuestionId): CountQuestion {
  return COUNT_QUESTIONS.find((q) => q.id === id)!;
}

export interface CountTrial {
  sizes: Sizes;
  expected: number;
  got: string;
}

export interface CountVerdict {
  correct: boolean;
  /** What the page shows under the answer. */
  message: string;
  /** The sizes tried, until the first mismatch. */
  trials: CountTrial[];
}

/** Sizes are drawn from 1 to this: small enough to read in a message, large enough to tell formulas apart. */
const MAX_SIZE = 64;
export const COUNT_TRIALS = 8;

function drawSizes(random: () => number): Sizes {
  const draw = () => 1 + Math.floor(random() * MAX_SIZE);
  return { H: draw(), D: draw(), T: draw(), O: draw() };
}

function showSizes(q: CountQuestion, s: Sizes): string {
  return q.variables.map((v) => `${v} = ${s[v]}`).join(', ');
}

function sameEverywhere(f: Formula, g: Formula, at: readonly Sizes[]): boolean {
  return at.every((s) => {
    const a = evaluateFormula(f, s), b = evaluateFormula(g, s);
    return a.n === b.n && a.d === b.d;
  });
}

/**
 * Checks an answer to question `q`: parses it, refuses sizes the question does not have, and compares
 * it with rnnlab's count at COUNT_TRIALS random sizes (`random` draws them; Math.random by default).
 */
export function checkCountAnswer(q: CountQuestion, text: string, random: () => number = Math.random): CountVerdict {
  let f: Formula;
  try {
    f = parseFormula(text);
  } catch (e) {
    if (e instanceof FormulaError) return { correct: false, message: `Not a formula: ${e.message}.`, trials: [] };
    throw e;
  }
  for (const v of f.variables) {
    if (!q.variables.includes(v)) {
      return { correct: false, message: `${v}: ${q.notHere[v] ?? `not a size in this question (use ${q.variables.join(', ')})`}.`, trials: [] };
    }
  }
  const sizes = Array.from({ length: COUNT_TRIALS }, () => drawSizes(random));
  const trials: CountTrial[] = [];
  for (const s of sizes) {
    const expected = q.count(s);
    let value;
    try {
      value = evaluateFormula(f, s);
    } catch (e) {
      if (e instanceof FormulaError) return { correct: false, message: `At ${showSizes(q, s)}: ${e.message}.`, trials };
      throw e;
    }
    trials.push({ sizes: s, expected, got: formatRational(value) });
    if (value.d !== 1n || value.n !== BigInt(expected)) {
      const hint = q.misconceptions.find((m) => sameEverywhere(f, parseFormula(m.formula), sizes))?.hint;
      return {
        correct: false,
        message: `Not yet: at ${showSizes(q, s)} your formula gives ${formatRational(value)}, rnnlab counts ${expected}.${hint ? ` Hint: ${hint}.` : ''}`,
        trials,
      };
    }
  }
  return { correct: true, message: `Right: equal to rnnlab’s count at ${trials.length} random sizes (${trials.map((t) => `${showSizes(q, t.sizes)} → ${t.expected}`).slice(0, 3).join('; ')}; …).`, trials };
}

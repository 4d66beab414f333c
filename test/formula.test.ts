/**
 * The lab's formula answers (web/src/formula.ts, web/src/count-questions.ts): the parser reads a count as
 * a learner writes it and evaluates it exactly, refuses junk by position, and the A1/A2 checker accepts
 * rnnlab's count and rejects a wrong one with the size where it is off.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkCountAnswer, countQuestion } from '../web/src/count-questions.js';
import { evaluateFormula, FormulaError, formatRational, parseFormula } from '../web/src/formula.js';

const at = { H: 4, D: 3, T: 5, O: 2 };
const value = (text: string) => formatRational(evaluateFormula(parseFormula(text), at));

/** A seeded stand-in for Math.random, so a failure reproduces. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function errorOf(text: string): FormulaError {
  try {
    parseFormula(text);
  } catch (e) {
    if (e instanceof FormulaError) return e;
    throw e;
  }
  assert.fail(`${JSON.stringify(text)} parsed`);
}

describe('formula parser', () => {
  it('evaluates + − × / ^ and parentheses with the usual precedence', () => {
    assert.equal(value('H*D + H*H'), '28');
    assert.equal(value('T*(H*D + H*H) - 2^3'), '132');
    assert.equal(value('2^3^2'), '512'); // right-associative
    assert.equal(value('-H^2'), '-16'); // ^ binds tighter than minus
  });

  it('reads juxtaposition, ×, ·, −, ** and ² as a learner writes them', () => {
    assert.equal(value('T(HD + H²)'), '140');
    assert.equal(value('4H·D + 4H×H − 2H'), '104');
    assert.equal(value('H**2'), '16');
  });

  it('divides exactly', () => {
    assert.equal(value('H(H+1)/2'), '10');
    assert.equal(value('D/H'), '3/4');
    assert.equal(value('3H·D/3'), '12');
  });

  it('lists the sizes a formula uses', () => {
    assert.deepEqual([...parseFormula('T(HD + H)').variables].sort(), ['D', 'H', 'T']);
  });

  it('rejects a character it does not know, naming its position', () => {
    const e = errorOf('H + x');
    assert.equal(e.position, 5);
    assert.match(e.message, /unexpected 'x'.* at character 5$/);
  });

  it('rejects a lowercase size and says the sizes are capitals', () => {
    assert.match(errorOf('h*d').message, /'h' is not a size: the sizes are capitals.* at character 1$/);
  });

  it('rejects a missing operand, an unclosed and a stray parenthesis, each by position', () => {
    assert.equal(errorOf('H + * D').position, 5);
    assert.equal(errorOf('2 * (H + D').position, 5);
    assert.match(errorOf('2 * (H + D').message, /never closed/);
    assert.equal(errorOf('H + D)').position, 6);
    assert.match(errorOf('').message, /empty/);
  });

  it('asks for × between a size and a number instead of guessing', () => {
    assert.equal(errorOf('H2').position, 2);
  });

  it('refuses division by zero and runaway powers when evaluating', () => {
    assert.throws(() => evaluateFormula(parseFormula('H/(D-3)'), at), /division by zero at character 2/);
    assert.throws(() => evaluateFormula(parseFormula('H^65'), at), /exponent 65/);
    assert.throws(() => evaluateFormula(parseFormula('(H^64)^64'), at), /grows too large/);
  });

  it('never runs the text as code', () => {
    assert.throws(() => parseFormula('globalThis.x = 1'), FormulaError);
  });
});

describe('the counting questions A1 and A2', () => {
  const a1 = countQuestion('A1'), a2 = countQuestion('A2');

  it('A1 accepts the parameter count with two bias vectors, in any equivalent form', () => {
    assert.equal(checkCountAnswer(a1, 'H*D + H*H + 2*H', seeded(1)).correct, true);
    assert.equal(checkCountAnswer(a1, 'H(D + H + 2)', seeded(2)).correct, true);
  });

  it('A1 rejects one bias vector, names a size where it is off, and gives the hint', () => {
    const v = checkCountAnswer(a1, 'HD + H² + H', seeded(3));
    assert.equal(v.correct, false);
    assert.match(v.message, /^Not yet: at H = \d+, D = \d+ your formula gives \d+, rnnlab counts \d+\. Hint: that counts one bias vector/);
  });

  it('A1 rejects a formula in T: the weights are shared across steps', () => {
    const v = checkCountAnswer(a1, 'T(HD + H² + 2H)', seeded(4));
    assert.equal(v.correct, false);
    assert.match(v.message, /^T: the parameter count does not depend on the sequence length/);
  });

  it('A2 accepts T·(H·D + H·H)', () => {
    const v = checkCountAnswer(a2, 'T·(H·D + H·H)', seeded(5));
    assert.equal(v.correct, true, v.message);
    assert.equal(v.trials.length, 8);
  });

  it('A2 rejects the count of one step with the hint that there are T', () => {
    const v = checkCountAnswer(a2, 'HD + HH', seeded(6));
    assert.equal(v.correct, false);
    assert.match(v.message, /Hint: that is one step’s count/);
  });

  it('A2 reports a formula that is not one with its position', () => {
    const v = checkCountAnswer(a2, 'T(HD + ', seeded(7));
    assert.equal(v.correct, false);
    assert.match(v.message, /^Not a formula: .*at character/);
  });
});

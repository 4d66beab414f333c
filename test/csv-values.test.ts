/**
 * readSeriesCsv reads only plain decimal numbers (optional sign, digits, optional fraction, optional
 * exponent): the forms JavaScript's Number() would also take (hex, binary, octal, blank, Infinity, ...)
 * are refused naming the file, the line, the column and the cell. A column given as a string is a header
 * name first, and a 0-based index only when no header has that name.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readSeriesCsv } from '../src/tasks/series-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-csv-values-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let count = 0;

/** Writes `text` to a new CSV file in the temp dir and gives its path. */
function csv(text: string): string {
  const file = join(dir, `f${++count}.csv`);
  writeFileSync(file, text);
  return file;
}

/** Asserts that fn throws a message containing every fragment. */
function throwsWith(fn: () => unknown, ...fragments: string[]): void {
  assert.throws(fn, (e: Error) => {
    for (const f of fragments) assert.ok(e.message.includes(f), `"${e.message}" lacks "${f}"`);
    return true;
  });
}

describe('cells that are not plain decimal numbers', () => {
  for (const cell of ['0x1F', '0b101', '0o17', '1e', 'Infinity', '-Infinity', 'NaN', '1_000', '1,5', '++1', '.', 'e5', '1.2.3']) {
    it(`${JSON.stringify(cell)} is refused naming the file, the line, the column and the cell`, () => {
      const file = csv(`t,y\n1,2\n2,${cell.includes(',') ? `"${cell}"` : cell}\n`);
      throwsWith(() => readSeriesCsv(file), `${file}: line 3, column "y"`, `got ${JSON.stringify(cell)}`, 'plain decimal');
    });
  }

  it('an empty cell is refused naming the file, the line and the column', () => {
    const file = csv('t,y\n1,2\n2,\n');
    throwsWith(() => readSeriesCsv(file), `${file}: line 3, column "y"`, 'an empty cell');
  });

  it('a cell of only spaces is refused as an empty cell (cells are trimmed)', () => {
    const file = csv('t,y\n1,2\n2,   \n');
    throwsWith(() => readSeriesCsv(file), `${file}: line 3, column "y"`, 'an empty cell');
  });

  it('a quoted cell of only spaces is refused quoting its text', () => {
    const file = csv('t,y\n1,2\n2,"  "\n');
    throwsWith(() => readSeriesCsv(file), `${file}: line 3, column "y"`, 'got "  "');
  });

  it('a decimal beyond the float64 range is refused as not finite', () => {
    const file = csv('t,y\n1,2\n2,1e999\n');
    throwsWith(() => readSeriesCsv(file), `${file}: line 3, column "y"`, 'finite', '"1e999"');
  });

  it('the line named is the file line, blank lines included', () => {
    const file = csv('t,y\n\n1,2\n\n\n2,0x10\n');
    throwsWith(() => readSeriesCsv(file), `${file}: line 6, column "y"`, '"0x10"');
  });
});

describe('plain decimal numbers', () => {
  it('signs, fractions, a bare leading or trailing point and exponents are all read', () => {
    const cells = ['-3', '+2.5', '.5', '2.', '6.02E+23', '1e-3', '007', '-0', ' 4 '];
    const file = csv(`t,y\n${cells.map((c, i) => `${i},${c}`).join('\n')}\n`);
    assert.deepEqual(Array.from(readSeriesCsv(file).values), [-3, 2.5, 0.5, 2, 6.02e23, 0.001, 7, -0, 4]);
  });
});

describe('choosing the column', () => {
  const file = csv('year,2024,2025\n1,10,100\n2,20,200\n');

  it('a column given as a digit string is matched by header name first', () => {
    const s = readSeriesCsv(file, { column: '2024' });
    assert.equal(s.column, '2024');
    assert.deepEqual(Array.from(s.values), [10, 20]);
  });

  it('a digit string that names no header is a 0-based index', () => {
    const s = readSeriesCsv(file, { column: '0' });
    assert.equal(s.column, 'year');
    assert.deepEqual(Array.from(s.values), [1, 2]);
  });

  it('a number is always a 0-based index', () => {
    assert.equal(readSeriesCsv(file, { column: 2 }).column, '2025');
  });

  it('a header named like an index wins over the index', () => {
    const f = csv('a,0,b\n1,2,3\n');
    assert.equal(readSeriesCsv(f, { column: '0' }).column, '0');
    assert.equal(readSeriesCsv(f, { column: 0 }).column, 'a');
  });

  it('a digit string that names no header and is past the last index is refused, listing the columns', () => {
    throwsWith(() => readSeriesCsv(file, { column: '2026' }), 'column:', '"2026"', '0: "year"', '1: "2024"', '2: "2025"', `${file}: line 1`);
  });
});

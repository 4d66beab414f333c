/**
 * A univariate time series read from a CSV file, for `ForecastTask`.
 *
 * The file format: a header row naming the columns, then one row per time point, in time order; every
 * row has as many cells as the header. One column is the series (default the last column, so a
 * `"YEAR","VALUE"` file needs no option). Blank lines are skipped; cells are trimmed; quoting follows
 * RFC 4180 (csv-parse). The other columns are not looked at beyond their count (a date column can hold
 * anything).
 *
 * Choosing the column (`column`):
 * - a number is a 0-based index;
 * - a string is first a header name (so a column headed `2024` is found by `'2024'`); only if no header
 *   has that name, and it is a plain non-negative integer (`/^[0-9]+$/`), is it a 0-based index.
 *
 * A value is a plain decimal number, nothing else: an optional sign, digits, an optional fraction and an
 * optional exponent (`-3`, `1.5`, `.5`, `2.`, `-3e1`, `6.02E+23`). Hexadecimal, binary and octal
 * literals (`0x1F`, `0b101`, `0o17`), `Infinity`, `NaN`, an empty or blank cell, and half-numbers such
 * as `1e` are refused (JavaScript's Number() would take several of them), as is a decimal beyond the
 * float64 range (`1e999`).
 *
 * Every error names the file and the 1-based line of the file it is about (the line a record ends
 * on, as csv-parse counts them), so a user can open the file at that line; a refused value also names
 * its column and quotes the cell.
 *
 * Big files: the file is opened through src/io/files.ts (`readRegularFile`): non-blocking, and only if
 * the open handle is a regular file, so a FIFO, a socket, a directory or a device (a symlink to
 * /dev/zero included) is refused at once, and at most CSV_MAX_BYTES = 512 MiB, checked before reading.
 * The bytes go to csv-parse as they are (no decoded copy of the text), and each record is taken in
 * csv-parse's `on_record` callback and dropped (none are collected), its value written into a
 * Float64Array that doubles as it fills; so memory is the file's bytes plus 8 bytes a row.
 *
 * `builtinSeries('sunspots')`: the yearly mean sunspot numbers 1700–2008 shipped in data/sunspots.csv
 * (see data/README.md for its source and licence).
 */
import { fileURLToPath } from 'node:url';
import { CsvError, parse } from 'csv-parse/sync';
import { readRegularFile } from '../io/files.js';
import { describeValue } from '../tensor/check.js';

/** The largest CSV file `readSeriesCsv` reads, in bytes: 512 MiB (module doc). */
export const CSV_MAX_BYTES = 512 * 2 ** 20;

/** A plain decimal number: optional sign, digits, optional fraction, optional exponent. */
const DECIMAL = /^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$/;

export interface SeriesCsvOptions {
  /** The series' column: a number is a 0-based index; a string is a header name, else (if no header has it) a 0-based index written in digits. Default: the last column. */
  column?: string | number;
}

export interface SeriesData {
  /** A short name for messages and specs: the built-in series' name, or the file's path as given. */
  name: string;
  /** [N]: the series, in file order. */
  values: Float64Array;
  /** The header name of the column read. */
  column: string;
  /** The file read (as given, or the built-in file's absolute path). */
  file: string;
  /** 1-based line of the file holding values[0] (values[i] need not be on firstLine + i: blank lines are skipped). */
  firstLine: number;
}

/** The series built into rnnlab, by name. */
export const BUILTIN_SERIES = ['sunspots'] as const;
export type BuiltinSeriesName = (typeof BUILTIN_SERIES)[number];

/** Absolute path of a built-in series' CSV (resolved from this module, so it works from src/ and dist/). */
export function builtinSeriesPath(name: BuiltinSeriesName): string {
  return fileURLToPath(new URL(`../../data/${name}.csv`, import.meta.url));
}

/** A series built into rnnlab: `builtinSeries('sunspots')` (column SUNACTIVITY, 309 yearly values). */
export function builtinSeries(name: BuiltinSeriesName): SeriesData {
  if (!(BUILTIN_SERIES as readonly string[]).includes(name)) {
    throw new RangeError(`name: expected one of ${BUILTIN_SERIES.map((s) => `'${s}'`).join(', ')}, got ${describeValue(name)}`);
  }
  return { ...readSeriesCsv(builtinSeriesPath(name), { column: 'SUNACTIVITY' }), name };
}

/** Reads one numeric column of a CSV file with a header row; see the module doc for the format and errors. */
export function readSeriesCsv(file: string, opts: SeriesCsvOptions = {}): SeriesData {
  if (typeof file !== 'string' || file === '') throw new TypeError(`file: expected a path to a CSV file, got ${describeValue(file)}`);
  const bytes = readRegularFile(file, { what: 'CSV file', maxBytes: CSV_MAX_BYTES });

  let header: string[] | null = null, headerLine = 0, columns = '', col = -1, colName = '';
  let values = new Float64Array(1024), n = 0, firstLine = 0;
  const onRecord = (record: string[], lines: number): void => {
    if (header === null) {
      header = record;
      headerLine = lines;
      columns = header.map((h) => JSON.stringify(h)).join(', ');
      col = columnIndex(`${file}: line ${headerLine} (the header)`, header, opts.column);
      colName = header[col];
      return;
    }
    if (record.length !== header.length) {
      throw new RangeError(
        `${file}: line ${lines}: expected ${header.length} columns as in the header (${columns}), got ${record.length}: ${JSON.stringify(record)}`,
      );
    }
    if (n === 0) firstLine = lines;
    if (n === values.length) {
      const grown = new Float64Array(values.length * 2);
      grown.set(values);
      values = grown;
    }
    values[n++] = parseValue(record[col], `${file}: line ${lines}, column ${JSON.stringify(colName)}`);
  };

  try {
    // Column counts are checked in onRecord rather than by csv-parse, so the message can quote the
    // header. on_record returns null: csv-parse keeps no record, parse() returns [].
    parse(bytes, {
      relax_column_count: true, skip_empty_lines: true, trim: true, bom: true,
      on_record: (record: string[], info) => { onRecord(record, info.lines); return null; },
    });
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      throw new RangeError(`${file}: line ${line ?? '?'}: not valid CSV (${e.message})`);
    }
    throw e;
  }
  if (header === null) throw new RangeError(`${file}: line 1: expected a header row naming the columns, got an empty file`);
  if (n === 0) throw new RangeError(`${file}: line ${headerLine + 1}: expected data rows after the header (${columns}), got none`);
  return { name: file, values: n === values.length ? values : values.slice(0, n), column: colName, file, firstLine };
}

/** A cell's value: a plain decimal number that is finite in float64 (module doc); `where` names file, line and column. */
function parseValue(cell: string, where: string): number {
  if (DECIMAL.test(cell)) {
    const v = Number(cell);
    if (Number.isFinite(v)) return v;
    throw new RangeError(`${where}: expected a finite number, got ${describeValue(cell)} (beyond the float64 range)`);
  }
  const got = cell === '' ? 'an empty cell' : JSON.stringify(cell);
  // 'Infinity' and 'NaN' are not decimals; saying "finite" tells the user why they are not read.
  throw new RangeError(
    `${where}: expected a finite plain decimal number (optional sign, digits, optional fraction and exponent, e.g. -1.5e3), got ${got}`,
  );
}

/** `where` is the file and header line, for the messages. A string is a header name first, then an index. */
function columnIndex(where: string, header: string[], column: string | number | undefined): number {
  const list = header.map((h, i) => `${i}: ${JSON.stringify(h)}`).join(', ');
  if (column === undefined) return header.length - 1;
  if (typeof column === 'number') {
    if (Number.isInteger(column) && column >= 0 && column < header.length) return column;
    throw new RangeError(`column: expected a column index in [0, ${header.length - 1}] (columns ${list}), got ${column} (${where})`);
  }
  if (typeof column === 'string') {
    const i = header.indexOf(column);
    if (i >= 0) return i;
    if (/^[0-9]+$/.test(column)) {
      const k = Number(column);
      if (k < header.length) return k;
      throw new RangeError(
        `column: expected a header name or a column index in [0, ${header.length - 1}] (columns ${list}), got ${describeValue(column)}, ` +
        `which names no column and is past the last index (${where})`,
      );
    }
    throw new RangeError(`column: expected one of the columns ${list} (a name, or a 0-based index), got ${describeValue(column)} (${where})`);
  }
  throw new TypeError(`column: expected a column name or index, got ${describeValue(column)}`);
}

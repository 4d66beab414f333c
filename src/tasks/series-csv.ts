/**
 * A univariate time series read from a CSV file, for `ForecastTask`.
 *
 * The file format: a header row naming the columns, then one row per time point, in time order; every
 * row has as many cells as the header. One column is the series (by name or 0-based index; default the
 * last column, so a `"YEAR","VALUE"` file needs no option). Every cell of that column must parse as a
 * finite number; the other columns are not looked at beyond their count (a date column can hold
 * anything). Blank lines are skipped; cells are trimmed; quoting follows RFC 4180 (csv-parse).
 *
 * Every error names the file and the 1-based line of the file it is about (the line a record ends
 * on, as csv-parse counts them), so a user can open the file at that line.
 *
 * `builtinSeries('sunspots')`: the yearly mean sunspot numbers 1700–2008 shipped in data/sunspots.csv
 * (see data/README.md for its source and licence).
 */
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CsvError, parse } from 'csv-parse/sync';

export interface SeriesCsvOptions {
  /** The series' column: its header name, or its 0-based index. Default: the last column. */
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

interface CsvRow {
  record: string[];
  info: { lines: number };
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
    throw new RangeError(`name: expected one of ${BUILTIN_SERIES.map((s) => `'${s}'`).join(', ')}, got ${JSON.stringify(name)}`);
  }
  return { ...readSeriesCsv(builtinSeriesPath(name), { column: 'SUNACTIVITY' }), name };
}

/** Reads one numeric column of a CSV file with a header row; see the module doc for the format and errors. */
export function readSeriesCsv(file: string, opts: SeriesCsvOptions = {}): SeriesData {
  if (typeof file !== 'string' || file === '') throw new TypeError(`file: expected a path to a CSV file, got ${JSON.stringify(file)}`);
  let text: string;
  try {
    if (statSync(file).isDirectory()) throw new RangeError(`${file}: expected a CSV file, got a directory`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof RangeError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new RangeError(code === 'ENOENT' ? `${file}: no such file` : `${file}: cannot read it (${(e as Error).message})`);
  }

  let rows: CsvRow[];
  try {
    // Column counts are checked below rather than by csv-parse, so the message can quote the header.
    rows = parse(text, { info: true, relax_column_count: true, skip_empty_lines: true, trim: true, bom: true }) as unknown as CsvRow[];
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      throw new RangeError(`${file}: line ${line ?? '?'}: not valid CSV (${e.message})`);
    }
    throw e;
  }
  if (rows.length === 0) throw new RangeError(`${file}: line 1: expected a header row naming the columns, got an empty file`);

  const header = rows[0].record, headerLine = rows[0].info.lines;
  const columns = header.map((h) => JSON.stringify(h)).join(', ');
  if (rows.length === 1) {
    throw new RangeError(`${file}: line ${headerLine + 1}: expected data rows after the header (${columns}), got none`);
  }
  const col = columnIndex(`${file}: line ${headerLine} (the header)`, header, opts.column);
  const colName = header[col];

  const values = new Float64Array(rows.length - 1);
  for (let r = 1; r < rows.length; r++) {
    const { record, info } = rows[r];
    if (record.length !== header.length) {
      throw new RangeError(
        `${file}: line ${info.lines}: expected ${header.length} columns as in the header (${columns}), got ${record.length}: ${JSON.stringify(record)}`,
      );
    }
    const cell = record[col];
    // Number('') is 0 and Number(' ') too: an empty cell is refused before converting.
    const v = cell === '' ? Number.NaN : Number(cell);
    if (cell === '' || (Number.isNaN(v) && !/^[+-]?nan$/i.test(cell))) {
      throw new RangeError(`${file}: line ${info.lines}, column ${JSON.stringify(colName)}: expected a number, got ${cell === '' ? 'an empty cell' : JSON.stringify(cell)}`);
    }
    if (!Number.isFinite(v)) {
      throw new RangeError(`${file}: line ${info.lines}, column ${JSON.stringify(colName)}: expected a finite number, got ${JSON.stringify(cell)}`);
    }
    values[r - 1] = v;
  }
  return { name: file, values, column: colName, file, firstLine: rows[1].info.lines };
}

/** `where` is the file and header line, for the messages. */
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
    throw new RangeError(`column: expected one of the columns ${list}, got ${JSON.stringify(column)} (${where})`);
  }
  throw new TypeError(`column: expected a column name or index, got ${JSON.stringify(column)}`);
}

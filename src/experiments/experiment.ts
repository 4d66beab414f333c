/**
 * The experiments framework: each experiment asks one conceptual question (the project's exercises C1,
 * C5, C6, ...) and answers it with numbers computed by this library, never typed by hand.
 *
 * An experiment is a pure function of (seed, quick): the same options give the same table, except for
 * wall-clock timings, which an experiment that measures time says it does.
 */
import type { VegaLiteSpec } from '../plot/frame.js';
import { describeValue } from '../tensor/check.js';

export interface ExperimentOptions {
  /** Seeds every random thing (weights, data). */
  seed: number;
  /** Smaller sizes, for tests and a first look (a few seconds). */
  quick: boolean;
}

export interface Table {
  columns: string[];
  rows: (string | number)[][];
}

export interface ExperimentResult {
  name: string;
  /** Every size and hyperparameter used, so the table can be reproduced. */
  settings: Record<string, unknown>;
  table: Table;
  /** Generated from the numbers in the table (or `data`), not typed by hand. */
  conclusion: string;
  /** The raw numbers behind the table, for tests and plots. */
  data: unknown;
}

export interface Experiment {
  /** Short id, as given to `rnnlab experiment <name>`. */
  name: string;
  title: string;
  question: string;
  run(options: ExperimentOptions, log: (line: string) => void): ExperimentResult;
  /**
   * The experiment's figure, drawn from the result of its own run (`rnnlab experiment <name> --plot
   * <file.svg>`). Optional: most experiments are a table, and a figure is added where a curve says more.
   */
  figure?(result: ExperimentResult): VegaLiteSpec;
}

/** A number for a table: 3 significant digits, exponent form when very small or large. */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x) && Math.abs(x) < 1e7) return String(x); // counts and sizes, exactly
  const a = Math.abs(x);
  if (a >= 1e-3 && a < 1e5) return Number(x.toPrecision(3)).toString();
  return x.toExponential(2);
}

/** A table as Markdown (GitHub pipe table); numbers go through fmt(), columns are padded to line up. */
export function formatTable(table: Table): string {
  if (!table || !Array.isArray(table.columns) || !Array.isArray(table.rows)) {
    throw new TypeError(`table: expected { columns: string[], rows: (string|number)[][] }, got ${describeValue(table)}`);
  }
  const n = table.columns.length;
  const cells = table.rows.map((row, i) => {
    if (!Array.isArray(row) || row.length !== n) {
      throw new RangeError(`table.rows[${i}]: expected ${n} cells (one per column), got ${Array.isArray(row) ? row.length : typeof row}`);
    }
    return row.map((c) => (typeof c === 'number' ? fmt(c) : c));
  });
  const widths = table.columns.map((c, j) => Math.max(c.length, 3, ...cells.map((r) => r[j].length)));
  const line = (r: string[]): string => `| ${r.map((c, j) => c.padEnd(widths[j])).join(' | ')} |`;
  return [line(table.columns), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...cells.map(line)].join('\n');
}

/** Median of a list of numbers (timings). */
export function median(xs: readonly number[]): number {
  if (xs.length === 0) throw new RangeError('median: expected at least one number, got none');
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Euclidean norm of a flat array (or a slice of it). */
export function norm(a: ArrayLike<number>, start = 0, end = a.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}

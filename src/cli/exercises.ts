/**
 * `rnnlab exercises`: the workbook of Part B of the exercise set (B1–B5).
 *   init DIR [--force]   writes the five stubs and a README into DIR, for the learner to fill in
 *   solution B4          prints rnnlab's own answer to one exercise
 *   list                 prints the exercises: id, file, title
 * The files come from the package's exercises/ folder (exercises/stubs, exercises/solutions).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { writeFileAtomic } from '../io/atomic.js';
import { WORKBOOK, findExercise, workbookReadme } from '../exercises/workbook.js';
import { packageRoot } from './package-root.js';

/** The package's exercises/ folder: stubs/ and solutions/, one file per exercise. */
export function exercisesDir(): string {
  return join(packageRoot(import.meta.url), 'exercises');
}

function readPackaged(kind: 'stubs' | 'solutions', file: string): string {
  const path = join(exercisesDir(), kind, file);
  if (!existsSync(path)) throw new Error(`${path} is missing from the rnnlab package; reinstall it`);
  return readFileSync(path, 'utf8');
}

/** rnnlab's own answer to exercise `id` ('B4' or 'b4'), the file's text. */
export function solutionSource(id: string): string {
  return readPackaged('solutions', findExercise(id).file);
}

export interface InitResult {
  /** The files written, in order: the five stubs, then README.md. */
  written: string[];
  /** Learner's .js files that the new .ts stubs now shadow (only with force: without it they stop init). */
  shadowed: string[];
}

/**
 * Writes the five stubs and README.md into `dir`, creating it if needed. Without `force` it writes
 * nothing when any of them is there already, or a .js file of the same exercise is (the checker reads
 * the .ts first, so the stub would hide the learner's work); the error names the file.
 */
export function initWorkbook(dir: string, force = false): InitResult {
  const files = [...WORKBOOK.map((e) => ({ name: e.file, text: readPackaged('stubs', e.file) })), { name: 'README.md', text: workbookReadme(dir) }];
  const existing = files.map((f) => join(dir, f.name)).filter((p) => existsSync(p));
  const shadowed = WORKBOOK.map((e) => join(dir, e.file.replace(/\.ts$/, '.js'))).filter((p) => existsSync(p));
  if (!force) {
    // All checked before the first write, so that a refusal leaves the folder as it was.
    if (existing.length > 0) throw new Error(`exercises init: ${existing.join(', ')} ${existing.length === 1 ? 'exists' : 'exist'} already; pass --force to overwrite`);
    if (shadowed.length > 0) {
      throw new Error(`exercises init: ${shadowed.join(', ')} ${shadowed.length === 1 ? 'is' : 'are'} there already, and a .ts stub beside it would be the one checked; pass --force to write the stubs anyway`);
    }
  }
  const written: string[] = [];
  for (const f of files) {
    const path = join(dir, f.name);
    writeFileAtomic(path, f.text);
    written.push(path);
  }
  return { written, shadowed };
}

export function registerExercises(program: Command): void {
  const cmd = program
    .command('exercises')
    .description('the workbook of exercises B1–B5 (RNN cell, BPTT, clipping, LSTM cell, gradient flow): write the stubs, see the solutions')
    .addHelpText('after', '\nExamples:\n  rnnlab exercises list\n  rnnlab exercises init my-rnn\n  rnnlab check my-rnn B1\n  rnnlab exercises solution B1');

  cmd
    .command('init')
    .description('write the five exercise stubs and a README into DIR (created if needed)')
    .argument('<dir>', 'the folder to write into')
    .option('--force', 'overwrite files that are there already')
    .action((dir: string, opts: { force?: boolean }) => {
      const r = initWorkbook(dir, opts.force === true);
      for (const p of r.shadowed) console.error(`warning: ${p} is now hidden by the .ts stub beside it (the checker reads the .ts first)`);
      console.log(`Wrote ${r.written.length} files:\n${r.written.map((p) => `  ${p}`).join('\n')}`);
      console.log(`\nStart with ${join(dir, WORKBOOK[0].file)}, then: rnnlab check ${dir} B1`);
    });

  cmd
    .command('solution')
    .description("print rnnlab's own answer to one exercise")
    .argument('<id>', `one of ${WORKBOOK.map((e) => e.id).join(', ')}`)
    .action((id: string) => {
      process.stdout.write(solutionSource(id));
    });

  cmd
    .command('list')
    .description('list the exercises: id, file, title')
    .action(() => {
      const width = Math.max(...WORKBOOK.map((e) => e.file.length));
      for (const e of WORKBOOK) console.log(`${e.id}  ${e.file.padEnd(width)}  ${e.title} (${e.level})`);
    });
}

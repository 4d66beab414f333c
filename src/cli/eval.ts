/**
 * `rnnlab eval` and `rnnlab sample`: use a checkpoint. The task comes from the checkpoint's task spec
 * (saved by `rnnlab train`), so no task flags are needed; `--text` / `--csv` point a character model or a
 * forecaster at other data.
 *
 * What eval scores, and whether it calls the model solved, is src/train/verdict.ts's rule, the one
 * `rnnlab train` reports its result by: a character model, every character of the held-out text (bits
 * per character); a forecaster, every held-out target (MSE, against persistence and the AR fit); a
 * synthetic task, 4096 fresh held-out sequences from a fixed seed.
 */
import type { Command } from 'commander';
import { loadCheckpoint, type LoadedCheckpoint } from '../io/checkpoint.js';
import { sampleText } from '../tasks/char-lm-eval.js';
import { taskFromSpec } from '../tasks/registry.js';
import type { Task } from '../tasks/task.js';
import { verdict } from '../train/verdict.js';
import { Vocabulary } from '../tasks/vocab.js';
import { nonNegativeInt, positiveInt, positiveNumber } from './args.js';

export interface EvalCliOptions {
  checkpoint: string;
  /** Another text (char-lm) or CSV (forecast) to evaluate on. */
  text?: string;
  csv?: string;
  json: boolean;
}

export interface EvalResult {
  checkpoint: string;
  step: number;
  task: string;
  loss: number;
  metric: number;
  metricName: string;
  baseline: number;
  solvedBelow: number;
  solved: boolean;
  /** char-lm only. */
  bitsPerChar?: number;
  chars?: number;
  /** forecast only. */
  forecast?: { targets: number; mse: number; mseSeriesUnits: number; persistenceMse: number; arMse: number; skill: number; skillVsAr: number };
}

function loadWithTask(path: string, file?: string): { ck: LoadedCheckpoint; task: Task } {
  const ck = loadCheckpoint(path);
  if (ck.task === null) {
    throw new RangeError(`--checkpoint: ${ck.path} holds no task spec (it was not saved by rnnlab train), so there is nothing to evaluate it on`);
  }
  const task = taskFromSpec(ck.task, file !== undefined ? { file } : {});
  const m = ck.model;
  if (m.inputSize !== task.inputSize || m.outputSize !== task.outputSize) {
    throw new RangeError(`--checkpoint: the model takes ${m.inputSize} inputs and gives ${String(m.outputSize)} outputs, but task ${task.name} needs ${task.inputSize} and ${task.outputSize}` +
      (file !== undefined ? ` (does ${file} use characters the model was not trained on?)` : ''));
  }
  return { ck, task };
}

export function runEval(o: EvalCliOptions, log: (line: string) => void = console.log): EvalResult {
  if (o.text !== undefined && o.csv !== undefined) throw new RangeError('--text and --csv: give at most one');
  const { ck, task } = loadWithTask(o.checkpoint, o.text ?? o.csv);
  const model = ck.model;
  const base = { checkpoint: ck.path, step: ck.step, task: task.name, baseline: task.baseline(), solvedBelow: task.solvedBelow };
  const v = verdict(model, task);
  let res: EvalResult;
  if (v.charLM) {
    const r = v.charLM;
    res = { ...base, loss: v.loss, metric: v.metric, metricName: v.metricName, solved: v.solved, bitsPerChar: r.bpc, chars: r.chars };
    log(`${task.name}: ${r.bpc.toFixed(4)} bits per character on ${r.chars} held-out characters (accuracy ${r.accuracy.toFixed(3)})`);
    log(`  unigram (memoryless) ${(task.baseline() / Math.LN2).toFixed(4)} bpc; bigram ${(task.solvedBelow / Math.LN2).toFixed(4)} bpc: ${res.solved ? 'better than the bigram model' : 'not better than the bigram model'}`);
  } else if (v.forecast) {
    const f = v.forecast;
    res = {
      ...base, loss: v.loss, metric: v.metric, metricName: v.metricName, solved: v.solved,
      forecast: { targets: f.targets, mse: f.mse, mseSeriesUnits: f.mseSeriesUnits, persistenceMse: f.persistenceMse, arMse: f.arMse, skill: f.skill, skillVsAr: f.skillVsAr },
    };
    log(`${task.name}: held-out MSE ${f.mse.toPrecision(4)} (standardised; ${f.mseSeriesUnits.toPrecision(4)} in the series' units) over ${f.targets} targets`);
    log(`  persistence ${f.persistenceMse.toPrecision(4)}, AR fit ${f.arMse.toPrecision(4)}; skill vs persistence ${f.skill.toFixed(3)}, vs AR ${f.skillVsAr.toFixed(3)}`);
  } else {
    res = { ...base, loss: v.loss, metric: v.metric, metricName: v.metricName, solved: v.solved };
    log(`${task.name} (T = ${task.seqLen}): loss ${v.loss.toPrecision(4)} on ${v.on} (baseline ${task.baseline().toPrecision(4)}), ${v.metricName} ${v.metric.toFixed(3)}: ${res.solved ? 'SOLVED' : 'not solved'} (solved below ${task.solvedBelow.toPrecision(3)})`);
  }
  if (o.json) log(JSON.stringify(res));
  return res;
}

export interface SampleCliOptions {
  checkpoint: string;
  prime: string;
  temperature: number;
  length: number;
  seed: number;
}

export function runSample(o: SampleCliOptions): string {
  const ck = loadCheckpoint(o.checkpoint);
  if (ck.task === null || ck.task.kind !== 'char-lm') {
    throw new RangeError(`--checkpoint: ${ck.path} is not a character model (its task is ${ck.task === null ? 'not recorded' : JSON.stringify(ck.task.kind)}); train one with rnnlab train --task char-lm`);
  }
  if (typeof ck.task.vocab !== 'string') throw new RangeError(`--checkpoint: ${ck.path}: task.vocab: expected the vocabulary string`);
  // The vocabulary alone is enough: sampling never reads the training text.
  const vocab = Vocabulary.fromChars(ck.task.vocab, 'the checkpoint\'s vocabulary');
  return sampleText(ck.model, vocab, { prime: o.prime, temperature: o.temperature, length: o.length, seed: o.seed });
}

export function registerEval(program: Command): void {
  program
    .command('eval')
    .description('evaluate a checkpoint on its task: bits per character for a character model, held-out MSE for a forecaster, loss and metric for the synthetic tasks')
    .requiredOption('--checkpoint <dir>', 'a checkpoint directory, or a checkpoints/ root (its latest)')
    .option('--text <file>', 'character model: the text file whose held-out split to score (needed when it was trained on a file: rnnlab reads no file only because a checkpoint names it)')
    .option('--csv <file>', 'forecaster: the CSV file (same column) to score on (needed when it was trained on one)')
    .option('--json', 'print the result as one JSON line, last')
    .addHelpText('after', '\nExamples:\n  rnnlab eval --checkpoint out/train/checkpoints\n  rnnlab eval --checkpoint out/char/checkpoints/step-000002000 --json\n  rnnlab eval --checkpoint out/char/checkpoints --text my-notes.txt')
    .action((opts: Omit<EvalCliOptions, 'json'> & { json?: boolean }) => {
      runEval({ ...opts, json: opts.json === true });
    });

  program
    .command('sample')
    .description('generate text from a character-model checkpoint')
    .requiredOption('--checkpoint <dir>', 'a char-lm checkpoint directory, or a checkpoints/ root (its latest)')
    .option('--prime <text>', 'text to read before generating (every character must be in the model\'s vocabulary)', 'The ')
    .option('--temperature <x>', 'softmax temperature: lower is more conservative', positiveNumber, 0.8)
    .option('--length <n>', 'characters to generate', positiveInt, 300)
    .option('--seed <n>', 'seed of the sampler', nonNegativeInt, 0)
    .addHelpText('after', '\nExamples:\n  rnnlab sample --checkpoint out/char/checkpoints --prime "Call me " --temperature 0.8 --length 300\n  rnnlab sample --checkpoint out/char/checkpoints --temperature 0.5 --seed 3')
    .action((opts: SampleCliOptions) => {
      const text = runSample(opts);
      console.log(opts.prime + text);
    });
}

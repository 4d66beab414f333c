#!/usr/bin/env node
/** The `rnnlab` command line. */
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { demoDefaults, runDemo } from './demo.js';
import { memoryDemoDefaults, runMemoryDemo } from './demo-memory.js';
import { nonNegativeInt, positiveInt, positiveNumber } from './args.js';
import { registerCheck } from './check.js';
import { registerExperiment } from './experiment.js';
import { registerEval } from './eval.js';
import { registerExercises } from './exercises.js';
import { registerExport } from './export.js';
import { registerReproduce } from './reproduce.js';
import { registerTrain } from './train.js';
import { gradflowDefaults, registerGradflow, runGradflow } from './gradflow.js';

// package.json sits two folders up from src/cli/ and from dist/cli/ alike.
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

const program = new Command();
program
  .name('rnnlab')
  .version(version, '-V, --version', 'print the version of rnnlab')
  .description('Recurrent neural networks with hand-written BPTT: RNN, LSTM, GRU')
  .showHelpAfterError()
  .configureOutput({ outputError: (s, write) => write(s) });

const d = demoDefaults;
program
  .command('demo')
  .description('the tour: the tutorial RNN trained with BPTT and clipping, the gradient-flow picture, then an LSTM learning a long-memory task a tanh RNN does not')
  .option('--steps <n>', 'training steps', positiveInt, d.steps)
  .option('--hidden <n>', 'hidden size', positiveInt, d.hidden)
  .option('--seq-len <n>', 'time steps per sequence', positiveInt, d.seqLen)
  .option('--batch <n>', 'sequences per batch', positiveInt, d.batch)
  .option('--lr <x>', 'Adam learning rate', positiveNumber, d.lr)
  .option('--clip <x>', 'max global gradient norm', positiveNumber, d.clip)
  .option('--seed <n>', 'seed for weights and data', nonNegativeInt, d.seed)
  .option('--every <n>', 'report every n steps', positiveInt, d.every)
  .option('--no-gradflow', 'skip the gradient-flow analysis that follows the training demo')
  .option('--no-memory', 'skip the last part: an LSTM learning the adding problem that a tanh RNN does not')
  .option('--memory-steps <n>', 'training steps of each model in the last part', positiveInt, memoryDemoDefaults.steps)
  .option('--out <dir>', 'where the gradient-flow report, plot and JSON go', 'out/gradflow')
  .addHelpText('after', '\nExamples:\n  rnnlab demo\n  rnnlab demo --steps 1000 --hidden 64 --seed 3\n  rnnlab demo --no-gradflow --memory-steps 1000')
  .action(async (opts: typeof d & { gradflow: boolean; memory: boolean; memorySteps: number; out: string }) => {
    const { gradflow, memory, memorySteps, out, ...demo } = opts;
    runDemo(demo);
    if (gradflow) {
      console.log('\nWhy gated cells: how much of a final-step gradient reaches each earlier step (PyTorch-default init).\n');
      await runGradflow({ ...gradflowDefaults, seed: demo.seed, out });
    }
    if (memory) {
      console.log('\nWhat that means for learning: an LSTM and a tanh RNN (with twice its parameters) on a long-memory task.\n');
      runMemoryDemo({ ...memoryDemoDefaults, steps: memorySteps, seed: demo.seed });
    }
  });

registerGradflow(program);
registerExperiment(program);
registerTrain(program);
registerEval(program);
registerExport(program);
registerExercises(program);
registerCheck(program);
registerReproduce(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(`rnnlab: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});

/** `rnnlab experiment <name>`: runs one concept experiment and prints its question, table and conclusion. */
import type { Command } from 'commander';
import { formatTable } from '../experiments/experiment.js';
import { experiments, findExperiment } from '../experiments/registry.js';
import { nonNegativeInt } from './args.js';

export function registerExperiment(program: Command): void {
  program
    .command('experiment')
    .description('run a concept experiment (docs/concepts.md quotes their output)')
    .argument('[name]', `one of: ${experiments.map((e) => e.name).join(', ')}`)
    .option('--quick', 'smaller sizes: a few seconds')
    .option('--seed <n>', 'seed for weights and data', nonNegativeInt, 0)
    .option('--json', 'print the full result as one JSON line at the end')
    .option('--list', 'list the experiments and their questions')
    .addHelpText('after', '\nExamples:\n  rnnlab experiment --list\n  rnnlab experiment tied-weights\n  rnnlab experiment cell-probe --quick --seed 1')
    .action((name: string | undefined, opts: { quick?: boolean; seed: number; json?: boolean; list?: boolean }) => {
      if (opts.list || name === undefined) {
        for (const e of experiments) console.log(`${e.name.padEnd(20)} ${e.question}`);
        if (!opts.list) throw new Error(`experiment: give a name, one of ${experiments.map((e) => `'${e.name}'`).join(', ')}`);
        return;
      }
      const exp = findExperiment(name);
      const t0 = performance.now();
      const res = exp.run({ seed: opts.seed, quick: opts.quick === true }, (line) => console.error(`  ${line}`));
      console.log(`## ${exp.title}\n\n${exp.question}\n\n${formatTable(res.table)}\n\n${res.conclusion}`);
      console.log(`\n(rnnlab experiment ${name}${opts.quick ? ' --quick' : ''} --seed ${opts.seed}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      if (opts.json) console.log(JSON.stringify(res));
    });
}

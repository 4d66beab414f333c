/** `rnnlab experiment <name>`: runs one concept experiment and prints its question, table and conclusion. */
import type { Command } from 'commander';
import { formatTable } from '../experiments/experiment.js';
import { experiments, findExperiment } from '../experiments/registry.js';
import { nonNegativeInt } from './args.js';
import { writePlot } from './plot-files.js';

interface ExperimentCliOptions {
  quick?: boolean;
  seed: number;
  json?: boolean;
  list?: boolean;
  plot?: string;
}

export function registerExperiment(program: Command): void {
  const withFigure = experiments.filter((e) => e.figure !== undefined).map((e) => e.name);
  program
    .command('experiment')
    .description('run a concept experiment (docs/concepts.md quotes their output)')
    .argument('[name]', `one of: ${experiments.map((e) => e.name).join(', ')}`)
    .option('--quick', 'smaller sizes: a few seconds')
    .option('--seed <n>', 'seed for weights and data', nonNegativeInt, 0)
    .option('--json', 'print the full result as one JSON line at the end')
    .option('--list', 'list the experiments and their questions')
    .option('--plot <file.svg>', `also draw the experiment's figure, as SVG and a PNG beside it (experiments with one: ${withFigure.join(', ')})`)
    .addHelpText('after', '\nExamples:\n  rnnlab experiment --list\n  rnnlab experiment tied-weights\n  rnnlab experiment cell-probe --quick --seed 1\n  rnnlab experiment lstm-paths --plot docs/img/lstm-paths.svg')
    .action(async (name: string | undefined, opts: ExperimentCliOptions) => {
      if (opts.list || name === undefined) {
        for (const e of experiments) console.log(`${e.name.padEnd(20)} ${e.question}`);
        if (!opts.list) throw new Error(`experiment: give a name, one of ${experiments.map((e) => `'${e.name}'`).join(', ')}`);
        return;
      }
      const exp = findExperiment(name);
      // Checked before the run, which can take minutes, rather than after it.
      if (opts.plot !== undefined) {
        if (!exp.figure) throw new Error(`--plot: experiment '${name}' has no figure; the ones with a figure: ${withFigure.map((n) => `'${n}'`).join(', ')}`);
        if (!/\.svg$/i.test(opts.plot)) throw new Error(`--plot: expected a file name ending in .svg (the PNG goes beside it), got '${opts.plot}'`);
      }
      const t0 = performance.now();
      const res = exp.run({ seed: opts.seed, quick: opts.quick === true }, (line) => console.error(`  ${line}`));
      console.log(`## ${exp.title}\n\n${exp.question}\n\n${formatTable(res.table)}\n\n${res.conclusion}`);
      console.log(`\n(rnnlab experiment ${name}${opts.quick ? ' --quick' : ''} --seed ${opts.seed}: ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
      if (opts.plot !== undefined && exp.figure) {
        const png = opts.plot.replace(/\.svg$/i, '.png');
        // Without the optional plotting packages writePlot warns and writes nothing; the table still stands.
        const written = await writePlot(exp.figure(res), opts.plot, png, (line) => console.error(line));
        if (written.length > 0) console.error(`Wrote ${written.join(' and ')}.`);
      }
      if (opts.json) console.log(JSON.stringify(res));
    });
}

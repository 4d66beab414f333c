/**
 * docs/reproductions.md, written from the results of `rnnlab reproduce`: one table per task, each row
 * with our setting and the paper's, the success rate over seeds, the ledger of sequences seen, the
 * paper's criterion on our test set, and a verdict against the paper computed from the numbers (never
 * typed in by hand).
 */
import { VERDICT_SEQUENCES } from '../train/verdict.js';
import { HELD_OUT_SEQUENCES, SOLVED_CHECKS, type ReproResult, type ReproTask } from './reproductions.js';

const TITLES: Record<ReproTask, string> = {
  'adding': 'Adding problem (MSE; the memoryless baseline is 1/6; solved below 0.01)',
  'temporal-order': 'Temporal order (cross-entropy over 4 classes; the baseline is ln 4; solved below 0.01)',
  'copy': 'Copy memory (cross-entropy; the baseline is 10·ln 8/(T+20); solved below 1 % of it)',
};

/** Below this fraction of the baseline a row counts as having beaten it (Arjovsky et al.'s claim for copy). */
export const BEATS_BASELINE = 0.95;

export function fmtNum(x: number | null): string {
  if (x === null || Number.isNaN(x)) return 'diverged (NaN)';
  if (!Number.isFinite(x)) return x > 0 ? '∞ (diverged)' : String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 0.01 && a < 1000 ? x.toFixed(a < 1 ? 4 : 2) : x.toExponential(2);
}

const count = (n: number): string => n.toLocaleString('en-US');

/** What our runs did, in words: "solved by 3/3 seeds" or "not solved by 0/3 seeds (lr sweep 3e-3, 3e-4 too)". */
function ours(r: ReproResult): string {
  const n = r.reported.length;
  const swept = r.runs.some((x) => x.phase === 'sweep');
  const lrNote = r.lr !== r.row.lr ? ` at lr ${r.lr} from the sweep (none at ${r.row.lr})` : swept ? ` (lr sweep ${r.row.lrSweep.join(', ')} on seed ${r.row.seeds[0]} solved none either)` : '';
  return r.solvedSeeds > 0 ? `solved by ${r.solvedSeeds}/${n} seeds${lrNote}` : `solved by 0/${n} seeds in ${r.row.steps} steps${lrNote}`;
}

/** Whether our runs agree with what the paper reports for this row, in words. */
export function verdict(r: ReproResult): string {
  const { outcome, says } = r.row.expect;
  const o = ours(r);
  if (outcome === 'none') return `${o}; ${says}.`;
  const beaten = r.medianTestLoss < BEATS_BASELINE * r.baseline;
  const agree = outcome === 'solves' ? r.solvedSeeds > 0
    : outcome === 'fails' ? r.solvedSeeds === 0
      : outcome === 'beats-baseline' ? beaten : !beaten;
  const what = outcome === 'beats-baseline' || outcome === 'at-baseline'
    ? `median loss ${fmtNum(r.medianTestLoss / r.baseline)}× the baseline, ${o}`
    : o;
  if (agree) return `**agrees**: ${what}; ${says}.`;
  const budget = r.row.paper.sequences !== undefined && r.sequencesSeen < r.row.paper.sequences
    ? ` Our runs saw ${count(r.sequencesSeen)} sequences, the paper's ${count(r.row.paper.sequences)}.`
    : '';
  return `**differs**: ${what}; ${says}.${budget}`;
}

function setting(r: ReproResult): string {
  const s = r.row;
  return `H=${s.hidden}, ${s.optimizer === 'sgd' ? 'SGD' : 'Adam'} lr ${s.lr}, clip ${s.clip}, batch ${s.batch}, ≤ ${s.steps} steps; ${s.ours}`;
}

function ledger(r: ReproResult): string {
  return `ours ${count(r.sequencesSeen)}; paper: ${r.row.paper.budget}`;
}

function paperScale(r: ReproResult): string {
  const v = r.medianPaperMetric;
  return r.row.task === 'temporal-order' ? `${Math.round(v)} wrong` : fmtNum(v);
}

export function reproductionsMarkdown(results: ReproResult[], meta: { command: string; date: string; seconds: number; wallSeconds?: number; quick: boolean; unfinished?: string[] }): string {
  const out: string[] = [];
  const runs = results.reduce((s, r) => s + r.runs.length, 0);
  const wall = meta.wallSeconds !== undefined ? `, ${(meta.wallSeconds / 60).toFixed(0)} min wall-clock` : '';
  out.push('# Reproductions');
  out.push('');
  out.push(`Written by \`${meta.command}\` on ${meta.date}: ${results.length} rows, ${runs} training runs, ${(meta.seconds / 60).toFixed(0)} min of training in all${wall}, on a shared`);
  out.push('machine. Every number below comes from that run; rerun the command to check it (`--jobs` sets the');
  out.push('worker threads; `--list` shows the rows).');
  out.push('');
  out.push('How each row is run (src/experiments/reproductions.ts):');
  out.push('');
  out.push(`- Each seed trains until the loss on a fixed held-out set of ${HELD_OUT_SEQUENCES} sequences is below the task's bar at ${SOLVED_CHECKS} checks in a`);
  out.push('  row (one check can pass by luck), or its step budget runs out.');
  out.push(`- Then it is scored on ${count(VERDICT_SEQUENCES)} fresh sequences by the verdict \`rnnlab train\` and \`rnnlab eval\` use: "solved" is`);
  out.push('  that loss below the bar. "Solved" counts the seeds that pass it; "median steps" is over those seeds,');
  out.push('  at the step their second check passed.');
  out.push('- A row none of whose seeds solves it first tries a small lr sweep on its first seed; if a swept lr');
  out.push('  solves, the other seeds run at it too and the row reports that lr.');
  out.push('- "Ledger" is the median number of training sequences our reported seeds saw, next to the paper\'s');
  out.push('  budget where the paper gives one. "Paper\'s scale" is the paper\'s own criterion measured on our test');
  out.push('  sequences (median over seeds).');
  if (meta.quick) out.push('\n**This is the quick smoke version (tiny T, a few dozen steps); its numbers say nothing about the papers.**');
  if (meta.unfinished?.length) {
    out.push(`\n**Unfinished: the run had not completed these rows when this table was rendered**, so they are missing below: ${meta.unfinished.map((id) => `\`${id}\``).join(', ')}.`);
  }
  out.push('');
  const tasks = [...new Set(results.map((r) => r.row.task))];
  for (const task of tasks) {
    const rows = results.filter((r) => r.row.task === task);
    out.push(`## ${TITLES[task]}`);
    out.push('');
    out.push(`Paper's scale: ${rows[0].paperMetricName}. Metric: ${rows[0].metricName}.`);
    out.push('');
    out.push('| T | model | params | solved | median steps | median test loss | paper\'s scale | ledger (sequences) | our setting | vs the paper |');
    out.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const steps = r.medianSteps !== undefined ? String(r.medianSteps) : '—';
      out.push(`| ${r.row.T} | ${r.row.model} | ${r.params} | ${r.solvedSeeds}/${r.reported.length} | ${steps} | ${fmtNum(r.medianTestLoss)} | ${paperScale(r)} | ${ledger(r)} | ${setting(r)} | ${meta.quick ? '— (smoke run)' : verdict(r)} |`);
    }
    out.push('');
    out.push('The papers\' own settings:');
    out.push('');
    const seen = new Set<string>();
    for (const r of rows) {
      const line = `${r.row.paper.setting}. Criterion: ${r.row.paper.criterion}.`;
      if (!seen.has(line)) { seen.add(line); out.push(`- ${line}`); }
    }
    out.push('');
    out.push(`Row ids for \`--only\`: ${rows.map((r) => `\`${r.row.id}\``).join(', ')}.`);
    out.push('');
  }
  out.push('## Every run');
  out.push('');
  out.push('| row | seed | lr | phase | checks passed at | steps run | test loss | solved | seconds |');
  out.push('|---|---|---|---|---|---|---|---|---|');
  for (const r of results) {
    for (const x of r.runs) {
      out.push(`| ${r.row.id} | ${x.seed} | ${x.lr} | ${x.phase} | ${x.solvedAt ?? '—'} | ${x.stepsRun} | ${fmtNum(x.testLoss)} | ${x.solved ? 'yes' : 'no'} | ${x.seconds.toFixed(1)} |`);
    }
  }
  out.push('');
  out.push('## References');
  out.push('');
  out.push('- Hochreiter, S. & Schmidhuber, J. (1997). Long short-term memory. *Neural Computation* 9(8), 1735–1780.');
  out.push('- Pascanu, R., Mikolov, T. & Bengio, Y. (2013). On the difficulty of training recurrent neural networks. *ICML 2013*, PMLR 28(3), 1310–1318.');
  out.push('- Le, Q. V., Jaitly, N. & Hinton, G. E. (2015). A simple way to initialize recurrent networks of rectified linear units. arXiv:1504.00941.');
  out.push('- Arjovsky, M., Shah, A. & Bengio, Y. (2016). Unitary evolution recurrent neural networks. *ICML 2016*, PMLR 48, 1120–1128.');
  out.push('- Cho, K. et al. (2014). Learning phrase representations using RNN encoder–decoder for statistical machine translation. *EMNLP 2014*.');
  out.push('- Chung, J., Gulcehre, C., Cho, K. & Bengio, Y. (2014). Empirical evaluation of gated recurrent neural networks on sequence modeling. *NIPS 2014 Deep Learning Workshop*, arXiv:1412.3555.');
  out.push('');
  return out.join('\n');
}

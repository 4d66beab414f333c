/**
 * docs/reproductions.md, written from the results of `rnnlab reproduce`: one table per task, each row
 * with its settings, its measured numbers and a verdict against the cited paper, computed from the
 * numbers (never typed in by hand).
 */
import { rowId, TEST_SEQUENCES, type ReproResult, type ReproTask } from './reproductions.js';

const TITLES: Record<ReproTask, string> = {
  'adding': 'Adding problem (MSE; the memoryless baseline is 1/6; solved below 0.01)',
  'temporal-order': 'Temporal order (cross-entropy over 4 classes; the baseline is ln 4; solved below 0.01)',
  'copy': 'Copy memory (cross-entropy; the baseline is 10·ln 8/(T+20); solved below 1% of it)',
};

export function fmtNum(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 0.01 && a < 1000 ? x.toFixed(a < 1 ? 4 : 2) : x.toExponential(2);
}

/** Whether our run agrees with what the paper reports for this row, in words. */
export function verdict(r: ReproResult): string {
  const { outcome, says } = r.row.expect;
  const borderline = !r.solved && r.solvedAt !== undefined
    ? `not solved on the test set (${fmtNum(r.testLoss)} ≥ ${r.solvedBelow}), though the held-out check passed at step ${r.solvedAt}, where training stopped`
    : null;
  const ours = r.solved ? 'solved' : borderline ?? `not solved in ${r.row.steps} steps`;
  if (outcome === 'none') return `${ours}; ${says}.`;
  const agree = (outcome === 'solves') === r.solved;
  if (agree) return `**agrees**: ${ours}; ${says}.`;
  return r.solved
    ? `**differs**: solved; ${says}. Adam with clipping (and our budget) may be the difference.`
    : borderline !== null
      ? `**borderline**: ${ours}; ${says}.`
      : `**differs**: ${ours}; ${says}. Our budget is small (${r.row.steps} steps of ${r.row.batch}); the paper trained far longer.`;
}

function settings(r: ReproResult): string {
  const s = r.row;
  const fb = s.forgetBias !== undefined ? `, forget bias ${s.forgetBias}` : '';
  return `H=${s.hidden}, Adam lr ${s.lr}, clip 1, batch ${s.batch}${fb}, seed ${s.seed}`;
}

export function reproductionsMarkdown(results: ReproResult[], meta: { command: string; date: string; seconds: number; quick: boolean }): string {
  const out: string[] = [];
  out.push('# Reproductions');
  out.push('');
  out.push(`Written by \`${meta.command}\` on ${meta.date} (${meta.seconds.toFixed(0)} s of training in all, wall-clock on a shared machine). Every`);
  out.push('number below comes from that run; rerun the command to check it. Each row trains until its held-out');
  out.push(`loss is below the task's solved threshold (checked every ${results[0]?.row.evalEvery ?? '—'} steps) or its step budget runs out, then is scored`);
  out.push(`on ${TEST_SEQUENCES} fresh test sequences. "Steps to solve" is the first check below the threshold.`);
  if (meta.quick) out.push('\n**This is the quick smoke version (tiny T, a few dozen steps); its numbers say nothing about the papers.**');
  out.push('');
  const tasks = [...new Set(results.map((r) => r.row.task))];
  for (const task of tasks) {
    const rows = results.filter((r) => r.row.task === task);
    out.push(`## ${TITLES[task]}`);
    out.push('');
    out.push('| T | model | params | test loss | baseline | metric | steps to solve | seconds | settings | vs the paper |');
    out.push('|---|---|---|---|---|---|---|---|---|---|');
    for (const r of rows) {
      const solve = r.solvedAt !== undefined ? String(r.solvedAt) : `not in ${r.row.steps}`;
      out.push(`| ${r.row.T} | ${r.row.model} | ${r.params} | ${fmtNum(r.testLoss)} | ${fmtNum(r.baseline)} | ${fmtNum(r.testMetric)} | ${solve} | ${r.seconds.toFixed(1)} | ${settings(r)} | ${meta.quick ? '— (smoke run)' : verdict(r)} |`);
    }
    out.push('');
    out.push(`Metric: ${rows[0].metricName}. Row ids for \`--only\`: ${rows.map((r) => `\`${rowId(r.row)}\``).join(', ')}.`);
    out.push('');
    const solved = rows.filter((r) => r.solved).map((r) => `${r.row.model} at T=${r.row.T}`);
    const failed = rows.filter((r) => !r.solved).map((r) => `${r.row.model} at T=${r.row.T}`);
    out.push(`Solved: ${solved.length ? solved.join(', ') : 'none'}. Not solved within the budget: ${failed.length ? failed.join(', ') : 'none'}.`);
    out.push('');
  }
  out.push('## References');
  out.push('');
  out.push('- Hochreiter & Schmidhuber 1997, *Long short-term memory*, Neural Computation 9(8).');
  out.push('- Pascanu, Mikolov & Bengio 2013, *On the difficulty of training recurrent neural networks*, ICML.');
  out.push('- Le, Jaitly & Hinton 2015, *A simple way to initialize recurrent networks of rectified linear units*, arXiv:1504.00941.');
  out.push('- Arjovsky, Shah & Bengio 2016, *Unitary evolution recurrent neural networks*, ICML.');
  out.push('- Cho et al. 2014, *Learning phrase representations using RNN encoder–decoder*; Chung et al. 2014, *Empirical evaluation of gated recurrent neural networks on sequence modeling*.');
  out.push('');
  return out.join('\n');
}

/**
 * The reproductions: the classic long-range-memory results, rerun with our cells and trainer, each row
 * at the paper's own setting where our machine allows it (the rows themselves, with their papers, are
 * in ./reproduction-rows.ts).
 *
 * The protocol of one row, the same for every row:
 * - Each seed trains until the held-out loss (a fixed set of HELD_OUT_SEQUENCES, drawn once per run)
 *   is below the task's bar at SOLVED_CHECKS checks in a row, or the step budget runs out. One check
 *   can pass by luck on a noisy set; two in a row rarely do.
 * - Then it is scored by the verdict (src/train/verdict.ts): VERDICT_SEQUENCES fresh sequences, the
 *   same rule `rnnlab train` and `rnnlab eval` use. "Solved" is that verdict, not the training check.
 * - A row reports its success rate over its seeds and the median steps to solve of the solved ones.
 * - Before a row with no solved seed is called a failure, a small lr sweep runs: its first seed at each
 *   of `lrSweep`. If one of them solves, the other seeds run at that lr too, and the row reports that
 *   lr's success rate (and says so). `planNext` decides what runs next: the worker pool of `rnnlab
 *   reproduce` and the rendering of an unfinished run's log (src/cli/reproduce.ts) both follow it.
 */
import type { Nonlinearity } from '../cells/rnn.js';
import type { CellKind } from '../cells/ops.js';
import type { InitOptions } from '../layers/init.js';
import { createModel, type Model } from '../layers/factory.js';
import type { OptimizerKind } from '../optim/factory.js';
import { AddingTask } from '../tasks/adding.js';
import { CopyMemoryTask } from '../tasks/copy-memory.js';
import { lastStep, type Task } from '../tasks/task.js';
import { TemporalOrderTask } from '../tasks/temporal-order.js';
import { Rng } from '../tensor/random.js';
import { train } from '../train/trainer.js';
import { median } from './experiment.js';
import { verdict, VERDICT_BATCH, VERDICT_SEED, VERDICT_SEQUENCES } from '../train/verdict.js';

export type ReproTask = 'adding' | 'temporal-order' | 'copy';

/**
 * What the cited paper reports for this model on this task: it solves it (to its own criterion), it
 * fails to, it gets below the memoryless baseline (without necessarily solving), it stays at it, or
 * nothing we can compare.
 */
export interface PaperClaim {
  outcome: 'solves' | 'fails' | 'beats-baseline' | 'at-baseline' | 'none';
  /** The claim in words, with its citation. */
  says: string;
}

/** How the paper itself ran this row, so the table can put its setting and budget next to ours. */
export interface PaperSetting {
  /** The paper's own setting in words (encoding, T, H, init, optimizer, batch). */
  setting: string;
  /** Its training budget, in sequences seen, where the paper gives it. */
  sequences?: number;
  /** The budget in words (also when it is not in sequences, or not given). */
  budget: string;
  /** The paper's success criterion, and what it is on our scale. */
  criterion: string;
}

export interface ReproRow {
  /** Unique id for `--only` (task, T and model variant). */
  id: string;
  task: ReproTask;
  /** Sequence length (adding, temporal order) or delay (copy). */
  T: number;
  /** The model as the table names it ("LSTM, forget bias 3"). */
  model: string;
  cell: CellKind;
  nonlinearity?: Nonlinearity;
  init: InitOptions;
  hidden: number;
  batch: number;
  optimizer: OptimizerKind;
  lr: number;
  /** Tried on the first seed, in this order, if no seed solves at `lr`. */
  lrSweep: number[];
  clip: number;
  /** The step budget of each run. */
  steps: number;
  /** Held-out check every this many steps. */
  evalEvery: number;
  seeds: number[];
  /** Which parts of our setting follow the paper, in words. */
  ours: string;
  paper: PaperSetting;
  expect: PaperClaim;
}

/** One training run of a row: a seed at an lr. */
export interface ReproJob {
  seed: number;
  lr: number;
  phase: 'seeds' | 'sweep' | 'confirm';
}

export interface ReproRun extends ReproJob {
  /** The step that completed SOLVED_CHECKS held-out checks in a row below the bar; absent if none did. */
  solvedAt?: number;
  stepsRun: number;
  /** The verdict on VERDICT_SEQUENCES fresh sequences. */
  testLoss: number;
  testMetric: number;
  solved: boolean;
  /** The paper's criterion on the same sequences (see paperMetricName). */
  paperMetric: number;
  skippedSteps: number;
  seconds: number;
}

export interface ReproResult {
  row: ReproRow;
  params: number;
  metricName: string;
  /** What paperMetric measures, in words. */
  paperMetricName: string;
  baseline: number;
  solvedBelow: number;
  /** Every run, in the order they were planned. */
  runs: ReproRun[];
  /** The lr whose seeds the row reports: row.lr, or the sweep's lr that solved. */
  lr: number;
  /** The reported runs: every seed at `lr`. */
  reported: ReproRun[];
  solvedSeeds: number;
  /** Median steps to solve over the solved reported seeds; absent if none solved. */
  medianSteps?: number;
  /** Median verdict loss over the reported seeds. */
  medianTestLoss: number;
  medianPaperMetric: number;
  /** Median sequences seen by the reported seeds (steps run × batch). */
  sequencesSeen: number;
  /** Training time of every run of the row, summed. */
  seconds: number;
}

export const SOLVED_CHECKS = 2;
export const HELD_OUT_SEQUENCES = 256;
/** H&S 1997's adding criterion, |error| < 0.04 on a target 0.5 + (X1 + X2)/4, on our scale (a sum in [0, 2]). */
export const HS97_ADDING_TOLERANCE = 0.08;

export function makeReproTask(r: Pick<ReproRow, 'task' | 'T'>): Task {
  switch (r.task) {
    case 'adding': return new AddingTask({ seqLen: r.T });
    case 'temporal-order': return new TemporalOrderTask({ seqLen: r.T });
    case 'copy': return new CopyMemoryTask({ delay: r.T });
  }
}

export function makeReproModel(r: ReproRow, task: Task, seed: number): Model {
  return createModel({
    cell: r.cell, inputSize: task.inputSize, hiddenSize: r.hidden, outputSize: task.outputSize, seed, init: r.init,
    ...(r.nonlinearity !== undefined ? { nonlinearity: r.nonlinearity } : {}),
  });
}

/** A diverged run's loss (NaN, or null once it has been through JSON) counts as +∞, so medians stay ordered. */
export const lossOrInf = (x: number | null): number => (typeof x === 'number' && !Number.isNaN(x) ? x : Infinity);

/** The median with diverged values last (every list here has a run per seed, so none is empty). */
const medianOf = (xs: number[]): number => median(xs.map(lossOrInf));

/** The paper's criterion for this task, in words. */
export function paperMetricName(task: ReproTask): string {
  switch (task) {
    case 'adding': return `accuracy at |error| < ${HS97_ADDING_TOLERANCE} (H&S 1997's 0.04 on our scale)`;
    case 'temporal-order': return `wrong sequences of ${VERDICT_SEQUENCES} (H&S 1997 require none wrong among 2000)`;
    case 'copy': return 'loss / baseline (Arjovsky et al. 2016 plot the loss against the baseline)';
  }
}

/** The paper's criterion on the verdict's own sequences (the same Rng, so the same draws). */
function paperMetric(model: Model, task: Task, testLoss: number, testMetric: number): number {
  if (task instanceof TemporalOrderTask) return Math.round((1 - testMetric) * VERDICT_SEQUENCES);
  if (task instanceof CopyMemoryTask) return testLoss / task.baseline();
  const adding = task as AddingTask;
  const rng = new Rng(VERDICT_SEED);
  let within = 0;
  for (let i = 0; i < VERDICT_SEQUENCES / VERDICT_BATCH; i++) {
    const b = adding.batch(rng, VERDICT_BATCH);
    const { last } = lastStep(model.forward(b.x).output, adding.seqLen, VERDICT_BATCH, 1);
    for (let j = 0; j < VERDICT_BATCH; j++) if (Math.abs(last.data[j] - b.target.data[j]) < HS97_ADDING_TOLERANCE) within++;
  }
  return within / VERDICT_SEQUENCES;
}

/** One run: trains a seed at an lr with the protocol above and scores it. */
export function runJob(r: ReproRow, job: ReproJob): ReproRun {
  const task = makeReproTask(r);
  const model = makeReproModel(r, task, job.seed);
  const s = train(model, task, {
    steps: r.steps, batchSize: r.batch, seed: job.seed, optimizer: { kind: r.optimizer, lr: job.lr }, clip: { norm: r.clip },
    evalEvery: r.evalEvery, evalBatches: Math.max(1, Math.round(HELD_OUT_SEQUENCES / r.batch)), stopWhenSolved: true, solvedChecks: SOLVED_CHECKS,
  });
  const v = verdict(model, task);
  return {
    ...job, solvedAt: s.solvedAt, stepsRun: s.steps, testLoss: v.loss, testMetric: v.metric, solved: v.solved,
    paperMetric: paperMetric(model, task, v.loss, v.metric), skippedSteps: s.skippedSteps, seconds: s.seconds,
  };
}

/** The runs to do next for a row, given those done so far; [] when the row is complete. */
export function planNext(r: ReproRow, runs: readonly ReproRun[]): ReproJob[] {
  if (runs.length === 0) return r.seeds.map((seed) => ({ seed, lr: r.lr, phase: 'seeds' }));
  if (runs.some((x) => x.phase === 'confirm')) return [];
  const sweep = runs.filter((x) => x.phase === 'sweep');
  if (runs.some((x) => x.phase === 'seeds' && x.solved)) return [];
  if (sweep.length === 0) return r.lrSweep.map((lr) => ({ seed: r.seeds[0], lr, phase: 'sweep' }));
  const best = bestSweep(sweep);
  if (best === undefined || r.seeds.length === 1) return [];
  return r.seeds.slice(1).map((seed) => ({ seed, lr: best.lr, phase: 'confirm' }));
}

/** The sweep run that solved soonest (ties: the first tried). */
function bestSweep(sweep: readonly ReproRun[]): ReproRun | undefined {
  let best: ReproRun | undefined;
  for (const x of sweep) if (x.solved && (best === undefined || (x.solvedAt ?? x.stepsRun) < (best.solvedAt ?? best.stepsRun))) best = x;
  return best;
}

/** The row's result from all its runs. */
export function summarize(r: ReproRow, runs: ReproRun[], params: number): ReproResult {
  const task = makeReproTask(r);
  const best = bestSweep(runs.filter((x) => x.phase === 'sweep'));
  const lr = runs.some((x) => x.phase === 'seeds' && x.solved) || best === undefined ? r.lr : best.lr;
  const reported = lr === r.lr
    ? runs.filter((x) => x.phase === 'seeds')
    : runs.filter((x) => (x.phase === 'sweep' && x.lr === lr) || x.phase === 'confirm');
  const solved = reported.filter((x) => x.solved);
  const steps = solved.map((x) => x.solvedAt ?? x.stepsRun);
  return {
    row: r, params, metricName: task.metricName, paperMetricName: paperMetricName(r.task), baseline: task.baseline(), solvedBelow: task.solvedBelow,
    runs, lr, reported, solvedSeeds: solved.length, medianSteps: steps.length ? medianOf(steps) : undefined,
    medianTestLoss: medianOf(reported.map((x) => x.testLoss)), medianPaperMetric: medianOf(reported.map((x) => x.paperMetric)),
    sequencesSeen: medianOf(reported.map((x) => x.stepsRun * r.batch)), seconds: runs.reduce((s, x) => s + x.seconds, 0),
  };
}

export function parameterCount(r: ReproRow): number {
  return makeReproModel(r, makeReproTask(r), 0).numParameters();
}

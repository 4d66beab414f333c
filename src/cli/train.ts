/**
 * `rnnlab train`: trains an RNN, LSTM or GRU on one of the five tasks (adding, copy memory, temporal
 * order, a character model of a text, forecasting a series) with the library's trainer, showing
 * progress, and writes into --out: train.jsonl (one line per step), checkpoints/ (resumable with
 * --resume), loss.svg / loss.png (the training curve) and summary.json.
 *
 * The trainer is synchronous, so training runs in a worker thread: the main thread stays free to draw
 * the progress bar and to hear Ctrl-C. On Ctrl-C the main thread sets a flag in shared memory, which
 * train()'s `shouldStop` reads after each step: the run ends there with a checkpoint of that step, and
 * the command exits with code 130.
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { workerSource } from './worker.js';
import { writeFileAtomic } from '../io/atomic.js';
import { latestCheckpoint, removeLeftovers } from '../io/checkpoint.js';
import { readJsonLines } from '../io/jsonl.js';
import { lockRun, type RunLock } from '../io/lock.js';
import { lossCurveSpec, type LossPoint } from '../plot/loss-plot.js';
import type { Task } from '../tasks/task.js';
import { train, type TrainOptions, type TrainStepInfo, type TrainSummary } from '../train/trainer.js';
import { verdict, type Verdict } from '../train/verdict.js';
import { finiteNumber, nonNegativeInt, oneOf, positiveInt, positiveNumber } from './args.js';
import { writePlot } from './plot-files.js';
import { resumedOptions, runSettings } from './train-resume.js';

import {
  NONLINEARITIES, OPTIMIZERS, PARSERS, clipNormArg, gammaArg, SCHEDULES, TASK_KINDS, TRAIN_CELLS, TRAIN_INITS, checkpointEveryOf, tbpttArg, evalEveryOf, loadTrainConfig, makeModel, makeSchedule, makeTask, trainDefaults, trainFiles, validate,
  type TrainCliOptions, type TrainCliResult, type TrainFiles,
} from './train-options.js';

export {
  TASK_KINDS, TRAIN_CELLS, OPTIMIZERS, SCHEDULES, TRAIN_INITS, TRAIN_FLAGS, loadTrainConfig, tbpttArg, trainDefaults, trainFiles,
  type TaskKind, type TrainCell, type ScheduleKind, type TrainCliOptions, type TrainCliResult, type TrainFiles,
} from './train-options.js';

type CoreOutcome = { kind: 'done'; summary: TrainSummary; verdict: Verdict } | { kind: 'stopped'; step: number };

/** Runs the trainer; `stop[0] !== 0` asks it to end after the current step, with a checkpoint of it. */
function trainCore(o: TrainCliOptions, stop: Int32Array, onStep: (info: TrainStepInfo) => void): CoreOutcome {
  const task = makeTask(o);
  const model = makeModel(o, task);
  const files = trainFiles(o.out);
  const options: TrainOptions = {
    steps: o.steps,
    batchSize: o.batch,
    seed: o.seed,
    optimizer: { kind: o.optimizer, lr: o.lr },
    evalEvery: evalEveryOf(o),
    logJsonl: files.jsonl,
    checkpoint: { dir: files.checkpoints, every: checkpointEveryOf(o), keepLast: o.keep, run: runSettings(o) },
    onStep,
    shouldStop: () => Atomics.load(stop, 0) !== 0,
  };
  const schedule = makeSchedule(o);
  if (schedule) options.schedule = schedule;
  const clipNorm = o.clipNorm !== undefined && o.clipNorm > 0 ? o.clipNorm : undefined;
  if (clipNorm !== undefined || o.clipValue !== undefined) {
    options.clip = {};
    if (clipNorm !== undefined) options.clip.norm = clipNorm;
    if (o.clipValue !== undefined) options.clip.value = o.clipValue;
  }
  if (o.tbptt) options.tbptt = o.tbptt;
  if (o.patience !== undefined) options.earlyStopping = { patience: o.patience };
  if (o.resume) options.resume = files.checkpoints;
  const summary = train(model, task, options);
  // The result is judged by the rule `rnnlab eval` uses (src/train/verdict.ts), so the two agree.
  return summary.interrupted ? { kind: 'stopped', step: summary.steps } : { kind: 'done', summary, verdict: verdict(model, task) };
}

// The worker side: this same module, loaded in a worker thread.
interface WorkerInput {
  kind: 'rnnlab-train';
  options: TrainCliOptions;
  stop: SharedArrayBuffer;
}
type WorkerMessage =
  | { type: 'step'; info: TrainStepInfo }
  | { type: 'outcome'; outcome: CoreOutcome }
  | { type: 'error'; name: string; message: string };

if (!isMainThread && (workerData as WorkerInput | null)?.kind === 'rnnlab-train') {
  const input = workerData as WorkerInput;
  const post = (m: WorkerMessage) => parentPort!.postMessage(m);
  try {
    const outcome = trainCore(input.options, new Int32Array(input.stop), (info) => post({ type: 'step', info }));
    post({ type: 'outcome', outcome });
  } catch (e) {
    const err = e as Error;
    post({ type: 'error', name: err?.name ?? 'Error', message: err?.message ?? String(e) });
  }
}

function runInWorker(o: TrainCliOptions, stop: SharedArrayBuffer, onStep: (info: TrainStepInfo) => void): { done: Promise<CoreOutcome>; worker: Worker } {
  const worker = new Worker(workerSource(import.meta.url), { eval: true, workerData: { kind: 'rnnlab-train', options: o, stop } satisfies WorkerInput });
  const done = new Promise<CoreOutcome>((resolvePromise, reject) => {
    let settled = false;
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'step') onStep(m.info);
      else if (m.type === 'outcome') { settled = true; resolvePromise(m.outcome); void worker.terminate(); }
      else { settled = true; reject(m.name === 'TypeError' ? new TypeError(m.message) : new RangeError(m.message)); void worker.terminate(); }
    });
    worker.on('error', (e) => { if (!settled) { settled = true; reject(e); } });
    worker.on('exit', (code) => { if (!settled) { settled = true; reject(new Error(`the training worker stopped (exit code ${code})`)); } });
  });
  return { done, worker };
}

// ---------------------------------------------------------------------------------------------------
// Progress.

const num = (v: number | undefined, d = 4) => (v === undefined || !Number.isFinite(v) ? '—' : Math.abs(v) >= 1e-3 || v === 0 ? v.toFixed(d) : v.toExponential(2));
const duration = (s: number) => (!Number.isFinite(s) ? '?' : s < 60 ? `${Math.round(s)}s` : s < 3600 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${(s / 3600).toFixed(1)}h`);

interface Progress {
  step(info: TrainStepInfo): void;
  log(line: string): void;
  stop(): void;
}

function makeProgress(total: number, startStep: number, metricName: string, log: (line: string) => void, tty: boolean): Progress {
  const t0 = performance.now();
  let lastEval: number | undefined, lastMetric: number | undefined;
  const rate = (step: number) => (step - startStep) / Math.max(1e-9, (performance.now() - t0) / 1000);
  if (tty) {
    const multi = new cliProgress.MultiBar({
      format: 'train |{bar}| {value}/{total} | loss {loss} | eval {eval} | {metricName} {metric} | {rate} steps/s | ETA {etaText}',
      hideCursor: true, clearOnComplete: false, stopOnComplete: false, barsize: 24, fps: 10,
    }, cliProgress.Presets.shades_classic);
    const bar = multi.create(total, startStep, { loss: '—', eval: '—', metric: '—', metricName, rate: '—', etaText: '?' });
    return {
      step(info) {
        if (info.evalLoss !== undefined) { lastEval = info.evalLoss; lastMetric = info.evalMetric; }
        const r = rate(info.step);
        bar.update(info.step, {
          loss: num(info.loss), eval: num(lastEval), metric: num(lastMetric ?? info.metric, 3), metricName,
          rate: r.toFixed(1), etaText: duration((total - info.step) / r),
        });
        if (info.warning) multi.log(`warning: ${info.warning}\n`);
      },
      log(line) { multi.log(`${line}\n`); },
      stop() { multi.stop(); },
    };
  }
  const every = Math.max(1, Math.ceil((total - startStep) / 10));
  return {
    step(info) {
      if (info.evalLoss !== undefined) { lastEval = info.evalLoss; lastMetric = info.evalMetric; }
      if (info.warning) log(`warning: ${info.warning}`);
      if ((info.step - startStep) % every === 0 || info.step === total) {
        const r = rate(info.step);
        log(`step ${info.step}/${total}  loss ${num(info.loss)}  eval ${num(lastEval)}  ${metricName} ${num(lastMetric ?? info.metric, 3)}  ` +
          `${r.toFixed(1)} steps/s  ETA ${duration((total - info.step) / r)}`);
      }
    },
    log,
    stop() { /* nothing to tear down */ },
  };
}

// ---------------------------------------------------------------------------------------------------

/** The per-step log of the whole run (resumes included), one entry per step (the last line of a step wins). */
function readHistory(jsonl: string): LossPoint[] {
  const byStep = new Map<number, LossPoint>();
  for (const r of readJsonLines(jsonl) as TrainStepInfo[]) byStep.set(r.step, { step: r.step, loss: r.loss ?? Number.NaN, evalLoss: r.evalLoss ?? undefined });
  return [...byStep.values()].sort((a, b) => a.step - b.step);
}

/**
 * The log of a resumed run up to its checkpoint's step: steps a killed run logged after its last
 * checkpoint are run again, so their old lines (and a torn last line) go.
 */
function trimLog(jsonl: string, step: number): void {
  if (!existsSync(jsonl)) return;
  const kept = readFileSync(jsonl, 'utf8').split('\n').filter((line) => {
    try {
      return (JSON.parse(line) as TrainStepInfo).step <= step;
    } catch {
      return false;
    }
  });
  writeFileAtomic(jsonl, kept.length ? `${kept.join('\n')}\n` : '');
}

/** The task's metric name without its parenthesised detail, for the progress line. */
function metricNameOf(task: Task): string {
  return task.metricName.replace(/\s*\(.*\)$/, '');
}

export interface RunTrainExtras {
  /** Run the trainer in this thread instead of a worker (Ctrl-C then waits for the end). Default false. */
  inProcess?: boolean;
  /** Draw a progress bar (default: whether stderr is a TTY). */
  tty?: boolean;
}

export async function runTrain(
  options: Partial<TrainCliOptions> = {}, log: (line: string) => void = console.log, extras: RunTrainExtras = {},
): Promise<TrainCliResult> {
  // What the user set (flags, a config file, or keys from code): a resume may change only some of it.
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<TrainCliOptions>;
  let o: TrainCliOptions = { ...trainDefaults, ...given };
  const files = trainFiles(o.out);
  let startStep = 0;
  if (o.resume) {
    // The run's own settings first: the flags given are checked against them, not against the defaults.
    const latest = existsSync(files.checkpoints) ? latestCheckpoint(files.checkpoints) : null;
    if (!latest) throw new RangeError(`--resume: no checkpoint under ${files.checkpoints} to continue from`);
    ({ options: o, step: startStep } = resumedOptions(given, files.checkpoints));
  }
  validate(o);
  const task = makeTask(o); // validates --seq-len here, before any file is touched
  const lock = lockOut(files.dir);
  try {
    return await runLocked(o, task, files, startStep, log, extras);
  } finally {
    lock.release();
  }
}

/** Takes --out for this run: created if needed, refused by name if it is a file, unwritable or in use. */
function lockOut(dir: string): RunLock {
  const lock = lockRun(dir, '--out');
  if (lock.tookOver) console.error(`rnnlab: took over the lock of ${dir} from ${lock.tookOver}`);
  removeLeftovers(dir);
  return lock;
}

async function runLocked(
  o: TrainCliOptions, task: Task, files: TrainFiles, startStep: number, log: (line: string) => void, extras: RunTrainExtras,
): Promise<TrainCliResult> {
  if (!o.resume) {
    if (existsSync(files.checkpoints) && latestCheckpoint(files.checkpoints)) {
      throw new RangeError(`--out: ${files.dir} already holds checkpoints; pass --resume to continue that run, or choose another --out`);
    }
    rmSync(files.jsonl, { force: true });
  } else {
    trimLog(files.jsonl, startStep);
  }
  log(`rnnlab train: ${o.cell.toUpperCase()} (H = ${o.hidden}, ${o.layers} layer${o.layers > 1 ? 's' : ''}) on ${task.name} (T = ${task.seqLen}), ` +
    `${o.optimizer} lr ${o.lr}${o.schedule !== 'constant' ? ` (${o.schedule})` : ''}, batch ${o.batch}, ${o.steps} steps, seed ${o.seed}` +
    (o.resume ? `, resuming from step ${startStep}` : ''));
  log(`baseline loss ${num(task.baseline())} (memoryless), solved below ${num(task.solvedBelow)}; writing to ${files.dir}`);

  const stop = new SharedArrayBuffer(4);
  const flag = new Int32Array(stop);
  const progress = makeProgress(o.steps, startStep, metricNameOf(task), log, extras.tty ?? Boolean(process.stderr.isTTY));
  const onStep = (info: TrainStepInfo) => progress.step(info);
  let outcome: CoreOutcome;
  let worker: Worker | null = null;
  // SIGTERM (a service manager, `kill`) stops the run as Ctrl-C does: after this step, with a checkpoint.
  let signal: 'SIGINT' | 'SIGTERM' | null = null;
  const onSignal = (sig: 'SIGINT' | 'SIGTERM') => () => {
    const name = sig === 'SIGINT' ? 'Ctrl-C' : 'SIGTERM';
    if (Atomics.load(flag, 0) !== 0) {
      progress.log(`Second ${name}: quitting without waiting for the checkpoint.`);
      void worker?.terminate();
      return;
    }
    signal = sig;
    Atomics.store(flag, 0, 1);
    progress.log(`${name}: finishing this step and writing a checkpoint (Ctrl-C again to quit at once)...`);
  };
  const onSigint = onSignal('SIGINT'), onSigterm = onSignal('SIGTERM');
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  try {
    if (extras.inProcess) {
      outcome = trainCore(o, flag, onStep);
    } else {
      const run = runInWorker(o, stop, onStep);
      worker = run.worker;
      outcome = await run.done;
    }
  } finally {
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    progress.stop();
  }

  const history = readHistory(files.jsonl);
  const interrupted = outcome.kind === 'stopped' || Atomics.load(flag, 0) !== 0;
  const checkpoint = latestCheckpoint(files.checkpoints);
  const steps = outcome.kind === 'done' ? outcome.summary.steps : outcome.step;
  const plots = await writePlot(lossCurveSpec(history, {
    title: `${o.cell.toUpperCase()} on ${task.name} (T = ${task.seqLen})`,
    subtitle: [`H = ${o.hidden}, ${o.layers} layer(s), ${o.optimizer} lr ${o.lr}, batch ${o.batch}, seed ${o.seed}; ${steps} steps`],
    baseline: task.baseline(),
    solvedBelow: task.solvedBelow,
  }), files.svg, files.png, (line) => console.error(line));

  const settings = { ...o, seqLen: task.seqLen, evalEvery: evalEveryOf(o), checkpointEvery: checkpointEveryOf(o) };
  if (outcome.kind === 'stopped') {
    writeFileAtomic(files.summary, JSON.stringify({ task: task.name, cell: o.cell, settings, interrupted: true, steps, checkpoint }, null, 1) + '\n');
    log(`Interrupted after step ${steps}; checkpoint written to ${checkpoint ?? files.checkpoints}.`);
    log(`Continue with the same command and --resume. Wrote ${[files.jsonl, ...plots, files.summary].join(', ')}.`);
    return { interrupted: true, signal: signal ?? 'SIGINT', steps, checkpoint, files };
  }
  const s = outcome.summary, v = outcome.verdict;
  const { history: _h, ...rest } = s;
  void _h;
  const json = {
    task: task.name, cell: o.cell, steps: s.steps, seconds: s.seconds,
    final: { loss: v.loss, metric: v.metric, metricName: v.metricName, on: v.on, ...(v.charLM ? { bitsPerChar: v.charLM.bpc } : {}) },
    baseline: s.baseline, solved: v.solved,
  };
  writeFileAtomic(files.summary, JSON.stringify({ ...json, settings, summary: rest, interrupted, checkpoint, files }, null, 1) + '\n');
  if (s.warnings.length) log(`${s.warnings.length} divergence recover${s.warnings.length > 1 ? 'ies' : 'y'} (see summary.json).`);
  if (s.stoppedEarly) log(`Stopped early at step ${s.steps}: the eval loss did not improve for ${o.patience} evaluations.`);
  log(`Wrote ${[files.jsonl, `${files.checkpoints}/`, ...plots, files.summary].join(', ')} (${s.seconds.toFixed(1)} s).`);
  const ratio = v.loss > 0 ? s.baseline / v.loss : Number.POSITIVE_INFINITY;
  log(`Result: eval loss ${num(v.loss)} on ${v.on} (as rnnlab eval scores it) vs baseline ${num(s.baseline)}` +
    (Number.isFinite(v.loss) ? ` (${ratio >= 1 ? `${ratio.toFixed(1)}× lower` : `${(1 / ratio).toFixed(1)}× higher`})` : '') +
    `, ${v.metricName} ${num(v.metric, 3)}: ${v.solved ? 'SOLVED' : 'not solved'} (solved below ${num(task.solvedBelow)}).`);
  if (v.charLM) log(`That is ${num(v.charLM.bpc)} bits per character (unigram ${num(s.baseline / Math.LN2)}, bigram ${num(task.solvedBelow / Math.LN2)}).`);
  if (interrupted) log(`Interrupted on the last step; checkpoint written to ${checkpoint ?? files.checkpoints}.`);
  if (o.json) log(JSON.stringify(json));
  return { summary: s, verdict: v, interrupted, steps: s.steps, checkpoint, files, json };
}

export function registerTrain(program: Command): Command {
  const d = trainDefaults;
  return program
    .command('train')
    .description('train an RNN, LSTM or GRU on a task (adding, copy memory, temporal order, a character model of a text, a time-series forecast); write a log, checkpoints, a loss plot and a summary')
    .option('--task <name>', `task: ${TASK_KINDS.join(', ')}`, oneOf(TASK_KINDS), d.task)
    .option('--seq-len <n>', "sequence length T (copy: the delay; forecast: the window); default the task's own", positiveInt)
    .option('--text <file>', 'char-lm: a UTF-8 text file (default: the built-in Moby-Dick)')
    .option('--csv <file>', 'forecast: a CSV file with a header row (default: the built-in yearly sunspot numbers)')
    .option('--column <name>', 'forecast: the CSV column to forecast, by name or 0-based index (default: the last)')
    .option('--cell <name>', `cell: ${TRAIN_CELLS.join(', ')}`, oneOf(TRAIN_CELLS), d.cell)
    .option('--hidden <n>', 'hidden size', positiveInt, d.hidden)
    .option('--layers <n>', 'stacked layers', positiveInt, d.layers)
    .option('--nonlinearity <name>', `RNN only: ${NONLINEARITIES.join(', ')} (default tanh)`, oneOf(NONLINEARITIES))
    .option('--forget-bias <x>', 'LSTM only: forget-gate bias', finiteNumber)
    .option('--init <kind>', `W_hh initialization: ${TRAIN_INITS.join(', ')}`, oneOf(TRAIN_INITS))
    .option('--steps <n>', 'total training steps (resumes included)', positiveInt, d.steps)
    .option('--batch <n>', 'sequences per batch', positiveInt, d.batch)
    .option('--optimizer <name>', `optimizer: ${OPTIMIZERS.join(', ')}`, oneOf(OPTIMIZERS), d.optimizer)
    .option('--lr <x>', 'learning rate', positiveNumber, d.lr)
    .option('--schedule <name>', `lr schedule: ${SCHEDULES.join(', ')}`, oneOf(SCHEDULES), d.schedule)
    .option('--step-size <n>', 'step schedule: steps between lr drops (default steps/3)', positiveInt)
    .option('--gamma <x>', 'step schedule: the lr factor at each drop, in (0, 1] (default 0.1)', gammaArg)
    .option('--warmup <n>', 'warmup-cosine: warmup steps (default 5% of --steps)', positiveInt)
    .option('--clip-norm <x>', "max global gradient norm ('off' or 0: no clipping by norm)", clipNormArg, d.clipNorm)
    .option('--clip-value <x>', 'clip every gradient entry to ±x', positiveNumber)
    .option('--tbptt <window[,stride]>', 'truncated BPTT window (and stride)', tbpttArg)
    .option('--eval-every <n>', 'evaluate on held-out batches every n steps (default steps/20)', positiveInt)
    .option('--patience <n>', 'early stopping: evaluations without improvement', positiveInt)
    .option('--seed <n>', 'seed for weights and data', nonNegativeInt, d.seed)
    .option('--out <dir>', 'directory for train.jsonl, checkpoints/, loss.svg, loss.png, summary.json', d.out)
    .option('--checkpoint-every <n>', 'checkpoint every n steps (default steps/10)', positiveInt)
    .option('--keep <n>', 'checkpoints to keep (plus the best)', positiveInt, d.keep)
    .option('--resume', 'continue from the latest checkpoint in <out>/checkpoints', d.resume)
    .option('--config <file>', 'options from a JSON file (keys: the flags in camelCase); flags on the command line win')
    .option('--json', 'print the result as one JSON line, last', d.json)
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  rnnlab train\n' +
        '  rnnlab train --task adding --seq-len 50 --cell lstm --steps 2000 --lr 0.01\n' +
        '  rnnlab train --task copy --seq-len 20 --cell gru --hidden 64 --schedule warmup-cosine --warmup 100\n' +
        '  rnnlab train --task temporal-order --cell rnn --init orthogonal --clip-norm 1 --tbptt 50,25\n' +
        '  rnnlab train --config run.json --steps 5000 --resume --json\n' +
        '\nCtrl-C (or SIGTERM) finishes the current step, writes a checkpoint and exits with code 130 (143); continue with --resume.\n' +
        '--resume continues the run in --out with its own settings; of the flags, only these may change then: --steps (more than done), --keep, --checkpoint-every, --json.\n' +
        'A run on --text or --csv needs that flag again on --resume: rnnlab reads no file only because a checkpoint names it.',
    )
    .action(async (opts: Partial<TrainCliOptions> & { config?: string }, cmd: Command) => {
      const result = await runTrain(mergeTrainOptions(opts, cmd));
      if (result.interrupted) process.exitCode = result.signal === 'SIGTERM' ? 143 : 130;
    });
}

/**
 * What the user set: the --config file's keys, then the flags given on the command line over them.
 * Defaults are left out (runTrain adds them), so that a resumed run can tell a flag given from a default.
 */
export function mergeTrainOptions(opts: Partial<TrainCliOptions> & { config?: string }, cmd: Command): Partial<TrainCliOptions> {
  const merged: Record<string, unknown> = opts.config !== undefined ? { ...loadTrainConfig(opts.config) } : {};
  for (const key of Object.keys(PARSERS)) {
    const src = cmd.getOptionValueSource(key);
    const v = (opts as Record<string, unknown>)[key];
    if (v !== undefined && (src === 'cli' || src === 'env')) merged[key] = v;
  }
  return merged as Partial<TrainCliOptions>;
}

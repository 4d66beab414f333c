/**
 * `rnnlab train --resume`: the run continues as it was started. Every checkpoint the command writes
 * keeps the run's settings (the flags, as TrainCliOptions, under the manifest's `run`); a resume takes
 * them from the newest checkpoint, not from the defaults. Flags that would change what the run is
 * (the task, the model, the optimizer, the seed, ...) are refused by name when they differ; the ones in
 * RESUMABLE may change. A file the run read (--text, --csv) must be named again on the command line:
 * rnnlab reads no file just because a checkpoint names it.
 */
import { loadCheckpoint } from '../io/checkpoint.js';
import { TRAIN_FLAGS, type TrainCliOptions } from './train-options.js';

/** What a resumed run may change. */
export const RESUMABLE: readonly (keyof TrainCliOptions)[] = ['steps', 'out', 'resume', 'json', 'keep', 'checkpointEvery'];

/** The settings a checkpoint keeps: all but where it is written and how it is printed. */
export function runSettings(o: TrainCliOptions): Record<string, unknown> {
  const { out: _out, resume: _resume, json: _json, ...rest } = o;
  return JSON.parse(JSON.stringify(rest)) as Record<string, unknown>;
}

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const shown = (v: unknown): string => (v === undefined ? 'no value' : JSON.stringify(v));

/**
 * The options of the run saved under `checkpoints`, with the changes `given` may make; `given` holds
 * only what the user set (flags, a config file, or keys passed from code). Returns them and the step
 * the run is at.
 */
export function resumedOptions(given: Partial<TrainCliOptions>, checkpoints: string): { options: TrainCliOptions; step: number } {
  const ck = loadCheckpoint(checkpoints);
  const saved = ck.run as Partial<TrainCliOptions> | null;
  if (saved === null) {
    throw new RangeError(`--resume: ${ck.path} holds no run settings (it was not written by rnnlab train), so the run cannot be continued as it was`);
  }
  for (const key of Object.keys(given) as (keyof TrainCliOptions)[]) {
    if (given[key] === undefined || RESUMABLE.includes(key)) continue;
    if (!same(given[key], saved[key])) {
      throw new RangeError(`${TRAIN_FLAGS[key]}: the run in ${ck.path} has ${shown(saved[key])}, and resuming cannot change it (given ${shown(given[key])}); ` +
        `on --resume these may change: ${RESUMABLE.map((k) => TRAIN_FLAGS[k]).join(', ')}`);
    }
  }
  for (const key of ['text', 'csv'] as const) {
    if (saved[key] !== undefined && given[key] !== saved[key]) {
      throw new RangeError(`${TRAIN_FLAGS[key]}: the run trained on the file ${saved[key]}; rnnlab reads no file only because a checkpoint names it, ` +
        `so name it again (${TRAIN_FLAGS[key]} ${saved[key]}) to resume`);
    }
  }
  const options = { ...saved, ...Object.fromEntries(RESUMABLE.filter((k) => given[k] !== undefined).map((k) => [k, given[k]])), resume: true } as TrainCliOptions;
  if (!(options.steps > ck.step)) {
    throw new RangeError(given.steps === undefined
      ? `--steps: the run in ${ck.path} has done all its ${ck.step} steps; pass --steps N with N > ${ck.step} to continue it`
      : `--steps: the run in ${ck.path} is at step ${ck.step}; to continue, give more than ${ck.step} steps (got ${given.steps})`);
  }
  return { options, step: ck.step };
}

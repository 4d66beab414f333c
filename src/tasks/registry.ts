/**
 * Rebuilding a task from its spec (`Task.spec()`, kept in checkpoints), so that `rnnlab eval` and
 * `rnnlab sample` need only the checkpoint. Every spec field is checked; errors name `spec.<field>`.
 */
import { AddingTask } from './adding.js';
import { charLMFromSpec } from './char-lm.js';
import { CopyMemoryTask } from './copy-memory.js';
import { forecastFromSpec } from './forecast.js';
import type { Task, TaskSpec } from './task.js';
import { TemporalOrderTask } from './temporal-order.js';
import { describeValue } from '../tensor/check.js';

export const TASK_SPEC_KINDS = ['adding', 'copy', 'temporal-order', 'char-lm', 'forecast'] as const;

/** Where a task's data set can be swapped: a text file for 'char-lm', a CSV file for 'forecast'. */
export interface TaskSpecOverrides {
  file?: string;
}

function dtypeOf(spec: TaskSpec): 'float32' | 'float64' {
  const d = spec.dtype ?? 'float32';
  if (d !== 'float32' && d !== 'float64') throw new RangeError(`spec.dtype: expected 'float32' or 'float64', got ${describeValue(d)}`);
  return d;
}

function rewrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const err = e as Error;
    throw new RangeError(/^spec\./.test(err.message) ? err.message : `spec.${err.message}`);
  }
}

/** The file a spec's task would read (a path, not the built-in 'moby-dick', 'sunspots' or inline data), or null. */
export function specFile(s: TaskSpec): string | null {
  if (s.kind !== 'char-lm' && s.kind !== 'forecast') return null;
  const src = s.source;
  return typeof src === 'string' && src !== '' && !['moby-dick', 'sunspots', 'inline'].includes(src) ? src : null;
}

/**
 * The task a spec describes. A spec is data that may come from someone else (a checkpoint, a page's
 * download), so it never opens a file by itself: a task that reads one (a text, a CSV) is rebuilt only
 * from `overrides.file`, the file the caller names (the command line's --text or --csv).
 */
export function taskFromSpec(spec: unknown, overrides: TaskSpecOverrides = {}): Task {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new TypeError(`spec: expected a task spec {kind, ...}, got ${describeValue(spec)}`);
  const s = spec as TaskSpec;
  if (overrides.file !== undefined && s.kind !== 'char-lm' && s.kind !== 'forecast') {
    throw new RangeError(`overrides.file: only a char-lm or forecast task reads a file, and this task is ${JSON.stringify(s.kind)}`);
  }
  const named = specFile(s);
  if (named !== null && overrides.file === undefined) {
    const flag = s.kind === 'char-lm' ? '--text' : '--csv';
    throw new RangeError(`spec.source: the task reads the file ${named}, and rnnlab opens no file only because a spec names it; ` +
      `name the file yourself (${flag} ${named} on the command line, overrides.file from code) to read it`);
  }
  switch (s.kind) {
    case 'adding': return rewrap(() => new AddingTask({ seqLen: s.seqLen as number, ...(s.minLen !== undefined ? { minLen: s.minLen as number } : {}), dtype: dtypeOf(s) }));
    case 'copy': return rewrap(() => new CopyMemoryTask({ delay: s.delay as number, dtype: dtypeOf(s) }));
    case 'temporal-order': return rewrap(() => new TemporalOrderTask({ seqLen: s.seqLen as number, dtype: dtypeOf(s) }));
    case 'char-lm': return charLMFromSpec(s, overrides.file !== undefined ? { file: overrides.file } : {});
    case 'forecast': {
      const source = overrides.file ?? s.source;
      return forecastFromSpec({ ...s, source });
    }
    default:
      throw new RangeError(`spec.kind: expected one of ${TASK_SPEC_KINDS.join(', ')}, got ${describeValue(s.kind)}`);
  }
}

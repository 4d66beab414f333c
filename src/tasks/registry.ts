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

export const TASK_SPEC_KINDS = ['adding', 'copy', 'temporal-order', 'char-lm', 'forecast'] as const;

/** Where a task's data set can be swapped: a text file for 'char-lm', a CSV file for 'forecast'. */
export interface TaskSpecOverrides {
  file?: string;
}

function dtypeOf(spec: TaskSpec): 'float32' | 'float64' {
  const d = spec.dtype ?? 'float32';
  if (d !== 'float32' && d !== 'float64') throw new RangeError(`spec.dtype: expected 'float32' or 'float64', got ${JSON.stringify(d)}`);
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

export function taskFromSpec(spec: unknown, overrides: TaskSpecOverrides = {}): Task {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) throw new TypeError(`spec: expected a task spec {kind, ...}, got ${JSON.stringify(spec)}`);
  const s = spec as TaskSpec;
  if (overrides.file !== undefined && s.kind !== 'char-lm' && s.kind !== 'forecast') {
    throw new RangeError(`overrides.file: only a char-lm or forecast task reads a file, and this task is ${JSON.stringify(s.kind)}`);
  }
  switch (s.kind) {
    case 'adding': return rewrap(() => new AddingTask({ seqLen: s.seqLen as number, dtype: dtypeOf(s) }));
    case 'copy': return rewrap(() => new CopyMemoryTask({ delay: s.delay as number, dtype: dtypeOf(s) }));
    case 'temporal-order': return rewrap(() => new TemporalOrderTask({ seqLen: s.seqLen as number, dtype: dtypeOf(s) }));
    case 'char-lm': return charLMFromSpec(s, overrides.file !== undefined ? { file: overrides.file } : {});
    case 'forecast': {
      const source = overrides.file ?? s.source;
      return forecastFromSpec({ ...s, source });
    }
    default:
      throw new RangeError(`spec.kind: expected one of ${TASK_SPEC_KINDS.join(', ')}, got ${JSON.stringify(s.kind)}`);
  }
}

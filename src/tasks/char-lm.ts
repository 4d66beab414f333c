/**
 * Character-level language modelling: the task itself is in char-lm-task.ts (browser-safe); this file
 * adds rebuilding it from a checkpoint's spec with the text read from disk (`loadCorpus`).
 */
import { resolve } from 'node:path';
import type { DType } from '../tensor/tensor.js';
import { loadCorpus } from './corpus.js';
import { charLMFromSpecWith, type CharLMTask } from './char-lm-task.js';

export {
  CharLMTask, charLMFromSpecWith, referenceCrossEntropies,
  type CharLMBatch, type CharLMOptions, type CharLMSpec, type CharLMTextSource,
} from './char-lm-task.js';

/**
 * Rebuild a task from its spec (as kept in a checkpoint). `overrides.file` reads the text from another
 * path (the checkpoint moved machines), `overrides.seqLen` changes the window length.
 */
export function charLMFromSpec(spec: unknown, overrides: { file?: string; seqLen?: number; dtype?: DType } = {}): CharLMTask {
  const file = overrides.file;
  return charLMFromSpecWith(
    spec,
    (source) => (typeof source === 'object' && 'file' in source ? loadCorpus({ file: resolve(source.file) }) : loadCorpus(source)),
    { seqLen: overrides.seqLen, dtype: overrides.dtype, corpus: file !== undefined ? () => loadCorpus({ file }) : undefined },
  );
}

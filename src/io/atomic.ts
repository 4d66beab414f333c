/**
 * Atomic file writes: the data goes to a temporary file in the same directory, is flushed to disk, and
 * is then renamed over the target, so a reader (or a crash) never sees a half-written file.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { FileError, ensureDir, systemReason } from './files.js';

let counter = 0;

/**
 * Writes `data` to `path` atomically, creating the parent directory if needed. A failure is a FileError
 * naming `path` and the reason (never the temporary name), and leaves no temporary file behind.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const dir = dirname(path);
  ensureDir(dir, path);
  try {
    if (statSync(path).isDirectory()) throw new FileError(`${path}: expected a file to write, got a folder`, 'EISDIR');
  } catch (e) {
    if (e instanceof FileError) throw e; // not there yet is the usual case
  }
  const tmp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.${counter++}.tmp`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  let fd: number | null;
  try {
    fd = openSync(tmp, 'w', 0o644);
  } catch (e) {
    throw new FileError(`${path}: cannot write it (${systemReason(e)})`, (e as NodeJS.ErrnoException).code);
  }
  try {
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    rmSync(tmp, { force: true });
    throw new FileError(`${path}: cannot write it (${systemReason(err)})`, (err as NodeJS.ErrnoException).code);
  }
  // Make the rename itself durable.
  fsyncDir(dir);
}

/** fsyncs a directory (so renames in it are durable) where the platform allows it; a no-op elsewhere (e.g. Windows). */
export function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    /* not supported: files written before are already flushed */
  }
}

/**
 * Reading a file that someone named, without trusting it. The one way rnnlab opens a checkpoint's
 * files, a corpus or a CSV:
 * - opened with O_NONBLOCK, so that a FIFO cannot hang the open itself;
 * - checked on the open handle (fstat, not a stat of the path that could change in between) to be a
 *   regular file: a FIFO, a socket, a directory or a device is refused by name (a symlink to /dev/zero
 *   shows up as the character device it is);
 * - read up to a cap the caller takes from what the format allows or claims, so a huge or growing file
 *   is refused before it is read, not after the memory is gone.
 * Every error names the file, what it was expected to be, and what it is.
 */
import { closeSync, constants, fstatSync, mkdirSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fmtBytes } from '../tensor/limits.js';

export interface ReadFileOptions {
  /** What the file is, for messages: 'corpus', 'CSV file', 'checkpoint manifest', ... */
  what: string;
  /** Refuse files larger than this many bytes. */
  maxBytes: number;
}

/** A failure to read a named file; the message says which file and why. */
export class FileError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'FileError';
  }
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

/** The reason of a failed open or read, in words. */
export function systemReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied';
    case 'EISDIR': return 'it is a directory';
    case 'ENOTDIR': return 'a part of the path is not a directory';
    case 'ELOOP': return 'too many symbolic links';
    case 'EROFS': return 'the file system is read-only';
    case 'ENOSPC': return 'no space left on the device';
    case 'EDQUOT': return 'the disk quota is exceeded';
    default: return (e as Error).message ?? String(e);
  }
}

/**
 * Opens `path` for reading as a regular file of at most `maxBytes`; returns the descriptor (the caller
 * closes it) and the size.
 */
export function openRegularFile(path: string, o: ReadFileOptions): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new FileError(`${o.what} ${path}: cannot open it (${systemReason(e)})`, (e as NodeJS.ErrnoException).code);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new FileError(`${o.what} ${path}: expected a regular file, got ${kindOf(st)}`, 'ENOTREG');
    if (st.size > o.maxBytes) {
      // Exact byte counts when the rounded sizes would read the same ("at most 1.0 MB, got 1.0 MB").
      const [max, got] = fmtBytes(o.maxBytes) === fmtBytes(st.size) ? [`${o.maxBytes} bytes`, `${st.size} bytes`] : [fmtBytes(o.maxBytes), fmtBytes(st.size)];
      throw new FileError(`${o.what} ${path}: expected at most ${max}, got a file of ${got}`, 'EFBIG');
    }
    return { fd, size: st.size };
  } catch (e) {
    closeSync(fd);
    throw e;
  }
}

/**
 * The bytes of the regular file `path` (at most `maxBytes`). A file that grows while it is read is cut
 * at the size its handle had when opened, and one that shrinks is refused.
 */
export function readRegularFile(path: string, o: ReadFileOptions): Buffer {
  const { fd, size } = openRegularFile(path, o);
  try {
    const buf = Buffer.allocUnsafe(size);
    let off = 0;
    while (off < size) {
      let n: number;
      try {
        n = readSync(fd, buf, off, size - off, off);
      } catch (e) {
        throw new FileError(`${o.what} ${path}: cannot read it (${systemReason(e)})`, (e as NodeJS.ErrnoException).code);
      }
      if (n === 0) throw new FileError(`${o.what} ${path}: the file shrank while it was read (${off} of ${size} bytes)`, 'ESHRANK');
      off += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

/**
 * Creates the folder `path` and its missing parents, one at a time. Not `mkdirSync(path, { recursive:
 * true })`: on some file systems (/proc) Node's recursive mkdir retries forever, and its errors can name
 * the wrong reason (ENOENT on a read-only mount). An error names `what`, the folder and why.
 */
export function ensureDir(path: string, what: string): void {
  const target = resolve(path);
  const missing: string[] = [];
  for (let p = target; ; p = dirname(p)) {
    let st: Stats | null = null;
    try {
      st = statSync(p);
    } catch {
      /* not there: create it after its parent */
    }
    if (st !== null) {
      if (st.isDirectory()) break;
      throw new FileError(p === target ? `${what}: expected a folder, got the file ${target}` : `${what}: cannot create the folder ${target} (${p} is a file, not a folder)`, 'ENOTDIR');
    }
    missing.push(p);
    if (dirname(p) === p) break;
  }
  for (const p of missing.reverse()) {
    try {
      mkdirSync(p);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') continue; // made meanwhile by someone else
      throw new FileError(`${what}: cannot create the folder ${target} (${systemReason(e)})`, (e as NodeJS.ErrnoException).code);
    }
  }
}
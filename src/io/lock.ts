/**
 * One trainer per run folder. A run holds `<dir>/.lock` (its PID, host and start time) while it writes
 * there; a second run on the same folder is refused, naming the first. A lock left by a process that is
 * gone (killed with -9, a power cut) is taken over, and the taker says so. The lock file is created
 * with O_EXCL, so two runs starting at the same moment cannot both win.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ensureDir, systemReason } from './files.js';

export const LOCK_FILE = '.lock';

export interface RunLock {
  /** The lock file. */
  path: string;
  /** Set when a stale lock was taken over: whose it was, in words. */
  tookOver: string | null;
  release(): void;
}

interface LockInfo {
  pid: number;
  host: string;
  started: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // it exists, it is just not ours
  }
}

function readInfo(path: string): LockInfo | null {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockInfo>;
    return typeof v.pid === 'number' && typeof v.host === 'string' ? { pid: v.pid, host: v.host, started: String(v.started) } : null;
  } catch {
    return null;
  }
}

/**
 * Takes the lock of `dir` (created if needed) for this process; `what` names the folder in errors
 * ('--out out/run', 'options.checkpoint.dir ...').
 */
export function lockRun(dir: string, what: string): RunLock {
  ensureDir(dir, what);
  const path = join(dir, LOCK_FILE);
  const me: LockInfo = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  let tookOver: string | null = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o644);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new Error(`${what}: cannot write in ${dir} (${systemReason(e)})`);
      const other = readInfo(path);
      // The same process may lock the same folder twice only by mistake; another host's PIDs mean nothing here.
      if (other !== null && other.host === me.host && other.pid !== process.pid && !alive(other.pid)) {
        tookOver = `pid ${other.pid}, started ${other.started}, which is no longer running`;
        rmSync(path, { force: true });
        continue;
      }
      const who = other === null ? 'another run (its lock file is unreadable)' : `pid ${other.pid} on ${other.host}, since ${other.started}`;
      throw new Error(`${what}: ${dir} is in use by another rnnlab run (${who}); wait for it, or remove ${path} if that run is gone`);
    }
    try {
      writeSync(fd, `${JSON.stringify(me)}\n`);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return {
      path,
      tookOver,
      release: () => {
        if (released) return;
        released = true;
        if (readInfo(path)?.pid === process.pid) rmSync(path, { force: true });
      },
    };
  }
  throw new Error(`${what}: could not take the lock ${path}`);
}

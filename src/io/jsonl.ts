/**
 * JSON-lines files that a run appends to as it goes (`rnnlab train`'s train.jsonl, `rnnlab reproduce`'s
 * run log): written a whole line at a time, read back whole lines only, so a run killed mid-write loses
 * at most the line it was writing.
 */
import { appendFileSync, existsSync, readFileSync, statSync, truncateSync } from 'node:fs';
import { systemReason } from './files.js';

/** The value of every whole line of `file`; none when it does not exist. A line that does not parse (a torn last line) is skipped. */
export function readJsonLines(file: string): unknown[] {
  if (!existsSync(file)) return [];
  const out: unknown[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line));
    } catch {
      /* a torn last line: that record is simply gone */
    }
  }
  return out;
}

/**
 * Appends lines to `file`, each whole or not at all: a failed append cuts the file back to where it was
 * and says which file failed and why (`what` names it, e.g. 'options.logJsonl'). The size is read once
 * and then tracked, not asked for every line.
 */
export function lineAppender(file: string, what: string): (line: string) => void {
  let size = 0;
  try {
    size = statSync(file).size;
  } catch {
    /* not there yet */
  }
  return (line) => {
    try {
      appendFileSync(file, line);
      size += Buffer.byteLength(line);
    } catch (e) {
      try {
        truncateSync(file, size);
      } catch {
        /* the file may not exist at all */
      }
      throw new Error(`${what}: cannot append to ${file} (${systemReason(e)}); the log ends at the last whole line`);
    }
  };
}

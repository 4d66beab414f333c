/**
 * The POSIX tar format (ustar), just enough to hold one checkpoint directory in one file: regular files
 * and directories, written by us; read from us, GNU tar and bsdtar (GNU long names and pax `path`
 * records are understood, other entry types are listed but not read).
 *
 * A tar file is a sequence of 512-byte blocks: for each entry a header block (name, mode, size and
 * mtime as octal text, a checksum over the header, the type) followed by its data padded to a whole
 * block; two zero blocks end the archive.
 */

const BLOCK = 512;

export interface TarEntry {
  /** The path inside the archive, without a leading './'; directories without the trailing '/'. */
  name: string;
  type: 'file' | 'directory' | 'other';
  /** The file's content (empty for the others). */
  data: Uint8Array;
}

/** Why bytes are not a tar archive, or what is damaged in one; the caller adds the file name. */
export class TarError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TarError';
  }
}

function writeString(h: Uint8Array, off: number, len: number, s: string): void {
  const b = new TextEncoder().encode(s);
  if (b.length > len) throw new RangeError(`tar: ${JSON.stringify(s)} does not fit its ${len}-byte field`);
  h.set(b, off);
}

function writeOctal(h: Uint8Array, off: number, len: number, v: number): void {
  writeString(h, off, len, `${Math.floor(v).toString(8).padStart(len - 1, '0')}\0`);
}

function headerSum(h: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < BLOCK; i++) s += i >= 148 && i < 156 ? 0x20 : h[i];
  return s;
}

/** A ustar archive of the given entries (names up to 100 bytes), in order. `mtime` in seconds. */
export function packTar(entries: { name: string; type: 'file' | 'directory'; data?: Uint8Array }[], mtime: number): Uint8Array {
  let size = 2 * BLOCK;
  for (const e of entries) size += BLOCK + Math.ceil((e.data?.length ?? 0) / BLOCK) * BLOCK;
  const out = new Uint8Array(size);
  let off = 0;
  for (const e of entries) {
    const dir = e.type === 'directory';
    const data = dir ? new Uint8Array(0) : e.data ?? new Uint8Array(0);
    const h = out.subarray(off, off + BLOCK);
    writeString(h, 0, 100, dir ? `${e.name}/` : e.name);
    writeOctal(h, 100, 8, dir ? 0o755 : 0o644);
    writeOctal(h, 108, 8, 0);
    writeOctal(h, 116, 8, 0);
    writeOctal(h, 124, 12, data.length);
    writeOctal(h, 136, 12, mtime);
    h[156] = dir ? 0x35 : 0x30; // '5' directory, '0' regular file
    writeString(h, 257, 6, 'ustar\0');
    writeString(h, 263, 2, '00');
    writeString(h, 148, 8, `${headerSum(h).toString(8).padStart(6, '0')}\0 `);
    out.set(data, off + BLOCK);
    off += BLOCK + Math.ceil(data.length / BLOCK) * BLOCK;
  }
  return out;
}

function readString(h: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && h[end] !== 0) end++;
  return new TextDecoder('utf-8').decode(h.subarray(off, end));
}

function readOctal(h: Uint8Array, off: number, len: number, what: string, where: string): number {
  const s = readString(h, off, len).trim();
  if (!/^[0-7]+$/.test(s)) throw new TarError(`${where}: the ${what} field is not an octal number (${JSON.stringify(s.slice(0, 12))})`);
  return parseInt(s, 8);
}

/** Whether the first block is a tar header: the header checksum of POSIX (and of old tars) matches. */
export function looksLikeTar(bytes: Uint8Array): boolean {
  return bytes.length >= BLOCK && headerProblem(bytes.subarray(0, BLOCK)) === null;
}

function headerProblem(h: Uint8Array): string | null {
  const stored = readString(h, 148, 8).trim();
  if (!/^[0-7]+$/.test(stored)) return 'its header checksum field is not an octal number';
  const want = parseInt(stored, 8);
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) signed += i >= 148 && i < 156 ? 0x20 : (h[i] << 24) >> 24;
  return want === headerSum(h) || want === signed ? null : 'its header checksum does not match';
}

/** The entries of a tar archive; a TarError says what is wrong and at which entry. */
export function unpackTar(bytes: Uint8Array): TarEntry[] {
  if (bytes.length === 0) throw new TarError('the file is empty');
  if (bytes.length < BLOCK) throw new TarError(`the file is ${bytes.length} bytes, shorter than one 512-byte tar header`);
  const entries: TarEntry[] = [];
  let off = 0;
  let longName: string | null = null;
  while (off + BLOCK <= bytes.length) {
    const h = bytes.subarray(off, off + BLOCK);
    if (h.every((b) => b === 0)) break;
    const where = entries.length === 0 && off === 0 ? 'the first 512 bytes' : `the tar header at byte ${off}`;
    const problem = headerProblem(h);
    if (problem !== null) throw new TarError(`${where} are not a tar header: ${problem}`);
    const size = readOctal(h, 124, 12, 'size', where);
    const start = off + BLOCK;
    if (start + size > bytes.length) throw new TarError(`${where}: the entry needs ${size} bytes but the file ends ${bytes.length - start} bytes later (truncated?)`);
    const data = bytes.subarray(start, start + size);
    off = start + Math.ceil(size / BLOCK) * BLOCK;
    const flag = String.fromCharCode(h[156]);
    const magic = readString(h, 257, 6);
    const prefix = magic.startsWith('ustar') ? readString(h, 345, 155) : '';
    let name = longName ?? (prefix ? `${prefix}/${readString(h, 0, 100)}` : readString(h, 0, 100));
    longName = null;
    if (flag === 'L') { longName = readString(data, 0, data.length); continue; } // GNU: the next entry's name
    if (flag === 'x') { longName = paxPath(data); continue; } // pax: may carry the next entry's path
    if (flag === 'g') continue; // pax global header
    name = name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
    const type = flag === '0' || flag === '\0' || flag === '7' ? 'file' : flag === '5' ? 'directory' : 'other';
    entries.push({ name, type, data: type === 'file' ? data : new Uint8Array(0) });
  }
  return entries;
}

function paxPath(data: Uint8Array): string | null {
  const text = new TextDecoder('utf-8').decode(data);
  for (const line of text.split('\n')) {
    const m = /^\d+ path=(.*)$/.exec(line);
    if (m) return m[1];
  }
  return null;
}

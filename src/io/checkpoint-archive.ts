/**
 * One checkpoint in one file: a tar of its directory,
 *
 *   step-000000040/
 *   step-000000040/checkpoint.json
 *   step-000000040/model.safetensors
 *
 * This is what the browser lab downloads (a page can offer one file, not a directory), and what
 * `loadCheckpoint` reads besides directories. Why tar: `tar xf` turns it back into the ordinary
 * directory on any system (PyTorch users then open model.safetensors as before), `tar cf ckpt.tar -C
 * out/train/checkpoints step-000000040` makes one from a CLI checkpoint, and the format is simple
 * enough to read and write here in a few lines (tar.ts) with no dependency. Pure: no file system.
 */
import type { CheckpointContents, LoadedCheckpoint } from './checkpoint-format.js';
import { MANIFEST, WEIGHTS, checkpointDirName } from './checkpoint-format.js';
import { decodeCheckpoint, encodeCheckpoint, type EncodedCheckpoint } from './checkpoint-codec.js';
import { CheckpointError } from './checkpoint-error.js';
import { TarError, packTar, unpackTar, type TarEntry } from './tar.js';

export const ARCHIVE_EXTENSION = '.tar';

export interface CheckpointArchive extends EncodedCheckpoint {
  /** A file name to offer: 'step-000000040.tar'. */
  fileName: string;
  bytes: Uint8Array;
}

/** Checks and encodes `contents` (as saveCheckpoint does) into one tar file. `mtime`: seconds since 1970. */
export function encodeCheckpointArchive(contents: CheckpointContents, mtime = Date.now() / 1000): CheckpointArchive {
  const encoded = encodeCheckpoint(contents);
  const dir = checkpointDirName(encoded.manifest.step);
  const bytes = packTar([
    { name: dir, type: 'directory' },
    { name: `${dir}/${MANIFEST}`, type: 'file', data: new TextEncoder().encode(encoded.manifestText) },
    { name: `${dir}/${WEIGHTS}`, type: 'file', data: encoded.weights },
  ], mtime);
  return { ...encoded, fileName: `${dir}${ARCHIVE_EXTENSION}`, bytes };
}

const HOW = `expected a .tar holding one checkpoint directory (${MANIFEST} and ${WEIGHTS}), as the lab's download or \`tar cf ckpt.tar -C out/train/checkpoints step-000000040\` makes`;

/** What a file that is not a tar archive seems to be, for the message. */
function guess(bytes: Uint8Array): string {
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 64)).trimStart();
  if (head.startsWith('{') && head.includes('"format"')) return ` (it looks like a ${MANIFEST} on its own: the weights are needed too)`;
  if (bytes.length >= 9 && bytes[8] === 0x7b) return ` (it looks like a safetensors file, a ${WEIGHTS} on its own: ${MANIFEST} is needed too)`;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return ' (it is gzip-compressed: decompress it first)';
  if (bytes[0] === 0x50 && bytes[1] === 0x4b) return ' (it is a zip file)';
  return '';
}

function dirOf(name: string): string {
  const i = name.lastIndexOf('/');
  return i < 0 ? '' : name.slice(0, i);
}

function baseOf(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/**
 * Reads a checkpoint archive. `fileName` names it in every message: a problem with the archive itself
 * is `<fileName>: ...`, one inside it `<fileName>:<entry>: ...` with the same wording loadCheckpoint
 * uses for a directory.
 */
export function decodeCheckpointArchive(bytes: Uint8Array, fileName: string): LoadedCheckpoint {
  if (!(bytes instanceof Uint8Array)) throw new CheckpointError(`${fileName}: expected the file's bytes (a Uint8Array), got ${bytes === null ? 'null' : typeof bytes}`);
  let entries: TarEntry[];
  try {
    entries = unpackTar(bytes);
  } catch (e) {
    if (!(e instanceof TarError)) throw e;
    throw new CheckpointError(`${fileName}: not an rnnlab checkpoint archive: ${e.message}${guess(bytes)}; ${HOW}`, { cause: e });
  }
  const manifests = entries.filter((e) => baseOf(e.name) === MANIFEST);
  if (manifests.length === 0) {
    const names = entries.map((e) => e.name).slice(0, 6);
    throw new CheckpointError(`${fileName}: not an rnnlab checkpoint archive: it holds no ${MANIFEST} (entries: ${names.length ? names.join(', ') : 'none'}${entries.length > 6 ? ', ...' : ''}); ${HOW}`);
  }
  if (manifests.length > 1) {
    throw new CheckpointError(`${fileName}: holds ${manifests.length} checkpoints (${manifests.map((e) => dirOf(e.name) || '.').join(', ')}); expected one: archive a single step-NNNNNNNNN directory`);
  }
  const manifest = manifests[0];
  if (manifest.type !== 'file') throw new CheckpointError(`${fileName}:${manifest.name}: expected a regular file, got a ${manifest.type === 'directory' ? 'directory' : 'link or special file'}`);
  const dir = dirOf(manifest.name);
  const weightsName = dir ? `${dir}/${WEIGHTS}` : WEIGHTS;
  const readWeights = (): Uint8Array => {
    const w = entries.find((e) => e.name === weightsName);
    if (w === undefined) throw new CheckpointError(`${fileName}:${weightsName}: missing from the archive (a checkpoint needs ${MANIFEST} and ${WEIGHTS} side by side)`);
    if (w.type !== 'file') throw new CheckpointError(`${fileName}:${weightsName}: expected a regular file, got a ${w.type === 'directory' ? 'directory' : 'link or special file'}`);
    return w.data;
  };
  return decodeCheckpoint(manifest.data, readWeights, { manifest: `${fileName}:${manifest.name}`, weights: `${fileName}:${weightsName}`, path: fileName });
}

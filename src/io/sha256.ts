/**
 * SHA-256 for checkpoint checksums, synchronous, the same in Node and in the browser lab.
 *
 * Why not node:crypto or WebCrypto: checkpoints are encoded and checked by one piece of code in Node and
 * in the page (checkpoint-codec.ts), and WebCrypto's digest is asynchronous, which would make every
 * checkpoint function async. @noble/hashes is an audited, dependency-free implementation that runs in both.
 */
import { sha256 as digest } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** The lowercase hex SHA-256 digest of bytes, or of a string's UTF-8 encoding. */
export function sha256(data: Uint8Array | string): string {
  return bytesToHex(digest(typeof data === 'string' ? utf8ToBytes(data) : data));
}

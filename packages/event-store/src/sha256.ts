/**
 * SHA-256 for the hot loops (verify, the tree), over "binary strings": a hash held as a string
 * of 32 characters, each one byte (latin1). Node's one-shot `crypto.hash` into such a string
 * costs about a third of `createHash(...).update(...).digest()`, whose object and Buffer are
 * most of the price for inputs this small. Inputs are assembled in one scratch buffer, so a
 * hash of several parts copies them once and allocates nothing else but its answer.
 */
import { hash } from 'node:crypto';

/** A 32-byte hash as a string of 32 one-byte characters. */
export type BinaryHash = string;

let scratch = Buffer.allocUnsafe(4096);

/** The scratch buffer, at least `size` bytes long. */
const room = (size: number): Buffer => {
  if (scratch.length < size) scratch = Buffer.allocUnsafe(Math.max(size, scratch.length * 2));
  return scratch;
};

const digestOf = (length: number): BinaryHash =>
  hash('sha256', new Uint8Array(scratch.buffer, scratch.byteOffset, length), 'binary');

/** SHA-256(bytes). */
export const sha256Binary = (bytes: Uint8Array): BinaryHash => hash('sha256', bytes, 'binary');

/** SHA-256 of the parts one after another, whatever their lengths (the slow, exact path). */
const sha256Of = (...parts: readonly (string | Uint8Array)[]): BinaryHash =>
  sha256Binary(
    Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'latin1') : p))),
  );

/** SHA-256(prefixByte || a || b), with a and b binary hashes (b may be omitted). */
export const sha256Tagged = (prefix: number, a: BinaryHash, b?: BinaryHash): BinaryHash => {
  // The scratch holds each part at a fixed place: a part of another length is hashed exactly.
  if (a.length !== 32 || (b !== undefined && b.length !== 32)) {
    return sha256Of(Buffer.of(prefix), a, ...(b === undefined ? [] : [b]));
  }
  const buf = room(65);
  buf[0] = prefix;
  buf.write(a, 1, 'latin1');
  if (b === undefined) return digestOf(33);
  buf.write(b, 33, 'latin1');
  return digestOf(65);
};

/** SHA-256(a || b), two binary hashes. */
export const sha256Pair = (a: BinaryHash, b: BinaryHash): BinaryHash => {
  if (a.length !== 32 || b.length !== 32) return sha256Of(a, b);
  const buf = room(64);
  buf.write(a, 0, 'latin1');
  buf.write(b, 32, 'latin1');
  return digestOf(64);
};

/** SHA-256(head || UTF-8(text) || tail): a binary hash, a text, then bytes. */
export const sha256HeadTextTail = (head: BinaryHash, text: string, tail: Buffer): BinaryHash => {
  if (head.length !== 32) return sha256Of(head, Buffer.from(text, 'utf8'), tail);
  const buf = room(32 + text.length * 3 + tail.length); // UTF-8: at most 3 bytes a code unit
  buf.write(head, 0, 'latin1');
  const at = 32 + buf.write(text, 32, 'utf8');
  tail.copy(buf, at); // memcpy: TypedArray#set across buffers is a slow path
  return digestOf(at + tail.length);
};

/** A hex hash as a binary one, and back. */
export const binaryOfHex = (hex: string): BinaryHash => Buffer.from(hex, 'hex').toString('latin1');
export const hexOfBinary = (binary: BinaryHash): string =>
  Buffer.from(binary, 'latin1').toString('hex');

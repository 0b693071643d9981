/**
 * The Merkle tree over the global log, in RFC 6962 / RFC 9162 form: a leaf is
 * `SHA-256(0x00 || data)` (for the log, `data` is an event's hash), a node
 * `SHA-256(0x01 || left || right)`, the tree over n leaves splits at the largest power of two
 * below n; the empty tree's root is SHA-256 of nothing. Inclusion and consistency proofs are
 * made and checked as RFC 9162 §2.1 says; a checker refuses a proof that is too long, too short
 * or not wholly used. Pure: buffers in, buffers out.
 */
import type { BinaryHash } from './sha256.js';
import { sha256Binary, sha256Tagged } from './sha256.js';

const LEAF = 0x00;
const NODE = 0x01;
const binary = (hash: Uint8Array): BinaryHash =>
  Buffer.from(hash.buffer, hash.byteOffset, hash.length).toString('latin1');
const bytes = (hash: BinaryHash): Buffer => Buffer.from(hash, 'latin1');

/** A leaf of the log's tree, from an event hash (both binary strings, see sha256.ts). */
export const leafOf = (eventHash: BinaryHash): BinaryHash => sha256Tagged(LEAF, eventHash);
const nodeOf = (left: BinaryHash, right: BinaryHash): BinaryHash => sha256Tagged(NODE, left, right);

export const leafHash = (data: Uint8Array): Buffer => bytes(leafOf(binary(data)));
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer =>
  bytes(nodeOf(binary(left), binary(right)));
export const EMPTY_ROOT: Buffer = bytes(sha256Binary(new Uint8Array(0)));

/** The largest power of two strictly below n (n > 1). */
const split = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/**
 * The hash of leaves [start, end) as a subtree of the log's tree: the proofs below ask only
 * for ranges that begin at a multiple of the power of two at or above their length, which is
 * what lets a stored tree answer them from O(log n) complete nodes (see `nodesCovering`).
 */
export type RangeHash = (start: number, end: number) => Buffer;

/** MTH of [start, end) computed from the leaves themselves. */
export const rangeOfLeaves =
  (leaves: readonly Uint8Array[]): RangeHash =>
  (start, end) => {
    const n = end - start;
    if (n === 0) return EMPTY_ROOT;
    if (n === 1) return Buffer.from(leaves[start]!);
    const k = split(n);
    return nodeHash(rangeOfLeaves(leaves)(start, start + k), rangeOfLeaves(leaves)(start + k, end));
  };

/** MTH over leaf hashes. */
export const rootOf = (leaves: readonly Uint8Array[]): Buffer =>
  rangeOfLeaves(leaves)(0, leaves.length);

/** The audit path of leaf `index` in the tree of `size` leaves (RFC 6962 PATH). */
export const inclusionPath = (index: number, size: number, range: RangeHash): Buffer[] => {
  if (!Number.isInteger(index) || index < 0 || index >= size) {
    throw new RangeError(`no leaf ${index} in a tree of ${size}`);
  }
  const path = (m: number, start: number, end: number): Buffer[] => {
    if (end - start === 1) return [];
    const k = split(end - start);
    return m < k
      ? [...path(m, start, start + k), range(start + k, end)]
      : [...path(m - k, start + k, end), range(start, start + k)];
  };
  return path(index, 0, size);
};

/** That the tree of `m` leaves is a prefix of the tree of `size` (RFC 6962 PROOF). */
export const consistencyPath = (m: number, size: number, range: RangeHash): Buffer[] => {
  if (!Number.isInteger(m) || m < 0 || m > size) {
    throw new RangeError(`no tree of ${m} inside one of ${size}`);
  }
  const subproof = (m: number, start: number, end: number, whole: boolean): Buffer[] => {
    if (m === end - start) return whole ? [] : [range(start, end)];
    const k = split(end - start);
    return m <= k
      ? [...subproof(m, start, start + k, whole), range(start + k, end)]
      : [...subproof(m - k, start + k, end, false), range(start, start + k)];
  };
  return m === 0 ? [] : subproof(m, 0, size, true);
};

/** The audit path of leaf `index` in the tree over `leaves`. */
export const inclusionProof = (index: number, leaves: readonly Uint8Array[]): Buffer[] =>
  inclusionPath(index, leaves.length, rangeOfLeaves(leaves));

/** That the tree over the first `m` leaves is a prefix of the tree over `leaves`. */
export const consistencyProof = (m: number, leaves: readonly Uint8Array[]): Buffer[] =>
  consistencyPath(m, leaves.length, rangeOfLeaves(leaves));

/** A complete subtree: `2^level` leaves from `index * 2^level` (level 0: a leaf). */
export interface NodeKey {
  readonly level: number;
  readonly index: number;
}

/**
 * The complete subtrees whose hashes make MTH of [start, end), largest first, for a range the
 * proofs ask for (`start` a multiple of the power of two at or above its length).
 */
export const nodesCovering = (start: number, end: number): NodeKey[] => {
  const keys: NodeKey[] = [];
  for (let at = start; at < end;) {
    let level = 0;
    while (at % 2 ** (level + 1) === 0 && at + 2 ** (level + 1) <= end) level++;
    keys.push({ level, index: at / 2 ** level });
    at += 2 ** level;
  }
  return keys;
};

/** MTH of a range from its covering complete subtrees (right to left: the tree's shape). */
export const foldNodes = (hashes: readonly Uint8Array[]): Buffer => {
  if (hashes.length === 0) return EMPTY_ROOT;
  let root: Buffer = Buffer.from(hashes[hashes.length - 1]!);
  for (let i = hashes.length - 2; i >= 0; i--) root = nodeHash(hashes[i]!, root);
  return root;
};

/**
 * The tree grown one leaf at a time, keeping only its complete subtrees on the right edge (at
 * most log2 n hashes): the root at any size, and the nodes each new leaf completes.
 */
export class TreeFrontier {
  #size: number;
  /** Binary strings (see sha256.ts): a tree of a million leaves is grown without a Buffer. */
  readonly #edge: BinaryHash[];

  /** From `size` leaves whose covering subtrees are `edge` (largest first), or empty. */
  constructor(size = 0, edge: readonly Uint8Array[] = []) {
    if (nodesCovering(0, size).length !== edge.length) {
      throw new RangeError(`a tree of ${size} has ${nodesCovering(0, size).length} edge nodes`);
    }
    this.#size = size;
    this.#edge = edge.map(binary);
  }

  get size(): number {
    return this.#size;
  }

  root(): Buffer {
    return foldNodes(this.#edge.map(bytes));
  }

  edge(): readonly Buffer[] {
    return this.#edge.map(bytes);
  }

  /** Adds a leaf hash; answers the complete nodes (level 1 and up) it completes, in order. */
  push(leaf: Uint8Array): { level: number; index: number; hash: Buffer }[] {
    const made: { level: number; index: number; hash: Buffer }[] = [];
    this.#add(binary(leaf), (level, index, hash) => made.push({ level, index, hash: bytes(hash) }));
    return made;
  }

  /** Adds a leaf given as a binary string, for a reader that wants only the roots. */
  pushBinary(leaf: BinaryHash): void {
    this.#add(leaf);
  }

  #add(leaf: BinaryHash, made?: (level: number, index: number, hash: BinaryHash) => void): void {
    let hash = leaf;
    let index = this.#size;
    let level = 0;
    while (index % 2 === 1) {
      hash = nodeOf(this.#edge.pop()!, hash);
      index = (index - 1) / 2;
      level++;
      made?.(level, index, hash);
    }
    this.#edge.push(hash);
    this.#size++;
  }
}

const odd = (n: bigint) => (n & 1n) === 1n;

/** RFC 9162's "until LSB(fn) is set or fn is 0, right-shift fn and sn" (both verifiers). */
const climb = (fn: bigint, sn: bigint): [bigint, bigint] => {
  while (!odd(fn) && fn !== 0n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  return [fn, sn];
};

/** RFC 9162 §2.1.3.2: whether `leaf` is leaf `index` of the tree of `size` with `root`. */
export const verifyInclusion = (
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean => {
  if (!(index >= 0 && index < size)) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Buffer = Buffer.from(leaf);
  for (const p of proof) {
    if (sn === 0n) return false; // longer than the path
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      [fn, sn] = climb(fn, sn);
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && r.equals(root);
};

/** RFC 9162 §2.1.4.2: whether the tree of `first` with `firstRoot` is a prefix of `second`'s. */
export const verifyConsistency = (
  first: number,
  second: number,
  proof: readonly Uint8Array[],
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
): boolean => {
  if (!(first >= 0 && first <= second)) return false;
  if (first === second) return proof.length === 0 && Buffer.from(firstRoot).equals(secondRoot);
  if (first === 0) return proof.length === 0; // the empty tree is a prefix of every tree
  if (proof.length === 0) return false;
  const path = (first & (first - 1)) === 0 ? [firstRoot, ...proof] : [...proof];
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  while (odd(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Buffer = Buffer.from(path[0]!);
  let sr: Buffer = Buffer.from(path[0]!);
  for (const c of path.slice(1)) {
    if (sn === 0n) return false; // longer than needed
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      [fn, sn] = climb(fn, sn);
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && fr.equals(firstRoot) && sr.equals(secondRoot);
};
